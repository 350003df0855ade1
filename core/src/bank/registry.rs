//! The bank's registry: subscribers, their certificates, every key ever registered, incoming
//! requests with their status history, QES registrations; the queries support scripts ask.
//!
//! SQLite (bundled `rusqlite`), in a file or in memory. The schema is versioned with
//! `PRAGMA user_version` ([`SCHEMA_VERSION`]); opening a file written by a newer library is
//! refused. Files use WAL and `synchronous=FULL`: every recorded transition survives a crash.
//! Times are stored as whole seconds since the epoch (UTC); dates as `YYYY-MM-DD`.

use rusqlite::{Connection, OptionalExtension, Row, params};
use time::{Date, OffsetDateTime};

use super::identity::Identity;
use super::verify::{RejectReason, Rejection};
use crate::calendar::{format_date, parse_date};
use crate::key::PublicKey;
use crate::lifecycle::{Flow, QesStatus, RequestStatus};
use crate::pki::Certificate;
use crate::{Error, ErrorKind, Result};

/// The schema version this library writes and reads: 2 adds the uniqueness of a
/// subscriber's identity and of a subscriber's current certificate (issue 13, defect 3); a
/// version-1 file is upgraded on opening ([`Registry::open`]).
pub const SCHEMA_VERSION: u32 = 2;

const SCHEMA_V1: &str = "
CREATE TABLE subscribers (
    id            INTEGER PRIMARY KEY,
    inn           TEXT,
    inn_le        TEXT,
    ogrn          TEXT,
    ogrnip        TEXT,
    snils         TEXT,
    name          TEXT,
    subject_der   BLOB NOT NULL,
    preregistered INTEGER NOT NULL,
    registered_at INTEGER NOT NULL
);
CREATE TABLE certificates (
    id            INTEGER PRIMARY KEY,
    subscriber_id INTEGER NOT NULL REFERENCES subscribers(id),
    der           BLOB NOT NULL UNIQUE,
    serial        TEXT NOT NULL,
    key_id        TEXT NOT NULL,
    not_before    INTEGER NOT NULL,
    not_after     INTEGER NOT NULL,
    current       INTEGER NOT NULL,
    added_at      INTEGER NOT NULL
);
CREATE INDEX certificates_expiry ON certificates(current, not_after);
CREATE TABLE keys (
    key_id        TEXT PRIMARY KEY,
    subscriber_id INTEGER REFERENCES subscribers(id),
    spki_der      BLOB NOT NULL,
    source        TEXT NOT NULL,
    registered_at INTEGER NOT NULL
);
CREATE TABLE requests (
    id             TEXT PRIMARY KEY,
    flow           TEXT NOT NULL,
    subscriber_id  INTEGER REFERENCES subscribers(id),
    status         TEXT NOT NULL,
    received_at    INTEGER NOT NULL,
    received_der   BLOB NOT NULL,
    request_der    BLOB,
    key_id         TEXT,
    paper_check_by TEXT,
    paper_act_ok   INTEGER NOT NULL DEFAULT 0,
    reason         TEXT,
    detail         TEXT,
    reason_field   TEXT,
    certificate_id INTEGER REFERENCES certificates(id)
);
CREATE TABLE qes (
    id                 INTEGER PRIMARY KEY,
    subscriber_id      INTEGER REFERENCES subscribers(id),
    der                BLOB NOT NULL UNIQUE,
    status             TEXT NOT NULL,
    registered_at      INTEGER NOT NULL,
    loaded_not_before  INTEGER
);
CREATE TABLE events (
    seq           INTEGER PRIMARY KEY AUTOINCREMENT,
    at            INTEGER NOT NULL,
    subscriber_id INTEGER,
    request_id    TEXT,
    what          TEXT NOT NULL,
    from_status   TEXT,
    to_status     TEXT,
    note          TEXT
);
CREATE INDEX events_subscriber ON events(subscriber_id);
CREATE INDEX events_request ON events(request_id);
";

/// Version 2: what must be unique is unique in the schema, not only in the code that checks
/// before writing. One subscriber per identity (every identifier and the name, as
/// [`Registry::find_subscriber`] compares them; an absent value is distinct from any
/// present one, an empty one included) and one current certificate per subscriber.
const SCHEMA_V2: &str = "
CREATE UNIQUE INDEX subscribers_identity ON subscribers (
    coalesce('=' || inn, ''), coalesce('=' || inn_le, ''), coalesce('=' || ogrn, ''),
    coalesce('=' || ogrnip, ''), coalesce('=' || snils, ''), coalesce('=' || name, ''));
CREATE UNIQUE INDEX certificates_one_current ON certificates (subscriber_id) WHERE current = 1;
";

/// A subscriber of the bank.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subscriber {
    /// The registry's id.
    pub id: i64,
    /// The identifiers and name.
    pub identity: Identity,
    /// The subject Name DER the subscriber was registered with.
    pub subject_der: Vec<u8>,
    /// A new client registered before it has a certificate (initial generation).
    pub preregistered: bool,
    /// When the subscriber was registered.
    pub registered_at: OffsetDateTime,
}

/// A certificate the registry holds for a subscriber.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRecord {
    /// The subscriber's id.
    pub subscriber_id: i64,
    /// The certificate.
    pub certificate: Certificate,
    /// Whether it is the subscriber's current certificate (otherwise superseded).
    pub current: bool,
    /// When it was registered.
    pub added_at: OffsetDateTime,
}

/// A key the bank has registered (from a certificate or an accepted request).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyRecord {
    /// SHA-1 of the key bits ([`PublicKey::key_id`]), lowercase hex.
    pub key_id: String,
    /// The subscriber it belongs to, when known.
    pub subscriber_id: Option<i64>,
    /// `certificate` or `request`.
    pub source: String,
    /// When it was registered.
    pub registered_at: OffsetDateTime,
}

/// An incoming request as the registry keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestRecord {
    /// The bank's id of the request.
    pub id: String,
    /// The flow it came by.
    pub flow: Flow,
    /// The subscriber, once identified.
    pub subscriber_id: Option<i64>,
    /// The current status.
    pub status: RequestStatus,
    /// When it was received.
    pub received_at: OffsetDateTime,
    /// The bytes received (PKCS#10 for the paper flow, CMS for the remote flow).
    pub received_der: Vec<u8>,
    /// The PKCS#10 request DER, once read.
    pub request_der: Option<Vec<u8>>,
    /// The new key's id (hex), once read.
    pub key_id: Option<String>,
    /// Paper flow: the day the bank checks the paper act by.
    pub paper_check_by: Option<Date>,
    /// Paper flow: the act was received and matched the request.
    pub paper_act_ok: bool,
    /// The rejection, when rejected.
    pub rejection: Option<Rejection>,
}

/// One recorded event (a subscriber's or a request's history).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEvent {
    /// Order of recording.
    pub seq: i64,
    /// When it happened.
    pub at: OffsetDateTime,
    /// The subscriber, when known.
    pub subscriber_id: Option<i64>,
    /// The request, for request events.
    pub request_id: Option<String>,
    /// What happened: `subscriber_registered`, `certificate_registered`,
    /// `certificate_superseded`, `request_status`, `paper_act`, `qes_status`.
    pub what: String,
    /// The status before (request or QES status name).
    pub from: Option<String>,
    /// The status after.
    pub to: Option<String>,
    /// The reason or a note.
    pub note: Option<String>,
}

