//! The durable journal of the lifecycle: every transition and every half of a step that
//! touches the key store, in order, so that reopening after a crash restores the exact state
//! and finishes or undoes what was half-done.
//!
//! [`Journal`] is the whole contract (two methods, object-safe): a host application can keep
//! the events in its own database. [`SqliteJournal`] is the embedded default.

use std::path::Path;

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};

use crate::sqlite;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::{Flow, QesStatus, RequestStatus};
use crate::{Error, ErrorKind, Result};

/// What an [`Event`] records.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum EventKind {
    /// The request went from `from` to `to`.
    Transition,
    /// A step towards `to` that writes to the key store is about to begin. Until a
    /// `Transition` to `to` (or an `Undone`) follows, the step is half-done: reopening
    /// finishes or undoes it.
    Intent,
    /// A half-done step was undone (by recovery, or by the rollback of a failed step); the
    /// status stays `from`. The note says why.
    Undone,
    /// Housekeeping after a transition, without a status change (the old key set retired,
    /// the new key of a cancelled request removed): `to` is the current status.
    Step,
    /// The QES registration `request_id` changed status (`qes`); `from`/`to` are unused
    /// and hold `New`.
    Qes,
}

impl EventKind {
    /// Every kind.
    pub const ALL: [EventKind; 5] = [
        EventKind::Transition,
        EventKind::Intent,
        EventKind::Undone,
        EventKind::Step,
        EventKind::Qes,
    ];

    /// The stable machine name (`transition`, `intent`, `undone`, `step`, `qes`).
    pub fn as_str(self) -> &'static str {
        match self {
            EventKind::Transition => "transition",
            EventKind::Intent => "intent",
            EventKind::Undone => "undone",
            EventKind::Step => "step",
            EventKind::Qes => "qes",
        }
    }

    /// Parses a machine name written by [`EventKind::as_str`].
    pub fn parse(name: &str) -> Result<EventKind> {
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == name)
            .ok_or_else(|| Error::invalid_field("event_kind", format!("unknown kind {name:?}")))
    }
}

/// One journal entry. Owned data; the blobs are the DER the step produced or received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    /// Position in the journal: 1, 2, 3, ... without gaps.
    pub seq: u64,
    /// When it happened (the time the caller passed in).
    pub at: OffsetDateTime,
    /// The regeneration request (or QES registration) it is about.
    pub request_id: String,
    /// The flow of the request.
    pub flow: Flow,
    /// What is recorded.
    pub kind: EventKind,
    /// The status before (`None` before the request exists).
    pub from: Option<RequestStatus>,
    /// The status after (for an `Intent`, the status the step goes to).
    pub to: RequestStatus,
    /// The QES status, for [`EventKind::Qes`] events.
    pub qes: Option<QesStatus>,
    /// Free text: the bank's reason for a rejection, why a step was undone, what a step did.
    pub note: Option<String>,
    /// The identifier of the key set in use when the request was started.
    pub old_key_id: Option<Vec<u8>>,
    /// The identifier of the request's new key set.
    pub new_key_id: Option<Vec<u8>>,
    /// The PKCS#10 request (DER).
    pub request_der: Option<Vec<u8>>,
    /// The CMS SignedData sent to the bank in the remote flow (DER), or for QES the signed
    /// confirmation statement.
    pub signed_request_der: Option<Vec<u8>>,
    /// The certificate received (DER).
    pub certificate_der: Option<Vec<u8>>,
}

impl Event {
    /// An event without data; set the fields you need.
    pub fn new(
        seq: u64,
        at: OffsetDateTime,
        request_id: &str,
        flow: Flow,
        kind: EventKind,
        from: Option<RequestStatus>,
        to: RequestStatus,
    ) -> Event {
        Event {
            seq,
            at,
            request_id: request_id.to_owned(),
            flow,
            kind,
            from,
            to,
            qes: None,
            note: None,
            old_key_id: None,
            new_key_id: None,
            request_der: None,
            signed_request_der: None,
            certificate_der: None,
        }
    }
}

