//! End to end: the real `curtop` binary in a real terminal (tmux) on the demo data. Drills
//! three levels, filters, switches metric and window, opens help, quits — asserting the screen
//! at each step (polling for it with a deadline, never a bare sleep) — and checks the terminal
//! is restored after `q` and after SIGHUP (an SSH drop).
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

/// The date the dashboard runs as of: the screens asserted do not depend on the day the test
/// runs.
const AS_OF: &str = "2026-11-18";

/// A private tmux server, killed on drop.
struct Tmux {
    socket: String,
    dir: PathBuf,
}

impl Tmux {
    fn start(name: &str, args: &str) -> Tmux {
        Tmux::start_with(name, "", args)
    }

    /// `env`: `NAME=value` words set for curtop beside the test's own.
    fn start_with(name: &str, env: &str, args: &str) -> Tmux {
        let socket = format!("curtop-e2e-{name}-{}", std::process::id());
        let dir = std::env::temp_dir().join(&socket);
        std::fs::create_dir_all(dir.join("config")).unwrap();
        let bin = env!("CARGO_BIN_EXE_curtop");
        // An empty HOME/XDG config: the embedded demo profile, whatever the machine has.
        let script = format!(
            "cd {dir}; env -u NO_COLOR HOME={dir} XDG_CONFIG_HOME={dir}/config CURTOP_CONFIG= \
             TERM=xterm-256color {env} sh -c 'echo $$ > {dir}/pid; exec {bin} --as-of {AS_OF} {args}'; \
             echo \"EXIT=$?\"; \
             stty -a | tr ' ' '\\n' | grep -x -e icanon -e -icanon -e echo -e -echo | \
             tr '\\n' ' '; echo; echo DONE; sleep 600",
            dir = dir.display(),
        );
        let t = Tmux { socket, dir };
        let ok = Command::new("tmux")
            .args([
                "-L",
                &t.socket,
                "-f",
                "/dev/null",
                "new-session",
                "-d",
                "-x",
                "110",
                "-y",
                "32",
                "sh",
                "-c",
                &script,
            ])
            .status()
            .expect("tmux must be installed to run the end-to-end test");
        assert!(ok.success(), "tmux new-session failed");
        t
    }

    fn screen(&self) -> String {
        let out = Command::new("tmux")
            .args(["-L", &self.socket, "capture-pane", "-p", "-t", "0"])
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["-L", &self.socket, "send-keys", "-t", "0"];
        args.extend_from_slice(keys);
        assert!(Command::new("tmux").args(&args).status().unwrap().success());
    }

    /// Literal text (no key-name lookup).
    fn type_text(&self, text: &str) {
        assert!(
            Command::new("tmux")
                .args(["-L", &self.socket, "send-keys", "-t", "0", "-l", text])
                .status()
                .unwrap()
                .success()
        );
    }