/// A current certificate expiring soon (support query).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expiring {
    /// The subscriber.
    pub subscriber_id: i64,
    /// The subscriber's name.
    pub name: Option<String>,
    /// The certificate's serial (hex).
    pub serial: String,
    /// notAfter.
    pub not_after: OffsetDateTime,
    /// Whole days left at the time asked.
    pub days_left: i64,
}

/// A request waiting for its paper act (support query).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwaitingPaper {
    /// The request.
    pub request_id: String,
    /// The subscriber.
    pub subscriber_id: Option<i64>,
    /// The subscriber's name.
    pub name: Option<String>,
    /// When the request was received.
    pub received_at: OffsetDateTime,
    /// The day the check is due.
    pub paper_check_by: Option<Date>,
}

/// A QES registration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QesRecord {
    /// The registry's id.
    pub id: i64,
    /// The subscriber, when known.
    pub subscriber_id: Option<i64>,
    /// The qualified certificate.
    pub certificate: Certificate,
    /// Its status with the bank.
    pub status: QesStatus,
    /// When it was registered.
    pub registered_at: OffsetDateTime,
    /// Once confirmed: the data is loaded not before this moment (seed 004).
    pub loaded_not_before: Option<OffsetDateTime>,
}

/// The rows of the support queries as JSON lines: one object per row, the same field names
/// for every binding (the C ABI's `bk_registry_*_json`, the Python CLI's `--format jsonl`).
/// Times are RFC 3339 (UTC) with a `_unix` twin; dates `YYYY-MM-DD`; statuses and reasons
/// by their machine names; bytes in base64.
pub mod json {
    use base64ct::{Base64, Encoding};
    use serde_json::{Value, json};
    use time::{Date, OffsetDateTime};

    use super::{AwaitingPaper, Expiring, HistoryEvent, QesRecord, RequestRecord};
    use crate::pki::rfc3339;

    fn t(v: &mut serde_json::Map<String, Value>, name: &str, at: Option<OffsetDateTime>) {
        v.insert(name.into(), json!(at.map(rfc3339)));
        v.insert(
            format!("{name}_unix"),
            json!(at.map(|a| a.unix_timestamp())),
        );
    }

    fn date(d: Option<Date>) -> Value {
        json!(d.map(|d| d.to_string()))
    }

    fn object(v: Value, times: &[(&str, Option<OffsetDateTime>)]) -> String {
        let Value::Object(mut m) = v else {
            return v.to_string();
        };
        for (name, at) in times {
            t(&mut m, name, *at);
        }
        Value::Object(m).to_string()
    }

    /// `{subscriber_id, name, serial, not_after, not_after_unix, days_left}`.
    pub fn expiring(e: &Expiring) -> String {
        object(
            json!({"subscriber_id": e.subscriber_id, "name": e.name, "serial": e.serial,
                   "days_left": e.days_left}),
            &[("not_after", Some(e.not_after))],
        )
    }

    /// `{request_id, subscriber_id, name, received_at(_unix), paper_check_by}`.
    pub fn awaiting_paper(a: &AwaitingPaper) -> String {
        object(
            json!({"request_id": a.request_id, "subscriber_id": a.subscriber_id, "name": a.name,
                   "paper_check_by": date(a.paper_check_by)}),
            &[("received_at", Some(a.received_at))],
        )
    }

    /// `{seq, at(_unix), subscriber_id, request_id, what, from, to, note}`.
    pub fn history(h: &HistoryEvent) -> String {
        object(
            json!({"seq": h.seq, "subscriber_id": h.subscriber_id, "request_id": h.request_id,
                   "what": h.what, "from": h.from, "to": h.to, "note": h.note}),
            &[("at", Some(h.at))],
        )
    }

    /// `{id, flow, subscriber_id, status, received_at(_unix), key_id, paper_check_by,
    /// paper_act_ok, rejection: {reason, ru, en, detail, field} | null, request_der}`.
    pub fn request(r: &RequestRecord) -> String {
        let rejection = r.rejection.as_ref().map(|x| {
            json!({"reason": x.reason.as_str(), "ru": x.reason.ru(), "en": x.reason.en(),
                   "detail": x.detail, "field": x.field})
        });
        object(
            json!({"id": r.id, "flow": r.flow.as_str(), "subscriber_id": r.subscriber_id,
                   "status": r.status.as_str(), "key_id": r.key_id,
                   "paper_check_by": date(r.paper_check_by), "paper_act_ok": r.paper_act_ok,
                   "rejection": rejection,
                   "request_der": r.request_der.as_deref().map(Base64::encode_string)}),
            &[("received_at", Some(r.received_at))],
        )
    }

    /// `{id, subscriber_id, status, serial, subject, registered_at(_unix),
    /// loaded_not_before(_unix)}`.
    pub fn qes(q: &QesRecord) -> String {
        object(
            json!({"id": q.id, "subscriber_id": q.subscriber_id, "status": q.status.as_str(),
                   "serial": q.certificate.serial_hex(),
                   "subject": q.certificate.subject().to_string()}),
            &[
                ("registered_at", Some(q.registered_at)),
                ("loaded_not_before", q.loaded_not_before),
            ],
        )
    }
}

/// The bank's registry over SQLite.
pub struct Registry {
    conn: Connection,
    /// Why the registry cannot be written, when its file is on a read-only medium.
    read_only: Option<String>,
}

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("path", &self.conn.path())
            .finish()
    }
}

fn db(e: rusqlite::Error) -> Error {
    Error::new(ErrorKind::Storage, format!("bank registry: {e}"))
}

fn db_at(what: &str, e: rusqlite::Error) -> Error {
    Error::new(ErrorKind::Storage, format!("bank registry: {what}: {e}"))
}

fn ts(t: OffsetDateTime) -> i64 {
    t.unix_timestamp()
}

fn from_ts(s: i64) -> Result<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(s)
        .map_err(|_| Error::new(ErrorKind::Storage, "bank registry: time out of range"))
}

fn corrupt(e: Error) -> Error {
    Error::new(
        ErrorKind::Storage,
        format!("bank registry: {}", e.message()),
    )
}