impl Event {
    /// The event as one line of JSON, for a host that mirrors the journal into its own
    /// database (the C ABI's `bk_client_events_json`, Python): `seq`, `at` (RFC 3339, UTC)
    /// and `at_unix`, `request_id`, `flow`, `kind`, `from`, `to`, `qes` (machine names;
    /// `null` when absent), `note`, the key ids in lowercase hex, and the request, signed
    /// request and certificate DER in base64. Field names and values are stable.
    pub fn to_json(&self) -> String {
        use base64ct::{Base64, Encoding};
        let blob = |b: &Option<Vec<u8>>| b.as_deref().map(Base64::encode_string);
        let hex = |b: &Option<Vec<u8>>| b.as_deref().map(hex::encode);
        serde_json::json!({
            "seq": self.seq,
            "at": crate::pki::rfc3339(self.at),
            "at_unix": self.at.unix_timestamp(),
            "request_id": self.request_id,
            "flow": self.flow.as_str(),
            "kind": self.kind.as_str(),
            "from": self.from.map(RequestStatus::as_str),
            "to": self.to.as_str(),
            "qes": self.qes.map(QesStatus::as_str),
            "note": self.note,
            "old_key_id": hex(&self.old_key_id),
            "new_key_id": hex(&self.new_key_id),
            "request_der": blob(&self.request_der),
            "signed_request_der": blob(&self.signed_request_der),
            "certificate_der": blob(&self.certificate_der),
        })
        .to_string()
    }
}

/// Where the lifecycle keeps its events: append one, read all.
///
/// Object-safe and small, so a bank client can keep the events in its own database
/// (`Box<dyn Journal>`). What an implementation must guarantee:
/// - `append` is durable when it returns `Ok` (on disk, not in a cache), and atomic: after a
///   crash the event is either wholly there or not at all;
/// - `append` refuses (with [`ErrorKind::Storage`]) an event whose `seq` is not one more than
///   the last one, so two writers cannot both think they appended;
/// - `events` returns every appended event in `seq` order, field for field as appended.
///
/// ```
/// use bankkey::lifecycle::{Event, Journal};
/// use bankkey::{Error, ErrorKind, Result};
///
/// /// A host keeps the events in a table of its own (here a vector, for the example).
/// struct HostTable(Vec<Event>);
///
/// impl Journal for HostTable {
///     fn append(&mut self, e: &Event) -> Result<()> {
///         if e.seq != self.0.len() as u64 + 1 {
///             return Err(Error::new(ErrorKind::Storage, "out of sequence"));
///         }
///         self.0.push(e.clone()); // a real host writes and commits here
///         Ok(())
///     }
///     fn events(&self) -> Result<Vec<Event>> {
///         Ok(self.0.clone())
///     }
/// }
///
/// let journal: Box<dyn Journal> = Box::new(HostTable(Vec::new()));
/// assert!(journal.events()?.is_empty());
/// # Ok::<(), bankkey::Error>(())
/// ```
pub trait Journal: Send {
    /// Appends `e` durably and atomically (see the trait docs).
    fn append(&mut self, e: &Event) -> Result<()>;

    /// Every event, in `seq` order.
    fn events(&self) -> Result<Vec<Event>>;

    /// Holds off every other client of this journal — in other processes and other
    /// threads — until the returned value is dropped. The [`Client`](super::Client) holds it
    /// for each step and while it opens, so that a step another client is making is never
    /// taken for one a crash left half-done (and undone under its feet), and so that each
    /// step starts from the journal as it is. A crash releases it.
    ///
    /// The default holds nothing: enough for a journal only one client uses at a time. A
    /// host whose journal several processes share implements it (a lock file, a database
    /// lock).
    fn hold(&self) -> Result<Option<Box<dyn Send>>> {
        Ok(None)
    }
}

/// The schema version written to SQLite's `user_version`.
const SCHEMA_VERSION: u32 = 1;

const SCHEMA: &str = "
CREATE TABLE events (
    seq                INTEGER PRIMARY KEY,
    at                 TEXT NOT NULL,
    request_id         TEXT NOT NULL,
    flow               TEXT NOT NULL,
    kind               TEXT NOT NULL,
    from_status        TEXT,
    to_status          TEXT NOT NULL,
    qes_status         TEXT,
    note               TEXT,
    old_key_id         BLOB,
    new_key_id         BLOB,
    request_der        BLOB,
    signed_request_der BLOB,
    certificate_der    BLOB
);
CREATE INDEX events_request ON events (request_id, seq);
";

/// The embedded journal: one SQLite file (bundled SQLite) in WAL mode with
/// `synchronous=FULL`, one transaction per event, the schema versioned by `user_version`.
///
/// Why SQLite rather than an append-only file: see docs/ARCHITECTURE.md, "Lifecycle
/// (client)". The file can be opened with the `sqlite3` shell by support staff; times are
/// RFC 3339 text, statuses their machine names.
pub struct SqliteJournal {
    conn: Connection,
    /// Why the journal cannot be written, when it is on a read-only medium.
    read_only: Option<String>,
    /// The lock file beside the journal (`<journal>.lock`) that [`Journal::hold`] locks.
    lock_path: std::path::PathBuf,
}

