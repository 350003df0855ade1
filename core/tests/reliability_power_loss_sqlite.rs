//! A simulated power loss for the client's journal and the bank's registry (issue 13): what
//! SQLite wrote but did not sync is lost, in the ways POSIX allows.
//!
//! The journal and the registry open their files through a recording VFS
//! (`sqlite_recorder`: SQLite's own unix VFS, every call forwarded, the writes, truncations,
//! syncs, creations, removals and directory syncs logged per file), chosen by the
//! `failpoints`-only hook `bankkey::sqlite_vfs`. A realistic workload runs: the bank opens
//! its registry and registers the subscriber; the client regenerates its key by the remote
//! flow (start, sign, send, the bank's receive, bank status, the bank's issue, receive,
//! activate), both close, both reopen, and a second regeneration runs.
//!
//! Then, for a power loss after every logged step, the states the disk may hold are built in a
//! fresh directory: each file's synced bytes, plus none, all, any prefix, all but one, a
//! random subset of its writes since its last sync, the last or a random one torn at
//! 512-byte sectors (powersafe overwrite, which the unix VFS declares: bytes outside a write
//! never change); each name bound as it was at the last directory sync or as any later change
//! left it (creations and removals in any combination); the `-shm` index never durable (absent,
//! or its file there with garbage). Each
//! state is opened with the real `SqliteJournal::open` / `Registry::open` (recovery included)
//! and must:
//! - open, read (`events()` in order, without a gap; the subscriber found), pass SQLite's
//!   `integrity_check` and `foreign_key_check`;
//! - hold, table by table and row by row, exactly what the database held when the last API
//!   call that returned before the loss returned — or the state after one of the
//!   transactions the call in flight committed (its commit may have reached the disk): never
//!   a transaction half applied, never less than what a returned call wrote.
//!
//! The checker is tested too (`a_missing_sync_is_caught`): with the WAL's syncs dropped from
//! the log it finds a returned call's data lost.

#![allow(unsafe_code)] // the recording VFS (FFI to SQLite); see sqlite_recorder/mod.rs

mod lifecycle_common;
mod sqlite_recorder;

use std::collections::{BTreeMap, HashMap};
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use bankkey::bank::{Bank, Registry};
use bankkey::key::SoftwareKey;
use bankkey::lifecycle::{Client, Flow, Journal, RequestStatus, SqliteJournal};
use bankkey::pki::Certificate;
use lifecycle_common::*;
use sqlite_recorder::Op;
use time::{Duration, OffsetDateTime};

const JOURNAL: &str = "journal.sqlite";
const REGISTRY: &str = "registry.sqlite";

/// The logged steps, and where each API call returned with what each database held then.
struct Workload {
    /// The client's directory (journal) and the bank's (registry).
    client_dir: PathBuf,
    bank_dir: PathBuf,
    ops: Vec<Op>,
    /// (steps logged when the call returned, its name, journal dump, registry dump).
    returns: Vec<(usize, String, String, String)>,
}

/// Every table's rows of the database at `path` as text, in a stable order (what "the same
/// content" means below), read through the default VFS or the recorder.
fn dump(conn: &rusqlite::Connection) -> String {
    let mut out = String::new();
    let version: i64 = conn
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    out.push_str(&format!("user_version {version}\n"));
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for t in tables {
        out.push_str(&format!("table {t}\n"));
        let mut st = conn
            .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY rowid"))
            .unwrap();
        let n = st.column_count();
        let mut rows = st.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            for i in 0..n {
                let v: rusqlite::types::Value = r.get(i).unwrap();
                out.push_str(&format!("{v:?}|"));
            }
            out.push('\n');
        }
    }
    out
}

/// The content of the database at `path` as the workload sees it (through the recorder, so
/// that whatever this connection writes is logged too), or the empty string when there is no
/// database yet.
fn live_dump(path: &Path) -> String {
    if !path.exists() {
        return String::new();
    }
    let conn = rusqlite::Connection::open_with_flags_and_vfs(
        path,
        rusqlite::OpenFlags::default(),
        sqlite_recorder::NAME,
    )
    .unwrap();
    dump(&conn)
}

fn open_client(dir: &Path, at: OffsetDateTime) -> Client {
    let store = reopen_container(&dir.join("container"));
    let journal = SqliteJournal::open(dir.join(JOURNAL)).unwrap();
    Client::open_at(Box::new(store), Box::new(journal), at).unwrap()
}