/// Runs `sql` and builds one value per row with `build`, which reads columns with [`col`] and
/// may refuse a stored value with the crate's errors: one pass, no intermediate tuples.
fn query_rows<T>(
    conn: &Connection,
    sql: &str,
    p: impl rusqlite::Params,
    build: impl Fn(&Row<'_>) -> Result<T>,
) -> Result<Vec<T>> {
    let mut st = conn.prepare(sql).map_err(db)?;
    let mut rows = st.query(p).map_err(db)?;
    let mut out = Vec::new();
    while let Some(r) = rows.next().map_err(db)? {
        out.push(build(r)?);
    }
    Ok(out)
}

/// Column `i` of a row, as a registry error when it does not read.
fn col<T: rusqlite::types::FromSql>(r: &Row<'_>, i: usize) -> Result<T> {
    r.get(i).map_err(db)
}

impl Registry {
    /// Opens (creating if needed) a registry in a file; `":memory:"` gives a fresh one in
    /// memory. Several processes may open one file at once (a busy timeout, the schema made
    /// or upgraded in one immediate transaction), and every write is one immediate
    /// transaction that reads what it checks inside it. A file on a read-only medium opens
    /// for reading; writes then fail with [`ErrorKind::Storage`] saying why.
    ///
    /// A version-1 file is upgraded to [`SCHEMA_VERSION`]: subscribers registered twice with
    /// one identity (two processes racing, before version 2) are merged into the first one
    /// registered — their certificates, keys, requests, QES and history move to it, each
    /// merge recorded as a `subscriber_merged` event — and a subscriber left with several
    /// current certificates keeps the last one added, the others superseded (recorded).
    /// Nothing is deleted but the duplicate subscriber rows themselves.
    ///
    /// Errors: [`ErrorKind::Storage`] when the file is not a registry, or one written with a
    /// newer schema than [`SCHEMA_VERSION`].
    pub fn open(path: impl AsRef<std::path::Path>) -> Result<Registry> {
        if path.as_ref() == std::path::Path::new(":memory:") {
            return Registry::in_memory();
        }
        let opened = crate::sqlite::open(path.as_ref(), "bank registry", db_at)?;
        Registry::init(opened)
    }

    /// Opens an existing registry for reading only (support scripts, reports): a missing file
    /// is an error naming the path, never a fresh empty registry that answers "nobody is due";
    /// nothing is created or migrated, and every write fails with [`ErrorKind::Storage`].
    ///
    /// Errors: [`ErrorKind::Io`] naming the path when there is no such file;
    /// [`ErrorKind::Storage`] when the file is not a registry of [`SCHEMA_VERSION`].
    pub fn open_read_only(path: impl AsRef<std::path::Path>) -> Result<Registry> {
        use rusqlite::OpenFlags;
        let path = path.as_ref();
        if !path.is_file() {
            return Err(Error::new(
                ErrorKind::Io,
                format!("{}: no bank registry there", path.display()),
            )
            .with_field("path"));
        }
        let conn = Connection::open_with_flags(
            path,
            OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
        )
        .map_err(|e| db(e).context(path.display()))?;
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(db)?;
        let r = Registry {
            conn,
            read_only: Some(format!(
                "bank registry {} was opened for reading only",
                path.display()
            )),
        };
        match r.schema_version()? {
            SCHEMA_VERSION => Ok(r),
            0 => Err(Error::new(
                ErrorKind::Storage,
                format!("{}: not a bank registry (no schema)", path.display()),
            )),
            other => Err(Error::new(
                ErrorKind::Storage,
                format!(
                    "{}: bank registry schema version {other}; this library reads {SCHEMA_VERSION}",
                    path.display()
                ),
            )),
        }
    }

    /// A fresh registry in memory.
    pub fn in_memory() -> Result<Registry> {
        Registry::init(crate::sqlite::Opened {
            conn: Connection::open_in_memory().map_err(db)?,
            read_only: None,
        })
    }

    fn init(mut opened: crate::sqlite::Opened) -> Result<Registry> {
        opened
            .conn
            .pragma_update(None, "foreign_keys", "ON")
            .map_err(db)?;
        crate::sqlite::migrate(
            &mut opened,
            "bank registry",
            SCHEMA_VERSION,
            db_at,
            |tx, from| {
                if from == 0 {
                    tx.execute_batch(SCHEMA_V1).map_err(db)?;
                }
                merge_duplicates(tx)?;
                tx.execute_batch(SCHEMA_V2).map_err(db)
            },
        )?;
        Ok(Registry {
            conn: opened.conn,
            read_only: opened.read_only,
        })
    }

    /// Why the registry cannot be written (its file is on a read-only medium), or `None`.
    pub fn read_only(&self) -> Option<&str> {
        self.read_only.as_deref()
    }

    /// Runs `f` in one immediate transaction (see `crate::sqlite::write`): the checks `f`
    /// reads and the rows it writes are one step for every other process.
    fn write<T>(&mut self, f: impl FnOnce(&Connection) -> Result<T>) -> Result<T> {
        if let Some(why) = &self.read_only {
            return Err(crate::sqlite::read_only_error(why));
        }
        crate::sqlite::write(&mut self.conn, db_at, |tx| f(tx))
    }

    /// The schema version of the open registry.
    pub fn schema_version(&self) -> Result<u32> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(db)
    }

    /// Registers a subscriber with this identity and subject. The check and the insert are
    /// one transaction, and the schema forbids a second row of one identity.
    ///
    /// Errors: [`ErrorKind::PreconditionFailed`] when a subscriber with the same identity
    /// exists.
    pub fn add_subscriber(
        &mut self,
        identity: &Identity,
        subject_der: &[u8],
        preregistered: bool,
        at: OffsetDateTime,
    ) -> Result<i64> {
        self.write(|tx| {
            if let Some(s) = find_subscriber(tx, identity)? {
                return Err(Error::new(
                    ErrorKind::PreconditionFailed,
                    format!("subscriber {} is already registered", s.id),
                ));
            }
            insert_subscriber(tx, identity, subject_der, preregistered, at)
        })
    }

    /// Registers an existing client by its current certificate in one transaction: the
    /// subscriber with the certificate's identity (created when there is none) gets it as
    /// its current certificate (see [`add_certificate`](Self::add_certificate)). Returns the
    /// subscriber's id.
    ///
    /// Errors: those of [`add_certificate`](Self::add_certificate).
    pub fn add_subscriber_with_certificate(
        &mut self,
        cert: &Certificate,
        at: OffsetDateTime,
    ) -> Result<i64> {
        let identity = Identity::of(cert.subject());
        self.write(|tx| {
            let id = match find_subscriber(tx, &identity)? {
                Some(s) => s.id,
                None => insert_subscriber(tx, &identity, cert.subject_der(), false, at)?,
            };
            add_certificate_in(tx, id, cert, at)?;
            Ok(id)
        })
    }

    /// The subscriber with exactly this identity (every identifier and the name).
    pub fn find_subscriber(&self, identity: &Identity) -> Result<Option<Subscriber>> {
        find_subscriber(&self.conn, identity)
    }

    /// The subscriber with this id.
    ///
    /// Errors: [`ErrorKind::InvalidInput`] when there is none.
    pub fn subscriber(&self, id: i64) -> Result<Subscriber> {
        subscriber(&self.conn, id)
    }

    /// Subscribers having `value` as one of their identifiers (INN, INNLE, OGRN, OGRNIP,
    /// SNILS): everybody of an organisation by its INNLE, say.
    pub fn subscribers_by_identifier(&self, value: &str) -> Result<Vec<Subscriber>> {
        let v = value.trim();
        subscribers_where(
            &self.conn,
            "inn = ?1 OR inn_le = ?1 OR ogrn = ?1 OR ogrnip = ?1 OR snils = ?1",
            &[&v],
        )
    }

    /// Adds `cert` to a subscriber as its current certificate: the previous current one
    /// becomes superseded, the key is registered, and a pre-registered client becomes a
    /// regular one. Adding the current certificate again changes nothing. One transaction,
    /// checks included.
    ///
    /// Errors: [`ErrorKind::PreconditionFailed`] when the certificate belongs to another
    /// subscriber, or its key is registered to another subscriber.
    pub fn add_certificate(
        &mut self,
        subscriber_id: i64,
        cert: &Certificate,
        at: OffsetDateTime,
    ) -> Result<i64> {
        self.write(|tx| add_certificate_in(tx, subscriber_id, cert, at))
    }

    /// Records the certificate issued for a request, in one transaction: the certificate
    /// becomes the subscriber's current one (see [`add_certificate`](Self::add_certificate)),
    /// the request goes to `CertificateIssued` (the transition is checked, inside the
    /// transaction: of two processes issuing one request, the second gets `WrongState`) and
    /// is linked to it.
    pub fn record_issued(
        &mut self,
        request_id: &str,
        cert: &Certificate,
        at: OffsetDateTime,
    ) -> Result<RequestRecord> {
        self.write(|tx| {
            let rec = request_required(tx, request_id)?;
            rec.status
                .check_transition(rec.flow, RequestStatus::CertificateIssued)?;
            let subscriber_id = rec.subscriber_id.ok_or_else(|| {
                Error::new(
                    ErrorKind::PreconditionFailed,
                    format!("request {request_id} has no subscriber"),
                )
            })?;
            if certificate_record(tx, cert)?.is_some() {
                return Err(Error::new(
                    ErrorKind::PreconditionFailed,
                    format!("certificate {} is registered already", cert.serial_hex()),
                ));
            }
            check_key_owner(tx, subscriber_id, cert)?;
            let cert_id = insert_certificate(tx, subscriber_id, cert, at)?;
            tx.execute(
                "UPDATE requests SET status = ?2, certificate_id = ?3 WHERE id = ?1",
                params![
                    request_id,
                    RequestStatus::CertificateIssued.as_str(),
                    cert_id
                ],
            )
            .map_err(db)?;
            tx.execute(
                "INSERT INTO events (at, subscriber_id, request_id, what, from_status, to_status, note)
                 VALUES (?1, ?2, ?3, 'request_status', ?4, ?5, ?6)",
                params![
                    ts(at),
                    subscriber_id,
                    request_id,
                    rec.status.as_str(),
                    RequestStatus::CertificateIssued.as_str(),
                    format!("certificate {}", cert.serial_hex())
                ],
            )
            .map_err(db)?;
            request_required(tx, request_id)
        })
    }

    /// The certificate issued for a request, if any.
    pub fn issued_certificate(&self, request_id: &str) -> Result<Option<Certificate>> {
        let der: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT c.der FROM requests r JOIN certificates c ON c.id = r.certificate_id
                 WHERE r.id = ?1",
                [request_id],
                |r| r.get(0),
            )
            .optional()
            .map_err(db)?;
        der.map(|d| Certificate::from_der(&d).map_err(corrupt))
            .transpose()
    }

    /// The registry's record of this certificate (byte for byte), if any.
    pub fn certificate_record(&self, cert: &Certificate) -> Result<Option<CertificateRecord>> {
        certificate_record(&self.conn, cert)
    }

    /// A subscriber's current certificate.
    pub fn current_certificate(&self, subscriber_id: i64) -> Result<Option<Certificate>> {
        Ok(certificates_where(
            &self.conn,
            "subscriber_id = ?1 AND current = 1",
            &[&subscriber_id],
        )?
        .into_iter()
        .next()
        .map(|r| r.certificate))
    }

    /// Every certificate of a subscriber, oldest first.
    pub fn certificates(&self, subscriber_id: i64) -> Result<Vec<CertificateRecord>> {
        certificates_where(&self.conn, "subscriber_id = ?1", &[&subscriber_id])
    }

    /// Registers a key (from an accepted request, say). Registering a key twice keeps the
    /// first record.
    pub fn register_key(
        &mut self,
        key: &PublicKey,
        subscriber_id: Option<i64>,
        source: &str,
        at: OffsetDateTime,
    ) -> Result<()> {
        self.write(|tx| {
            tx.execute(
                "INSERT OR IGNORE INTO keys (key_id, subscriber_id, spki_der, source, registered_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    hex::encode(key.key_id()),
                    subscriber_id,
                    key.to_spki_der(),
                    source,
                    ts(at)
                ],
            )
            .map(|_| ())
            .map_err(db)
        })
    }

    /// The record of a key by its id (SHA-1 of the key bits), if the bank has registered it.
    pub fn key(&self, key_id: &[u8]) -> Result<Option<KeyRecord>> {
        key(&self.conn, key_id)
    }

    /// The subscriber a key is registered to.
    pub fn subscriber_by_key(&self, key_id: &[u8]) -> Result<Option<Subscriber>> {
        match self.key(key_id)?.and_then(|k| k.subscriber_id) {
            Some(id) => self.subscriber(id).map(Some),
            None => Ok(None),
        }
    }

    /// Records a newly received request (status `Sent`: what the client sent, as the bank
    /// got it). Returns false, recording nothing, when a request with this id exists.
    pub fn insert_request(&mut self, rec: &RequestRecord) -> Result<bool> {
        self.write(|tx| {
            let n = tx
                .execute(
                    "INSERT OR IGNORE INTO requests (id, flow, subscriber_id, status, received_at,
                         received_der, request_der, key_id, paper_check_by, paper_act_ok)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                    params![
                        rec.id,
                        rec.flow.as_str(),
                        rec.subscriber_id,
                        rec.status.as_str(),
                        ts(rec.received_at),
                        rec.received_der,
                        rec.request_der,
                        rec.key_id,
                        rec.paper_check_by.map(format_date),
                        rec.paper_act_ok
                    ],
                )
                .map_err(db)?;
            if n == 1 {
                tx.execute(
                    "INSERT INTO events (at, subscriber_id, request_id, what, to_status, note)
                     VALUES (?1, ?2, ?3, 'request_status', ?4, ?5)",
                    params![
                        ts(rec.received_at),
                        rec.subscriber_id,
                        rec.id,
                        rec.status.as_str(),
                        format!("received ({})", rec.flow.as_str())
                    ],
                )
                .map_err(db)?;
            }
            Ok(n == 1)
        })
    }

    /// Moves a request to `to`, checking the transition table of its flow against the status
    /// read inside the transaction, and records the event (with the rejection for
    /// `Rejected`).
    ///
    /// Errors: [`ErrorKind::WrongState`] for a transition the flow does not allow;
    /// [`ErrorKind::InvalidInput`] for an unknown request.
    pub fn set_request_status(
        &mut self,
        request_id: &str,
        to: RequestStatus,
        rejection: Option<&Rejection>,
        at: OffsetDateTime,
    ) -> Result<RequestRecord> {
        self.write(|tx| {
            let rec = request_required(tx, request_id)?;
            transition(tx, &rec, rec.status, to, rejection, at)?;
            request_required(tx, request_id)
        })
    }

    /// Accepts a received (`Sent`) request in one transaction: records its subscriber,
    /// PKCS#10 and key, registers the key, and moves it to `AcceptedByBank` and, in the paper
    /// flow, on to `AwaitingPaperDocuments` with the day the act is checked by.
    ///
    /// What the verification read from the registry and another process may have changed
    /// since is checked again inside the transaction: the request must still be `Sent`, and
    /// the key must still be unregistered — if another request registered it meanwhile, this
    /// one is rejected with [`RejectReason::KeyAlreadyRegistered`] instead (the returned
    /// record says so), so one key is never accepted twice.
    ///
    /// Errors: [`ErrorKind::WrongState`] unless the request is `Sent` (another process
    /// decided it meanwhile).
    pub fn accept_request(
        &mut self,
        request_id: &str,
        subscriber_id: i64,
        request_der: &[u8],
        key: &PublicKey,
        paper_check_by: Option<Date>,
        at: OffsetDateTime,
    ) -> Result<RequestRecord> {
        let key_id = hex::encode(key.key_id());
        self.write(|tx| {
            let mut rec = request_required(tx, request_id)?;
            undecided(&rec)?;
            rec.subscriber_id = Some(subscriber_id);
            set_details(
                tx,
                request_id,
                Some(subscriber_id),
                Some(request_der),
                Some(&key_id),
                paper_check_by,
            )?;
            if let Some(k) = self::key(tx, &key.key_id())? {
                let rejection = Rejection::new(
                    RejectReason::KeyAlreadyRegistered,
                    format!(
                        "key {} was registered on {} (from a {})",
                        k.key_id,
                        format_date(k.registered_at.date()),
                        k.source
                    ),
                );
                transition(
                    tx,
                    &rec,
                    rec.status,
                    RequestStatus::Rejected,
                    Some(&rejection),
                    at,
                )?;
                return request_required(tx, request_id);
            }
            tx.execute(
                "INSERT INTO keys (key_id, subscriber_id, spki_der, source, registered_at)
                 VALUES (?1, ?2, ?3, 'request', ?4)",
                params![key_id, subscriber_id, key.to_spki_der(), ts(at)],
            )
            .map_err(db)?;
            transition(
                tx,
                &rec,
                rec.status,
                RequestStatus::AcceptedByBank,
                None,
                at,
            )?;
            if rec.flow == Flow::PaperActs {
                transition(
                    tx,
                    &rec,
                    RequestStatus::AcceptedByBank,
                    RequestStatus::AwaitingPaperDocuments,
                    None,
                    at,
                )?;
            }
            request_required(tx, request_id)
        })
    }

    /// Rejects a received (`Sent`) request in one transaction, recording what was learnt of
    /// it (subscriber, PKCS#10, key id) and the rejection.
    ///
    /// Errors: [`ErrorKind::WrongState`] unless the request is `Sent` (another process
    /// decided it meanwhile).
    pub fn reject_request(
        &mut self,
        request_id: &str,
        subscriber_id: Option<i64>,
        request_der: Option<&[u8]>,
        key_id: Option<&str>,
        rejection: &Rejection,
        at: OffsetDateTime,
    ) -> Result<RequestRecord> {
        self.write(|tx| {
            let mut rec = request_required(tx, request_id)?;
            undecided(&rec)?;
            set_details(tx, request_id, subscriber_id, request_der, key_id, None)?;
            rec.subscriber_id = rec.subscriber_id.or(subscriber_id);
            transition(
                tx,
                &rec,
                rec.status,
                RequestStatus::Rejected,
                Some(rejection),
                at,
            )?;
            request_required(tx, request_id)
        })
    }

    /// Records that the paper act of a request arrived and matched it.
    ///
    /// Errors: [`ErrorKind::WrongState`] unless the request awaits its paper documents and
    /// no act was recorded yet (checked inside the transaction).
    pub fn set_paper_act_ok(&mut self, request_id: &str, at: OffsetDateTime) -> Result<()> {
        self.write(|tx| {
            let rec = request_required(tx, request_id)?;
            awaiting_act(&rec)?;
            tx.execute(
                "UPDATE requests SET paper_act_ok = 1 WHERE id = ?1",
                [request_id],
            )
            .map_err(db)?;
            tx.execute(
                "INSERT INTO events (at, subscriber_id, request_id, what, from_status, to_status, note)
                 VALUES (?1, ?2, ?3, 'paper_act', ?4, ?4, 'the paper act matches the request')",
                params![ts(at), rec.subscriber_id, request_id, rec.status.as_str()],
            )
            .map_err(db)?;
            Ok(())
        })
    }

    /// Rejects a request whose paper act did not match it, in one transaction that checks
    /// the request still awaits its act (so a second act cannot reject a request whose first
    /// act matched, nor two acts record twice).
    ///
    /// Errors: [`ErrorKind::WrongState`] as for [`set_paper_act_ok`](Self::set_paper_act_ok).
    pub fn reject_paper_act(
        &mut self,
        request_id: &str,
        rejection: &Rejection,
        at: OffsetDateTime,
    ) -> Result<RequestRecord> {
        self.write(|tx| {
            let rec = request_required(tx, request_id)?;
            awaiting_act(&rec)?;
            transition(
                tx,
                &rec,
                rec.status,
                RequestStatus::Rejected,
                Some(rejection),
                at,
            )?;
            request_required(tx, request_id)
        })
    }

    /// A request by id.
    pub fn request(&self, request_id: &str) -> Result<Option<RequestRecord>> {
        request(&self.conn, request_id)
    }
    /// Current certificates whose notAfter falls within `days` days after `at` (expired ones
    /// not included), soonest first: who needs scheduled replacement.
    pub fn expiring_within(&self, days: u32, at: OffsetDateTime) -> Result<Vec<Expiring>> {
        // Saturating: "within u32::MAX days" is everything until the end of time.
        let until = at.saturating_add(time::Duration::days(i64::from(days)));
        query_rows(
            &self.conn,
            "SELECT c.subscriber_id, s.name, c.serial, c.not_after FROM certificates c
             JOIN subscribers s ON s.id = c.subscriber_id
             WHERE c.current = 1 AND c.not_after >= ?1 AND c.not_after <= ?2
             ORDER BY c.not_after, c.id",
            params![ts(at), ts(until)],
            |r| {
                let not_after = from_ts(col(r, 3)?)?;
                Ok(Expiring {
                    subscriber_id: col(r, 0)?,
                    name: col(r, 1)?,
                    serial: col(r, 2)?,
                    not_after,
                    days_left: (not_after - at).whole_seconds().div_euclid(86_400),
                })
            },
        )
    }

    /// Requests in `AwaitingPaperDocuments` whose act has not arrived yet, the check due
    /// soonest first.
    pub fn awaiting_paper(&self) -> Result<Vec<AwaitingPaper>> {
        let recs = requests_where(
            &self.conn,
            "status = 'awaiting_paper_documents' AND paper_act_ok = 0",
            &[],
        )?;
        let mut out = Vec::with_capacity(recs.len());
        for r in recs {
            let name = match r.subscriber_id {
                Some(id) => self.subscriber(id)?.identity.name,
                None => None,
            };
            out.push(AwaitingPaper {
                request_id: r.id,
                subscriber_id: r.subscriber_id,
                name,
                received_at: r.received_at,
                paper_check_by: r.paper_check_by,
            });
        }
        out.sort_by_key(|a| (a.paper_check_by, a.received_at));
        Ok(out)
    }

    fn events_where(&self, clause: &str, p: &[&dyn rusqlite::ToSql]) -> Result<Vec<HistoryEvent>> {
        let sql = format!(
            "SELECT seq, at, subscriber_id, request_id, what, from_status, to_status, note
             FROM events WHERE {clause} ORDER BY seq"
        );
        query_rows(&self.conn, &sql, p, |r| {
            Ok(HistoryEvent {
                seq: col(r, 0)?,
                at: from_ts(col(r, 1)?)?,
                subscriber_id: col(r, 2)?,
                request_id: col(r, 3)?,
                what: col(r, 4)?,
                from: col(r, 5)?,
                to: col(r, 6)?,
                note: col(r, 7)?,
            })
        })
    }

    /// Everything recorded about a subscriber, in order.
    pub fn history(&self, subscriber_id: i64) -> Result<Vec<HistoryEvent>> {
        self.events_where("subscriber_id = ?1", &[&subscriber_id])
    }

    /// A subscriber's history, found by an identifier (INN, INNLE, OGRN, OGRNIP, SNILS: every
    /// subscriber having it) or by a key id (40 hex digits, SHA-1 of the key bits: the
    /// subscriber the key is registered to). Events in recording order. For support, on a
    /// registry opened read-only as well as by the bank.
    pub fn history_of(&self, who: &str) -> Result<Vec<HistoryEvent>> {
        let who = who.trim();
        let mut subscribers = self.subscribers_by_identifier(who)?;
        if subscribers.is_empty()
            && who.len() == 40
            && let Ok(id) = hex::decode(who)
            && let Some(s) = self.subscriber_by_key(&id)?
        {
            subscribers.push(s);
        }
        let mut events = Vec::new();
        for s in subscribers {
            events.extend(self.history(s.id)?);
        }
        events.sort_by_key(|e| e.seq);
        Ok(events)
    }

    /// Everything recorded about a request, in order.
    pub fn request_history(&self, request_id: &str) -> Result<Vec<HistoryEvent>> {
        self.events_where("request_id = ?1", &[&request_id])
    }

    /// Registers a qualified certificate (status `NotConfirmed`), or returns the existing
    /// registration (looked up inside the transaction).
    pub fn add_qes(
        &mut self,
        subscriber_id: Option<i64>,
        cert: &Certificate,
        at: OffsetDateTime,
    ) -> Result<QesRecord> {
        self.write(|tx| {
            if let Some(q) = qes(tx, cert)? {
                return Ok(q);
            }
            tx.execute(
                "INSERT INTO qes (subscriber_id, der, status, registered_at) VALUES (?1, ?2, ?3, ?4)",
                params![
                    subscriber_id,
                    cert.der(),
                    QesStatus::NotConfirmed.as_str(),
                    ts(at)
                ],
            )
            .map_err(db)?;
            tx.execute(
                "INSERT INTO events (at, subscriber_id, what, to_status, note)
                 VALUES (?1, ?2, 'qes_status', ?3, ?4)",
                params![
                    ts(at),
                    subscriber_id,
                    QesStatus::NotConfirmed.as_str(),
                    cert.serial_hex()
                ],
            )
            .map_err(db)?;
            qes(tx, cert)?
                .ok_or_else(|| Error::new(ErrorKind::Storage, "bank registry: QES not recorded"))
        })
    }

    /// Marks a registered QES confirmed (linking it to `subscriber_id` if it had no
    /// subscriber), with the moment its data is loaded from. Confirming a confirmed QES
    /// returns it unchanged.
    pub fn confirm_qes(
        &mut self,
        cert: &Certificate,
        subscriber_id: Option<i64>,
        loaded_not_before: OffsetDateTime,
        at: OffsetDateTime,
    ) -> Result<QesRecord> {
        self.write(|tx| {
            let q = qes(tx, cert)?.ok_or_else(|| {
                Error::new(
                    ErrorKind::WrongState,
                    "the qualified certificate is not registered",
                )
            })?;
            if q.status == QesStatus::Confirmed {
                return Ok(q);
            }
            tx.execute(
                "UPDATE qes SET status = ?2, loaded_not_before = ?3,
                     subscriber_id = COALESCE(subscriber_id, ?4) WHERE id = ?1",
                params![
                    q.id,
                    QesStatus::Confirmed.as_str(),
                    ts(loaded_not_before),
                    subscriber_id
                ],
            )
            .map_err(db)?;
            tx.execute(
                "INSERT INTO events (at, subscriber_id, what, from_status, to_status, note)
                 VALUES (?1, ?2, 'qes_status', ?3, ?4, ?5)",
                params![
                    ts(at),
                    q.subscriber_id.or(subscriber_id),
                    q.status.as_str(),
                    QesStatus::Confirmed.as_str(),
                    cert.serial_hex()
                ],
            )
            .map_err(db)?;
            qes(tx, cert)?
                .ok_or_else(|| Error::new(ErrorKind::Storage, "bank registry: QES not recorded"))
        })
    }

    /// The registration of a qualified certificate, if any.
    pub fn qes(&self, cert: &Certificate) -> Result<Option<QesRecord>> {
        qes(&self.conn, cert)
    }
}

