//! The timing loop and the output line of `bankkey_gost`, the bankkey side of
//! `scripts/bench-vs-openssl.sh`. It mirrors `bench/openssl_gost.c` exactly:
//!
//! - time is the CPU time of the process (`clock_gettime(CLOCK_PROCESS_CPUTIME_ID)`);
//! - one untimed warm-up operation (which also checks that the operation works), then batches
//!   of operations, each batch at most twice the last and sized to end near the target, until
//!   the accumulated time reaches the target (0.5 s by default);
//! - one line per item:
//!   `BENCH impl=bankkey op=sign set=gost2012_256-A bytes=32 iters=12288 cpu_s=0.512345 ops_s=23984.1`.
//!
//! Only the scaling items (`verify_many` on N threads, bankkey alone) are timed by the wall
//! clock, since CPU time adds up over threads; their lines say `threads=N wall_s=...` and give
//! the process's CPU time over the same span as `cpu_s=...` after it (CPU seconds per wall
//! second show how many cores the threads really got on a shared machine).

use std::io::Write;
use std::time::Instant;

/// Seconds of CPU time used by this process so far.
pub fn cpu_now() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; the clock id is a constant the C library knows.
    #[allow(unsafe_code)]
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime(CLOCK_PROCESS_CPUTIME_ID) failed");
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

/// One measured item.
#[derive(Clone, Debug, PartialEq)]
pub struct Measurement {
    /// Which implementation: `bankkey` or `openssl`.
    pub implementation: String,
    /// `keygen`, `sign`, `verify` or `hash`.
    pub op: String,
    /// Parameter set (`gost2012_256-A`, ..., `p256`) or hash (`streebog256`, `streebog512`).
    pub set: String,
    /// Bytes processed per operation (digest length for signatures, message length for hashes).
    pub bytes: usize,
    /// Operations timed.
    pub iters: u64,
    /// Seconds they took: CPU time of the process, or wall-clock time when `threads` is set.
    pub seconds: f64,
    /// For the scaling items: the number of threads, timed by the wall clock.
    pub threads: Option<usize>,
    /// For the scaling items: CPU seconds of the process over the same span (all threads).
    pub cpu_seconds: Option<f64>,
}

impl Measurement {
    /// Operations per CPU second.
    pub fn ops_per_s(&self) -> f64 {
        self.iters as f64 / self.seconds
    }

    /// The output line (without a newline).
    pub fn line(&self) -> String {
        let time = match self.threads {
            None => format!("cpu_s={:.6}", self.seconds),
            Some(n) => format!(
                "threads={n} wall_s={:.6} cpu_s={:.6}",
                self.seconds,
                self.cpu_seconds.unwrap_or(0.0)
            ),
        };
        format!(
            "BENCH impl={} op={} set={} bytes={} iters={} {time} ops_s={:.1}",
            self.implementation,
            self.op,
            self.set,
            self.bytes,
            self.iters,
            self.ops_per_s()
        )
    }

    /// Reads a line written by either side; `None` when it is not a complete `BENCH` line.
    pub fn parse(line: &str) -> Option<Measurement> {
        let rest = line.strip_prefix("BENCH ")?;
        let mut m = Measurement {
            implementation: String::new(),
            op: String::new(),
            set: String::new(),
            bytes: 0,
            iters: 0,
            seconds: 0.0,
            threads: None,
            cpu_seconds: None,
        };
        let (mut seen, mut cpu, mut wall) = (0u8, None::<f64>, None::<f64>);
        for field in rest.split_whitespace() {
            let (key, value) = field.split_once('=')?;
            match key {
                "impl" => m.implementation = value.to_owned(),
                "op" => m.op = value.to_owned(),
                "set" => m.set = value.to_owned(),
                "bytes" => m.bytes = value.parse().ok()?,
                "iters" => m.iters = value.parse().ok()?,
                "cpu_s" => cpu = Some(value.parse().ok()?),
                "wall_s" => wall = Some(value.parse().ok()?),
                "threads" => m.threads = Some(value.parse().ok()?),
                "ops_s" => {}
                _ => return None,
            }
            seen += 1;
        }
        // one-core items: cpu_s; scaling items: threads, wall_s and cpu_s
        let fields = if m.threads.is_some() { 9 } else { 7 };
        match (m.threads, wall, cpu) {
            (None, None, Some(c)) => m.seconds = c,
            (Some(_), Some(w), Some(c)) => (m.seconds, m.cpu_seconds) = (w, Some(c)),
            _ => return None,
        }
        (seen == fields && !m.implementation.is_empty() && !m.op.is_empty() && !m.set.is_empty())
            .then_some(m)
    }
}

