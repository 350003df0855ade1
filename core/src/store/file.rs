//! The file container: a directory of password-encrypted keys and certificates.
//!
//! Seed 003 («Не забудьте сделать копию ключевого носителя»): the medium is a flash drive that
//! may be pulled out at any moment, so every file is written atomically — a temporary file in
//! the same directory, written and fsync'd, renamed over the target, then the directory
//! fsync'd. A pulled drive leaves either the old file or the new one, never half of one; a
//! leftover temporary file is ignored by readers.
//!
//! Several processes share one medium (a bank client and its updater, two windows of one
//! client, a support script), so every operation takes an inter-process lock on the
//! container's lock file (`flock` on Unix, `LockFileEx` on Windows, through
//! [`std::fs::File::lock`]): writers exclusively, readers shared, each operation on its own
//! open file description, so that threads of one process exclude each other too. A reader
//! thus never sees a key set half-written, and two writers never interleave (an import's
//! "is it there already?" and its writes are one step). Temporary files are removed only
//! under the exclusive lock, when no writer can be at work: a leftover one is then provably
//! the remains of a writer that died (a crash releases its lock). On a read-only medium,
//! where the lock file cannot be created, reads go unlocked: nobody can write there either.
//!
//! Files are created `0600` and a directory the container makes `0700` (Unix): the key files
//! are encrypted, but their KDF parameters and ciphertext are nobody else's business.
//!
//! Layout, per key set `<id>` (hex of the SHA-1 of the public key bits, as on tokens):
//!
//! | file | content |
//! |---|---|
//! | `bankkey-container` | marker: format name and version |
//! | `bankkey-container.lock` | the lock file (empty) |
//! | `<id>.key` | the private key, PKCS#8 encrypted with the container password (PBES2), PEM |
//! | `<id>.pub` | the public key, SubjectPublicKeyInfo PEM (listing needs no password) |
//! | `<id>.crt` | the certificate, PEM, once installed |
//! | `<id>.json` | label and retired flag |

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};

use super::{KeySet, KeyStore, RETIRED_PREFIX};
use crate::key::{DEFAULT_PBKDF2_ITERATIONS, KeyAlgorithm, PublicKey, Signer, SoftwareKey};
use crate::pki::Certificate;
use crate::{Error, ErrorKind, Result};

const MARKER: &str = "bankkey-container";
const LOCK_FILE: &str = "bankkey-container.lock";
const MARKER_CONTENT: &str = "bankkey file container, format 1\n";
const TEMP_PREFIX: &str = ".tmp-";

#[derive(Serialize, Deserialize, Default)]
struct Meta {
    label: String,
    retired: bool,
}

/// A directory holding password-encrypted keys and their certificates. `Send + Sync`; any
/// number of handles, in any number of threads and processes, may use one directory: each
/// operation locks the container (see the module documentation).
pub struct FileContainer {
    dir: PathBuf,
    password: SecretString,
    iterations: u32,
}

impl std::fmt::Debug for FileContainer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Never the password.
        f.debug_struct("FileContainer")
            .field("dir", &self.dir)
            .finish()
    }
}

impl FileContainer {
    /// Creates a container in `dir` (created if missing; it must not hold another container
    /// or anything else).
    pub fn create(dir: impl AsRef<Path>, password: SecretString) -> Result<FileContainer> {
        let dir = dir.as_ref();
        if password.expose_secret().is_empty() {
            return Err(Error::invalid_field("password", "the password is empty"));
        }
        create_private_dir(dir)?;
        if fs::read_dir(dir)
            .map_err(|e| io_error(e, "reading the container directory", dir))?
            .next()
            .is_some()
        {
            return Err(Error::new(
                ErrorKind::Storage,
                format!(
                    "{} is not empty: not creating a container there",
                    dir.display()
                ),
            ));
        }
        atomic_write(&dir.join(MARKER), MARKER_CONTENT.as_bytes())?;
        Self::open(dir, password)
    }