// The reads every check runs, over a connection or a transaction (a `Transaction` derefs to
// its `Connection`), so that a write reads what it checks inside its own transaction.

fn subscriber_row(r: &Row<'_>) -> rusqlite::Result<(i64, Identity, Vec<u8>, bool, i64)> {
    Ok((
        r.get(0)?,
        Identity {
            inn: r.get(1)?,
            inn_le: r.get(2)?,
            ogrn: r.get(3)?,
            ogrnip: r.get(4)?,
            snils: r.get(5)?,
            name: r.get(6)?,
        },
        r.get(7)?,
        r.get(8)?,
        r.get(9)?,
    ))
}

fn subscribers_where(
    conn: &Connection,
    clause: &str,
    p: &[&dyn rusqlite::ToSql],
) -> Result<Vec<Subscriber>> {
    let sql = format!(
        "SELECT id, inn, inn_le, ogrn, ogrnip, snils, name, subject_der, preregistered,
                registered_at FROM subscribers WHERE {clause} ORDER BY id"
    );
    query_rows(conn, &sql, p, |r| {
        let (id, identity, subject_der, preregistered, at) = subscriber_row(r).map_err(db)?;
        Ok(Subscriber {
            id,
            identity,
            subject_der,
            preregistered,
            registered_at: from_ts(at)?,
        })
    })
}

