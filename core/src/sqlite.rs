//! How the library opens its SQLite files — the client's journal
//! ([`crate::lifecycle::SqliteJournal`]) and the bank's registry ([`crate::bank::Registry`]) —
//! so that several processes can open one file at once and a file on a read-only medium can
//! still be read (issue 13, defect 4).
//!
//! - **A busy timeout** on every connection ([`BUSY_TIMEOUT`]): a writer waits for another's
//!   transaction instead of failing with "database is locked".
//! - **The switch to WAL is retried**: SQLite answers `SQLITE_BUSY` at once, without calling
//!   the busy handler, when two connections race to change the journal mode of a new file
//!   (it will not wait while holding a lock another waits for). Three processes creating one
//!   journal at once failed that way; the switch is retried until [`BUSY_TIMEOUT`].
//! - **Schema changes run in one `BEGIN IMMEDIATE` transaction** that reads `user_version`
//!   inside it ([`migrate`]), so two processes creating the tables cannot both see version 0.
//! - **A read-only medium** (the file or its directory refuses writing: `EROFS`, `EACCES`):
//!   the file is opened read-only. A WAL file needs its `-shm` index, which cannot be created
//!   there; when no `-wal` file with content exists, nothing is lost by opening it as
//!   `immutable` (nobody can write on that medium), else it is opened read-only as it is and
//!   a failure says why. Every write then fails with [`ErrorKind::Storage`] saying why
//!   writing is impossible ([`Opened::read_only`]).

use std::path::Path;
use std::time::{Duration, Instant};

use rusqlite::{Connection, ErrorCode, OpenFlags, Transaction, TransactionBehavior};

use crate::{Error, ErrorKind, Result};

/// How long a connection waits for another's lock before giving up.
pub(crate) const BUSY_TIMEOUT: Duration = Duration::from_secs(10);

/// An opened database file.
pub(crate) struct Opened {
    /// The connection.
    pub conn: Connection,
    /// Why the file cannot be written (a read-only medium), when it cannot.
    pub read_only: Option<String>,
}

/// Whether an SQLite error is a lock held by another connection (worth waiting for).
pub(crate) fn is_busy(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked)
    )
}

/// Opens (creating when missing and writable) the database at `path`, in WAL mode with
/// `synchronous=FULL` when writable. `what` names the file in errors ("journal", "bank
/// registry"); `err` makes an error of the crate from a step's name and SQLite's error.
pub(crate) fn open(
    path: &Path,
    what: &str,
    err: impl Fn(&str, rusqlite::Error) -> Error,
) -> Result<Opened> {
    if let Some(why) = read_only_reason(path) {
        return open_read_only(path, what, why, err);
    }
    let conn = match connect(path) {
        Ok(c) => c,
        Err(e) => {
            // A missing file in a directory that cannot be written.
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty())
                && let Some(why) = read_only_reason(dir)
            {
                return Err(Error::new(
                    ErrorKind::Storage,
                    format!("{what} {}: cannot be created: {why}", path.display()),
                ));
            }
            return Err(err("opening", e));
        }
    };
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| err("setting the busy timeout", e))?;
    let deadline = Instant::now() + BUSY_TIMEOUT;
    let mut pause = Duration::from_millis(1);
    loop {
        match conn.pragma_update_and_check(None, "journal_mode", "WAL", |r| r.get::<_, String>(0)) {
            Ok(mode) if mode.eq_ignore_ascii_case("wal") => break,
            Ok(mode) => {
                return Err(Error::new(
                    ErrorKind::Storage,
                    format!("{what}: WAL mode refused (journal_mode={mode})"),
                ));
            }
            Err(e) if is_busy(&e) && Instant::now() < deadline => {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(50));
            }
            Err(e) => return Err(err("setting WAL", e)),
        }
    }
    conn.pragma_update(None, "synchronous", "FULL")
        .map_err(|e| err("setting synchronous=FULL", e))?;
    Ok(Opened {
        conn,
        read_only: None,
    })
}

/// Opens a read-write connection (creating the file), through the VFS chosen by
/// [`test_vfs::use_vfs`] when the test feature chose one on this thread.
fn connect(path: &Path) -> rusqlite::Result<Connection> {
    #[cfg(feature = "failpoints")]
    if let Some(vfs) = test_vfs::current() {
        return Connection::open_with_flags_and_vfs(path, OpenFlags::default(), vfs.as_str());
    }
    Connection::open(path)
}

/// Which SQLite VFS opens the journal and the registry, for the power-loss test of the
/// SQLite files (RELIABILITY.md, "Power loss"; compiled only with the cargo feature
/// `failpoints`): a test registers a VFS of its own (one that records every write and sync)
/// and chooses it here for its thread; [`crate::lifecycle::SqliteJournal::open`] and
/// [`crate::bank::Registry::open`] then open their files through it. Without the feature
/// the library always uses SQLite's default VFS.
#[cfg(feature = "failpoints")]
pub mod test_vfs {
    use std::cell::RefCell;

    thread_local! {
        static VFS: RefCell<Option<String>> = const { RefCell::new(None) };
    }

    /// Opens this thread's journals and registries through the registered VFS `name`
    /// (`None`: SQLite's default again).
    pub fn use_vfs(name: Option<&str>) {
        VFS.with(|v| *v.borrow_mut() = name.map(str::to_owned));
    }

    /// The VFS chosen on this thread, if any.
    pub(crate) fn current() -> Option<String> {
        VFS.with(|v| v.borrow().clone())
    }
}

