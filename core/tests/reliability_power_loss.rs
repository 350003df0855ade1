//! A simulated power loss for the file container (issue 13): what was written but not synced
//! is lost, in every way POSIX allows.
//!
//! The container records its file-system steps (`store::file_trace`, feature `failpoints`):
//! a new file's bytes, a file's fsync, a rename, a removal, a directory's fsync. A workload
//! (imports, a certificate install, a retire, a delete) runs on a real container; then, for a
//! power loss after every step, every state the disk may hold is built in a fresh directory:
//! the durable state (file bytes fsync'd, names whose directory was fsync'd) plus any subset
//! of the pending name changes (renames, new names, removals: applied or not, in any
//! combination, which allows more than most file systems do), each pending file's bytes whole,
//! halved or empty. The container is opened on each and must:
//! - open (leftover temporaries are ignored and cleaned);
//! - never read anything half-written as valid: no key set damaged, every listed private key
//!   decrypts and is the key of its public key, every certificate is the key set's;
//! - hold everything an operation that had returned claimed: an import that returned is
//!   there and decrypts; a retire that returned is retired; a delete that returned is gone.
//!
//! The checker itself is tested: with the fsync of a file or of the directory dropped from the
//! trace (as a container that forgot one would do), it finds a state that breaks a promise.

mod lifecycle_common;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use bankkey::key::{KeyAlgorithm, SoftwareKey};
use bankkey::store::file_trace::{self, Step};
use bankkey::store::{FileContainer, KeyStore};
use lifecycle_common::*;

/// What an operation claimed once it returned.
#[derive(Debug, Clone)]
enum Claim {
    /// This key set is there, its key decrypts.
    Imported(Vec<u8>),
    /// This certificate is on this key set.
    Certified(Vec<u8>, Vec<u8>),
    /// This key set is retired.
    Retired(Vec<u8>),
    /// This key set is gone.
    Deleted(Vec<u8>),
}

/// The recorded steps, and after how many of them each claim holds.
struct Workload {
    /// The directory's files before the first step (durable: the container was made and
    /// synced before recording).
    before: BTreeMap<String, Vec<u8>>,
    steps: Vec<Step>,
    claims: Vec<(usize, Claim)>,
}