impl std::fmt::Debug for SqliteJournal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteJournal")
            .field("path", &self.conn.path())
            .field("read_only", &self.read_only.is_some())
            .finish()
    }
}

fn db_error(what: &str, e: rusqlite::Error) -> Error {
    Error::new(ErrorKind::Storage, format!("journal: {what}: {e}"))
}

impl SqliteJournal {
    /// Opens the journal at `path`, creating the file and its schema when missing. Several
    /// processes may open one journal at once (see `crate::sqlite`: a busy timeout, the
    /// switch to WAL retried, the schema created in one immediate transaction).
    ///
    /// On a read-only medium the journal opens for reading ([`read_only`](Self::read_only)
    /// says why it cannot be written) and [`Journal::append`] fails with
    /// [`ErrorKind::Storage`] saying so.
    ///
    /// Errors: [`ErrorKind::Storage`] when the file is not a journal of this or an older
    /// format, when it is missing on a medium where it cannot be created, or SQLite fails.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteJournal> {
        let mut opened = sqlite::open(path.as_ref(), "journal", db_error)?;
        sqlite::migrate(
            &mut opened,
            "journal",
            SCHEMA_VERSION,
            db_error,
            |tx, _from| {
                // Version 1 is the only one: from 0, the file must be empty.
                let tables: i64 = tx
                    .query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0))
                    .map_err(|e| db_error("reading the schema", e))?;
                if tables != 0 {
                    return Err(Error::new(
                        ErrorKind::Storage,
                        "journal: the file is an SQLite database of something else",
                    ));
                }
                tx.execute_batch(SCHEMA)
                    .map_err(|e| db_error("creating the schema", e))
            },
        )?;
        let mut lock_path = path.as_ref().as_os_str().to_owned();
        lock_path.push(".lock");
        Ok(SqliteJournal {
            conn: opened.conn,
            read_only: opened.read_only,
            lock_path: lock_path.into(),
        })
    }

    /// Why the journal cannot be written (it is on a read-only medium), or `None` when it
    /// can.
    pub fn read_only(&self) -> Option<&str> {
        self.read_only.as_deref()
    }
}

fn status_name(s: Option<RequestStatus>) -> Option<&'static str> {
    s.map(RequestStatus::as_str)
}

fn seq_to_sql(seq: u64) -> Result<i64> {
    i64::try_from(seq).map_err(|_| Error::invalid_field("seq", "the sequence number is too large"))
}

impl Journal for SqliteJournal {
    /// An exclusive lock (`flock` on Unix, `LockFileEx` on Windows) on `<journal>.lock`,
    /// created `0600` beside the journal; nothing on a read-only medium, where nobody writes.
    fn hold(&self) -> Result<Option<Box<dyn Send>>> {
        if self.read_only.is_some() {
            return Ok(None);
        }
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(&self.lock_path).map_err(|e| {
            Error::new(
                ErrorKind::Storage,
                format!("journal lock {}: {e}", self.lock_path.display()),
            )
        })?;
        file.lock().map_err(|e| {
            Error::new(
                ErrorKind::Storage,
                format!("locking {}: {e}", self.lock_path.display()),
            )
        })?;
        Ok(Some(Box::new(file)))
    }