fn open_bank(dir: &Path, ca: &TestCa) -> Bank {
    let key = SoftwareKey::from_pkcs8_pem(&ca.key.to_pkcs8_pem()).unwrap();
    Bank::new(
        Registry::open(dir.join(REGISTRY)).unwrap(),
        ca.cert.clone(),
        Box::new(key),
    )
    .unwrap()
}

/// One remote regeneration, every call marked as it returns.
fn regenerate(
    client: &mut Client,
    bank: &mut Bank,
    at: OffsetDateTime,
    done: &mut dyn FnMut(&str),
) {
    let id = client
        .start(Flow::Remote, ALG, &subscriber(), at)
        .unwrap()
        .id()
        .to_owned();
    done("client start");
    client.sign(&id, &Vec::new(), at).unwrap();
    done("client sign");
    let bytes = client.send(&id, at).unwrap();
    done("client send");
    let received = bank.receive(Flow::Remote, &bytes, at).unwrap();
    assert_eq!(
        received.status,
        RequestStatus::AcceptedByBank,
        "{received:?}"
    );
    done("bank receive");
    client.bank_status(&id, received.status, None, at).unwrap();
    done("client bank status");
    let cert = bank.issue(&received.request_id, at).unwrap();
    done("bank issue");
    client.receive_certificate(&id, &cert.to_der(), at).unwrap();
    done("client receive certificate");
    client.activate(&id, at).unwrap();
    done("client activate");
}

/// Runs the workload in `root`, logging.
fn record(root: &Path) -> Workload {
    sqlite_recorder::register();
    let client_dir = root.join("client");
    let bank_dir = root.join("bank");
    std::fs::create_dir_all(&bank_dir).unwrap();
    let ca = TestCa::new();
    let store = container(&client_dir.join("container"));
    let set = certified_key(&store, &ca, t0(), 365);
    drop(store);
    let cert = Certificate::from_der(set.certificate.as_deref().unwrap()).unwrap();

    bankkey::sqlite_vfs::use_vfs(Some(sqlite_recorder::NAME));
    sqlite_recorder::start();
    let mut returns = Vec::new();
    let (j, r) = (client_dir.join(JOURNAL), bank_dir.join(REGISTRY));
    let mut done = |what: &str| {
        let mark = sqlite_recorder::len();
        returns.push((mark, what.to_owned(), live_dump(&j), live_dump(&r)));
    };

    let mut bank = open_bank(&bank_dir, &ca);
    done("bank open");
    bank.register_subscriber(&cert, t0()).unwrap();
    done("bank register subscriber");
    let at = t0() + Duration::days(340);
    let mut client = open_client(&client_dir, at);
    done("client open");
    regenerate(&mut client, &mut bank, at, &mut done);
    // Both close (SQLite checkpoints the WAL into the database and removes it), then reopen.
    drop(client);
    drop(bank);
    done("both closed");
    let at = at + Duration::days(340);
    let mut bank = open_bank(&bank_dir, &ca);
    done("bank reopen");
    let mut client = open_client(&client_dir, at);
    done("client reopen");
    regenerate(&mut client, &mut bank, at, &mut done);
    drop(client);
    drop(bank);
    done("both closed again");
    let ops = sqlite_recorder::stop();
    bankkey::sqlite_vfs::use_vfs(None);
    Workload {
        client_dir,
        bank_dir,
        ops,
        returns,
    }
}

/// A write or truncation not yet synced.
#[derive(Debug, Clone)]
enum Pending {
    Write(u64, Vec<u8>),
    Truncate(u64),
}

/// A file's bytes: synced, and changed since.
#[derive(Debug, Clone, Default)]
struct Inode {
    durable: Vec<u8>,
    pending: Vec<Pending>,
}

/// A name in the directory: where its last directory sync left it, and every binding it
/// has had since (`None`: removed), the last being the live one.
#[derive(Debug, Clone)]
struct Name {
    durable: Option<usize>,
    since: Vec<Option<usize>>,
}

impl Name {
    fn live(&self) -> Option<usize> {
        *self.since.last().unwrap_or(&self.durable)
    }
}

