//! The journal shared by processes and on a read-only medium (issue 13, defect 4): several
//! processes opening a journal that does not exist yet, at once, all open it (a busy timeout
//! and a retried switch to WAL, not "database is locked"); a journal on a read-only medium
//! opens for reading, and appending says why it cannot write.
//!
//! The openers run in child processes (this test binary, re-invoked on an ignored test) that
//! wait for a start file, so that they race for the new file as three programs would.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bankkey::ErrorKind;
use bankkey::lifecycle::{Event, EventKind, Flow, Journal, RequestStatus, SqliteJournal};
use time::OffsetDateTime;

const PATH_ENV: &str = "BANKKEY_JOURNAL_PATH";
const GO_ENV: &str = "BANKKEY_JOURNAL_GO";

fn event(seq: u64) -> Event {
    Event::new(
        seq,
        OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap(),
        "r1",
        Flow::Remote,
        EventKind::Transition,
        Some(RequestStatus::New),
        RequestStatus::Signed,
    )
}

/// Waits for the start file, opens the journal, appends one event after the last one it
/// sees (another process appending first is the one refusal allowed: `Storage` on `seq`,
/// then it reads again), and reads everything back.
#[test]
#[ignore = "run by processes_open_a_new_journal_at_once in child processes"]
fn child_open_journal() {
    let path = PathBuf::from(std::env::var(PATH_ENV).expect("run by the parent test"));
    let go = PathBuf::from(std::env::var(GO_ENV).unwrap());
    let deadline = Instant::now() + Duration::from_secs(20);
    while !go.exists() {
        assert!(Instant::now() < deadline, "no start signal");
        std::thread::yield_now();
    }
    let mut j = SqliteJournal::open(&path).unwrap_or_else(|e| panic!("open: {e}"));
    loop {
        let next = j.events().unwrap().len() as u64 + 1;
        match j.append(&event(next)) {
            Ok(()) => break,
            Err(e) if e.kind() == ErrorKind::Storage && e.field() == Some("seq") => continue,
            Err(e) => panic!("append: {e}"),
        }
    }
}

fn spawn_openers(path: &Path, go: &Path, n: usize) -> Vec<std::process::Child> {
    let exe = std::env::current_exe().unwrap();
    (0..n)
        .map(|_| {
            Command::new(&exe)
                .args(["--exact", "child_open_journal", "--ignored", "--nocapture"])
                .env(PATH_ENV, path)
                .env(GO_ENV, go)
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect()
}

#[test]
fn processes_open_a_new_journal_at_once() {
    const ROUNDS: usize = 20;
    const PROCESSES: usize = 6;
    let tmp = tempfile::tempdir().unwrap();
    for round in 0..ROUNDS {
        let path = tmp.path().join(format!("journal-{round}.sqlite"));
        let go = tmp.path().join(format!("go-{round}"));
        let children = spawn_openers(&path, &go, PROCESSES);
        // Let every child start and spin, then release them together.
        std::thread::sleep(Duration::from_millis(150));
        std::fs::write(&go, b"").unwrap();
        for c in children {
            let out = c.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: an opener failed:\n{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let events = SqliteJournal::open(&path).unwrap().events().unwrap();
        let seqs: Vec<u64> = events.iter().map(|e| e.seq).collect();
        assert_eq!(
            seqs,
            (1..=PROCESSES as u64).collect::<Vec<_>>(),
            "round {round}"
        );
    }
}

const RO_DIR_ENV: &str = "BANKKEY_JOURNAL_RO_DIR";

/// Runs in a mount namespace where the directory is mounted read-only: the journal written
/// there by the parent opens for reading, and every write says why it cannot be made.
#[test]
#[ignore = "run by a_journal_on_a_read_only_medium_opens_for_reading in a mount namespace"]
fn child_read_only() {
    let dir = PathBuf::from(std::env::var(RO_DIR_ENV).expect("run by the parent test"));
    // The medium really is read-only here.
    let probe = std::fs::write(dir.join("probe"), b"x").unwrap_err();
    assert_eq!(probe.kind(), std::io::ErrorKind::ReadOnlyFilesystem);

    let mut j = SqliteJournal::open(dir.join("journal.sqlite")).unwrap();
    let why = j.read_only().expect("read-only").to_owned();
    assert!(why.contains("read-only"), "{why}");
    assert_eq!(j.events().unwrap().len(), 2);
    let e = j.append(&event(3)).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Storage);
    assert!(
        e.message().contains("read-only") && e.message().contains("journal.sqlite"),
        "{e}"
    );
    assert_eq!(j.events().unwrap().len(), 2, "nothing was written");

    // The same file while its last writes are still in the -wal file (the parent holds it
    // open): read with them, or refused saying why.
    match SqliteJournal::open(dir.join("busy.sqlite")) {
        Ok(j) => assert_eq!(j.events().unwrap().len(), 1),
        Err(e) => panic!("a journal with pending WAL writes: {e}"),
    }

    // A journal that does not exist cannot be created there, and the message says why.
    let e = SqliteJournal::open(dir.join("new.sqlite")).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Storage);
    assert!(e.message().contains("read-only"), "{e}");
    println!("read-only checks done");
}

/// Runs `test` of this binary in a new mount namespace in which `dir` is bind-mounted
/// read-only (`unshare -m`: root, or CAP_SYS_ADMIN). `None` when namespaces are not allowed
/// here, which fails under REQUIRE_ORACLES=1 (CI).
fn run_on_read_only_mount(dir: &Path, test: &str) -> Option<std::process::Output> {
    let exe = std::env::current_exe().unwrap();
    let ok = Command::new("unshare")
        .args(["-m", "true"])
        .status()
        .is_ok_and(|s| s.success());
    if !ok {
        assert_ne!(
            std::env::var("REQUIRE_ORACLES").as_deref(),
            Ok("1"),
            "unshare -m is not allowed here (REQUIRE_ORACLES=1)"
        );
        eprintln!("skipped: unshare -m (a mount namespace) is not allowed here");
        return None;
    }
    let script = r#"mount --bind "$1" "$1" && mount -o remount,ro,bind "$1" && exec "$2" --exact "$3" --ignored --nocapture"#;
    Some(
        Command::new("unshare")
            .args(["-m", "--propagation", "private", "sh", "-c", script, "sh"])
            .arg(dir)
            .arg(&exe)
            .arg(test)
            .env(RO_DIR_ENV, dir)
            .output()
            .unwrap(),
    )
}

#[test]
fn a_journal_on_a_read_only_medium_opens_for_reading() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("medium");
    std::fs::create_dir(&dir).unwrap();
    {
        let mut j = SqliteJournal::open(dir.join("journal.sqlite")).unwrap();
        j.append(&event(1)).unwrap();
        j.append(&event(2)).unwrap();
    }
    // Closed cleanly: no -wal file is left.
    assert!(!dir.join("journal.sqlite-wal").exists());
    // Held open with one event in the -wal file while the child reads.
    let mut busy = SqliteJournal::open(dir.join("busy.sqlite")).unwrap();
    busy.append(&event(1)).unwrap();
    assert!(dir.join("busy.sqlite-wal").metadata().unwrap().len() > 0);

    let Some(out) = run_on_read_only_mount(&dir, "child_read_only") else {
        return;
    };
    assert!(
        out.status.success()
            && String::from_utf8_lossy(&out.stdout).contains("read-only checks done"),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    drop(busy);
}