fn find_subscriber(conn: &Connection, identity: &Identity) -> Result<Option<Subscriber>> {
    Ok(subscribers_where(
        conn,
        "inn IS ?1 AND inn_le IS ?2 AND ogrn IS ?3 AND ogrnip IS ?4 AND snils IS ?5
         AND name IS ?6",
        &[
            &identity.inn,
            &identity.inn_le,
            &identity.ogrn,
            &identity.ogrnip,
            &identity.snils,
            &identity.name,
        ],
    )?
    .into_iter()
    .next())
}

fn subscriber(conn: &Connection, id: i64) -> Result<Subscriber> {
    subscribers_where(conn, "id = ?1", &[&id])?
        .into_iter()
        .next()
        .ok_or_else(|| Error::invalid_field("subscriber", format!("no subscriber {id}")))
}

fn insert_subscriber(
    tx: &Connection,
    identity: &Identity,
    subject_der: &[u8],
    preregistered: bool,
    at: OffsetDateTime,
) -> Result<i64> {
    tx.execute(
        "INSERT INTO subscribers (inn, inn_le, ogrn, ogrnip, snils, name, subject_der,
             preregistered, registered_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            identity.inn,
            identity.inn_le,
            identity.ogrn,
            identity.ogrnip,
            identity.snils,
            identity.name,
            subject_der,
            preregistered,
            ts(at)
        ],
    )
    .map_err(db)?;
    let id = tx.last_insert_rowid();
    tx.execute(
        "INSERT INTO events (at, subscriber_id, what, note) VALUES (?1, ?2, ?3, ?4)",
        params![
            ts(at),
            id,
            "subscriber_registered",
            if preregistered {
                "pre-registered new client"
            } else {
                "existing client"
            }
        ],
    )
    .map_err(db)?;
    Ok(id)
}