    fn append(&mut self, e: &Event) -> Result<()> {
        let at = e
            .at
            .checked_to_offset(time::UtcOffset::UTC)
            .ok_or_else(|| Error::invalid_field("at", "the time is after the year 9999"))?
            .format(&Rfc3339)
            .map_err(|_| Error::invalid_field("at", "the time cannot be written as RFC 3339"))?;
        let seq = seq_to_sql(e.seq)?;
        if let Some(why) = &self.read_only {
            return Err(sqlite::read_only_error(why));
        }
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(|e| db_error("starting an append", e))?;
        let last: Option<i64> = tx
            .query_row("SELECT max(seq) FROM events", [], |r| r.get(0))
            .optional()
            .map_err(|e| db_error("reading the last event", e))?
            .flatten();
        if seq != last.unwrap_or(0) + 1 {
            return Err(Error::new(
                ErrorKind::Storage,
                format!(
                    "journal: event {seq} does not follow the last one ({}); another writer?",
                    last.unwrap_or(0)
                ),
            )
            .with_field("seq"));
        }
        tx.execute(
            "INSERT INTO events (seq, at, request_id, flow, kind, from_status, to_status,
                 qes_status, note, old_key_id, new_key_id, request_der, signed_request_der,
                 certificate_der)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
            params![
                seq,
                at,
                e.request_id,
                e.flow.as_str(),
                e.kind.as_str(),
                status_name(e.from),
                e.to.as_str(),
                e.qes.map(QesStatus::as_str),
                e.note,
                e.old_key_id,
                e.new_key_id,
                e.request_der,
                e.signed_request_der,
                e.certificate_der,
            ],
        )
        .map_err(|e| db_error("appending", e))?;
        tx.commit().map_err(|e| db_error("committing an append", e))
    }

    fn events(&self) -> Result<Vec<Event>> {
        let mut stmt = self
            .conn
            .prepare(
                "SELECT seq, at, request_id, flow, kind, from_status, to_status, qes_status,
                        note, old_key_id, new_key_id, request_der, signed_request_der,
                        certificate_der
                 FROM events ORDER BY seq",
            )
            .map_err(|e| db_error("reading", e))?;
        let rows = stmt
            .query_map([], |r| {
                Ok(RawRow {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    request_id: r.get(2)?,
                    flow: r.get(3)?,
                    kind: r.get(4)?,
                    from: r.get(5)?,
                    to: r.get(6)?,
                    qes: r.get(7)?,
                    note: r.get(8)?,
                    old_key_id: r.get(9)?,
                    new_key_id: r.get(10)?,
                    request_der: r.get(11)?,
                    signed_request_der: r.get(12)?,
                    certificate_der: r.get(13)?,
                })
            })
            .map_err(|e| db_error("reading", e))?;
        let mut out = Vec::new();
        for row in rows {
            let row = row.map_err(|e| db_error("reading a row", e))?;
            out.push(row.into_event()?);
        }
        Ok(out)
    }
}

struct RawRow {
    seq: i64,
    at: String,
    request_id: String,
    flow: String,
    kind: String,
    from: Option<String>,
    to: String,
    qes: Option<String>,
    note: Option<String>,
    old_key_id: Option<Vec<u8>>,
    new_key_id: Option<Vec<u8>>,
    request_der: Option<Vec<u8>>,
    signed_request_der: Option<Vec<u8>>,
    certificate_der: Option<Vec<u8>>,
}

