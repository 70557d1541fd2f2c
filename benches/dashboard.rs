//! Dashboard speed on a level of 100 000 rows: first frame from the facts cache (the file read,
//! checked and decoded, then drawn; and a warm start's first frame, from the cache's roll-up,
//! for two shapes of the same facts) and from facts in memory, drill-down,
//! keypress → frame, filter typing, metric change, change analysis (the Δ decomposition of the
//! whole tree, a frame at the top level with its parts and unusual days, the change view). Each step is `update` plus a full draw
//! into ratatui's `TestBackend` at 120×40 (the terminal write itself is not included).
//!
//!     cargo bench --bench dashboard [-- PODS]      (default 100000 pods, 7 days)
//!
//! Prints median / p99 / max per step and the peak RSS. Not a test: nothing here asserts a
//! time; the README records the figures.
#![allow(clippy::unwrap_used)]

use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;

use curtop::app::{self, App, DrawMode, Msg};
use curtop::cache::{Cache, Lookup, Meta, SourceKey};
use curtop::config::Config;
use curtop::config::keys::{Key, KeyCode};
use curtop::cur::attribution::Category;
use curtop::cur::metrics::{Costs, Metric};
use curtop::cur::money::Money;
use curtop::cur::time::day_of;
use curtop::facts::{Basis, DIMS, Dim, FactRow, Facts, NONE, Quantity};
use curtop::source::Loaded;
use curtop::source::discover::{Delivery, Layout};
use curtop::window::{Window, WindowSpec};

/// `pods` pods × 14 days; `per_workload` pods in each workload (all in one: `usize::MAX`),
/// 100 workloads to a namespace.
fn facts_of(pods: usize, last: i32, per_workload: usize) -> Facts {
    let mut f = Facts::default();
    let cluster = f.strings.intern("bench-cluster");
    let mut ns = f.strings.intern("load");
    let mut wl = f.strings.intern("api");
    let kind = f.strings.intern("Deployment");
    let svc = f.strings.intern("AmazonEKS");
    let cpu = f.strings.intern("USE1-EKS-EC2-vCPU-Hours");
    let acct = f.strings.intern("111122223333");
    for p in 0..pods {
        if per_workload != usize::MAX && p % per_workload == 0 {
            let w = p / per_workload;
            wl = f.strings.intern(&format!("svc-{w:05}"));
            ns = f.strings.intern(&format!("team-{:03}", w / 100));
        }
        let pod = f.strings.intern(&format!("api-7f9c8d-{p:06}"));
        let node = f.strings.intern(&format!("i-{:017x}", p / 40));
        for day in last - 13..=last {
            let mut dims = [0; DIMS];
            dims[Dim::Cluster as usize] = cluster;
            dims[Dim::Namespace as usize] = ns;
            dims[Dim::Workload as usize] = wl;
            dims[Dim::WorkloadKind as usize] = kind;
            dims[Dim::Pod as usize] = pod;
            dims[Dim::Node as usize] = node;
            dims[Dim::Service as usize] = svc;
            dims[Dim::UsageType as usize] = cpu;
            dims[Dim::Account as usize] = acct;
            let m = Money(((p * 7919 + day as usize * 104_729) % 5_000_000 + 1) as i64 * 1000);
            let costs = Costs([m; 4]);
            let b = f.bill.entry(day).or_default();
            *b += costs;
            f.rows.push(FactRow {
                day,
                category: Category::Pod,
                basis: Basis::Usage,
                dims,
                labels: Box::new([]),
                costs,
                quantity: Quantity(m.0 / 40),
                shared: NONE,
            });
        }
    }
    f
}

fn facts(pods: usize, last: i32) -> Facts {
    facts_of(pods, last, usize::MAX)
}

struct Timings(Vec<Duration>);