fn add_certificate_in(
    tx: &Connection,
    subscriber_id: i64,
    cert: &Certificate,
    at: OffsetDateTime,
) -> Result<i64> {
    subscriber(tx, subscriber_id)?;
    if let Some(rec) = certificate_record(tx, cert)? {
        if rec.subscriber_id != subscriber_id {
            return Err(Error::new(
                ErrorKind::PreconditionFailed,
                format!(
                    "certificate {} belongs to subscriber {}",
                    cert.serial_hex(),
                    rec.subscriber_id
                ),
            ));
        }
        if rec.current {
            return tx
                .query_row(
                    "SELECT id FROM certificates WHERE der = ?1",
                    [cert.der()],
                    |r| r.get(0),
                )
                .map_err(db);
        }
    }
    check_key_owner(tx, subscriber_id, cert)?;
    insert_certificate(tx, subscriber_id, cert, at)
}

fn check_key_owner(conn: &Connection, subscriber_id: i64, cert: &Certificate) -> Result<()> {
    if let Some(k) = key(conn, &cert.key_info().key_id)?
        && k.subscriber_id.is_some_and(|s| s != subscriber_id)
    {
        return Err(Error::new(
            ErrorKind::PreconditionFailed,
            format!(
                "key {} is registered to another subscriber",
                hex::encode(cert.key_info().key_id)
            ),
        ));
    }
    Ok(())
}