/// The disk of one directory after the first `cut` steps.
#[derive(Debug, Clone, Default)]
struct Disk {
    inodes: Vec<Inode>,
    names: BTreeMap<String, Name>,
}

const SECTOR: usize = 512;

fn apply(bytes: &mut Vec<u8>, p: &Pending, sectors: Option<&dyn Fn(usize) -> bool>) {
    match p {
        Pending::Truncate(n) => bytes.resize(*n as usize, 0),
        Pending::Write(off, data) => {
            let off = *off as usize;
            if bytes.len() < off + data.len() {
                bytes.resize(off + data.len(), 0);
            }
            for (i, chunk) in data.chunks(SECTOR).enumerate() {
                if sectors.is_none_or(|keep| keep(i)) {
                    let at = off + i * SECTOR;
                    bytes[at..at + chunk.len()].copy_from_slice(chunk);
                }
            }
        }
    }
}

impl Disk {
    fn replay(ops: &[Op], dir: &Path) -> Disk {
        let mut d = Disk::default();
        let name_of = |p: &Path| -> Option<String> {
            (p.parent() == Some(dir)).then(|| p.file_name().unwrap().to_string_lossy().into_owned())
        };
        for op in ops {
            match op {
                Op::Create(p) => {
                    let Some(n) = name_of(p) else { continue };
                    let inode = d.inodes.len();
                    d.inodes.push(Inode::default());
                    d.names
                        .entry(n)
                        .or_insert(Name {
                            durable: None,
                            since: Vec::new(),
                        })
                        .since
                        .push(Some(inode));
                }
                Op::Write(p, off, data) => {
                    let Some(n) = name_of(p) else { continue };
                    let i = d.names[&n].live().expect("a write to a removed file");
                    d.inodes[i].pending.push(Pending::Write(*off, data.clone()));
                }
                Op::Truncate(p, size) => {
                    let Some(n) = name_of(p) else { continue };
                    let i = d.names[&n].live().expect("a truncation of a removed file");
                    d.inodes[i].pending.push(Pending::Truncate(*size));
                }
                Op::Sync(p) => {
                    let Some(n) = name_of(p) else { continue };
                    let i = d.names[&n].live().expect("a sync of a removed file");
                    let inode = &mut d.inodes[i];
                    for p in std::mem::take(&mut inode.pending) {
                        apply(&mut inode.durable, &p, None);
                    }
                }
                Op::Remove(p) => {
                    let Some(n) = name_of(p) else { continue };
                    d.names.get_mut(&n).unwrap().since.push(None);
                }
                Op::SyncDir(p) => {
                    if p != dir {
                        continue;
                    }
                    for name in d.names.values_mut() {
                        name.durable = name.live();
                        name.since.clear();
                    }
                }
            }
        }
        d
    }

    /// The files of a crash state: each name bound by `bind`, each inode's content by
    /// `content`.
    fn state(
        &self,
        bind: &dyn Fn(&str, &Name) -> Option<usize>,
        content: &dyn Fn(usize, &Inode) -> Vec<u8>,
    ) -> BTreeMap<String, Vec<u8>> {
        self.names
            .iter()
            .filter_map(|(n, name)| bind(n, name).map(|i| (n.clone(), content(i, &self.inodes[i]))))
            .collect()
    }

    /// Everything synced, nothing else: the state a commit's sync guarantees.
    fn durable(&self) -> BTreeMap<String, Vec<u8>> {
        self.state(&|_, n| n.durable, &|_, i| i.durable.clone())
    }

