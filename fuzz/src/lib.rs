//! The fuzz targets of bankkey: one function per target, taking the fuzzer's bytes.
//!
//! Each target feeds the bytes to one parser (or one operation on hostile input) the way a
//! host would, then uses what was parsed, and asserts what must hold whatever the input:
//! a value read back from its own encoding is the same value, a private key that imports
//! signs what its public key verifies, a retired key set stays retired. A panic anywhere,
//! in the library or in such an assertion, is a finding. Errors are the expected outcome of
//! most inputs and are dropped.
//!
//! The same functions run under libFuzzer (`fuzz_targets/`, `scripts/fuzz.sh`) and in the
//! replay test over the committed corpora (`tests/replay.rs`, `scripts/fuzz-replay.sh`).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use bankkey::bank::crl::Crl;
use bankkey::bank::tsl::TrustedList;
use bankkey::bank::{Bank, Registry};
use bankkey::calendar::BusinessCalendar;
use bankkey::cms::{SignedData, SignedRequest, VerifyOptions};
use bankkey::documents::{Act, DocumentDetails};
use bankkey::gost::{ParamSet, Signature, SigningKey, VerifyingKey};
use bankkey::key::{PublicKey, Signer, SoftwareKey};
use bankkey::lifecycle::{
    Client, EventKind, Flow, Journal, QesStatus, RequestStatus, SqliteJournal,
};
use bankkey::pki::{Certificate, CertificateRequest, KeyInfo, pem};
use bankkey::report::{self, Options};
use bankkey::store::{FileContainer, KeyStore};
use time::OffsetDateTime;

/// A target: the fuzzer's bytes in, a panic out when something is wrong.
pub type Target = fn(&[u8]);

/// Every target, by name: the libFuzzer binaries, the corpus folders and the replay use
/// these names.
pub const TARGETS: &[(&str, Target)] = &[
    ("certificate", certificate),
    ("request", request),
    ("cms", cms),
    ("pkcs8", pkcs8),
    ("pfx", pfx),
    ("public_key", public_key),
    ("container", container),
    ("crl", crl),
    ("tsl", tsl),
    ("xmldsig", xmldsig),
    ("calendar", calendar),
    ("bank_receive", bank_receive),
    ("journal", journal),
    ("gost_verify", gost_verify),
    ("inspect", inspect),
];

/// The password of the encrypted fixtures (`scripts/make-fixtures.sh`) and of the seeds.
pub const PASSWORD: &[u8] = b"bankkey-test";

/// The password of the real-world GnuTLS keys and PFX files (`tests/realworld/README.md`).
pub const REALWORLD_PASSWORD: &str = "Пароль для PFX";

/// The work a hostile key file may ask for: the fixtures' PBKDF2 count (2,048, OpenSSL's
/// default), so that the seeds decrypt, and no more, so that one input costs milliseconds
/// (the library's default limit, 1,000,000, is a product decision, tested in
/// `core/tests/keys_kdf_limit.rs`).
pub const KDF_LIMIT: u32 = 2048;

/// The time of every check: Monday 2026-11-30 09:00 UTC, inside the fixtures' validity.
pub fn t0() -> OffsetDateTime {
    time::macros::datetime!(2026-11-30 09:00 UTC)
}

/// Set-up every target runs once: the KDF limit.
fn init() {
    static INIT: OnceLock<()> = OnceLock::new();
    INIT.get_or_init(|| {
        bankkey::key::set_kdf_iteration_limit(KDF_LIMIT).expect("a non-zero limit");
    });
}

/// The fuzz crate's folder (corpora, regression inputs, the bank's set-up material).
pub fn fuzz_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture of the core's tests, or of `tests/realworld`.
pub fn repo_file(rel: &str) -> Vec<u8> {
    let p = fuzz_dir().join("..").join(rel);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

/// The trust anchor of the fixtures (the CryptoPro-A CA of `core/tests/fixtures/openssl`).
fn fixture_ca() -> &'static Certificate {
    static CA: OnceLock<Certificate> = OnceLock::new();
    CA.get_or_init(|| {
        Certificate::from_pem(&repo_file(
            "core/tests/fixtures/openssl/gost2012_256-A/ca.pem",
        ))
        .expect("the fixture CA")
    })
}