    /// Polls until every needle is on screen; fails with the screen after the deadline.
    fn wait_for(&self, needles: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let screen = self.screen();
            if needles.iter().all(|n| screen.contains(n)) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {needles:?}; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Polls until none of `needles` is on screen (an overlay closed); fails after the
    /// deadline. A key sent before the previous one took effect can merge with it (Escape then
    /// `q` within a few milliseconds reads as Alt-q), so steps wait for their effect.
    fn wait_gone(&self, needles: &[&str]) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            let screen = self.screen();
            if !needles.iter().any(|n| screen.contains(n)) {
                return screen;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {needles:?} to go; the screen:\n{screen}"
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The pid of the curtop process (its shell wrote it, then exec'd curtop).
    fn curtop_pid(&self) -> String {
        std::fs::read_to_string(self.dir.join("pid"))
            .unwrap()
            .trim()
            .to_string()
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux")
            .args(["-L", &self.socket, "kill-server"])
            .status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The terminal came back: curtop exited 0 and the tty is in cooked mode with echo.
fn assert_restored(screen: &str) {
    assert_restored_with(screen, 0);
}

/// The terminal came back and curtop exited with `code` (128 + the signal after one).
fn assert_restored_with(screen: &str, code: i32) {
    assert!(
        screen.contains(&format!("EXIT={code}")),
        "curtop did not exit with {code}:\n{screen}"
    );
    assert!(
        screen.contains("icanon echo"),
        "the terminal was left in raw mode:\n{screen}"
    );
    assert!(
        !screen.contains("clusters ("),
        "the alternate screen was not left:\n{screen}"
    );
}

#[test]
fn drill_filter_metric_window_help_and_quit() {
    let t = Tmux::start("drive", "");
    t.wait_for(&[
        "profile demo (demo data)",
        "clusters (",
        "unallocated",
        "prod-use1",
    ]);
    // Level 1 → 2: the costliest cluster.
    t.keys(&["Enter"]);
    t.wait_for(&["namespaces (", "idle", "control-plane"]);
    // The change view and back.
    t.keys(&["c"]);
    t.wait_for(&[
        "change: namespaces by |",
        "USAGE",
        "change view: each change told apart",
    ]);
    t.keys(&["c"]);
    t.wait_for(&["change view off", "namespaces ("]);
    // Level 2 → 3 by command: a namespace.
    t.type_text(":ns payments");
    t.keys(&["Enter"]);
    t.wait_for(&["workloads (", "payments"]);
    // Filter live, then open the match: level 4, its pods.
    t.type_text("/scheduler");
    t.wait_for(&["shown 1 of", "payments-scheduler"]);
    t.keys(&["Enter", "Enter"]);
    let s = t.wait_for(&["pods (", "› payments-scheduler"]);
    assert!(s.contains("all › "), "{s}");
    // Metric and window.
    t.keys(&["m"]);
    t.wait_for(&[" · net · ", "pods ("]);
    t.keys(&["w"]);
    t.wait_for(&["last 7 days", "custom range"]);
    t.keys(&["g", "j", "j", "Enter"]);
    t.wait_for(&["7d ", "window: 7d"]);
    // Help, then quit.
    t.keys(&["?"]);
    t.wait_for(&["help: keys", "open the selected row", "Commands (:)"]);
    t.keys(&["Escape"]);
    t.wait_gone(&["help: keys"]);
    t.wait_for(&["pods ("]);
    t.keys(&["q"]);
    let s = t.wait_for(&["DONE"]);
    assert_restored(&s);
}

#[test]
fn sighup_and_sigterm_restore_the_terminal_and_exit_as_a_shell_expects() {
    for (signal, code) in [("-HUP", 129), ("-TERM", 143)] {
        let t = Tmux::start(&format!("sig{code}"), "--no-color");
        t.wait_for(&["clusters ("]);
        let pid = t.curtop_pid();
        assert!(
            Command::new("kill")
                .args([signal, &pid])
                .status()
                .unwrap()
                .success()
        );
        let s = t.wait_for(&["DONE"]);
        assert_restored_with(&s, code);
    }
}

/// A demo CUR 2.0 Parquet delivery with one byte flipped where the Parquet decoder panics
/// (found by trying offsets with `curtop report`, which says so).
fn parquet_that_panics_the_decoder(dir: &std::path::Path) -> bool {
    let bin = env!("CARGO_BIN_EXE_curtop");
    let d = dir.to_str().unwrap();
    let ok = Command::new(bin)
        .args([
            "demo-data",
            "--layout",
            "cur2-parquet",
            "--days",
            "5",
            "--as-of",
            AS_OF,
            "--out",
            d,
        ])
        .output()
        .unwrap();
    assert!(ok.status.success());
    let mut stack = vec![dir.to_path_buf()];
    let mut file = None;
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(p).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "parquet") {
                file = Some(p);
            }
        }
    }
    let file = file.unwrap();
    let original = std::fs::read(&file).unwrap();
    for i in 1..61 {
        let mut bytes = original.clone();
        bytes[original.len() * i / 61] ^= 0xff;
        std::fs::write(&file, &bytes).unwrap();
        let out = Command::new(bin)
            .args([
                "report",
                "--no-cache",
                "--cur",
                d,
                "--window",
                "all",
                "--as-of",
                AS_OF,
            ])
            .output()
            .unwrap();
        if String::from_utf8_lossy(&out.stderr).contains("its decoder failed") {
            return true;
        }
    }
    false
}

#[test]
fn a_decoder_panic_in_the_dashboard_is_a_diagnosis_and_q_quits() {
    let data = std::env::temp_dir().join(format!("curtop-e2e-panic-data-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&data);
    assert!(
        parquet_that_panics_the_decoder(&data),
        "no offset panics the decoder"
    );
    let t = Tmux::start("panic", &format!("--no-color --cur {}", data.display()));
    let s = t.wait_for(&["unreadable-file"]);
    assert!(!s.contains("panicked"), "{s}");
    assert!(!s.contains("RUST_BACKTRACE"), "{s}");
    t.keys(&["q"]);
    let s = t.wait_for(&["DONE"]);
    assert_restored(&s);
    let _ = std::fs::remove_dir_all(&data);
}

#[test]
fn a_config_error_is_printed_before_the_screen_with_exit_2() {
    let dir = std::env::temp_dir().join(format!("curtop-e2e-cfg-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("bad.toml");
    std::fs::write(
        &file,
        "[profiles.a]\nsource = \"demo\"\n[keys]\nquit = [\"j\"]\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_curtop"))
        .arg("--config")
        .arg(&file)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("bad.toml:4"), "{err}");
    assert!(err.contains("keys.quit"), "{err}");
    assert!(err.contains("already bound to `down`"), "{err}");
    assert!(out.stdout.is_empty(), "nothing drawn before the error");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_broken_example_shows_its_checks_live_and_d_runs_them_again() {
    let t = Tmux::start("doctor", "");
    t.wait_for(&["profile demo (demo data)", "clusters ("]);
    // The built-in broken profile failed in the background; its checks ran on their own.
    t.keys(&["i", "j"]);
    let s = t.wait_for(&[
        "broken-example",
        "failed: path-not-found",
        "checks of broken-example",
        "delivery found",
        "skipped because `delivery found` failed",
    ]);
    assert!(s.contains("config valid"), "{s}");
    assert!(s.contains("Fix"), "{s}");
    // Run them again, then check the working demo profile too.
    t.keys(&["d"]);
    t.wait_for(&["checking broken-example"]);
    t.keys(&["k", "d"]);
    t.wait_for(&[
        "checks of demo",
        "tag coverage",
        "of the bill inside the clusters",
    ]);
    // `q` closes the pane, the second `q` quits.
    t.keys(&["q", "q"]);
    let s = t.wait_for(&["DONE"]);
    assert_restored(&s);
}

/// The dashboard opened on a cache whose source has gone away: the cached numbers on screen,
/// "offline since …" in the header, the diagnosis in the integrations pane.
#[test]
fn offline_the_dashboard_shows_the_cached_facts_and_why() {
    let mut server = common::moto::Server::start();
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 18).unwrap();
    let mut spec = curtop::demo::DemoSpec::demo(7, 30, today);
    spec.scale = curtop::demo::Scale::tiny();
    spec.prefix = String::new();
    let (store, _) = curtop::source::demo::generate_in_memory(&spec).unwrap();
    common::moto::upload(&server.endpoint, "curtop-e2e-offline", "cur", &store);
    let dir = std::env::temp_dir().join(format!("curtop-e2e-offline-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = dir.join("shop.toml");
    std::fs::write(
        &config,
        format!(
            "default-profile = \"shop\"\n[profiles.shop]\nsource = \"s3\"\nbucket = \
             \"curtop-e2e-offline\"\nprefix = \"cur\"\nreport = \"{}\"\nregion = \
             \"us-east-1\"\nendpoint-url = \"{}\"\n",
            spec.report, server.endpoint
        ),
    )
    .unwrap();
    let cache = dir.join("cache");
    let warm = Command::new(env!("CARGO_BIN_EXE_curtop"))
        .args([
            "report",
            "--config",
            config.to_str().unwrap(),
            "--as-of",
            AS_OF,
        ])
        .env("XDG_CACHE_HOME", &cache)
        .output()
        .unwrap();
    assert!(
        warm.status.success(),
        "{}",
        String::from_utf8_lossy(&warm.stderr)
    );
    server.stop();

    let t = Tmux::start_with(
        "offline",
        &format!("XDG_CACHE_HOME={}", cache.display()),
        &format!("--config {}", config.display()),
    );
    let s = t.wait_for(&["profile shop", "offline since", "clusters ("]);
    assert!(s.contains("cached "), "{s}");
    // The warm start opened on the roll-up; the full facts (pods) have replaced it.
    t.wait_gone(&["pods loading"]);
    t.keys(&["i"]);
    t.wait_for(&[
        "integrations",
        "showing the cached facts",
        "endpoint-unreachable",
    ]);
    t.keys(&["Escape"]);
    t.wait_gone(&["showing the cached facts"]);
    t.keys(&["q"]);
    let s = t.wait_for(&["DONE"]);
    assert_restored(&s);
}