/// Why `path` (an existing file or directory) cannot be opened for writing, if it cannot:
/// the medium is read-only, or writing is not permitted. `None` when it can, or when it does
/// not exist.
fn read_only_reason(path: &Path) -> Option<String> {
    let probe = if path.is_dir() {
        // A directory is writable when a file can be created in it; probe by opening the
        // directory itself is not possible, so ask the OS through a temporary name.
        let name = path.join(format!(".bankkey-probe-{}", std::process::id()));
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&name)
        {
            Ok(_) => {
                let _ = std::fs::remove_file(&name);
                return None;
            }
            Err(e) => e,
        }
    } else {
        match std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(path)
        {
            Ok(_) => return None,
            Err(e) => e,
        }
    };
    match probe.kind() {
        std::io::ErrorKind::ReadOnlyFilesystem => {
            Some(format!("the medium is read-only ({probe})"))
        }
        std::io::ErrorKind::PermissionDenied => Some(format!("writing is not permitted ({probe})")),
        _ => None,
    }
}

fn open_read_only(
    path: &Path,
    what: &str,
    why: String,
    err: impl Fn(&str, rusqlite::Error) -> Error,
) -> Result<Opened> {
    let wal = {
        let mut p = path.as_os_str().to_owned();
        p.push("-wal");
        std::path::PathBuf::from(p)
    };
    let pending = std::fs::metadata(&wal).is_ok_and(|m| m.len() > 0);
    let flags = OpenFlags::SQLITE_OPEN_READ_ONLY
        | OpenFlags::SQLITE_OPEN_URI
        | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    let uri = format!(
        "file:{}?mode=ro{}",
        uri_path(path),
        if pending { "" } else { "&immutable=1" }
    );
    let unreadable = |e: rusqlite::Error| {
        Error::new(
            ErrorKind::Storage,
            format!(
                "{what} {}: cannot be read on this medium ({why}){}: {e}",
                path.display(),
                if pending {
                    "; its last writes are still in the -wal file, which SQLite cannot read \
                     without creating its index beside it"
                } else {
                    ""
                }
            ),
        )
    };
    let conn = Connection::open_with_flags(&uri, flags).map_err(unreadable)?;
    conn.busy_timeout(BUSY_TIMEOUT)
        .map_err(|e| err("setting the busy timeout", e))?;
    conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| {
        r.get::<_, i64>(0)
    })
    .map_err(unreadable)?;
    Ok(Opened {
        conn,
        read_only: Some(format!(
            "{what} {} is open for reading only: {why}",
            path.display()
        )),
    })
}

/// `path` as the path part of an SQLite `file:` URI: every byte outside the unreserved set
/// and `/` percent-encoded.
fn uri_path(path: &Path) -> String {
    use std::fmt::Write;
    let bytes = path.as_os_str().as_encoded_bytes();
    let mut out = String::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

/// The error of a write attempted on a read-only file.
pub(crate) fn read_only_error(why: &str) -> Error {
    Error::new(ErrorKind::Storage, format!("{why}; nothing can be written"))
}

/// Runs `f` in one `BEGIN IMMEDIATE` transaction and commits: the write lock is taken before
/// anything is read, so what `f` checks and what it writes are one step for every other
/// connection and process (SQLite's deferred transactions would let two of them read, then
/// one fail to write, or both decide on a stale read).
pub(crate) fn write<T>(
    conn: &mut Connection,
    err: impl Fn(&str, rusqlite::Error) -> Error,
    f: impl FnOnce(&Transaction<'_>) -> Result<T>,
) -> Result<T> {
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .map_err(|e| err("starting a transaction", e))?;
    let out = f(&tx)?;
    tx.commit().map_err(|e| err("committing", e))?;
    Ok(out)
}

/// Brings the schema to `version`: reads `user_version` inside an immediate transaction and
/// calls `upgrade(tx, from)` when it is older (0: a new file), then writes `version`. A newer
/// version is refused. A read-only file must already be at `version`.
pub(crate) fn migrate(
    opened: &mut Opened,
    what: &str,
    version: u32,
    err: impl Fn(&str, rusqlite::Error) -> Error,
    upgrade: impl FnOnce(&Transaction<'_>, u32) -> Result<()>,
) -> Result<()> {
    let newer = |v: u32| {
        Error::new(
            ErrorKind::Storage,
            format!(
                "{what}: schema version {v} is not one this library reads (it reads {version})"
            ),
        )
    };
    if let Some(why) = &opened.read_only {
        let v: u32 = opened
            .conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| err("reading user_version", e))?;
        return match v {
            v if v == version => Ok(()),
            v if v > version => Err(newer(v)),
            v => Err(Error::new(
                ErrorKind::Storage,
                format!("{what}: schema version {v} needs an upgrade to {version}, and {why}"),
            )),
        };
    }
    write(&mut opened.conn, &err, |tx| {
        let v: u32 = tx
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(|e| err("reading user_version", e))?;
        if v > version {
            return Err(newer(v));
        }
        if v < version {
            upgrade(tx, v)?;
            tx.pragma_update(None, "user_version", version)
                .map_err(|e| err("writing user_version", e))?;
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_paths_escape_what_a_uri_gives_meaning_to() {
        assert_eq!(uri_path(Path::new("/a/b-c_d.e~")), "/a/b-c_d.e~");
        assert_eq!(
            uri_path(Path::new("/x y/?#%&=ж")),
            "/x%20y/%3F%23%25%26%3D%D0%B6"
        );
    }
}