/// A place for the files of the targets that need a file system: under `$BANKKEY_FUZZ_TMP`,
/// else `/dev/shm` (memory: no disk writes at fuzzing speed), else the temporary directory;
/// one per process and target, removed by [`remove_scratch`] (`scripts/fuzz.sh` removes
/// `$BANKKEY_FUZZ_TMP` after a run: libFuzzer exits without running destructors).
fn scratch(name: &str) -> PathBuf {
    let base = std::env::var_os("BANKKEY_FUZZ_TMP")
        .map(PathBuf::from)
        .or_else(|| Some(PathBuf::from("/dev/shm")).filter(|p| p.is_dir()))
        .unwrap_or_else(std::env::temp_dir);
    let dir = base.join(format!("bankkey-fuzz-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("the scratch directory");
    SCRATCH
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(dir.clone());
    dir
}

static SCRATCH: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Removes the scratch directories this process made (the replay calls it at the end).
pub fn remove_scratch() {
    for dir in SCRATCH.lock().unwrap_or_else(|e| e.into_inner()).drain(..) {
        let _ = std::fs::remove_dir_all(dir);
    }
}

/// Reads the framed inputs of the structured targets: bytes, little-endian integers and
/// length-prefixed chunks, each running short (zeros, empty) at the end of the input rather
/// than failing, so that every input means something.
pub struct Input<'a>(&'a [u8]);

impl<'a> Input<'a> {
    /// Over `data`.
    pub fn new(data: &'a [u8]) -> Self {
        Input(data)
    }

    /// Nothing left.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// One byte (0 at the end).
    pub fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((b, rest)) => {
                self.0 = rest;
                *b
            }
            None => 0,
        }
    }

    /// Up to `n` bytes.
    pub fn take(&mut self, n: usize) -> &'a [u8] {
        let (a, b) = self.0.split_at(n.min(self.0.len()));
        self.0 = b;
        a
    }

    /// A chunk: a little-endian u16 length, then that many bytes (fewer at the end).
    pub fn chunk(&mut self) -> &'a [u8] {
        let n = u16::from_le_bytes([self.byte(), self.byte()]);
        self.take(n as usize)
    }

    /// The rest.
    pub fn rest(&mut self) -> &'a [u8] {
        std::mem::take(&mut self.0)
    }
}

/// Writes the framing [`Input::chunk`] reads (for the seeds).
pub fn put_chunk(out: &mut Vec<u8>, bytes: &[u8]) {
    let n = u16::try_from(bytes.len()).expect("a chunk is at most 65,535 bytes");
    out.extend_from_slice(&n.to_le_bytes());
    out.extend_from_slice(bytes);
}