fn certificates_where(
    conn: &Connection,
    clause: &str,
    p: &[&dyn rusqlite::ToSql],
) -> Result<Vec<CertificateRecord>> {
    let sql = format!(
        "SELECT subscriber_id, der, current, added_at FROM certificates WHERE {clause}
         ORDER BY id"
    );
    query_rows(conn, &sql, p, |r| {
        Ok(CertificateRecord {
            subscriber_id: col(r, 0)?,
            certificate: Certificate::from_der(&col::<Vec<u8>>(r, 1)?).map_err(corrupt)?,
            current: col(r, 2)?,
            added_at: from_ts(col(r, 3)?)?,
        })
    })
}

fn certificate_record(conn: &Connection, cert: &Certificate) -> Result<Option<CertificateRecord>> {
    Ok(certificates_where(conn, "der = ?1", &[&cert.der()])?
        .into_iter()
        .next())
}

fn key(conn: &Connection, key_id: &[u8]) -> Result<Option<KeyRecord>> {
    let row: Option<(String, Option<i64>, String, i64)> = conn
        .query_row(
            "SELECT key_id, subscriber_id, source, registered_at FROM keys WHERE key_id = ?1",
            [hex::encode(key_id)],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()
        .map_err(db)?;
    row.map(|(key_id, subscriber_id, source, at)| {
        Ok(KeyRecord {
            key_id,
            subscriber_id,
            source,
            registered_at: from_ts(at)?,
        })
    })
    .transpose()
}

fn requests_where(
    conn: &Connection,
    clause: &str,
    p: &[&dyn rusqlite::ToSql],
) -> Result<Vec<RequestRecord>> {
    let sql = format!(
        "SELECT id, flow, subscriber_id, status, received_at, received_der, request_der,
                key_id, paper_check_by, paper_act_ok, reason, detail, reason_field
         FROM requests WHERE {clause} ORDER BY received_at, id"
    );
    query_rows(conn, &sql, p, |r| {
        let reason: Option<String> = col(r, 10)?;
        Ok(RequestRecord {
            id: col(r, 0)?,
            flow: Flow::parse(&col::<String>(r, 1)?).map_err(corrupt)?,
            subscriber_id: col(r, 2)?,
            status: RequestStatus::parse(&col::<String>(r, 3)?).map_err(corrupt)?,
            received_at: from_ts(col(r, 4)?)?,
            received_der: col(r, 5)?,
            request_der: col(r, 6)?,
            key_id: col(r, 7)?,
            paper_check_by: col::<Option<String>>(r, 8)?
                .as_deref()
                .map(parse_date)
                .transpose()
                .map_err(corrupt)?,
            paper_act_ok: col(r, 9)?,
            rejection: match reason {
                Some(reason) => Some(Rejection {
                    reason: RejectReason::parse(&reason).map_err(corrupt)?,
                    detail: col::<Option<String>>(r, 11)?.unwrap_or_default(),
                    field: col(r, 12)?,
                }),
                None => None,
            },
        })
    })
}

fn request(conn: &Connection, request_id: &str) -> Result<Option<RequestRecord>> {
    Ok(requests_where(conn, "id = ?1", &[&request_id])?
        .into_iter()
        .next())
}

fn request_required(conn: &Connection, request_id: &str) -> Result<RequestRecord> {
    request(conn, request_id)?
        .ok_or_else(|| Error::invalid_field("request_id", format!("no request {request_id}")))
}

/// A request not decided yet (`Sent`): what receiving may accept or reject.
fn undecided(rec: &RequestRecord) -> Result<()> {
    if rec.status == RequestStatus::Sent {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::WrongState,
        format!(
            "request {} was decided meanwhile: \"{}\"",
            rec.id,
            rec.status.en()
        ),
    ))
}

/// A request waiting for its paper act, none recorded yet.
fn awaiting_act(rec: &RequestRecord) -> Result<()> {
    if rec.status == RequestStatus::AwaitingPaperDocuments && !rec.paper_act_ok {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::WrongState,
        format!(
            "request {} is \"{}\", not waiting for its paper act",
            rec.id,
            rec.status.en()
        ),
    ))
}

fn qes(conn: &Connection, cert: &Certificate) -> Result<Option<QesRecord>> {
    let mut found = query_rows(
        conn,
        "SELECT id, subscriber_id, der, status, registered_at, loaded_not_before
         FROM qes WHERE der = ?1",
        [cert.der()],
        |r| {
            Ok(QesRecord {
                id: col(r, 0)?,
                subscriber_id: col(r, 1)?,
                certificate: Certificate::from_der(&col::<Vec<u8>>(r, 2)?).map_err(corrupt)?,
                status: QesStatus::parse(&col::<String>(r, 3)?).map_err(corrupt)?,
                registered_at: from_ts(col(r, 4)?)?,
                loaded_not_before: col::<Option<i64>>(r, 5)?.map(from_ts).transpose()?,
            })
        },
    )?;
    Ok(found.pop())
}