/// Runs items and prints their lines.
pub struct Bench<W: Write> {
    target_s: f64,
    only: Option<String>,
    out: W,
    failures: usize,
}

impl<W: Write> Bench<W> {
    /// A runner aiming at `target_s` CPU seconds per item, running only the items of parameter
    /// set (or hash) `only` when given, writing lines to `out`.
    pub fn new(target_s: f64, only: Option<String>, out: W) -> Self {
        Bench {
            target_s,
            only,
            out,
            failures: 0,
        }
    }

    /// Whether items of `set` are to run.
    pub fn selected(&self, set: &str) -> bool {
        self.only.as_deref().is_none_or(|only| only == set)
    }

    /// Records a failure (printed on stderr; the run's exit status becomes 1).
    pub fn fail(&mut self, what: &str, set: &str) {
        eprintln!("bankkey_gost: {what} failed for {set}");
        self.failures += 1;
    }

    /// Prints a line that is not a measurement (e.g. the x509 item's `CHECK` line).
    pub fn print(&mut self, line: &str) {
        let _ = writeln!(self.out, "{line}").and_then(|()| self.out.flush());
    }

    /// Failures so far.
    pub fn failures(&self) -> usize {
        self.failures
    }

    /// Times `op` (which returns whether it succeeded) as described in the crate docs and
    /// prints its line; a failed operation stops the item and is recorded.
    pub fn measure(
        &mut self,
        op: &str,
        set: &str,
        bytes: usize,
        mut f: impl FnMut() -> bool,
    ) -> Option<Measurement> {
        if !f() {
            self.fail(op, set);
            return None;
        }
        let (mut iters, mut batch, mut elapsed) = (0u64, 1u64, 0f64);
        while elapsed < self.target_s {
            let t0 = cpu_now();
            for _ in 0..batch {
                if !f() {
                    self.fail(op, set);
                    return None;
                }
            }
            elapsed += cpu_now() - t0;
            iters += batch;
            batch = next_batch(batch, iters, elapsed, self.target_s);
        }
        self.report(op, set, bytes, iters, elapsed, None)
    }

    /// Times `f` by the wall clock, each call doing `per_call` operations on `threads` threads,
    /// until the target time has passed (after one untimed warm-up call); prints its line.
    pub fn measure_wall(
        &mut self,
        op: &str,
        set: &str,
        bytes: usize,
        threads: usize,
        per_call: u64,
        mut f: impl FnMut() -> bool,
    ) -> Option<Measurement> {
        if !f() {
            self.fail(op, set);
            return None;
        }
        let (mut iters, start, cpu0) = (0u64, Instant::now(), cpu_now());
        while start.elapsed().as_secs_f64() < self.target_s {
            if !f() {
                self.fail(op, set);
                return None;
            }
            iters += per_call;
        }
        let elapsed = start.elapsed().as_secs_f64();
        let cpu = cpu_now() - cpu0;
        self.report(op, set, bytes, iters, elapsed, Some((threads, cpu)))
    }

    fn report(
        &mut self,
        op: &str,
        set: &str,
        bytes: usize,
        iters: u64,
        seconds: f64,
        threads: Option<(usize, f64)>,
    ) -> Option<Measurement> {
        let m = Measurement {
            implementation: "bankkey".to_owned(),
            op: op.to_owned(),
            set: set.to_owned(),
            bytes,
            iters,
            seconds,
            threads: threads.map(|t| t.0),
            cpu_seconds: threads.map(|t| t.1),
        };
        // A closed stdout (e.g. `| head`) is not a failure of the measured code.
        let _ = writeln!(self.out, "{}", m.line()).and_then(|()| self.out.flush());
        Some(m)
    }
}