    /// The states a power loss may leave (deduplicated by the caller).
    fn crash_states(&self, rng: &mut Rng) -> Vec<BTreeMap<String, Vec<u8>>> {
        let mut out = Vec::new();
        let durable_names = |_: &str, n: &Name| n.durable;
        let live_names = |_: &str, n: &Name| n.live();
        let with = |inode: &Inode, keep: &dyn Fn(usize) -> bool| {
            let mut b = inode.durable.clone();
            for (k, p) in inode.pending.iter().enumerate() {
                if keep(k) {
                    apply(&mut b, p, None);
                }
            }
            b
        };
        let none = |_: usize, i: &Inode| i.durable.clone();
        let all = |_: usize, i: &Inode| with(i, &|_| true);
        // Names: synced, live, and every combination of their bindings since (few names).
        let changed: Vec<(&String, &Name)> = self
            .names
            .iter()
            .filter(|(_, n)| !n.since.is_empty())
            .collect();
        let mut bindings: Vec<BTreeMap<String, Option<usize>>> = vec![BTreeMap::new()];
        for (n, name) in &changed {
            let choices: Vec<Option<usize>> = std::iter::once(name.durable)
                .chain(name.since.iter().copied())
                .collect();
            bindings = bindings
                .into_iter()
                .flat_map(|b| {
                    choices.iter().map(move |c| {
                        let mut b = b.clone();
                        b.insert((*n).clone(), *c);
                        b
                    })
                })
                .collect();
            if bindings.len() > 64 {
                bindings.truncate(64);
            }
        }
        for b in &bindings {
            let bind = |n: &str, name: &Name| b.get(n).copied().unwrap_or(name.durable);
            out.push(self.state(&bind, &none));
            out.push(self.state(&bind, &all));
        }
        // The -shm index is never durable, but its file may survive with whatever the kernel
        // wrote back: garbage beside the synced state and beside everything written.
        for base in [self.durable(), self.state(&live_names, &all)] {
            let mut with_shm = base.clone();
            for db in base
                .keys()
                .filter(|n| !n.ends_with("-wal") && !n.ends_with("-journal"))
            {
                let garbage: Vec<u8> = (0..32768 / 8)
                    .flat_map(|_| rng.next().to_le_bytes())
                    .collect();
                with_shm.insert(format!("{db}-shm"), garbage);
            }
            out.push(with_shm);
        }
        // Contents, each inode with pending writes in turn (the others none or all), names
        // live and synced.
        for (idx, inode) in self.inodes.iter().enumerate() {
            let n = inode.pending.len();
            if n == 0 {
                continue;
            }
            let mut variants: Vec<Vec<u8>> = Vec::new();
            let step = (n / 24).max(1);
            for k in (1..n).step_by(step) {
                variants.push(with(inode, &|j| j < k)); // a prefix
            }
            for skip in (0..n).step_by(step) {
                variants.push(with(inode, &|j| j != skip)); // all but one
            }
            // The last write, and a random one, torn: only some of their sectors written.
            let writes: Vec<usize> = (0..n)
                .filter(|&j| matches!(&inode.pending[j], Pending::Write(_, d) if d.len() > SECTOR))
                .collect();
            let torn_ones: Vec<usize> = writes
                .last()
                .copied()
                .into_iter()
                .chain((!writes.is_empty()).then(|| writes[rng.below(writes.len())]))
                .collect();
            for torn in torn_ones {
                let mut b = inode.durable.clone();
                let mask = rng.next();
                for (j, p) in inode.pending.iter().enumerate() {
                    if j == torn {
                        apply(&mut b, p, Some(&|s| s == 0 || (mask >> (s % 64)) & 1 == 1));
                    } else if j < torn {
                        apply(&mut b, p, None);
                    }
                }
                variants.push(b);
            }
            // Random subsets.
            for _ in 0..4 {
                let mask = rng.next();
                variants.push(with(inode, &|j| (mask >> (j % 64)) & 1 == 1));
            }
            for v in variants {
                for others_all in [false, true] {
                    for names_live in [false, true] {
                        let content = |i: usize, node: &Inode| {
                            if i == idx {
                                v.clone()
                            } else if others_all {
                                all(i, node)
                            } else {
                                none(i, node)
                            }
                        };
                        out.push(if names_live {
                            self.state(&live_names, &content)
                        } else {
                            self.state(&durable_names, &content)
                        });
                    }
                }
            }
        }
        out
    }
}

/// A small deterministic generator (xorshift64*), so that a failure replays.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Which database a check opens.
#[derive(Clone, Copy, Debug)]
enum Db {
    Journal,
    Registry,
}

impl Db {
    fn file(self) -> &'static str {
        match self {
            Db::Journal => JOURNAL,
            Db::Registry => REGISTRY,
        }
    }
}

