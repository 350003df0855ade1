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

/// The schema version this library writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

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
    /// memory.
    ///
    /// Errors: [`ErrorKind::Storage`] when the file is not a registry, or one written with a
    /// newer schema than [`SCHEMA_VERSION`].
    pub fn open(path: impl AsRef<std::path::Path>) -> Result<Registry> {
        let conn = Connection::open(path.as_ref()).map_err(db)?;
        Registry::init(conn, path.as_ref() != std::path::Path::new(":memory:"))
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
        let r = Registry { conn };
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
        Registry::init(Connection::open_in_memory().map_err(db)?, false)
    }

    fn init(conn: Connection, file: bool) -> Result<Registry> {
        if file {
            conn.pragma_update(None, "journal_mode", "WAL")
                .map_err(db)?;
            conn.pragma_update(None, "synchronous", "FULL")
                .map_err(db)?;
        }
        conn.pragma_update(None, "foreign_keys", "ON").map_err(db)?;
        let mut r = Registry { conn };
        let v = r.schema_version()?;
        match v {
            0 => {
                let tx = r.conn.transaction().map_err(db)?;
                tx.execute_batch(SCHEMA_V1).map_err(db)?;
                tx.pragma_update(None, "user_version", SCHEMA_VERSION)
                    .map_err(db)?;
                tx.commit().map_err(db)?;
            }
            SCHEMA_VERSION => {}
            other => {
                return Err(Error::new(
                    ErrorKind::Storage,
                    format!(
                        "bank registry schema version {other}; this library reads {SCHEMA_VERSION}"
                    ),
                ));
            }
        }
        Ok(r)
    }

    /// The schema version of the open registry.
    pub fn schema_version(&self) -> Result<u32> {
        self.conn
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(db)
    }

    /// Registers a subscriber with this identity and subject.
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
        if let Some(s) = self.find_subscriber(identity)? {
            return Err(Error::new(
                ErrorKind::PreconditionFailed,
                format!("subscriber {} is already registered", s.id),
            ));
        }
        let tx = self.conn.transaction().map_err(db)?;
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
        tx.commit().map_err(db)?;
        Ok(id)
    }

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
        &self,
        clause: &str,
        p: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<Subscriber>> {
        let sql = format!(
            "SELECT id, inn, inn_le, ogrn, ogrnip, snils, name, subject_der, preregistered,
                    registered_at FROM subscribers WHERE {clause} ORDER BY id"
        );
        query_rows(&self.conn, &sql, p, |r| {
            let (id, identity, subject_der, preregistered, at) =
                Self::subscriber_row(r).map_err(db)?;
            Ok(Subscriber {
                id,
                identity,
                subject_der,
                preregistered,
                registered_at: from_ts(at)?,
            })
        })
    }

    /// The subscriber with exactly this identity (every identifier and the name).
    pub fn find_subscriber(&self, identity: &Identity) -> Result<Option<Subscriber>> {
        Ok(self
            .subscribers_where(
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

    /// The subscriber with this id.
    ///
    /// Errors: [`ErrorKind::InvalidInput`] when there is none.
    pub fn subscriber(&self, id: i64) -> Result<Subscriber> {
        self.subscribers_where("id = ?1", &[&id])?
            .into_iter()
            .next()
            .ok_or_else(|| Error::invalid_field("subscriber", format!("no subscriber {id}")))
    }

    /// Subscribers having `value` as one of their identifiers (INN, INNLE, OGRN, OGRNIP,
    /// SNILS): everybody of an organisation by its INNLE, say.
    pub fn subscribers_by_identifier(&self, value: &str) -> Result<Vec<Subscriber>> {
        let v = value.trim();
        self.subscribers_where(
            "inn = ?1 OR inn_le = ?1 OR ogrn = ?1 OR ogrnip = ?1 OR snils = ?1",
            &[&v],
        )
    }

    /// Adds `cert` to a subscriber as its current certificate: the previous current one
    /// becomes superseded, the key is registered, and a pre-registered client becomes a
    /// regular one. Adding the current certificate again changes nothing.
    ///
    /// Errors: [`ErrorKind::PreconditionFailed`] when the certificate belongs to another
    /// subscriber, or its key is registered to another subscriber.
    pub fn add_certificate(
        &mut self,
        subscriber_id: i64,
        cert: &Certificate,
        at: OffsetDateTime,
    ) -> Result<i64> {
        self.subscriber(subscriber_id)?;
        if let Some(rec) = self.certificate_record(cert)? {
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
                return self.certificate_id(cert);
            }
        }
        self.check_key_owner(subscriber_id, cert)?;
        let tx = self.conn.transaction().map_err(db)?;
        let id = insert_certificate(&tx, subscriber_id, cert, at)?;
        tx.commit().map_err(db)?;
        Ok(id)
    }

    fn check_key_owner(&self, subscriber_id: i64, cert: &Certificate) -> Result<()> {
        if let Some(k) = self.key(&cert.key_info().key_id)?
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

    /// Records the certificate issued for a request, in one transaction: the certificate
    /// becomes the subscriber's current one (see [`add_certificate`](Self::add_certificate)),
    /// the request goes to `CertificateIssued` (the transition is checked) and is linked to it.
    pub fn record_issued(
        &mut self,
        request_id: &str,
        cert: &Certificate,
        at: OffsetDateTime,
    ) -> Result<RequestRecord> {
        let rec = self.request_required(request_id)?;
        rec.status
            .check_transition(rec.flow, RequestStatus::CertificateIssued)?;
        let subscriber_id = rec.subscriber_id.ok_or_else(|| {
            Error::new(
                ErrorKind::PreconditionFailed,
                format!("request {request_id} has no subscriber"),
            )
        })?;
        if self.certificate_record(cert)?.is_some() {
            return Err(Error::new(
                ErrorKind::PreconditionFailed,
                format!("certificate {} is registered already", cert.serial_hex()),
            ));
        }
        self.check_key_owner(subscriber_id, cert)?;
        let tx = self.conn.transaction().map_err(db)?;
        let cert_id = insert_certificate(&tx, subscriber_id, cert, at)?;
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
        tx.commit().map_err(db)?;
        self.request_required(request_id)
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

    fn certificate_id(&self, cert: &Certificate) -> Result<i64> {
        self.conn
            .query_row(
                "SELECT id FROM certificates WHERE der = ?1",
                [cert.der()],
                |r| r.get(0),
            )
            .map_err(db)
    }

    fn certificates_where(
        &self,
        clause: &str,
        p: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<CertificateRecord>> {
        let sql = format!(
            "SELECT subscriber_id, der, current, added_at FROM certificates WHERE {clause}
             ORDER BY id"
        );
        query_rows(&self.conn, &sql, p, |r| {
            Ok(CertificateRecord {
                subscriber_id: col(r, 0)?,
                certificate: Certificate::from_der(&col::<Vec<u8>>(r, 1)?).map_err(corrupt)?,
                current: col(r, 2)?,
                added_at: from_ts(col(r, 3)?)?,
            })
        })
    }

    /// The registry's record of this certificate (byte for byte), if any.
    pub fn certificate_record(&self, cert: &Certificate) -> Result<Option<CertificateRecord>> {
        Ok(self
            .certificates_where("der = ?1", &[&cert.der()])?
            .into_iter()
            .next())
    }

    /// A subscriber's current certificate.
    pub fn current_certificate(&self, subscriber_id: i64) -> Result<Option<Certificate>> {
        Ok(self
            .certificates_where("subscriber_id = ?1 AND current = 1", &[&subscriber_id])?
            .into_iter()
            .next()
            .map(|r| r.certificate))
    }

    /// Every certificate of a subscriber, oldest first.
    pub fn certificates(&self, subscriber_id: i64) -> Result<Vec<CertificateRecord>> {
        self.certificates_where("subscriber_id = ?1", &[&subscriber_id])
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
        self.conn
            .execute(
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
    }

    /// The record of a key by its id (SHA-1 of the key bits), if the bank has registered it.
    pub fn key(&self, key_id: &[u8]) -> Result<Option<KeyRecord>> {
        let row: Option<(String, Option<i64>, String, i64)> = self
            .conn
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
        let tx = self.conn.transaction().map_err(db)?;
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
        tx.commit().map_err(db)?;
        Ok(n == 1)
    }

    /// Moves a request to `to`, checking the transition table of its flow, and records the
    /// event (with the rejection for `Rejected`).
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
        let rec = self.request_required(request_id)?;
        let tx = self.conn.transaction().map_err(db)?;
        transition(&tx, &rec, rec.status, to, rejection, at)?;
        tx.commit().map_err(db)?;
        self.request_required(request_id)
    }

    /// Accepts a received (`Sent`) request in one transaction: records its subscriber,
    /// PKCS#10 and key, registers the key, and moves it to `AcceptedByBank` and, in the paper
    /// flow, on to `AwaitingPaperDocuments` with the day the act is checked by.
    ///
    /// Errors: [`ErrorKind::WrongState`] unless the request is `Sent`.
    pub fn accept_request(
        &mut self,
        request_id: &str,
        subscriber_id: i64,
        request_der: &[u8],
        key: &PublicKey,
        paper_check_by: Option<Date>,
        at: OffsetDateTime,
    ) -> Result<RequestRecord> {
        let mut rec = self.request_required(request_id)?;
        let key_id = hex::encode(key.key_id());
        let tx = self.conn.transaction().map_err(db)?;
        rec.subscriber_id = Some(subscriber_id);
        set_details(
            &tx,
            request_id,
            Some(subscriber_id),
            Some(request_der),
            Some(&key_id),
            paper_check_by,
        )?;
        tx.execute(
            "INSERT OR IGNORE INTO keys (key_id, subscriber_id, spki_der, source, registered_at)
             VALUES (?1, ?2, ?3, 'request', ?4)",
            params![key_id, subscriber_id, key.to_spki_der(), ts(at)],
        )
        .map_err(db)?;
        transition(
            &tx,
            &rec,
            rec.status,
            RequestStatus::AcceptedByBank,
            None,
            at,
        )?;
        if rec.flow == Flow::PaperActs {
            transition(
                &tx,
                &rec,
                RequestStatus::AcceptedByBank,
                RequestStatus::AwaitingPaperDocuments,
                None,
                at,
            )?;
        }
        tx.commit().map_err(db)?;
        self.request_required(request_id)
    }

    /// Rejects a request in one transaction, recording what was learnt of it (subscriber,
    /// PKCS#10, key id) and the rejection.
    ///
    /// Errors: [`ErrorKind::WrongState`] when the request may not be rejected now.
    pub fn reject_request(
        &mut self,
        request_id: &str,
        subscriber_id: Option<i64>,
        request_der: Option<&[u8]>,
        key_id: Option<&str>,
        rejection: &Rejection,
        at: OffsetDateTime,
    ) -> Result<RequestRecord> {
        let mut rec = self.request_required(request_id)?;
        let tx = self.conn.transaction().map_err(db)?;
        set_details(&tx, request_id, subscriber_id, request_der, key_id, None)?;
        rec.subscriber_id = rec.subscriber_id.or(subscriber_id);
        transition(
            &tx,
            &rec,
            rec.status,
            RequestStatus::Rejected,
            Some(rejection),
            at,
        )?;
        tx.commit().map_err(db)?;
        self.request_required(request_id)
    }

    /// Records that the paper act of a request arrived and matched it.
    pub fn set_paper_act_ok(&mut self, request_id: &str, at: OffsetDateTime) -> Result<()> {
        let rec = self.request_required(request_id)?;
        let tx = self.conn.transaction().map_err(db)?;
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
        tx.commit().map_err(db)
    }

    fn request_required(&self, request_id: &str) -> Result<RequestRecord> {
        self.request(request_id)?
            .ok_or_else(|| Error::invalid_field("request_id", format!("no request {request_id}")))
    }

    fn requests_where(
        &self,
        clause: &str,
        p: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<RequestRecord>> {
        let sql = format!(
            "SELECT id, flow, subscriber_id, status, received_at, received_der, request_der,
                    key_id, paper_check_by, paper_act_ok, reason, detail, reason_field
             FROM requests WHERE {clause} ORDER BY received_at, id"
        );
        query_rows(&self.conn, &sql, p, |r| {
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

    /// A request by id.
    pub fn request(&self, request_id: &str) -> Result<Option<RequestRecord>> {
        Ok(self
            .requests_where("id = ?1", &[&request_id])?
            .into_iter()
            .next())
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
        let recs = self.requests_where(
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

    /// Everything recorded about a request, in order.
    pub fn request_history(&self, request_id: &str) -> Result<Vec<HistoryEvent>> {
        self.events_where("request_id = ?1", &[&request_id])
    }

    /// Registers a qualified certificate (status `NotConfirmed`), or returns the existing
    /// registration.
    pub fn add_qes(
        &mut self,
        subscriber_id: Option<i64>,
        cert: &Certificate,
        at: OffsetDateTime,
    ) -> Result<QesRecord> {
        if let Some(q) = self.qes(cert)? {
            return Ok(q);
        }
        let tx = self.conn.transaction().map_err(db)?;
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
        tx.commit().map_err(db)?;
        self.qes(cert)?
            .ok_or_else(|| Error::new(ErrorKind::Storage, "bank registry: QES not recorded"))
    }

    /// Marks a registered QES confirmed (linking it to `subscriber_id` if it had no
    /// subscriber), with the moment its data is loaded from.
    pub fn confirm_qes(
        &mut self,
        cert: &Certificate,
        subscriber_id: Option<i64>,
        loaded_not_before: OffsetDateTime,
        at: OffsetDateTime,
    ) -> Result<QesRecord> {
        let q = self.qes(cert)?.ok_or_else(|| {
            Error::new(
                ErrorKind::WrongState,
                "the qualified certificate is not registered",
            )
        })?;
        let tx = self.conn.transaction().map_err(db)?;
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
        tx.commit().map_err(db)?;
        self.qes(cert)?
            .ok_or_else(|| Error::new(ErrorKind::Storage, "bank registry: QES not recorded"))
    }

    /// The registration of a qualified certificate, if any.
    pub fn qes(&self, cert: &Certificate) -> Result<Option<QesRecord>> {
        let mut found = query_rows(
            &self.conn,
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
}

/// Inserts `cert` as the subscriber's current certificate inside `tx`: supersedes the
/// previous current one, registers the key, ends a pre-registration, records the events.
fn insert_certificate(
    tx: &rusqlite::Transaction<'_>,
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
    tx: &rusqlite::Transaction<'_>,
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
    tx: &rusqlite::Transaction<'_>,
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