impl Timings {
    fn report(mut self, what: &str) {
        self.0.sort();
        let n = self.0.len();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{what:<34} n={n:<5} median {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms",
            ms(self.0[n / 2]),
            ms(self.0[(n * 99 / 100).min(n - 1)]),
            ms(self.0[n - 1])
        );
    }
}

/// CPU time so far: this thread's, from the scheduler's own count in nanoseconds, and the
/// whole process's, every thread's, in 10 ms ticks (Linux). On a busy machine the wall time
/// of a step includes waiting for a core; its CPU time does not.
#[derive(Debug, Clone, Copy)]
struct Cpu {
    thread: Duration,
    process: Duration,
}

impl Cpu {
    fn now() -> Cpu {
        let thread = std::fs::read_to_string("/proc/thread-self/schedstat")
            .ok()
            .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
            .map_or(Duration::ZERO, Duration::from_nanos);
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        // After the command's closing parenthesis, utime and stime are the 12th and 13th fields.
        let ticks: u64 = stat.rsplit_once(')').map_or(0, |(_, rest)| {
            rest.split_whitespace()
                .skip(11)
                .take(2)
                .filter_map(|t| t.parse::<u64>().ok())
                .sum()
        });
        Cpu {
            thread,
            process: Duration::from_millis(ticks * 10),
        }
    }