/// Opens a crash state with the library, as a host would after the power came back, and
/// returns the database's content; an `Err` says what broke.
fn reopen(db: Db, files: &BTreeMap<String, Vec<u8>>) -> Result<String, String> {
    let tmp = scratch();
    for (n, b) in files {
        std::fs::write(tmp.path().join(n), b).unwrap();
    }
    let path = tmp.path().join(db.file());
    match db {
        Db::Journal => {
            let j = SqliteJournal::open(&path).map_err(|e| format!("open: {e}"))?;
            let events = j.events().map_err(|e| format!("events: {e}"))?;
            for (i, e) in events.iter().enumerate() {
                if e.seq != i as u64 + 1 {
                    return Err(format!("event {} at position {}: a gap", e.seq, i + 1));
                }
            }
        }
        Db::Registry => {
            let r = Registry::open(&path).map_err(|e| format!("open: {e}"))?;
            r.find_subscriber(&bankkey::bank::Identity::of(&subscriber()))
                .map_err(|e| format!("find_subscriber: {e}"))?;
        }
    }
    let conn = rusqlite::Connection::open(&path).map_err(|e| format!("sqlite open: {e}"))?;
    let integrity: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .map_err(|e| format!("integrity_check: {e}"))?;
    if integrity != "ok" {
        return Err(format!("integrity_check: {integrity}"));
    }
    let fk: i64 = conn
        .query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| {
            r.get(0)
        })
        .map_err(|e| format!("foreign_key_check: {e}"))?;
    if fk != 0 {
        return Err(format!("{fk} rows break a foreign key"));
    }
    Ok(dump(&conn))
}

/// A fresh directory in memory when the machine has one (SQLite syncs: no disk wear).
fn scratch() -> tempfile::TempDir {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        tempfile::tempdir_in(shm).unwrap()
    } else {
        tempfile::tempdir().unwrap()
    }
}

fn key(files: &BTreeMap<String, Vec<u8>>) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    files.hash(&mut h);
    h.finish()
}

/// What the check found.
#[derive(Default, Debug)]
struct Found {
    states: usize,
    distinct: usize,
    failures: Vec<String>,
}

/// Builds every crash state of `db` after every step and checks it (module docs), until
/// `enough` failures are found.
fn check(w: &Workload, db: Db, enough: usize) -> Found {
    let dir = match db {
        Db::Journal => &w.client_dir,
        Db::Registry => &w.bank_dir,
    };
    let mut cache: HashMap<u64, Result<String, String>> = HashMap::new();
    let mut open = |files: &BTreeMap<String, Vec<u8>>| {
        cache
            .entry(key(files))
            .or_insert_with(|| reopen(db, files))
            .clone()
    };
    // The content before anything: a new, empty database.
    let empty = open(&BTreeMap::new()).expect("a new database opens");
    // The content after each step that synced something, everything else lost: a state a
    // transaction in flight may leave once its commit is durable.
    let mut synced_after: Vec<(usize, Result<String, String>)> = Vec::new();
    for (i, op) in w.ops.iter().enumerate() {
        if matches!(op, Op::Sync(p) | Op::SyncDir(p) if p.starts_with(dir)) {
            let d = Disk::replay(&w.ops[..=i], dir);
            synced_after.push((i + 1, open(&d.durable())));
        }
    }
    let content_at = |k: usize| -> &str {
        let (_, _, j, r) = &w.returns[k];
        match db {
            Db::Journal => j,
            Db::Registry => r,
        }
    };
    let mut found = Found::default();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let mut seen = std::collections::HashSet::new();
    for cut in 0..=w.ops.len() {
        if found.failures.len() >= enough {
            break;
        }
        // The last call returned by then, and the next (in flight).
        let k = w.returns.iter().take_while(|r| r.0 <= cut).count();
        let (returned, claimed) = match k {
            0 => ("nothing", empty.clone()),
            k => (w.returns[k - 1].1.as_str(), {
                let c = content_at(k - 1);
                if c.is_empty() {
                    empty.clone()
                } else {
                    c.to_owned()
                }
            }),
        };
        let from = if k == 0 { 0 } else { w.returns[k - 1].0 };
        let to = w.returns.get(k).map_or(w.ops.len(), |r| r.0);
        let in_flight: Vec<&String> = synced_after
            .iter()
            .filter(|(at, _)| *at > from && *at <= to)
            .filter_map(|(_, c)| c.as_ref().ok())
            .collect();
        let disk = Disk::replay(&w.ops[..cut], dir);
        for files in disk.crash_states(&mut rng) {
            found.states += 1;
            if seen.insert(key(&files)) {
                found.distinct += 1;
            }
            let fail = match open(&files) {
                Err(e) => Some(format!("does not reopen: {e}")),
                Ok(c) if c == claimed || in_flight.contains(&&c) => None,
                Ok(c) => Some(format!(
                    "holds neither what \"{returned}\" left nor a state the call in flight \
                     committed:\n{}",
                    diff(&claimed, &c)
                )),
            };
            if let Some(f) = fail
                && found.failures.len() < enough
            {
                found.failures.push(format!(
                    "{db:?}, power lost after step {cut} of {} ({:?}): {f}",
                    w.ops.len(),
                    w.ops.get(cut.wrapping_sub(1)).map(short)
                ));
            }
        }
    }
    found
}

