//! The decompression bound of the CSV.gz benchmark (`scripts/bench.sh`): inflates the given
//! gzip parts with the library and buffer sizes curtop's CSV reader uses (flate2 on zlib-rs,
//! `MultiGzDecoder` over a 256 KiB buffer), one part per thread as `report` schedules them,
//! and discards the bytes. No CSV reader can be faster than this on the same threads.
//!
//!     cargo run --release --example inflate_bound -- THREADS PART...
//!
//! Prints one line: `seconds bytes` (wall time, inflated bytes).

use std::io::{BufReader, Read};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::Instant;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let threads: usize = args
        .next()
        .and_then(|t| t.parse().ok())
        .ok_or_else(|| std::io::Error::other("usage: inflate_bound THREADS PART..."))?;
    let parts: Vec<String> = args.collect();
    let next = AtomicUsize::new(0);
    let total = AtomicU64::new(0);
    let start = Instant::now();
    std::thread::scope(|scope| -> std::io::Result<()> {
        let workers: Vec<_> = (0..threads.max(1))
            .map(|_| {
                scope.spawn(|| -> std::io::Result<()> {
                    let mut buf = vec![0u8; 1 << 20];
                    while let Some(part) = parts.get(next.fetch_add(1, Ordering::Relaxed)) {
                        let file = std::fs::File::open(part)?;
                        let mut dec = flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
                            256 * 1024,
                            file,
                        ));
                        loop {
                            let n = dec.read(&mut buf)?;
                            if n == 0 {
                                break;
                            }
                            total.fetch_add(n as u64, Ordering::Relaxed);
                        }
                    }
                    Ok(())
                })
            })
            .collect();
        for w in workers {
            w.join()
                .map_err(|_| std::io::Error::other("an inflating thread panicked"))??;
        }
        Ok(())
    })?;
    println!(
        "{:.3} {}",
        start.elapsed().as_secs_f64(),
        total.load(Ordering::Relaxed)
    );
    Ok(())
}