fn utf8(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// A certificate, DER or PEM: its fields, its own signature, the path checks, the act made
/// from it; read back from its own DER and PEM it is the same certificate.
pub fn certificate(data: &[u8]) {
    init();
    let _ = Certificate::all_from_pem(data);
    let Ok(cert) = Certificate::from_der_or_pem(data) else {
        return;
    };
    let again = Certificate::from_der(&cert.to_der()).expect("a certificate reads its own DER");
    assert_eq!(again, cert, "DER round trip");
    let again = Certificate::from_pem(cert.to_pem().as_bytes()).expect("reads its own PEM");
    assert_eq!(again, cert, "PEM round trip");
    let _ = cert.subject().to_string();
    let _ = cert.issuer().to_string();
    let _ = cert.serial_hex();
    let _ = cert.check_validity_at(t0());
    let _ = cert.days_to_expiry(t0());
    let _ = cert.public_key();
    let _ = cert.qualification();
    let _ = cert.sign_tool_classes();
    let _ = cert.identification_kind();
    let _ = cert.is_self_issued();
    let _ = cert.verify_issued_by(&cert);
    let _ = cert.verify_issued_by(fixture_ca());
    let _ = bankkey::pki::build_chain(&cert, &[], std::slice::from_ref(fixture_ca()), t0());
    if let Ok(act) = Act::from_certificate(&cert, &details()) {
        let _ = act.to_text();
        let _ = act.to_html();
    }
}

fn details() -> DocumentDetails {
    DocumentDetails::new("АО «Банк»", t0().date())
}

/// A PKCS#10 request, DER or PEM: its self-signature, its fields, the act and the
/// application made from it; read back from its own DER it is the same request.
pub fn request(data: &[u8]) {
    init();
    let Ok(req) = CertificateRequest::from_der_or_pem(data) else {
        return;
    };
    let again = CertificateRequest::from_der(&req.to_der()).expect("reads its own DER");
    assert_eq!(again, req, "DER round trip");
    let _ = req.verify();
    let _ = req.subject().to_string();
    let _ = req.public_key();
    let _ = req.attribute_oids();
    let _ = bankkey::subject::Subject::from_der(req.subject_der());
    if let Ok(act) = Act::from_request(&req, &details()) {
        let _ = act.to_text();
        let _ = act.to_html();
        let _ = Act::check_key_text(&act.to_text(), &req);
    }
}

/// A CMS message (SignedData, DER, BER or PEM; a signed request): every signer's signature
/// over the attached content or a detached one, the paths to the fixture CA, the request
/// inside; read back from its own DER it is the same message.
pub fn cms(data: &[u8]) {
    init();
    if let Ok(sd) = SignedData::from_der_or_pem(data) {
        let der = sd.to_der();
        let again = SignedData::from_der(&der).expect("a SignedData reads its own DER");
        assert_eq!(again.to_der(), der, "DER round trip");
        let _ = sd.content();
        let _ = sd.digest_algorithms();
        for si in sd.signers() {
            let _ = si.signing_time();
            let _ = si.message_digest();
            let _ = si.signing_certificate_v2();
            let _ = si.content_type();
        }
        let _ = sd.verify_signatures(None, &[]);
        let _ = sd.verify_signatures(Some(b"content"), &[]);
        let _ = sd.verify(&VerifyOptions {
            anchors: vec![fixture_ca().clone()],
            at: Some(t0()),
            ..VerifyOptions::default()
        });
    }
    if let Ok(sr) = SignedRequest::from_der_or_pem(data) {
        let _ = sr.request();
        let _ = sr.verify(std::slice::from_ref(fixture_ca()), t0());
    }
}

/// A private key: PKCS#8 plain or encrypted (PBES2 with PBKDF2 bounded by [`KDF_LIMIT`]),
/// DER or PEM (the password of the fixtures, and of the real-world keys for DER). A key that
/// imports signs, and its public key verifies the signature.
pub fn pkcs8(data: &[u8]) {
    init();
    let mut keys = Vec::new();
    keys.extend(SoftwareKey::from_pkcs8_der(data).ok());
    for password in [PASSWORD, REALWORLD_PASSWORD.as_bytes()] {
        keys.extend(SoftwareKey::from_encrypted_pkcs8_der(data, password).ok());
    }
    if let Some(text) = utf8(data) {
        keys.extend(SoftwareKey::from_pkcs8_pem(text).ok());
        keys.extend(SoftwareKey::from_encrypted_pkcs8_pem(text, PASSWORD).ok());
    }
    for key in keys {
        let public = key.public_key();
        let sig = key.sign(b"bankkey fuzz").expect("an imported key signs");
        public
            .verify(&key.signature_algorithm(), b"bankkey fuzz", &sig)
            .expect("its public key verifies what it signed");
        let again = SoftwareKey::from_pkcs8_der(&key.to_pkcs8_der()).expect("reads its own DER");
        assert_eq!(again.public_key(), public, "PKCS#8 round trip");
    }
}

/// The KDF limit while the `pfx` target runs: CryptoPro's key export (2000 iterations of
/// GOST R 34.11-94, counted 8 each) and GnuTLS's 2001 example (PBKDF2-HMAC-GOST R 34.11-94)
/// must open for the seeds to reach their keys.
pub const PFX_KDF_LIMIT: u32 = 16_000;

/// A PFX, read with the seeds' passwords (empty: CryptoPro's exports; the real-world
/// examples'; the fixtures'): every key read signs what its public key verifies and reads
/// back from its own PKCS#8 as the same key.
pub fn pfx(data: &[u8]) {
    init();
    bankkey::key::set_kdf_iteration_limit(PFX_KDF_LIMIT).expect("a non-zero limit");
    let _ = bankkey::pfx::looks_like_pfx(data);
    let password = std::str::from_utf8(PASSWORD).expect("ASCII");
    for password in ["", REALWORLD_PASSWORD, password] {
        let Ok(p) = bankkey::pfx::Pfx::from_der(data, password) else {
            continue;
        };
        for k in p.keys() {
            let public = k.key.public_key();
            let sig = k
                .key
                .sign(b"bankkey fuzz")
                .expect("a key read from a PFX signs");
            public
                .verify(&k.key.signature_algorithm(), b"bankkey fuzz", &sig)
                .expect("its public key verifies what it signed");
            // What inspect and import do with it: its certificate, its DER round trip.
            let _ = p.certificate_of(k);
            let again =
                SoftwareKey::from_pkcs8_der(&k.key.to_pkcs8_der()).expect("reads its own DER");
            assert_eq!(again.public_key(), public, "PKCS#8 round trip");
        }
        let _ = p.single_key();
    }
    bankkey::key::set_kdf_iteration_limit(KDF_LIMIT).expect("a non-zero limit");
}

/// A public key (SubjectPublicKeyInfo, DER or PEM) as the parsers of keys, certificates and
/// documents read it; read back from its own DER it is the same key.
pub fn public_key(data: &[u8]) {
    init();
    let _ = KeyInfo::from_spki_der(data);
    let _ = bankkey::documents::KeyDescription::from_spki_der(data);
    let Ok(key) = PublicKey::from_der_or_pem(data) else {
        return;
    };
    let again = PublicKey::from_spki_der(&key.to_spki_der()).expect("reads its own DER");
    assert_eq!(again, key, "SPKI round trip");
    let _ = key.key_id();
    let _ = key.key_bits();
    let _ = key.to_pem();
}

/// The names of the container's entries the container target writes: two key sets, the key
/// ids of the fixtures `gost2012_256-A` and `gost2012_512-C` (the `seeds` program checks it).
pub const CONTAINER_IDS: [&str; 2] = [
    "70401f72e132afa57a00ee4e0828ec3efb9732fa",
    "82b4bfa556248abe12ae4beb22b862329f887713",
];
/// The extensions of an entry, by the selector's value modulo 5 (the fifth: a stray file).
pub const CONTAINER_EXTS: [&str; 5] = ["key", "pub", "crt", "json", "txt"];

/// Hostile files in a file container: the input is a list of entries, each a selector byte
/// (`CONTAINER_EXTS[b % 5]` of `CONTAINER_IDS[b / 5 % 2]`) and a chunk, the file's bytes. The
/// container is opened, listed, its keys decrypted and used, its certificates matched; one
/// key set is retired and must then read as retired.
pub fn container(data: &[u8]) {
    init();
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| scratch("container"));
    reset_dir(dir);
    std::fs::write(
        dir.join("bankkey-container"),
        "bankkey file container, format 1\n",
    )
    .expect("the marker");
    let mut input = Input::new(data);
    while !input.is_empty() {
        let sel = input.byte() as usize;
        let bytes = input.chunk();
        let name = format!("{}.{}", CONTAINER_IDS[sel / 5 % 2], CONTAINER_EXTS[sel % 5]);
        std::fs::write(dir.join(name), bytes).expect("writing an entry");
    }
    let Ok(c) = FileContainer::open(dir, secrecy::SecretString::from("bankkey-test")) else {
        return;
    };
    let _ = c.warnings();
    let Ok(sets) = c.key_sets() else { return };
    let _ = bankkey::store::medium_warnings(&sets);
    for set in &sets {
        let _ = set.public_key();
        let _ = set.kind();
        if let Some(cert) = &set.certificate {
            let _ = c.find_by_certificate(cert);
        }
        if set.has_private_key
            && let Ok(signer) = c.signer(&set.id)
        {
            let sig = signer.sign(b"bankkey fuzz").expect("a decrypted key signs");
            signer
                .public_key()
                .verify(&signer.signature_algorithm(), b"bankkey fuzz", &sig)
                .expect("its public key verifies");
        }
    }
    if let Some(first) = sets.first()
        && c.retire(&first.id).is_ok()
    {
        let after = c
            .key_sets()
            .expect("a container that listed lists after a retire");
        let set = after
            .iter()
            .find(|s| s.id == first.id)
            .expect("the retired set");
        assert!(set.retired, "a retired key set reads as retired");
    }
}