/// The size of the next batch: at most twice `batch`, and about what is left to reach `target`
/// at the rate measured so far (the C harness computes the same).
pub fn next_batch(batch: u64, iters: u64, elapsed: f64, target: f64) -> u64 {
    let doubled = batch.saturating_mul(2);
    if elapsed <= 0.0 || elapsed >= target {
        return doubled;
    }
    let left = ((target - elapsed) * iters as f64 / elapsed).ceil();
    if left >= doubled as f64 {
        doubled
    } else {
        (left as u64).max(1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_round_trips_and_rejects_partial_lines() {
        let m = Measurement {
            implementation: "bankkey".into(),
            op: "sign".into(),
            set: "gost2012_512-C".into(),
            bytes: 64,
            iters: 1234,
            seconds: 0.5,
            threads: None,
            cpu_seconds: None,
        };
        let line = m.line();
        assert_eq!(
            line,
            "BENCH impl=bankkey op=sign set=gost2012_512-C bytes=64 iters=1234 cpu_s=0.500000 \
             ops_s=2468.0"
        );
        assert_eq!(Measurement::parse(&line), Some(m.clone()));
        assert_eq!(Measurement::parse("BENCH impl=bankkey op=sign"), None);
        assert_eq!(
            Measurement::parse(&line.replace("iters=1234", "iters=x")),
            None
        );
        assert_eq!(Measurement::parse(&line.replace("BENCH", "bench")), None);
        assert_eq!(Measurement::parse(&line.replace("cpu_s", "wall_s")), None);

        let wall = Measurement {
            threads: Some(2),
            cpu_seconds: Some(0.75),
            ..m
        };
        let line = wall.line();
        assert!(
            line.contains(" threads=2 wall_s=0.500000 cpu_s=0.750000 "),
            "{line}"
        );
        assert_eq!(Measurement::parse(&line), Some(wall));
        assert_eq!(Measurement::parse(&line.replace(" threads=2", "")), None);
        assert_eq!(
            Measurement::parse(&line.replace(" cpu_s=0.750000", "")),
            None
        );
    }

    #[test]
    fn batches_grow_by_doubling_and_end_near_the_target() {
        assert_eq!(next_batch(1, 1, 0.0, 0.5), 2);
        assert_eq!(next_batch(4, 7, 0.001, 0.5), 8);
        // 100 ops in 0.4 s: 25 more reach 0.5 s.
        assert_eq!(next_batch(64, 100, 0.4, 0.5), 25);
        assert_eq!(next_batch(64, 100, 0.4999999, 0.5), 1);
    }

    #[test]
    fn measure_runs_until_the_target_and_reports_failures() {
        let mut out = Vec::new();
        let mut bench = Bench::new(0.01, None, &mut out);
        let mut x = 0u64;
        let m = bench
            .measure("hash", "toy", 8, || {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
                true
            })
            .unwrap();
        assert!(m.seconds >= 0.01 && m.iters > 1);
        assert!(bench.measure("sign", "broken", 32, || false).is_none());
        assert_eq!(bench.failures(), 1);
        let text = String::from_utf8(out).unwrap();
        assert_eq!(text.lines().count(), 1);
        assert_eq!(Measurement::parse(text.trim_end()).unwrap().iters, m.iters);
    }

    #[test]
    fn measure_wall_counts_operations_per_call() {
        let mut out = Vec::new();
        let mut bench = Bench::new(0.005, None, &mut out);
        let mut calls = 0u64;
        let m = bench
            .measure_wall("verify_many", "toy", 8, 3, 10, || {
                calls += 1;
                std::thread::sleep(std::time::Duration::from_millis(1));
                true
            })
            .unwrap();
        assert_eq!(m.iters, 10 * (calls - 1), "the warm-up call is not counted");
        assert!(m.seconds >= 0.005 && m.threads == Some(3));
        let text = String::from_utf8(out).unwrap();
        let parsed = Measurement::parse(text.trim_end()).unwrap();
        assert_eq!((parsed.iters, parsed.threads), (m.iters, m.threads));
        assert!(parsed.cpu_seconds.is_some_and(|c| c >= 0.0));
        assert!((parsed.seconds - m.seconds).abs() < 1e-6);
    }

    #[test]
    fn only_selects_one_set_by_its_exact_name() {
        let bench = Bench::new(0.1, Some("gost2012_256-A".into()), std::io::sink());
        assert!(bench.selected("gost2012_256-A"));
        assert!(!bench.selected("gost2012_256-XA"));
        assert!(!bench.selected("gost2012_512-A"));
        assert!(Bench::new(0.1, None, std::io::sink()).selected("p256"));
    }
}