fn files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| {
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

fn name(p: &Path) -> String {
    p.file_name().unwrap().to_string_lossy().into_owned()
}

/// Runs the workload on a real container in `dir`, recording.
fn record(dir: &Path) -> Workload {
    let ca = TestCa::new();
    let c = container(dir);
    let first = c.generate(ALG, "first").unwrap();
    let before = files(dir);
    file_trace::start();
    let mut steps = Vec::new();
    let mut claims = Vec::new();
    let mut done = |steps: &mut Vec<Step>, claim: Claim| {
        steps.extend(file_trace::take());
        claims.push((steps.len(), claim));
    };
    let second = c
        .import(&SoftwareKey::generate(ALG).unwrap(), "second")
        .unwrap();
    done(&mut steps, Claim::Imported(second.id.clone()));
    let signer = c.signer(&second.id).unwrap();
    let cert = ca
        .issue_for(&subscriber(), signer.as_ref(), t0(), 365)
        .to_der();
    c.install_certificate(&cert, Some(&second.id)).unwrap();
    done(&mut steps, Claim::Certified(second.id.clone(), cert));
    c.retire(&first.id).unwrap();
    done(&mut steps, Claim::Retired(first.id.clone()));
    let third = c
        .import(
            &SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap(),
            "third",
        )
        .unwrap();
    done(&mut steps, Claim::Imported(third.id.clone()));
    c.delete(&first.id).unwrap();
    done(&mut steps, Claim::Deleted(first.id.clone()));
    assert!(file_trace::take().is_empty());
    Workload {
        before,
        steps,
        claims,
    }
}

/// A pending name change.
#[derive(Debug, Clone)]
enum Change {
    /// A new name for a new file (its bytes: the inode).
    Create(String, usize),
    Rename(String, String),
    Remove(String),
}

/// Every state the disk may hold after a power loss following `steps[..cut]`.
fn crash_states(w: &Workload, cut: usize) -> Vec<BTreeMap<String, Vec<u8>>> {
    // Inodes: their durable bytes and their bytes not yet fsync'd.
    let mut durable_bytes: Vec<Option<Vec<u8>>> = Vec::new();
    let mut pending_bytes: Vec<Option<Vec<u8>>> = Vec::new();
    // Names: durable, and changes not yet made durable by a directory fsync.
    let mut names: BTreeMap<String, usize> = BTreeMap::new();
    for (n, bytes) in &w.before {
        names.insert(n.clone(), durable_bytes.len());
        durable_bytes.push(Some(bytes.clone()));
        pending_bytes.push(None);
    }
    let mut live: BTreeMap<String, usize> = names.clone();
    let mut pending: Vec<Change> = Vec::new();
    for step in &w.steps[..cut] {
        match step {
            Step::Write(p, bytes) => {
                let inode = durable_bytes.len();
                durable_bytes.push(None);
                pending_bytes.push(Some(bytes.clone()));
                live.insert(name(p), inode);
                pending.push(Change::Create(name(p), inode));
            }
            Step::SyncFile(p) => {
                let inode = live[&name(p)];
                if let Some(b) = pending_bytes[inode].take() {
                    durable_bytes[inode] = Some(b);
                }
            }
            Step::Rename(from, to) => {
                let inode = live.remove(&name(from)).unwrap();
                live.insert(name(to), inode);
                pending.push(Change::Rename(name(from), name(to)));
            }
            Step::Remove(p) => {
                live.remove(&name(p));
                pending.push(Change::Remove(name(p)));
            }
            Step::SyncDir(_) => {
                names = live.clone();
                pending.clear();
            }
        }
    }
    assert!(pending.len() <= 12, "too many pending changes to enumerate");
    // Inodes whose bytes may be torn: whole, the first half, nothing.
    let torn: Vec<usize> = (0..pending_bytes.len())
        .filter(|i| pending_bytes[*i].is_some())
        .collect();
    let mut out = Vec::new();
    for subset in 0u32..(1 << pending.len()) {
        let mut n = names.clone();
        for (i, change) in pending.iter().enumerate() {
            if subset & (1 << i) == 0 {
                continue;
            }
            match change {
                Change::Create(name, inode) => {
                    n.insert(name.clone(), *inode);
                }
                Change::Rename(from, to) => {
                    // A rename applied without the change that made `from` exists nowhere.
                    if let Some(inode) = n.remove(from) {
                        n.insert(to.clone(), inode);
                    }
                }
                Change::Remove(name) => {
                    n.remove(name);
                }
            }
        }
        for variant in 0..3usize.pow(torn.len() as u32) {
            let mut state = BTreeMap::new();
            for (name, inode) in &n {
                let bytes = match torn.iter().position(|t| t == inode) {
                    Some(k) => {
                        let whole = pending_bytes[*inode].clone().unwrap();
                        match (variant / 3usize.pow(k as u32)) % 3 {
                            0 => whole,
                            1 => whole[..whole.len() / 2].to_vec(),
                            _ => Vec::new(),
                        }
                    }
                    None => durable_bytes[*inode].clone().unwrap_or_default(),
                };
                state.insert(name.clone(), bytes);
            }
            out.push(state);
        }
    }
    out
}

/// Checks one crash state; the broken promise, if any. `deleting`: key sets whose delete had
/// started (they may be gone whatever was claimed of them before).
fn check(
    state: &BTreeMap<String, Vec<u8>>,
    claims: &[Claim],
    deleting: &BTreeSet<Vec<u8>>,
) -> Result<(), String> {
    let dir = tempfile::tempdir().unwrap();
    for (n, bytes) in state {
        std::fs::write(dir.path().join(n), bytes).unwrap();
    }
    let c: FileContainer = FileContainer::open(
        dir.path(),
        secrecy::SecretString::from(PASSWORD.to_string()),
    )
    .map_err(|e| format!("the container does not open: {e}"))?;
    let sets = c.key_sets().map_err(|e| format!("listing: {e}"))?;
    let by_id: BTreeMap<&[u8], _> = sets.iter().map(|s| (&s.id[..], s)).collect();
    for set in &sets {
        if set.is_damaged() {
            return Err(format!("a damaged key set: {:?}", set.damage));
        }
        if set.has_private_key {
            let key = c
                .software_key(&set.id)
                .map_err(|e| format!("a listed key does not decrypt: {e}"))?;
            if key.public_key().key_id()[..] != set.id[..] {
                return Err("a key under another key's name".into());
            }
        }
    }
    for claim in claims {
        match claim {
            Claim::Imported(id) => {
                let set = by_id.get(&id[..]).ok_or("an imported key set is missing")?;
                if !set.has_private_key {
                    return Err("an imported key is missing".into());
                }
            }
            Claim::Certified(id, cert) => {
                let set = by_id.get(&id[..]).ok_or("a certified key set is missing")?;
                if set.certificate.as_deref() != Some(&cert[..]) {
                    return Err("an installed certificate is missing".into());
                }
            }
            Claim::Retired(id) => {
                if !deleting.contains(id) && !by_id.get(&id[..]).is_some_and(|s| s.retired) {
                    return Err("a retired key set is not retired".into());
                }
            }
            Claim::Deleted(id) => {
                if by_id.get(&id[..]).is_some_and(|s| s.has_private_key) {
                    return Err("a deleted key is still there".into());
                }
            }
        }
    }
    Ok(())
}

/// Every crash state of every cut; (states checked, the first broken promise).
fn run(w: &Workload) -> (usize, Option<String>) {
    let mut checked = 0;
    for cut in 0..=w.steps.len() {
        let claims: Vec<Claim> = w
            .claims
            .iter()
            .filter(|(at, _)| *at <= cut)
            .map(|(_, c)| c.clone())
            .collect();
        // A delete has started once the operation before it returned and a step followed.
        let mut deleting = BTreeSet::new();
        let mut start = 0;
        for (at, claim) in &w.claims {
            if let Claim::Deleted(id) = claim
                && start < cut
            {
                deleting.insert(id.clone());
            }
            start = *at;
        }
        for state in crash_states(w, cut) {
            checked += 1;
            if let Err(e) = check(&state, &claims, &deleting) {
                return (
                    checked,
                    Some(format!(
                        "power lost after step {cut} ({:?}): {e}",
                        step_name(w, cut)
                    )),
                );
            }
        }
    }
    (checked, None)
}

fn step_name(w: &Workload, cut: usize) -> String {
    match cut.checked_sub(1).map(|i| &w.steps[i]) {
        None => "before any".into(),
        Some(Step::Write(p, b)) => format!("write {} ({} bytes)", name(p), b.len()),
        Some(Step::SyncFile(p)) => format!("fsync {}", name(p)),
        Some(Step::Rename(a, b)) => format!("rename {} -> {}", name(a), name(b)),
        Some(Step::Remove(p)) => format!("remove {}", name(p)),
        Some(Step::SyncDir(_)) => "fsync the directory".into(),
    }
}

#[test]
fn no_power_loss_loses_what_was_claimed_or_shows_anything_half_written() {
    let dir = tempfile::tempdir().unwrap();
    let w = record(dir.path());
    assert!(
        !w.steps.is_empty(),
        "nothing recorded: the test needs the feature `failpoints` (dev-dependency)"
    );
    let (checked, broken) = run(&w);
    eprintln!(
        "power loss: {} steps, {checked} crash states checked",
        w.steps.len()
    );
    assert_eq!(broken, None);
}

/// The checker can fail: a container that did not fsync a file before renaming it, or did
/// not fsync the directory after, is caught.
#[test]
fn a_missing_fsync_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let w = record(dir.path());
    for dropped in ["file", "directory"] {
        let keep = |s: &Step| {
            !matches!(
                (dropped, s),
                ("file", Step::SyncFile(_)) | ("directory", Step::SyncDir(_))
            )
        };
        let steps: Vec<Step> = w.steps.iter().filter(|s| keep(s)).cloned().collect();
        // The claims move with the steps: each after the same operation's last kept step.
        let claims = w
            .claims
            .iter()
            .map(|(at, claim)| {
                (
                    w.steps[..*at].iter().filter(|s| keep(s)).count(),
                    claim.clone(),
                )
            })
            .collect();
        let broken = Workload {
            before: w.before.clone(),
            steps,
            claims,
        };
        let (_, found) = run(&broken);
        assert!(found.is_some(), "without the {dropped} fsync nothing broke");
        eprintln!("without the {dropped} fsync: {}", found.unwrap());
    }
}