fn reset_dir(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir).expect("the scratch directory");
}

/// A CRL, DER or PEM: its fields, the revocation of a serial, its signature by the fixture CA.
pub fn crl(data: &[u8]) {
    init();
    let Ok(crl) = Crl::from_der_or_pem(data) else {
        return;
    };
    let again = Crl::from_der(crl.der()).expect("a CRL reads its own DER");
    assert_eq!(again, crl, "DER round trip");
    let _ = crl.issuer().to_string();
    let _ = crl.is_fresh_at(t0());
    for r in crl.revoked() {
        let _ = crl.revocation_of(&r.serial);
    }
    let _ = crl.revocation_of(&[1]);
    let _ = crl.verify_issued_by(fixture_ca());
}

/// The accredited-CA list (TSL XML): its entries, the certificates it lists, the statuses at
/// a time, and the qualified check of a certificate against it.
pub fn tsl(data: &[u8]) {
    init();
    let Ok(list) = TrustedList::from_xml(data) else {
        return;
    };
    let _ = list.check_not_older_than(list.version);
    let _ = list.check_not_older_than(0);
    for ca in &list.cas {
        let _ = ca.status_at(t0());
        let _ = ca.status_at(OffsetDateTime::UNIX_EPOCH);
        for key in &ca.keys {
            let _ = list.find_key(&key.key_id);
            for c in &key.certificates {
                if let Ok(cert) = c.certificate() {
                    let _ = bankkey::bank::check_qualified(&cert, Some(&list), &[], t0());
                }
            }
        }
    }
    let _ = bankkey::bank::check_qualified(fixture_ca(), Some(&list), &[], t0());
}