impl RawRow {
    fn into_event(self) -> Result<Event> {
        let seq = self.seq;
        let bad = |e: Error| Error::new(ErrorKind::Storage, format!("journal event {seq}: {e}"));
        Ok(Event {
            seq: u64::try_from(self.seq)
                .map_err(|_| bad(Error::invalid_field("seq", "negative")))?,
            // `time` parses `9999-12-31T23:59:59-23:59`, an instant it cannot convert.
            at: OffsetDateTime::parse(&self.at, &Rfc3339)
                .ok()
                .and_then(crate::calendar::representable)
                .ok_or_else(|| bad(Error::invalid_field("at", "not an RFC 3339 time")))?,
            request_id: self.request_id,
            flow: Flow::parse(&self.flow).map_err(bad)?,
            kind: EventKind::parse(&self.kind).map_err(bad)?,
            from: self
                .from
                .as_deref()
                .map(RequestStatus::parse)
                .transpose()
                .map_err(bad)?,
            to: RequestStatus::parse(&self.to).map_err(bad)?,
            qes: self
                .qes
                .as_deref()
                .map(QesStatus::parse)
                .transpose()
                .map_err(bad)?,
            note: self.note,
            old_key_id: self.old_key_id,
            new_key_id: self.new_key_id,
            request_der: self.request_der,
            signed_request_der: self.signed_request_der,
            certificate_der: self.certificate_der,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn event(seq: u64) -> Event {
        let at = OffsetDateTime::from_unix_timestamp_nanos(1_800_000_000_123_456_789).unwrap();
        let mut e = Event::new(
            seq,
            at,
            "r1",
            Flow::Remote,
            EventKind::Transition,
            Some(RequestStatus::Sent),
            RequestStatus::Rejected,
        );
        e.note = Some("подпись не прошла проверку".into());
        e.new_key_id = Some(vec![1, 2, 3]);
        e.request_der = Some(vec![0x30, 0x00]);
        e
    }

    #[test]
    fn events_come_back_field_for_field_after_reopening() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("journal.sqlite");
        let mut j = SqliteJournal::open(&path).unwrap();
        let mut first = event(1);
        first.from = None;
        first.kind = EventKind::Intent;
        // A caller in Moscow time: the instant is kept (stored as UTC).
        first.at = first
            .at
            .to_offset(time::UtcOffset::from_hms(3, 0, 0).unwrap());
        let mut qes = event(3);
        qes.kind = EventKind::Qes;
        qes.qes = Some(QesStatus::NotConfirmed);
        qes.certificate_der = Some(vec![9; 300]);
        let written = vec![first, event(2), qes];
        for e in &written {
            j.append(e).unwrap();
        }
        drop(j);
        let j = SqliteJournal::open(&path).unwrap();
        assert_eq!(j.events().unwrap(), written);
        let mode: String = j
            .conn
            .pragma_query_value(None, "journal_mode", |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        let sync: i64 = j
            .conn
            .pragma_query_value(None, "synchronous", |r| r.get(0))
            .unwrap();
        assert_eq!(sync, 2, "synchronous=FULL");
    }

    #[test]
    fn out_of_sequence_appends_are_refused_and_leave_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let mut a = SqliteJournal::open(&path).unwrap();
        let mut b = SqliteJournal::open(&path).unwrap();
        a.append(&event(1)).unwrap();
        // A second writer that did not see event 1.
        let e = b.append(&event(1)).unwrap_err();
        assert_eq!((e.kind(), e.field()), (ErrorKind::Storage, Some("seq")));
        assert_eq!(b.append(&event(3)).unwrap_err().kind(), ErrorKind::Storage);
        b.append(&event(2)).unwrap();
        assert_eq!(a.events().unwrap().len(), 2);
    }

    #[test]
    fn foreign_and_newer_files_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let other = dir.path().join("other");
        Connection::open(&other)
            .unwrap()
            .execute_batch("CREATE TABLE t (x)")
            .unwrap();
        assert_eq!(
            SqliteJournal::open(&other).unwrap_err().kind(),
            ErrorKind::Storage
        );
        let newer = dir.path().join("newer");
        SqliteJournal::open(&newer).unwrap();
        Connection::open(&newer)
            .unwrap()
            .pragma_update(None, "user_version", 2)
            .unwrap();
        let e = SqliteJournal::open(&newer).unwrap_err();
        assert!(e.message().contains("version 2"), "{e}");
        let text = dir.path().join("text");
        std::fs::write(&text, b"not a database at all, just some text").unwrap();
        assert_eq!(
            SqliteJournal::open(&text).unwrap_err().kind(),
            ErrorKind::Storage
        );
    }

    #[test]
    fn a_damaged_row_is_a_storage_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("j");
        let mut j = SqliteJournal::open(&path).unwrap();
        j.append(&event(1)).unwrap();
        j.conn
            .execute("UPDATE events SET to_status = 'approved'", [])
            .unwrap();
        let e = j.events().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::Storage);
        assert!(e.message().contains("event 1"), "{e}");
    }

    #[test]
    fn event_json_is_one_line_with_stable_fields() {
        let at = OffsetDateTime::from_unix_timestamp(1_800_000_000).unwrap();
        let mut e = Event::new(
            3,
            at,
            "0123456789abcdef",
            Flow::Remote,
            EventKind::Transition,
            Some(RequestStatus::Signed),
            RequestStatus::Sent,
        );
        e.old_key_id = Some(vec![0xAB, 0x01]);
        e.signed_request_der = Some(vec![0x30, 0x00]);
        e.note = Some("«подписан»\n".into());
        let line = e.to_json();
        assert!(!line.contains('\n'));
        let v: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert_eq!(v["seq"], 3);
        assert_eq!(v["at"], "2027-01-15T08:00:00Z");
        assert_eq!(v["at_unix"], 1_800_000_000);
        assert_eq!(v["flow"], "remote");
        assert_eq!(v["kind"], "transition");
        assert_eq!(v["from"], "signed");
        assert_eq!(v["to"], "sent");
        assert_eq!(v["qes"], serde_json::Value::Null);
        assert_eq!(v["note"], "«подписан»\n");
        assert_eq!(v["old_key_id"], "ab01");
        assert_eq!(v["new_key_id"], serde_json::Value::Null);
        assert_eq!(v["signed_request_der"], "MAA=");
    }

    #[test]
    fn times_past_the_year_9999_are_errors_not_panics() {
        // Issue 13 defect 1: `time` holds the local time and offset of an instant past its
        // range, and panics when converting it.
        let dir = tempfile::tempdir().unwrap();
        let mut j = SqliteJournal::open(dir.path().join("j")).unwrap();
        let mut late = event(1);
        late.at = time::macros::datetime!(9999-12-31 23:59:59 -23:59);
        let e = j.append(&late).unwrap_err();
        assert_eq!((e.kind(), e.field()), (ErrorKind::InvalidInput, Some("at")));
        assert!(j.events().unwrap().is_empty());
        j.append(&event(1)).unwrap();
        j.conn
            .execute("UPDATE events SET at = '9999-12-31T23:59:59-23:59'", [])
            .unwrap();
        assert_eq!(j.events().unwrap_err().kind(), ErrorKind::Storage);
    }
}