fn short(op: &Op) -> String {
    match op {
        Op::Write(p, off, d) => format!("write {} at {off}, {} bytes", p.display(), d.len()),
        other => format!("{other:?}"),
    }
}

/// The lines of `b` that `a` lacks and the other way round (at most a few).
fn diff(a: &str, b: &str) -> String {
    let la: std::collections::BTreeSet<&str> = a.lines().collect();
    let lb: std::collections::BTreeSet<&str> = b.lines().collect();
    let cut = |s: &str| s.chars().take(160).collect::<String>();
    let lost: Vec<String> = la.difference(&lb).take(4).map(|s| cut(s)).collect();
    let extra: Vec<String> = lb.difference(&la).take(4).map(|s| cut(s)).collect();
    format!("  lost: {lost:#?}\n  not claimed: {extra:#?}")
}

#[test]
fn what_returned_survives_a_power_loss_in_the_journal_and_the_registry() {
    let tmp = scratch();
    let w = record(tmp.path());
    if std::env::var_os("BANKKEY_SQLITE_LOG").is_some() {
        let mut at = 0;
        for (i, op) in w.ops.iter().enumerate() {
            while at < w.returns.len() && w.returns[at].0 == i {
                eprintln!("-- returned: {}", w.returns[at].1);
                at += 1;
            }
            eprintln!("{i:4} {}", short(op));
        }
    }
    // The directory syncs are observed (the unix VFS's openDirectory): without them the
    // model would lose every new file's name.
    for dir in [&w.client_dir, &w.bank_dir] {
        assert!(
            w.ops
                .iter()
                .any(|o| matches!(o, Op::SyncDir(d) if d == dir)),
            "no directory sync of {} logged",
            dir.display()
        );
    }
    let count = |dir: &Path| w.ops.iter().filter(|o| op_path(o).starts_with(dir)).count();
    eprintln!(
        "{} steps logged ({} journal, {} registry), {} API calls returned",
        w.ops.len(),
        count(&w.client_dir),
        count(&w.bank_dir),
        w.returns.len()
    );
    let mut failures = Vec::new();
    for db in [Db::Journal, Db::Registry] {
        let f = check(&w, db, 5);
        eprintln!(
            "{db:?}: {} crash states checked, {} distinct",
            f.states, f.distinct
        );
        assert!(f.distinct > 100, "{db:?}: too few states to mean anything");
        failures.extend(f.failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn op_path(op: &Op) -> &Path {
    match op {
        Op::Create(p)
        | Op::Write(p, _, _)
        | Op::Truncate(p, _)
        | Op::Sync(p)
        | Op::Remove(p)
        | Op::SyncDir(p) => p,
    }
}

#[test]
fn a_missing_sync_is_caught() {
    let tmp = scratch();
    let mut w = record(tmp.path());
    // A WAL whose commits were never synced (as with synchronous=OFF): a returned call's
    // transaction may be lost.
    let wal = w.bank_dir.join(format!("{REGISTRY}-wal"));
    let dropped: Vec<usize> = (0..w.ops.len())
        .filter(|&i| matches!(&w.ops[i], Op::Sync(p) if *p == wal))
        .collect();
    assert!(!dropped.is_empty());
    for r in &mut w.returns {
        r.0 -= dropped.iter().filter(|&&i| i < r.0).count();
    }
    let mut i = 0;
    w.ops.retain(|_| {
        i += 1;
        !dropped.contains(&(i - 1))
    });
    let f = check(&w, Db::Registry, 1);
    eprintln!("{:#?}", f.failures);
    assert!(
        f.failures.iter().any(|f| f.contains("holds neither")),
        "the checker missed the lost syncs: {f:?}"
    );
}