    /// Opens an existing container, removing the temporary files that a writer which died
    /// (a pulled drive, a killed process) left behind, when no other process is writing.
    /// The password is checked when a key is used ([`ErrorKind::WrongPassword`]).
    pub fn open(dir: impl AsRef<Path>, password: SecretString) -> Result<FileContainer> {
        let dir = dir.as_ref().to_path_buf();
        let marker = fs::read_to_string(dir.join(MARKER)).map_err(|_| {
            Error::new(
                ErrorKind::Storage,
                format!("{} is not a bankkey file container", dir.display()),
            )
        })?;
        if marker != MARKER_CONTENT {
            return Err(Error::new(
                ErrorKind::Storage,
                format!("{}: unknown file container format", dir.display()),
            ));
        }
        let container = FileContainer {
            dir,
            password,
            iterations: DEFAULT_PBKDF2_ITERATIONS,
        };
        container.remove_stale_temporaries()?;
        Ok(container)
    }

    /// Removes temporary files, only when the exclusive lock is free at once: a writer holds
    /// it for as long as it has a temporary file, so what is left then is stale. When
    /// another process is writing, the cleanup is left to a later open.
    fn remove_stale_temporaries(&self) -> Result<()> {
        let Some(_lock) = self.try_lock_exclusive()? else {
            return Ok(());
        };
        for entry in fs::read_dir(&self.dir).map_err(|e| self.io(e, "reading the container"))? {
            let entry = entry.map_err(|e| self.io(e, "reading the container"))?;
            if entry.file_name().to_string_lossy().starts_with(TEMP_PREFIX) {
                let _ = fs::remove_file(entry.path());
            }
        }
        Ok(())
    }