/// The signer of the signed lists of the seeds: the fixture end-entity certificate
/// (`gost2012_256-A/cert.pem`), issued by [`fixture_ca`].
fn fixture_signer_cert() -> &'static Certificate {
    static C: OnceLock<Certificate> = OnceLock::new();
    C.get_or_init(|| {
        Certificate::from_pem(&repo_file(
            "core/tests/fixtures/openssl/gost2012_256-A/cert.pem",
        ))
        .expect("the fixture certificate")
    })
}

/// XML canonicalisation and the enveloped XMLDSig of the accredited-CA list: the canonical
/// form of the canonical form is itself (both methods); the signature is verified against the
/// fixture signer, and the list read with it against the fixture CA as the ministry's anchor.
pub fn xmldsig(data: &[u8]) {
    init();
    use bankkey::xml::c14n::{Method, canonicalize};
    for method in [Method::c14n(), Method::exclusive()] {
        if let Ok(c) = canonicalize(data, &method) {
            let again = canonicalize(&c, &method).expect("canonical XML reads again");
            assert_eq!(again, c, "canonicalisation is idempotent");
        }
    }
    let _ = bankkey::xmldsig::verify_enveloped(data, std::slice::from_ref(fixture_signer_cert()));
    let _ = TrustedList::from_signed_xml(data, std::slice::from_ref(fixture_ca()), t0());
}