    fn since(self) -> Cpu {
        let now = Cpu::now();
        Cpu {
            thread: now.thread.saturating_sub(self.thread),
            process: now.process.saturating_sub(self.process),
        }
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

/// `facts` stored as the bench's one period (`2026-11`, read at `read_at`) in a fresh cache
/// folder named after `what`: the folder, the cache, its key and the facts file.
fn stored(
    facts: &Facts,
    read_at: i64,
    what: &str,
) -> (std::path::PathBuf, Cache, SourceKey, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("curtop-bench-{what}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let cache = Cache::at(&dir);
    let key = SourceKey::from_description("bench", "generated");
    let meta = Meta::new(
        "bench",
        "generated",
        "2026-11".into(),
        None,
        "bench".into(),
        read_at,
    );
    let path = cache.put(&key, facts, &meta).unwrap();
    (dir, cache, key, path)
}

/// The facts through the cache: written once, dropped, read back (checksum, decode) as a
/// warm start does; the facts read, the read's wall time and its CPU time.
fn through_the_cache(facts: Facts, read_at: i64) -> (Facts, Duration, Cpu) {
    let t = Instant::now();
    let (dir, cache, key, path) = stored(&facts, read_at, "cache");
    let size = std::fs::metadata(&path).map_or(0, |m| m.len());
    println!(
        "cache file: {:.1} MB for {} facts, written in {:.2} s",
        size as f64 / 1e6,
        facts.rows.len(),
        t.elapsed().as_secs_f64()
    );
    drop(facts);
    let (start, cpu) = (Instant::now(), Cpu::now());
    let Lookup::Hit(hit) = cache.get(&key, "2026-11") else {
        panic!("the bench cache file did not read back");
    };
    let (wall, cpu) = (start.elapsed(), cpu.since());
    let _ = std::fs::remove_dir_all(&dir);
    (hit.facts, wall, cpu)
}

/// The bench's facts as a read would give them over the 14 days to `last`.
fn loaded(facts: Facts, last: i32, cache: Option<curtop::source::cached::CacheNote>) -> Loaded {
    Loaded {
        facts,
        delivery: Delivery {
            report: "bench".into(),
            layout: Layout::SingleFile,
            periods: vec![],
        },
        window: Window {
            start: last - 13,
            end: last + 1,
        },
        origin: "generated".into(),
        athena: None,
        cache,
        shared: None,
    }
}

/// The dashboard at 120×40 on the last 7 days, its first fetch asked for (its generation).
fn started_app(now: chrono::DateTime<Utc>) -> (App, u64) {
    let mut app = App::new(
        Config::demo(),
        0,
        curtop::clock::AsOf::at(now),
        DrawMode {
            color: true,
            ascii: false,
        },
    );
    app.window = WindowSpec::LastDays(7);
    let _ = app.start();
    let generation = app.jobs[0].generation;
    app.size = (120, 40);
    (app, generation)
}

/// A warm start's first frame from the cache's roll-up (`CacheMode::Rollup`): the period
/// stored (facts and roll-up), then its roll-up read back and drawn as the runtime's first
/// `Msg::Cached`; the roll-up's rows, the read's and the frame's wall time.
fn first_frame_from_rollup(
    facts: Facts,
    now: chrono::DateTime<Utc>,
) -> (usize, Duration, Duration) {
    let (dir, cache, key, _) = stored(&facts, now.timestamp(), "rollup");
    let last = facts.day_range().unwrap().1;
    drop(facts);
    let start = Instant::now();
    let hit = cache.get_rollup(&key, "2026-11").expect("a roll-up");
    let facts = Facts::of_periods(vec![hit.facts], Some((last - 13, last + 1)));
    let read = start.elapsed();
    let rows = facts.rows.len();
    let loaded = loaded(
        facts,
        last,
        Some(curtop::source::cached::CacheNote {
            cached: vec!["2026-11".into()],
            cached_since: Some(now.timestamp()),
            rolled_up: true,
            ..Default::default()
        }),
    );
    let (mut app, generation) = started_app(now);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let t = Instant::now();
    let _ = app::update(
        &mut app,
        Msg::Cached {
            profile: 0,
            generation,
            loaded: Box::new(loaded),
        },
    );
    terminal.draw(|f| curtop::ui::draw(f, &app)).unwrap();
    let frame = t.elapsed();
    assert!(app.level().is_some_and(|l| !l.level.rows.is_empty()));
    let _ = std::fs::remove_dir_all(&dir);
    (rows, read, frame)
}

fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// Change analysis: the Δ decomposition of the whole tree (built with the levels and on a
/// metric change), then frames at the top level, whose one row holds every fact: its detail
/// pane tells its Δ apart and looks for unusual days, the trend marks them.
fn change_analysis(app: &mut App, step: &mut dyn FnMut(&mut App, Msg) -> Duration, runs: usize) {
    let mut analysis = Vec::new();
    for _ in 0..runs {
        let (facts, view) = (app.facts().unwrap(), app.view().unwrap());
        let t = Instant::now();
        let change = curtop::alloc::change::Change::new(facts, &view);
        analysis.push(t.elapsed());
        drop(change);
    }
    Timings(analysis).report("change analysis (Change::new)");
    let mut top = Vec::new();
    for _ in 0..runs {
        top.push(step(app, Msg::Key(Key::char('j'))));
    }
    Timings(top).report("keypress, top level (1.4 M facts)");
    let mut change_view = Vec::new();
    for _ in 0..runs {
        change_view.push(step(app, Msg::Key(Key::char('c'))));
    }
    Timings(change_view).report("change view c on/off, top level");
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this as a quick smoke run.
    let bench = std::env::args().any(|a| a == "--bench");
    let pods: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(if bench { 100_000 } else { 500 });
    let now = Utc.with_ymd_and_hms(2026, 11, 22, 12, 0, 0).unwrap();
    let last = day_of(now.date_naive()) - 1;
    let t = Instant::now();
    let facts = facts(pods, last);
    println!(
        "facts: {} rows ({pods} pods x 14 days), built in {:.2} s",
        facts.rows.len(),
        t.elapsed().as_secs_f64()
    );
    // The first frame of a warm start: the cache file read back, then the frame.
    let (facts, read_time, read_cpu) = through_the_cache(facts, now.timestamp());
    let facts = Facts::of_periods(vec![facts], Some((last - 13, last + 1)));
    let loaded = loaded(facts, last, None);
    let (mut app, generation) = started_app(now);
    let mut terminal = Terminal::new(TestBackend::new(120, 40)).unwrap();
    let mut step = |app: &mut App, msg: Msg| -> Duration {
        let t = Instant::now();
        let _ = app::update(app, msg);
        terminal.draw(|f| curtop::ui::draw(f, app)).unwrap();
        t.elapsed()
    };
    let first_cpu = Cpu::now();
    let first = step(
        &mut app,
        Msg::Fetched {
            profile: 0,
            generation,
            result: Ok(Box::new(loaded)),
        },
    );
    let first_cpu = first_cpu.since().thread;
    Timings(vec![read_time]).report("cache read (check + decode)");
    Timings(vec![first]).report("first frame (facts in memory)");
    Timings(vec![read_time + first]).report("first frame from the cache (all)");
    println!(
        "  cpu time: cache read {:.0} ms (every thread; {:.1} ms on this one), first frame \
         {:.1} ms, both {:.0} ms",
        ms(read_cpu.process),
        ms(read_cpu.thread),
        ms(first_cpu),
        ms(read_cpu.process + first_cpu)
    );
    // The first frame a warm start draws: from the roll-up, while the full facts decode.
    // Two shapes of the same 1.4 M facts: every pod in one workload (the levels above are
    // tiny), and workloads of 10 pods (the roll-up a tenth of the facts).
    for (shape, per_workload) in [("1 workload", usize::MAX), ("workloads of 10 pods", 10)] {
        let mut read = Vec::new();
        let mut frame = Vec::new();
        let mut rows = 0;
        for _ in 0..if bench { 5 } else { 1 } {
            let (n, r, f) = first_frame_from_rollup(facts_of(pods, last, per_workload), now);
            rows = n;
            read.push(r);
            frame.push(f);
        }
        let all: Vec<Duration> = read.iter().zip(&frame).map(|(r, f)| *r + *f).collect();
        println!("roll-up, {shape}: {rows} rows");
        Timings(read).report("  roll-up read");
        Timings(frame).report("  first frame (roll-up in memory)");
        Timings(all).report("  first frame from the roll-up");
    }
    let key = |c: char| Msg::Key(Key::char(c));
    let enter = || Msg::Key(Key::plain(KeyCode::Enter));
    change_analysis(&mut app, &mut step, if bench { 10 } else { 2 });
    let mut drill = Vec::new();
    for _ in 0..3 {
        drill.push(step(&mut app, enter()));
    }
    assert_eq!(
        app.level().unwrap().level.rows.len(),
        pods,
        "the workload level holds every pod"
    );
    Timings(drill).report("drill in (3 levels, last = pods)");
    let mut moves = Vec::new();
    for i in 0..if bench { 2000 } else { 20 } {
        moves.push(step(&mut app, key(if i % 3 == 2 { 'k' } else { 'j' })));
    }
    Timings(moves).report(&format!("keypress j/k ({pods} rows)"));
    let mut pages = Vec::new();
    for _ in 0..if bench { 200 } else { 5 } {
        pages.push(step(&mut app, Msg::Key(Key::plain(KeyCode::PageDown))));
    }
    Timings(pages).report("page down");
    let mut typing = vec![step(&mut app, key('/'))];
    for c in "api-7f9c8d-0999".chars() {
        typing.push(step(&mut app, key(c)));
    }
    for _ in 0..6 {
        typing.push(step(&mut app, Msg::Key(Key::plain(KeyCode::Backspace))));
    }
    Timings(typing).report("filter typing (per key)");
    let _ = step(&mut app, Msg::Key(Key::plain(KeyCode::Esc)));
    let mut sorts = Vec::new();
    for c in ['N', 'N', 'D', 'C'] {
        sorts.push(step(&mut app, key(c)));
    }
    Timings(sorts).report("sort (N, N, D, C)");
    let mut metric = Vec::new();
    for _ in 0..4 {
        metric.push(step(&mut app, key('m')));
    }
    Timings(metric).report("metric change (m)");
    assert_eq!(app.metric, Metric::Amortized);
    println!("peak RSS {:.0} MiB", peak_rss_mib());
}
