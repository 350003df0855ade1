//! SIGKILL in the middle of the library's own writes (issue 13, "Faults and load"): a child
//! process (this test binary, re-invoked) imports keys into a file container, installs
//! certificates, retires sets, appends to a journal and registers subscribers in a bank
//! registry, in a loop; the parent kills it with SIGKILL after a random delay, again and
//! again, and after every kill checks what a person would find: the container opens, no
//! private key without its public key, no damaged set, every key the child reported signs;
//! the journal has no gap; each registry transaction is wholly there or not at all (a
//! subscriber always with its event), with no duplicate; SQLite's integrity check passes.
//!
//! The lifecycle's own crash points are `lifecycle_crash.rs` (deterministic failpoints);
//! these kills land anywhere, and the test counts how many landed inside a container write
//! (a temporary file left behind, which the next open removes).

use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use bankkey::bank::{Identity, Registry};
use bankkey::key::{KeyAlgorithm, Signer, SoftwareKey};
use bankkey::lifecycle::{Event, EventKind, Flow, Journal, RequestStatus, SqliteJournal};
use bankkey::store::{FileContainer, KeyStore};
use secrecy::SecretString;
use time::OffsetDateTime;

const DIR_ENV: &str = "BANKKEY_KILL_DIR";
const PASSWORD: &str = "kill test password";

fn open_container(dir: &Path) -> FileContainer {
    let mut c = FileContainer::open(dir.join("container"), SecretString::from(PASSWORD)).unwrap();
    c.set_kdf_iterations(1000);
    c
}

/// The child: writes until it is killed. Prints `DONE <id>` after each import returns, so
/// the parent knows which keys the library promised.
#[test]
#[ignore = "run by kills_inside_writes_lose_nothing in a child process"]
fn child_writer() {
    let dir = PathBuf::from(std::env::var(DIR_ENV).expect("run by the parent test"));
    let container = open_container(&dir);
    let mut journal = SqliteJournal::open(dir.join("journal.sqlite")).unwrap();
    let mut registry = Registry::open(dir.join("bank.sqlite")).unwrap();
    for i in 0.. {
        let key = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let set = container.import(&key, &format!("key {i}")).unwrap();
        println!("DONE {}", set.id_hex());
        if i % 3 == 0 {
            container.retire(&set.id).unwrap();
        }
        let next = journal.events().unwrap().len() as u64 + 1;
        journal
            .append(&Event::new(
                next,
                OffsetDateTime::now_utc(),
                "kill",
                Flow::Remote,
                EventKind::Step,
                None,
                RequestStatus::New,
            ))
            .unwrap();
        let id = Identity {
            snils: Some(format!("{:011}", 30_000_000_000u64 + i as u64)),
            name: Some(set.id_hex()),
            ..Identity::default()
        };
        let _ = registry.add_subscriber(&id, b"\x30\x00", true, OffsetDateTime::now_utc());
    }
}

fn integrity_ok(path: &Path) {
    let conn = rusqlite::Connection::open(path).unwrap();
    let r: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(r, "ok", "{}", path.display());
}

#[test]
fn kills_inside_writes_lose_nothing() {
    let kills: usize = std::env::var("BANKKEY_KILLS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(25);
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    FileContainer::create(dir.join("container"), SecretString::from(PASSWORD)).unwrap();
    let exe = std::env::current_exe().unwrap();
    let mut promised: Vec<String> = Vec::new();
    let mut mid_write = 0;
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for kill in 0..kills {
        let mut child = Command::new(&exe)
            .args(["--exact", "child_writer", "--ignored", "--nocapture"])
            .env(DIR_ENV, dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        // Read the promises in a thread; kill after a pseudo-random 20–220 ms.
        let stdout = child.stdout.take().unwrap();
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| l.strip_prefix("DONE ").map(str::to_owned))
                .collect::<Vec<_>>()
        });
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        std::thread::sleep(Duration::from_millis(20 + seed % 200));
        child.kill().unwrap();
        let status = child.wait().unwrap();
        assert_eq!(
            status.signal(),
            Some(9),
            "kill {kill}: the child was killed"
        );
        promised.extend(reader.join().unwrap());

        // A temporary file left: the kill landed inside an atomic write.
        let temporaries = std::fs::read_dir(dir.join("container"))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with(".tmp-")
            })
            .count();
        if temporaries > 0 {
            mid_write += 1;
        }
        let container = open_container(dir);
        let sets = container.key_sets().unwrap();
        for s in &sets {
            assert!(!s.is_damaged(), "kill {kill}: {:?}", s.damage);
            if s.has_private_key {
                assert!(
                    s.public_key_spki.is_some(),
                    "kill {kill}: a key without its public half"
                );
            }
        }
        for id in &promised {
            let set = sets
                .iter()
                .find(|s| &s.id_hex() == id)
                .unwrap_or_else(|| panic!("kill {kill}: promised key {id} lost"));
            container
                .signer(&set.id)
                .unwrap()
                .sign(b"after a kill")
                .unwrap();
        }
        let leftover = std::fs::read_dir(dir.join("container"))
            .unwrap()
            .filter(|e| {
                e.as_ref()
                    .unwrap()
                    .file_name()
                    .to_string_lossy()
                    .starts_with(".tmp-")
            })
            .count();
        assert_eq!(
            leftover, 0,
            "kill {kill}: open removes what a dead writer left"
        );

        let events = SqliteJournal::open(dir.join("journal.sqlite"))
            .unwrap()
            .events()
            .unwrap();
        assert!(
            events
                .iter()
                .enumerate()
                .all(|(i, e)| e.seq == i as u64 + 1)
        );
        integrity_ok(&dir.join("journal.sqlite"));
        let registry = Registry::open(dir.join("bank.sqlite")).unwrap();
        let conn = rusqlite::Connection::open(dir.join("bank.sqlite")).unwrap();
        let orphans: i64 = conn
            .query_row(
                "SELECT count(*) FROM subscribers s WHERE NOT EXISTS (SELECT 1 FROM events e
                 WHERE e.subscriber_id = s.id AND e.what = 'subscriber_registered')",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(orphans, 0, "kill {kill}: a subscriber without its event");
        drop(registry);
        integrity_ok(&dir.join("bank.sqlite"));
    }
    println!(
        "KILL {kills} kills, {} keys promised and all found, {mid_write} kills inside a container write",
        promised.len()
    );
    assert!(!promised.is_empty());
}