/// The business calendar file: what is read is written back the same; the days after any
/// date (from the input) are computed without a panic.
pub fn calendar(data: &[u8]) {
    init();
    let mut input = Input::new(data);
    let when = i64::from_le_bytes(input.take(8).try_into().unwrap_or([0; 8]));
    let Some(text) = utf8(input.rest()) else {
        return;
    };
    let Ok(cal) = BusinessCalendar::from_text(text) else {
        return;
    };
    let again = BusinessCalendar::from_text(&cal.to_text()).expect("reads its own text");
    assert_eq!(again.holidays(), cal.holidays(), "holidays round trip");
    assert_eq!(
        again.working_days(),
        cal.working_days(),
        "working days round trip"
    );
    // Any instant time can hold (seconds from 1970, within ±9999 years).
    let max = 253_402_300_799_i64; // 9999-12-31T23:59:59Z
    let at = OffsetDateTime::from_unix_timestamp(when.rem_euclid(2 * max) - max)
        .expect("within time's range");
    for at in [at, t0()] {
        if let Ok(d) = cal.local_date(at) {
            let _ = cal.is_business_day(d);
            let _ = cal.next_business_day(d);
        }
        let _ = cal.paper_check_by(at);
        let _ = cal.qes_loaded_not_before(at);
    }
}

/// The bank's fixed set-up for [`bank_receive`]: its CA (key and certificate) and a registered
/// subscriber's certificate, made by the `seeds` program into `data/bank/`.
pub struct BankSetup {
    /// The bank CA's key (PKCS#8 DER).
    pub ca_key: Vec<u8>,
    /// The bank CA's certificate.
    pub ca: Certificate,
    /// The registered subscriber's current certificate.
    pub subscriber: Certificate,
}

/// The set-up, read once from `data/bank/`.
pub fn bank_setup() -> &'static BankSetup {
    static S: OnceLock<BankSetup> = OnceLock::new();
    S.get_or_init(|| {
        let read = |n: &str| {
            let p = fuzz_dir().join("data/bank").join(n);
            std::fs::read(&p).unwrap_or_else(|e| {
                panic!("{}: {e} (made by `scripts/fuzz.sh --seed`)", p.display())
            })
        };
        let ca_key = SoftwareKey::from_pkcs8_pem(&String::from_utf8(read("ca-key.pem")).unwrap())
            .expect("the bank CA key");
        BankSetup {
            ca_key: ca_key.to_pkcs8_der().to_vec(),
            ca: Certificate::from_pem(&read("ca.pem")).expect("the bank CA"),
            subscriber: Certificate::from_pem(&read("subscriber.pem")).expect("the subscriber"),
        }
    })
}

/// `Bank::receive` of a hostile request for a registered subscriber: the first byte chooses
/// the flow (even: paper acts, PKCS#10; odd: remote, CMS), the rest is the request. The bank
/// (a fresh registry in memory for every input) answers with a decision or a registry error,
/// and the same bytes received again get the same answer.
pub fn bank_receive(data: &[u8]) {
    init();
    let s = bank_setup();
    let mut input = Input::new(data);
    let flow = if input.byte().is_multiple_of(2) {
        Flow::PaperActs
    } else {
        Flow::Remote
    };
    let bytes = input.rest();
    let signer = SoftwareKey::from_pkcs8_der(&s.ca_key).expect("the CA key");
    let mut bank = Bank::new(
        Registry::in_memory().expect("a registry"),
        s.ca.clone(),
        Box::new(signer),
    )
    .expect("the bank");
    bank.register_subscriber(&s.subscriber, t0() - time::Duration::days(300))
        .expect("registering the subscriber");
    let Ok(first) = bank.receive(flow, bytes, t0()) else {
        return;
    };
    let again = bank
        .receive(flow, bytes, t0() + time::Duration::minutes(1))
        .expect("the same bytes again");
    assert_eq!(again.request_id, first.request_id);
    assert_eq!(
        again.status, first.status,
        "the same bytes, the same decision"
    );
    let _ = bank.request_history(&first.request_id);
    let _ = bank.awaiting_paper();
}