/// Inserts `cert` as the subscriber's current certificate inside `tx`: supersedes the
/// previous current one, registers the key, ends a pre-registration, records the events.
fn insert_certificate(
    tx: &Connection,
    subscriber_id: i64,
    cert: &Certificate,
    at: OffsetDateTime,
) -> Result<i64> {
    let key_id = hex::encode(cert.key_info().key_id);
    let old: Vec<String> = {
        let mut st = tx
            .prepare("SELECT serial FROM certificates WHERE subscriber_id = ?1 AND current = 1")
            .map_err(db)?;
        st.query_map([subscriber_id], |r| r.get(0))
            .map_err(db)?
            .collect::<rusqlite::Result<_>>()
            .map_err(db)?
    };
    tx.execute(
        "UPDATE certificates SET current = 0 WHERE subscriber_id = ?1",
        [subscriber_id],
    )
    .map_err(db)?;
    for serial in &old {
        tx.execute(
            "INSERT INTO events (at, subscriber_id, what, note) VALUES (?1, ?2, ?3, ?4)",
            params![ts(at), subscriber_id, "certificate_superseded", serial],
        )
        .map_err(db)?;
    }
    tx.execute(
        "INSERT INTO certificates (subscriber_id, der, serial, key_id, not_before, not_after,
             current, added_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1, ?7)
         ON CONFLICT(der) DO UPDATE SET current = 1",
        params![
            subscriber_id,
            cert.der(),
            cert.serial_hex(),
            key_id,
            ts(cert.not_before()),
            ts(cert.not_after()),
            ts(at)
        ],
    )
    .map_err(db)?;
    let id: i64 = tx
        .query_row(
            "SELECT id FROM certificates WHERE der = ?1",
            [cert.der()],
            |r| r.get(0),
        )
        .map_err(db)?;
    tx.execute(
        "INSERT OR IGNORE INTO keys (key_id, subscriber_id, spki_der, source, registered_at)
         VALUES (?1, ?2, ?3, 'certificate', ?4)",
        params![key_id, subscriber_id, cert.public_key_der(), ts(at)],
    )
    .map_err(db)?;
    tx.execute(
        "UPDATE keys SET subscriber_id = ?2 WHERE key_id = ?1 AND subscriber_id IS NULL",
        params![key_id, subscriber_id],
    )
    .map_err(db)?;
    tx.execute(
        "UPDATE subscribers SET preregistered = 0 WHERE id = ?1",
        [subscriber_id],
    )
    .map_err(db)?;
    tx.execute(
        "INSERT INTO events (at, subscriber_id, what, note) VALUES (?1, ?2, ?3, ?4)",
        params![
            ts(at),
            subscriber_id,
            "certificate_registered",
            cert.serial_hex()
        ],
    )
    .map_err(db)?;
    Ok(id)
}

/// Sets what was learnt of a request (the subscriber, PKCS#10, key id, paper check day),
/// keeping what is not given; events recorded before the subscriber was known get it.
fn set_details(
    tx: &Connection,
    request_id: &str,
    subscriber_id: Option<i64>,
    request_der: Option<&[u8]>,
    key_id: Option<&str>,
    paper_check_by: Option<Date>,
) -> Result<()> {
    tx.execute(
        "UPDATE requests SET subscriber_id = COALESCE(?2, subscriber_id),
             request_der = COALESCE(?3, request_der), key_id = COALESCE(?4, key_id),
             paper_check_by = COALESCE(?5, paper_check_by) WHERE id = ?1",
        params![
            request_id,
            subscriber_id,
            request_der,
            key_id,
            paper_check_by.map(format_date)
        ],
    )
    .map_err(db)?;
    if subscriber_id.is_some() {
        tx.execute(
            "UPDATE events SET subscriber_id = ?2 WHERE request_id = ?1 AND subscriber_id IS NULL",
            params![request_id, subscriber_id],
        )
        .map_err(db)?;
    }
    Ok(())
}

/// Moves request `rec` from `from` to `to` inside `tx` (checking the flow's table) and
/// records the event.
fn transition(
    tx: &Connection,
    rec: &RequestRecord,
    from: RequestStatus,
    to: RequestStatus,
    rejection: Option<&Rejection>,
    at: OffsetDateTime,
) -> Result<()> {
    from.check_transition(rec.flow, to)?;
    tx.execute(
        "UPDATE requests SET status = ?2, reason = COALESCE(?3, reason),
             detail = COALESCE(?4, detail), reason_field = COALESCE(?5, reason_field)
         WHERE id = ?1",
        params![
            rec.id,
            to.as_str(),
            rejection.map(|r| r.reason.as_str()),
            rejection.map(|r| r.detail.as_str()),
            rejection.and_then(|r| r.field.as_deref())
        ],
    )
    .map_err(db)?;
    tx.execute(
        "INSERT INTO events (at, subscriber_id, request_id, what, from_status, to_status, note)
         VALUES (?1, ?2, ?3, 'request_status', ?4, ?5, ?6)",
        params![
            ts(at),
            rec.subscriber_id,
            rec.id,
            from.as_str(),
            to.as_str(),
            rejection.map(|r| r.to_string())
        ],
    )
    .map_err(db)?;
    Ok(())
}

/// The identity expression of the `subscribers_identity` index (schema 2).
const IDENTITY_KEY: &str = "coalesce('=' || inn, ''), coalesce('=' || inn_le, ''), \
     coalesce('=' || ogrn, ''), coalesce('=' || ogrnip, ''), coalesce('=' || snils, ''), \
     coalesce('=' || name, '')";

/// Schema 1 → 2, before the unique indexes are made: subscribers registered twice with one
/// identity are merged into the first one (everything that refers to a duplicate moves to
/// it; a `subscriber_merged` event says which row went), and a subscriber with several
/// current certificates keeps the one added last (the others superseded, with their
/// events). The events are dated by the clock: the upgrade happens when the file is opened.
fn merge_duplicates(tx: &Connection) -> Result<()> {
    let now = ts(OffsetDateTime::now_utc());
    let groups: Vec<(i64, String)> = query_rows(
        tx,
        &format!(
            "SELECT min(id), group_concat(id) FROM subscribers GROUP BY {IDENTITY_KEY}
             HAVING count(*) > 1"
        ),
        [],
        |r| Ok((col(r, 0)?, col(r, 1)?)),
    )?;
    for (keep, ids) in groups {
        for dup in ids.split(',').filter_map(|i| i.parse::<i64>().ok()) {
            if dup == keep {
                continue;
            }
            for table in ["certificates", "keys", "requests", "qes", "events"] {
                tx.execute(
                    &format!("UPDATE {table} SET subscriber_id = ?1 WHERE subscriber_id = ?2"),
                    params![keep, dup],
                )
                .map_err(db)?;
            }
            tx.execute(
                "UPDATE subscribers SET preregistered = 0 WHERE id = ?1
                 AND (SELECT preregistered FROM subscribers WHERE id = ?2) = 0",
                params![keep, dup],
            )
            .map_err(db)?;
            tx.execute(
                "INSERT INTO events (at, subscriber_id, what, note) VALUES (?1, ?2,
                 'subscriber_merged', ?3)",
                params![
                    now,
                    keep,
                    format!(
                        "subscriber {dup} had the same identity; merged into {keep} \
                         on upgrading the registry to schema 2"
                    )
                ],
            )
            .map_err(db)?;
            tx.execute("DELETE FROM subscribers WHERE id = ?1", [dup])
                .map_err(db)?;
        }
    }
    let extra: Vec<(i64, i64, String)> = query_rows(
        tx,
        "SELECT c.id, c.subscriber_id, c.serial FROM certificates c
         WHERE c.current = 1 AND c.id < (SELECT max(id) FROM certificates d
             WHERE d.subscriber_id = c.subscriber_id AND d.current = 1)",
        [],
        |r| Ok((col(r, 0)?, col(r, 1)?, col(r, 2)?)),
    )?;
    for (id, subscriber_id, serial) in extra {
        tx.execute("UPDATE certificates SET current = 0 WHERE id = ?1", [id])
            .map_err(db)?;
        tx.execute(
            "INSERT INTO events (at, subscriber_id, what, note) VALUES (?1, ?2,
             'certificate_superseded', ?3)",
            params![
                now,
                subscriber_id,
                format!("{serial} (a later current certificate kept on upgrading to schema 2)")
            ],
        )
        .map_err(db)?;
    }
    Ok(())
}
