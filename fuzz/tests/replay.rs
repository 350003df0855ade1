//! Runs every committed input through its target, without libFuzzer: the minimised corpora
//! (`corpus/<target>/`) and the inputs that once crashed or hung (`regressions/<target>/`).
//! A panic fails the test naming the input; so does an input taking longer than
//! `HANG_LIMIT` (a hang, not a benchmark: the slowest seeds take milliseconds).
//!
//! `BANKKEY_FUZZ_TARGET=name` replays one target only.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use bankkey_fuzz::{TARGETS, fuzz_dir};

/// Far above any committed input's time in a debug build on a loaded 2-core machine.
const HANG_LIMIT: Duration = Duration::from_secs(20);

fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = fuzz_dir().join(kind).join(target);
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut v: Vec<PathBuf> = entries
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

#[test]
fn replay_corpora_and_regressions() {
    let only = std::env::var("BANKKEY_FUZZ_TARGET").ok();
    let mut total = 0;
    for (name, target) in TARGETS {
        if only.as_deref().is_some_and(|o| o != *name) {
            continue;
        }
        let corpus = inputs("corpus", name);
        let regressions = inputs("regressions", name);
        assert!(
            !corpus.is_empty(),
            "{name}: no corpus (scripts/fuzz.sh --seed)"
        );
        let start = Instant::now();
        let mut slowest = (Duration::ZERO, PathBuf::new());
        for path in corpus.iter().chain(&regressions) {
            let data = std::fs::read(path).unwrap();
            let t = Instant::now();
            let outcome = std::panic::catch_unwind(|| target(&data));
            let took = t.elapsed();
            assert!(outcome.is_ok(), "{name}: {} panics", path.display());
            assert!(
                took < HANG_LIMIT,
                "{name}: {} took {took:?}",
                path.display()
            );
            if took > slowest.0 {
                slowest = (took, path.clone());
            }
        }
        total += corpus.len() + regressions.len();
        println!(
            "{name}: {} corpus + {} regression inputs in {:.2?} (slowest {:.2?}: {})",
            corpus.len(),
            regressions.len(),
            start.elapsed(),
            slowest.0,
            slowest.1.file_name().unwrap_or_default().to_string_lossy()
        );
    }
    bankkey_fuzz::remove_scratch();
    assert!(total > 0, "no input replayed");
}