    /// The lock file, opened anew (a lock per open file description: threads exclude each
    /// other as processes do). `None` on a medium where it cannot be created read-write.
    fn lock_file(&self, write: bool) -> Result<Option<File>> {
        let path = self.dir.join(LOCK_FILE);
        let mut options = OpenOptions::new();
        options.read(true).write(true).create(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        match options.open(&path) {
            Ok(f) => Ok(Some(f)),
            Err(e) if !write && read_only_medium(&e) => match File::open(&path) {
                // An existing lock file locks even read-only; a missing one on a read-only
                // medium means nobody can be writing.
                Ok(f) => Ok(Some(f)),
                Err(_) => Ok(None),
            },
            Err(e) => Err(io_error(e, "opening the lock file", &path)),
        }
    }

    /// Holds the container shared (readers) until dropped.
    fn lock_shared(&self) -> Result<Option<File>> {
        let Some(f) = self.lock_file(false)? else {
            return Ok(None);
        };
        f.lock_shared()
            .map_err(|e| io_error(e, "locking the container", &self.dir))?;
        Ok(Some(f))
    }

    /// Holds the container exclusively (writers) until dropped.
    fn lock_exclusive(&self) -> Result<File> {
        let f = self.lock_file(true)?.ok_or_else(|| {
            Error::new(
                ErrorKind::Io,
                format!("{}: read-only medium", self.dir.display()),
            )
        })?;
        f.lock()
            .map_err(|e| io_error(e, "locking the container", &self.dir))?;
        Ok(f)
    }

    /// The exclusive lock if it is free now.
    fn try_lock_exclusive(&self) -> Result<Option<File>> {
        let Some(f) = self.lock_file(false)? else {
            return Ok(None);
        };
        match f.try_lock() {
            Ok(()) => Ok(Some(f)),
            Err(std::fs::TryLockError::WouldBlock) => Ok(None),
            Err(std::fs::TryLockError::Error(e)) => {
                Err(io_error(e, "locking the container", &self.dir))
            }
        }
    }

    fn io(&self, e: std::io::Error, what: &str) -> Error {
        io_error(e, what, &self.dir)
    }

    /// The directory.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// Sets the PBKDF2 iteration count for keys written from now on (default
    /// [`DEFAULT_PBKDF2_ITERATIONS`]; lower only for tests and demos).
    pub fn set_kdf_iterations(&mut self, iterations: u32) {
        self.iterations = iterations;
    }

    /// Imports a software key (e.g. one made elsewhere) as a new key set.
    pub fn import(&self, key: &SoftwareKey, label: &str) -> Result<KeySet> {
        let public = key.public_key();
        let id = public.key_id().to_vec();
        let name = hex::encode(&id);
        // Encrypted before the lock is taken: PBKDF2 is the slow part.
        let pem = key.to_encrypted_pkcs8_pem_with_iterations(
            self.password.expose_secret().as_bytes(),
            self.iterations,
        )?;
        let _lock = self.lock_exclusive()?;
        if self.file(&name, "key").exists() {
            return Err(Error::new(
                ErrorKind::PreconditionFailed,
                "this key is already in the container",
            ));
        }
        // Metadata and public key first: a key file never exists without them.
        self.write_meta(
            &name,
            &Meta {
                label: label.to_string(),
                retired: false,
            },
        )?;
        atomic_write(&self.file(&name, "pub"), public.to_pem().as_bytes())?;
        atomic_write(&self.file(&name, "key"), pem.as_bytes())?;
        Ok(KeySet {
            id,
            label: label.to_string(),
            public_key_spki: Some(public.to_spki_der()),
            has_private_key: true,
            certificate: None,
            retired: false,
            damage: Vec::new(),
        })
    }

    /// The private key of a key set, decrypted with the container password.
    pub fn software_key(&self, id: &[u8]) -> Result<SoftwareKey> {
        let name = hex::encode(id);
        let path = self.file(&name, "key");
        let pem = {
            let _lock = self.lock_shared()?;
            fs::read_to_string(&path)
        }
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                Error::invalid_field("id", "no private key with this identifier in the container")
            } else {
                io_error(e, "reading the key", &path)
            }
        })?;
        SoftwareKey::from_encrypted_pkcs8_pem(&pem, self.password.expose_secret().as_bytes())
    }

    /// Copies the whole container into `dest` (which must not exist or be empty), each file
    /// written atomically and read back; returns the copy, opened with the same password.
    pub fn backup_to(&self, dest: impl AsRef<Path>) -> Result<FileContainer> {
        let dest = dest.as_ref();
        create_private_dir(dest)?;
        if fs::read_dir(dest)
            .map_err(|e| io_error(e, "reading the backup directory", dest))?
            .next()
            .is_some()
        {
            return Err(Error::new(
                ErrorKind::Storage,
                format!("{} is not empty: not copying over it", dest.display()),
            ));
        }
        // Shared: the copy is of one state, no writer in the middle of it.
        let _lock = self.lock_shared()?;
        let mut names: Vec<String> = self.names()?;
        // The marker last: a copy interrupted half-way is not a container.
        names.sort();
        for name in &names {
            let from = self.dir.join(name);
            let bytes = fs::read(&from).map_err(|e| io_error(e, "reading", &from))?;
            let to = dest.join(name);
            atomic_write(&to, &bytes)?;
            let back = fs::read(&to).map_err(|e| io_error(e, "reading back", &to))?;
            if back != bytes {
                return Err(Error::new(
                    ErrorKind::Storage,
                    format!("the copy of {name} differs from the original"),
                ));
            }
        }
        atomic_write(&dest.join(MARKER), MARKER_CONTENT.as_bytes())?;
        drop(_lock);
        let mut copy = FileContainer::open(dest, self.password.clone())?;
        copy.iterations = self.iterations;
        Ok(copy)
    }

    /// The regular files of the container except the marker, the lock and temporary files.
    fn names(&self) -> Result<Vec<String>> {
        let mut out = Vec::new();
        for entry in fs::read_dir(&self.dir).map_err(|e| self.io(e, "reading the container"))? {
            let entry = entry.map_err(|e| self.io(e, "reading the container"))?;
            let name = entry.file_name().to_string_lossy().into_owned();
            if name == MARKER
                || name == LOCK_FILE
                || name.starts_with(TEMP_PREFIX)
                || !entry.path().is_file()
            {
                continue;
            }
            out.push(name);
        }
        Ok(out)
    }

    fn file(&self, name: &str, ext: &str) -> PathBuf {
        self.dir.join(format!("{name}.{ext}"))
    }

    /// The metadata of a key set: `Ok(None)` when its file does not exist, `Err` with a
    /// line naming the file when it does not read or parse (never defaults in its place: a
    /// retired set must not come back as not retired).
    fn read_meta(&self, name: &str) -> std::result::Result<Option<Meta>, String> {
        let path = self.file(name, "json");
        match fs::read(&path) {
            Ok(b) => serde_json::from_slice(&b).map(Some).map_err(|e| {
                format!(
                    "{}: the metadata does not parse ({e}): label and retired flag unknown",
                    path.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(format!(
                "{}: the metadata does not read ({e}): label and retired flag unknown",
                path.display()
            )),
        }
    }

    fn write_meta(&self, name: &str, meta: &Meta) -> Result<()> {
        let json = serde_json::to_vec_pretty(meta)
            .map_err(|e| Error::new(ErrorKind::Internal, format!("metadata: {e}")))?;
        atomic_write(&self.file(name, "json"), &json)
    }

    /// Every key set; the caller holds the lock.
    fn key_sets_locked(&self) -> Result<Vec<KeySet>> {
        let mut ids: Vec<String> = self
            .names()?
            .into_iter()
            .filter_map(|n| {
                let (stem, ext) = n.rsplit_once('.')?;
                (matches!(ext, "key" | "pub" | "crt" | "json")
                    && stem.len() == 40
                    && stem.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| stem.to_string())
            })
            .collect();
        ids.sort();
        ids.dedup();
        ids.iter().map(|n| self.key_set(n)).collect()
    }

    /// One key set as its files say, never failing for a file that does not read: what is
    /// wrong goes into [`KeySet::damage`] naming the file, and the rest is listed.
    fn key_set(&self, name: &str) -> Result<KeySet> {
        let id = hex::decode(name)
            .map_err(|_| Error::new(ErrorKind::Storage, format!("bad file name {name}")))?;
        let mut damage = Vec::new();
        let has_private_key = self.file(name, "key").exists();
        let meta = match self.read_meta(name) {
            Ok(Some(meta)) => meta,
            Ok(None) => {
                // Written before the public and private key and removed after them: missing
                // beside either, it was removed by hand, and the retired flag is lost.
                if has_private_key || self.file(name, "pub").exists() {
                    damage.push(format!(
                        "{}: the metadata is missing: label and retired flag unknown",
                        self.file(name, "json").display()
                    ));
                }
                Meta::default()
            }
            Err(line) => {
                damage.push(line);
                Meta::default()
            }
        };
        let certificate = self.read_part(name, "crt", &mut damage, |pem| {
            let cert = Certificate::from_pem(pem)?;
            if cert.key_info().key_id.as_slice() != id.as_slice() {
                return Err(Error::new(
                    ErrorKind::KeyMismatch,
                    "the certificate holds another key than this key set's",
                ));
            }
            Ok(cert.to_der())
        });
        let public_key_spki = self
            .read_part(name, "pub", &mut damage, |pem| {
                let key = PublicKey::from_pem(
                    std::str::from_utf8(pem)
                        .map_err(|_| Error::malformed("the public key file is not text"))?,
                )?;
                if key.key_id().as_slice() != id.as_slice() {
                    return Err(Error::new(
                        ErrorKind::KeyMismatch,
                        "the public key is not the one the file is named after",
                    ));
                }
                Ok(key.to_spki_der())
            })
            .or_else(|| {
                certificate
                    .as_deref()
                    .and_then(|c| Certificate::from_der(c).ok())
                    .map(|c| c.public_key_der().to_vec())
            });
        let label = if meta.retired {
            format!("{RETIRED_PREFIX}{}", meta.label)
        } else {
            meta.label
        };
        Ok(KeySet {
            id,
            label,
            public_key_spki,
            has_private_key,
            certificate,
            retired: meta.retired,
            damage,
        })
    }

    /// Reads `<name>.<ext>` and makes a value of it with `parse`: `None` when the file does
    /// not exist, or when it does not read or parse — then a line naming the file and the
    /// error goes into `damage`.
    fn read_part<T>(
        &self,
        name: &str,
        ext: &str,
        damage: &mut Vec<String>,
        parse: impl FnOnce(&[u8]) -> Result<T>,
    ) -> Option<T> {
        let path = self.file(name, ext);
        match fs::read(&path) {
            Ok(bytes) => match parse(&bytes) {
                Ok(v) => Some(v),
                Err(e) => {
                    damage.push(format!("{}: {}", path.display(), e.message()));
                    None
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => {
                damage.push(format!("{}: does not read ({e})", path.display()));
                None
            }
        }
    }
}

impl KeyStore for FileContainer {
    fn description(&self) -> String {
        format!("file container {}", self.dir.display())
    }

    fn import_key(&self, key: &SoftwareKey, label: &str) -> Result<KeySet> {
        self.import(key, label)
    }

    fn generate(&self, algorithm: KeyAlgorithm, label: &str) -> Result<KeySet> {
        self.import(&SoftwareKey::generate(algorithm)?, label)
    }

    fn key_sets(&self) -> Result<Vec<KeySet>> {
        let _lock = self.lock_shared()?;
        self.key_sets_locked()
    }

    fn signer(&self, id: &[u8]) -> Result<Box<dyn Signer>> {
        Ok(Box::new(self.software_key(id)?))
    }

    fn install_certificate(&self, cert_der: &[u8], id: Option<&[u8]>) -> Result<KeySet> {
        let cert = Certificate::from_der(cert_der)?;
        let public = cert.public_key()?;
        let _lock = self.lock_exclusive()?;
        let sets = self.key_sets_locked()?;
        let holds = |k: &KeySet| k.public_key().ok().flatten().is_some_and(|p| p == public);
        let target = super::install_target(&sets, id, holds, "in the container")?;
        atomic_write(
            &self.file(&target.id_hex(), "crt"),
            cert.to_pem().as_bytes(),
        )?;
        let mut set = target.clone();
        set.certificate = Some(cert.to_der());
        Ok(set)
    }

    fn find_by_certificate(&self, cert_der: &[u8]) -> Result<Option<KeySet>> {
        // key_sets() takes the shared lock.
        let public = Certificate::from_der(cert_der)?.public_key()?;
        Ok(self.key_sets()?.into_iter().find(|k| {
            k.certificate.as_deref() == Some(cert_der)
                || k.public_key().ok().flatten().is_some_and(|p| p == public)
        }))
    }

    fn retire(&self, id: &[u8]) -> Result<()> {
        let name = hex::encode(id);
        let _lock = self.lock_exclusive()?;
        if !self.file(&name, "pub").exists() && !self.file(&name, "crt").exists() {
            return Err(Error::invalid_field(
                "id",
                "no key set with this identifier",
            ));
        }
        // Metadata that does not read is replaced: retiring is the state that must hold,
        // the label was unreadable already.
        let mut meta = self.read_meta(&name).ok().flatten().unwrap_or_default();
        meta.retired = true;
        self.write_meta(&name, &meta)
    }

    fn delete(&self, id: &[u8]) -> Result<()> {
        let name = hex::encode(id);
        let _lock = self.lock_exclusive()?;
        let mut found = false;
        // The private key first: a half-done delete leaves a public key, never a lone key.
        // Each removal is made durable before the next: a file system may otherwise keep any
        // subset of them after a power loss (the power-loss test found a key left without its
        // metadata when the removals were synced once, at the end).
        for ext in ["key", "crt", "pub", "json"] {
            let path = self.file(&name, ext);
            match fs::remove_file(&path) {
                Ok(()) => {
                    trace::record(|| trace::Step::Remove(path.clone()));
                    sync_dir(&self.dir)?;
                    found = true
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(io_error(e, "deleting a key set", &path)),
            }
        }
        if found {
            Ok(())
        } else {
            Err(Error::invalid_field(
                "id",
                "no key set with this identifier",
            ))
        }
    }
}

/// Writes `bytes` to `path` atomically: temporary file in the same directory (created `0600`
/// on Unix), fsync, rename, fsync of the directory. On any failure the target is untouched
/// and the temporary removed.
pub(crate) fn atomic_write(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = path
        .parent()
        .ok_or_else(|| Error::new(ErrorKind::Storage, "a file needs a directory"))?;
    let name = path
        .file_name()
        .ok_or_else(|| Error::new(ErrorKind::Storage, "a file needs a name"))?
        .to_string_lossy();
    let mut nonce = [0u8; 8];
    getrandom::fill(&mut nonce)
        .map_err(|e| Error::new(ErrorKind::Internal, format!("OS random generator: {e}")))?;
    let temp = dir.join(format!("{TEMP_PREFIX}{}-{name}", hex::encode(nonce)));
    let result = (|| {
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let mut f = options
            .open(&temp)
            .map_err(|e| io_error(e, "creating a temporary file", &temp))?;
        f.write_all(bytes)
            .map_err(|e| io_error(e, "writing a temporary file", &temp))?;
        trace::record(|| trace::Step::Write(temp.clone(), bytes.to_vec()));
        f.sync_all()
            .map_err(|e| io_error(e, "flushing a temporary file", &temp))?;
        trace::record(|| trace::Step::SyncFile(temp.clone()));
        drop(f);
        fs::rename(&temp, path).map_err(|e| io_error(e, "replacing a file", path))?;
        trace::record(|| trace::Step::Rename(temp.clone(), path.to_path_buf()));
        sync_dir(dir)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Creates `dir` (and its parents) when missing; the directory itself `0700` on Unix.
fn create_private_dir(dir: &Path) -> Result<()> {
    if dir.is_dir() {
        return Ok(());
    }
    let mut builder = fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(dir)
        .map_err(|e| io_error(e, "creating the directory", dir))
}

fn sync_dir(dir: &Path) -> Result<()> {
    // On Unix a directory is fsync'd through a read-only handle; elsewhere rename is durable.
    #[cfg(unix)]
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(|e| io_error(e, "flushing the directory", dir))?;
    #[cfg(not(unix))]
    let _ = dir;
    trace::record(|| trace::Step::SyncDir(dir.to_path_buf()));
    Ok(())
}

/// The container's file-system steps, recorded for the power-loss test (RELIABILITY.md, "Power
/// loss"): with the cargo feature `failpoints` a thread can [`start`](trace::start) recording
/// every step that decides what survives a power loss — a file's bytes written, a file
/// fsync'd, a rename, a removal, a directory fsync'd — and [`take`](trace::take) them. Without
/// the feature, recording compiles to nothing.
pub mod trace {
    use std::path::PathBuf;

    /// One step, in the order the container made it.
    #[derive(Debug, Clone, PartialEq, Eq)]
    pub enum Step {
        /// A new file written (not yet durable): its path and bytes.
        Write(PathBuf, Vec<u8>),
        /// The file's bytes fsync'd (durable, its name not yet).
        SyncFile(PathBuf),
        /// A rename (not yet durable).
        Rename(PathBuf, PathBuf),
        /// A removal (not yet durable).
        Remove(PathBuf),
        /// The directory fsync'd: its names are durable.
        SyncDir(PathBuf),
    }

    #[cfg(feature = "failpoints")]
    thread_local! {
        static STEPS: std::cell::RefCell<Option<Vec<Step>>> = const { std::cell::RefCell::new(None) };
    }

    /// Starts recording this thread's steps (forgetting earlier ones).
    pub fn start() {
        #[cfg(feature = "failpoints")]
        STEPS.with(|s| *s.borrow_mut() = Some(Vec::new()));
    }

    /// The steps recorded since [`start`]; recording goes on.
    pub fn take() -> Vec<Step> {
        #[cfg(feature = "failpoints")]
        return STEPS.with(|s| {
            s.borrow_mut()
                .as_mut()
                .map(std::mem::take)
                .unwrap_or_default()
        });
        #[cfg(not(feature = "failpoints"))]
        Vec::new()
    }

    /// Records a step when this thread records.
    #[cfg_attr(not(feature = "failpoints"), allow(unused_variables))]
    pub(crate) fn record(step: impl FnOnce() -> Step) {
        #[cfg(feature = "failpoints")]
        STEPS.with(|s| {
            if let Some(v) = s.borrow_mut().as_mut() {
                v.push(step())
            }
        });
    }
}

/// Whether opening a file read-write failed because the medium (or the directory) does not
/// allow writing.
fn read_only_medium(e: &std::io::Error) -> bool {
    matches!(
        e.kind(),
        std::io::ErrorKind::ReadOnlyFilesystem | std::io::ErrorKind::PermissionDenied
    )
}

/// An I/O error naming the file (never anything secret: paths and the OS message only).
fn io_error(e: std::io::Error, what: &str, path: &Path) -> Error {
    Error::new(ErrorKind::Io, format!("{what} {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_files_and_leaves_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        atomic_write(&p, b"one").unwrap();
        atomic_write(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn a_failed_replace_keeps_the_old_file_and_removes_the_temporary() {
        let dir = tempfile::tempdir().unwrap();
        // The target is a non-empty directory: rename fails after the temporary is written.
        let target = dir.path().join("key");
        fs::create_dir(&target).unwrap();
        fs::write(target.join("inside"), b"old").unwrap();
        let e = atomic_write(&target, b"new").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Io);
        assert_eq!(fs::read(target.join("inside")).unwrap(), b"old");
        let left: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(left.len(), 1, "the temporary file was removed");
    }
}