/// The columns of the journal's `events` table, in order.
pub const JOURNAL_COLUMNS: [&str; 14] = [
    "seq",
    "at",
    "request_id",
    "flow",
    "kind",
    "from_status",
    "to_status",
    "qes_status",
    "note",
    "old_key_id",
    "new_key_id",
    "request_der",
    "signed_request_der",
    "certificate_der",
];

/// A value a column can hold in SQLite, chosen by a tag byte: 0 NULL, 1 an integer (8 bytes),
/// 2 text (a chunk, lossy UTF-8), 3 a blob (a chunk), 4 and above a value of the column's own
/// vocabulary (a status name, a time, the row's number) picked by the next byte, so that the
/// fuzzer reaches the state machine and not only the decoding.
fn journal_value(input: &mut Input<'_>, column: usize, row: usize) -> rusqlite::types::Value {
    use rusqlite::types::Value;
    let pick = |b: u8, names: &[&'static str]| Value::Text(names[b as usize % names.len()].into());
    match input.byte() {
        0 => Value::Null,
        1 => Value::Integer(i64::from_le_bytes(
            input.take(8).try_into().unwrap_or([0; 8]),
        )),
        2 => Value::Text(String::from_utf8_lossy(input.chunk()).into_owned()),
        3 => Value::Blob(input.chunk().to_vec()),
        _ => {
            let b = input.byte();
            match JOURNAL_COLUMNS[column] {
                "seq" => Value::Integer(row as i64 + 1 + i64::from(b / 128)),
                "at" => Value::Text(format!("2026-11-{:02}T09:{:02}:00Z", 1 + b % 28, b % 60)),
                "request_id" => Value::Text(format!("request-{}", b % 3)),
                "flow" => pick(b, &Flow::ALL.map(Flow::as_str)),
                "kind" => pick(b, &EventKind::ALL.map(EventKind::as_str)),
                "from_status" | "to_status" => {
                    pick(b, &RequestStatus::ALL.map(RequestStatus::as_str))
                }
                "qes_status" => pick(b, &QesStatus::ALL.map(QesStatus::as_str)),
                "old_key_id" | "new_key_id" => Value::Blob(vec![b % 4; 20]),
                _ => Value::Text(format!("{b}")),
            }
        }
    }
}

/// The journal's records: the input is rows of the `events` table, each column a tagged value
/// ([`journal_value`]), written into a journal's SQLite file behind its back (a hostile or
/// damaged database); the journal reads its events and the client replays them, recovering
/// over an empty file container.
pub fn journal(data: &[u8]) {
    init();
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    let dir = DIR.get_or_init(|| scratch("journal"));
    reset_dir(dir);
    let path = dir.join("journal.sqlite");
    let journal = SqliteJournal::open(&path).expect("a new journal");
    {
        let conn = rusqlite::Connection::open(&path).expect("the journal's file");
        let mut input = Input::new(data);
        let mut row = 0;
        while !input.is_empty() && row < 64 {
            let values: Vec<rusqlite::types::Value> = (0..JOURNAL_COLUMNS.len())
                .map(|c| journal_value(&mut input, c, row))
                .collect();
            let sql = format!(
                "INSERT INTO events ({}) VALUES ({})",
                JOURNAL_COLUMNS.join(", "),
                vec!["?"; JOURNAL_COLUMNS.len()].join(", ")
            );
            // A row the schema refuses (NOT NULL, a duplicate seq) is not written.
            let _ = conn.execute(&sql, rusqlite::params_from_iter(values));
            row += 1;
        }
    }
    let Ok(events) = journal.events() else {
        return;
    };
    for w in events.windows(2) {
        assert!(w[0].seq < w[1].seq, "events come in seq order");
    }
    let store = FileContainer::create(dir.join("container"), secrecy::SecretString::from("p"))
        .expect("an empty container");
    let Ok(client) = Client::open_at(Box::new(store), Box::new(journal), t0()) else {
        return;
    };
    for r in client.regenerations() {
        let _ = r.request();
        let _ = r.outgoing();
        let _ = client.regeneration(r.id());
    }
    let _ = client.events();
}

/// GOST R 34.10-2012 on arbitrary values. The first byte chooses the parameter set
/// (`ParamSet::ALL[b % 12]`) and the mode (`b / 12 % 2`):
/// - verify: a chunk as the public key (X‖Y little-endian), a chunk as the signature (s‖r),
///   the rest as the message: the key reads back as the same bytes, and a signature that
///   verifies over the message also verifies over its digest;
/// - sign: a chunk as the private scalar, the rest as the message: a scalar that imports
///   signs, the signature verifies, and the signature with a bit changed does not.
pub fn gost_verify(data: &[u8]) {
    init();
    let mut input = Input::new(data);
    let b = input.byte() as usize;
    let ps = ParamSet::ALL[b % ParamSet::ALL.len()];
    if (b / ParamSet::ALL.len()).is_multiple_of(2) {
        let key = input.chunk();
        let sig = input.chunk();
        let msg = input.rest();
        let Ok(vk) = VerifyingKey::from_le_xy(ps, key) else {
            return;
        };
        assert_eq!(vk.to_le_xy(), key, "a public key reads back as its bytes");
        let Ok(sig) = Signature::from_bytes(sig) else {
            return;
        };
        if vk.verify(msg, &sig).is_ok() {
            let digest = if ps.is_512() {
                bankkey::gost::streebog512(msg).to_vec()
            } else {
                bankkey::gost::streebog256(msg).to_vec()
            };
            vk.verify_digest(&digest, &sig)
                .expect("the same over the digest");
        }
    } else {
        let scalar = input.chunk();
        let msg = input.rest();
        let Ok(sk) = SigningKey::from_le_bytes(ps, scalar) else {
            return;
        };
        let vk = sk.verifying_key();
        let sig = sk.sign(msg);
        vk.verify(msg, &sig)
            .expect("a signature verifies with its key");
        let again = VerifyingKey::from_le_xy(ps, &vk.to_le_xy()).expect("Q reads back");
        assert_eq!(again.to_le_xy(), vk.to_le_xy());
        let mut bad = sig.to_bytes();
        let i = msg.len() % bad.len();
        bad[i] ^= 1 << (msg.len() % 8);
        let bad = Signature::from_bytes(&bad).expect("same length");
        assert!(
            vk.verify(msg, &bad).is_err(),
            "a changed signature does not verify"
        );
    }
}

/// `report::inspect` over arbitrary bytes (it tells the object's kind and dispatches to every
/// parser), with a password, the fixture CA as trust anchor and a detached content; the
/// report is never `valid` unless it parsed, and its JSON is written.
pub fn inspect(data: &[u8]) {
    init();
    let options = Options {
        at: Some(t0()),
        trust: vec![fixture_ca().clone()],
        intermediates: Vec::new(),
        password: Some(zeroize::Zeroizing::new(PASSWORD.to_vec())),
        ..Options::default()
    };
    let r = report::inspect(data, &options);
    let _ = r.to_json();
    let _ = r.to_json_compact();
    let _ = pem::blocks(data);
}
