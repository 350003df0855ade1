//! Bulk work on every core: a bank's whole archive of certificates assessed at once
//! ([`scan`]), and many signatures verified at once ([`verify_many`]).
//!
//! Support staff ask the same questions of thousands of certificates: whose certificate must
//! be replaced this month («Необходима плановая замена сертификата»), which have expired or
//! are not valid yet, which carry an INN, OGRN or SNILS with a wrong check digit, and (given
//! trust anchors) which do not chain to the bank's CA. [`scan`] answers them for a list of
//! inputs — each a DER or PEM certificate, a PEM bundle, or a CMS SignedData with
//! certificates inside — spread over rayon's thread pool, the results in input order. It is
//! the batch behind the Python `bankkey.scan` and the `bankkey scan` command, and is meant for
//! the C ABI as well: every rule is here, the bindings only convert.
//!
//! The judgement of one certificate is the one the rest of the library makes: validity by
//! [`Certificate::check_validity_at`], the replacement window by [`lifecycle::assess`]
//! (inclusive, 30 days by default), identifiers by [`Subject::check_identifiers`], the path
//! by [`build_chain`], the reason by [`Reason`]'s priority order (as in a report).

use rayon::prelude::*;
use time::OffsetDateTime;

use crate::cms::SignedData;
use crate::key::PublicKey;
use crate::lifecycle::{self, DEFAULT_REPLACEMENT_WINDOW_DAYS, KeySetStatus};
use crate::pki::{Certificate, build_chain, pem};
use crate::report::Reason;
use crate::subject::IdentifierCheck;
use crate::vocab::stable_codes;
use crate::{Error, ErrorKind, Result};

/// What [`scan`] judges against.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    /// The moment of the judgement.
    pub at: OffsetDateTime,
    /// The replacement window in days ([`DEFAULT_REPLACEMENT_WINDOW_DAYS`]).
    pub window_days: u32,
    /// Trust anchors (and intermediate CAs). Empty: the paths are not checked, and no entry
    /// is [`Group::Untrusted`] (nor vouched for: [`ScanEntry::chain_checked`] says so).
    pub trust: Vec<Certificate>,
    /// Worker threads: `None` for one per core (rayon's global pool), `Some(1)` for the
    /// calling thread alone.
    pub threads: Option<usize>,
    /// Keep each parsed certificate in its entry (`true`, the default). A parsed certificate
    /// is dozens of allocations (names, extensions, a copy of its parts); a whole archive of
    /// them costs memory and time to build and to free. With `false` an entry keeps only the
    /// certificate's DER ([`ScanEntry::der`]), to be read again when it is needed: what the
    /// Python `scan` does, parsing `entry.certificate` on first use.
    pub keep_certificates: bool,
}

impl ScanOptions {
    /// Options at `at` with the default window, no trust anchors, every core.
    pub fn at(at: OffsetDateTime) -> ScanOptions {
        ScanOptions {
            at,
            window_days: DEFAULT_REPLACEMENT_WINDOW_DAYS,
            trust: Vec::new(),
            threads: None,
            keep_certificates: true,
        }
    }
}

/// Where a scanned certificate belongs, worst first: an entry is in the first group whose
/// condition holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Group {
    /// The input holds no readable certificate.
    Unreadable,
    /// With trust anchors: no valid path to them (bad signature, wrong or unknown issuer,
    /// an expired CA, an unknown critical extension).
    Untrusted,
    /// Past notAfter at the scan's moment.
    Expired,
    /// Before notBefore.
    NotYetValid,
    /// An INN, INNLE, OGRN, OGRNIP or SNILS with a wrong check digit or length.
    BadIdentifiers,
    /// Inside the replacement window: «Необходима плановая замена сертификата».
    ReplacementDue,
    /// Nothing to do.
    Fine,
}

impl Group {
    /// Every group, worst first.
    pub const ALL: [Group; 7] = [
        Group::Unreadable,
        Group::Untrusted,
        Group::Expired,
        Group::NotYetValid,
        Group::BadIdentifiers,
        Group::ReplacementDue,
        Group::Fine,
    ];

    /// The stable machine name (`"replacement-due"`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Group::Unreadable => "unreadable",
            Group::Untrusted => "untrusted",
            Group::Expired => "expired",
            Group::NotYetValid => "not-yet-valid",
            Group::BadIdentifiers => "bad-identifiers",
            Group::ReplacementDue => "replacement-due",
            Group::Fine => "fine",
        }
    }

    /// The group named by [`as_str`](Self::as_str).
    ///
    /// Errors: [`ErrorKind::InvalidInput`] naming the field `group`.
    pub fn parse(name: &str) -> Result<Group> {
        Self::ALL
            .into_iter()
            .find(|g| g.as_str() == name)
            .ok_or_else(|| Error::invalid_field("group", format!("unknown scan group {name:?}")))
    }

    /// The group in Russian, as support staff say it.
    pub fn ru(self) -> &'static str {
        match self {
            Group::Unreadable => "Не удалось прочитать",
            Group::Untrusted => "Нет доверия (цепочка не проверена успешно)",
            Group::Expired => "Срок действия истёк",
            Group::NotYetValid => "Ещё не действует",
            Group::BadIdentifiers => "Ошибка в идентификаторах (ИНН, ОГРН, СНИЛС)",
            Group::ReplacementDue => "Необходима плановая замена сертификата",
            Group::Fine => "Действует",
        }
    }

    /// The group in English.
    pub fn en(self) -> &'static str {
        match self {
            Group::Unreadable => "Unreadable",
            Group::Untrusted => "Untrusted",
            Group::Expired => "Expired",
            Group::NotYetValid => "Not yet valid",
            Group::BadIdentifiers => "Bad identifiers (INN, OGRN, SNILS)",
            Group::ReplacementDue => "Scheduled replacement required",
            Group::Fine => "Fine",
        }
    }
}

stable_codes!(Group {
    Unreadable = 1,
    Untrusted = 2,
    Expired = 3,
    NotYetValid = 4,
    BadIdentifiers = 5,
    ReplacementDue = 6,
    Fine = 7,
});

/// One certificate found in one input, judged.
#[derive(Debug, Clone)]
pub struct ScanEntry {
    /// The index of the input it came from.
    pub input: usize,
    /// The certificate (`None` when the input held none that could be read, and when
    /// [`ScanOptions::keep_certificates`] is off).
    pub certificate: Option<Certificate>,
    /// The certificate's DER when [`ScanOptions::keep_certificates`] is off (else `None`).
    pub der: Option<Vec<u8>>,
    /// Why the input could not be read ([`Group::Unreadable`]).
    pub error: Option<Error>,
    /// The group.
    pub group: Group,
    /// The key-set status the certificate gives at the scan's moment ([`lifecycle::assess`]).
    pub status: Option<KeySetStatus>,
    /// Whole days to notAfter, rounded down; negative once expired.
    pub days_left: Option<i64>,
    /// The identifier checks, in subject order.
    pub identifiers: Vec<IdentifierCheck>,
    /// Whether the path to the trust anchors was checked (trust anchors were given).
    pub chain_checked: bool,
    /// The worst problem, in [`Reason`]'s order; `None` for [`Group::Fine`] and
    /// [`Group::ReplacementDue`].
    pub reason: Option<Reason>,
    /// The worst problem's detail.
    pub message: Option<String>,
}

/// Every certificate in `input`: one DER certificate, a DER CMS SignedData's certificates,
/// or the `CERTIFICATE` blocks and the certificates of the `CMS`/`PKCS7` blocks of PEM text.
///
/// Errors: [`ErrorKind::MalformedEncoding`] when nothing readable is there, or a block that
/// claims to be a certificate does not parse.
pub fn certificates_in(input: &[u8]) -> Result<Vec<Certificate>> {
    if input.first() == Some(&0x30) {
        return match Certificate::from_der(input) {
            Ok(c) => Ok(vec![c]),
            Err(cert_error) => match SignedData::from_der(input) {
                Ok(sd) if !sd.certificates().is_empty() => Ok(sd.certificates().to_vec()),
                Ok(_) => Err(Error::malformed("a CMS SignedData without certificates")),
                Err(_) => Err(cert_error),
            },
        };
    }
    let mut out = Vec::new();
    for block in pem::blocks(input)? {
        match block.label.as_str() {
            "CERTIFICATE" | "X509 CERTIFICATE" | "TRUSTED CERTIFICATE" => {
                out.push(Certificate::from_der(&block.der)?)
            }
            "CMS" | "PKCS7" => {
                out.extend_from_slice(SignedData::from_der(&block.der)?.certificates())
            }
            _ => {}
        }
    }
    if out.is_empty() {
        return Err(Error::malformed(
            "no certificate found (neither DER nor PEM with a CERTIFICATE, CMS or PKCS7 block)",
        ));
    }
    Ok(out)
}

/// Judges one certificate at `options.at`.
pub fn judge(input: usize, cert: Certificate, options: &ScanOptions) -> ScanEntry {
    let at = options.at;
    let mut problems: Vec<(Reason, String)> = Vec::new();
    let chain_checked = !options.trust.is_empty();
    if chain_checked
        && let Err(e) = build_chain(&cert, &options.trust, &options.trust, at)
        // Validity problems of the leaf itself are judged below, not as trust; an expired CA
        // on the path is a trust problem.
        && (!matches!(e.kind(), ErrorKind::Expired | ErrorKind::NotYetValid)
            || cert.check_validity_at(at).is_ok())
    {
        problems.push((Reason::from_kind(e.kind()), e.to_string()));
    }
    if let Err(e) = cert.check_validity_at(at) {
        problems.push((Reason::from_kind(e.kind()), e.to_string()));
    }
    let identifiers = cert.subject().check_identifiers();
    for c in identifiers.iter().filter(|c| !c.valid) {
        problems.push((
            Reason::for_identifier(&c.label),
            format!(
                "{} {}: {}",
                c.label,
                c.value,
                c.problem.as_deref().unwrap_or("")
            ),
        ));
    }
    let status = lifecycle::assess(Some(&cert), at, options.window_days);
    let worst = problems.into_iter().min_by_key(|(r, _)| *r);
    let group = match worst.as_ref().map(|(r, _)| *r) {
        Some(Reason::Expired) => Group::Expired,
        Some(Reason::NotYetValid) => Group::NotYetValid,
        Some(Reason::BadInnChecksum | Reason::BadSnilsChecksum | Reason::BadOgrnChecksum) => {
            Group::BadIdentifiers
        }
        Some(Reason::Malformed) => Group::Unreadable,
        Some(_) => Group::Untrusted,
        None if status == KeySetStatus::ScheduledReplacementRequired => Group::ReplacementDue,
        None => Group::Fine,
    };
    let (reason, message) = match worst {
        Some((r, m)) => (Some(r), Some(m)),
        None => (None, None),
    };
    let days_left = Some(cert.days_to_expiry(at));
    let (certificate, der) = if options.keep_certificates {
        (Some(cert), None)
    } else {
        (None, Some(cert.into_der()))
    };
    ScanEntry {
        input,
        days_left,
        status: Some(status),
        certificate,
        der,
        error: None,
        group,
        identifiers,
        chain_checked,
        reason,
        message,
    }
}

fn scan_one(input: usize, bytes: &[u8], options: &ScanOptions) -> Vec<ScanEntry> {
    match certificates_in(bytes) {
        Ok(certs) => certs
            .into_iter()
            .map(|c| judge(input, c, options))
            .collect(),
        Err(e) => vec![ScanEntry {
            input,
            certificate: None,
            der: None,
            group: Group::Unreadable,
            status: None,
            days_left: None,
            identifiers: Vec::new(),
            chain_checked: false,
            reason: Some(Reason::Malformed),
            message: Some(e.to_string()),
            error: Some(e),
        }],
    }
}

/// Reads and judges every certificate of every input, on `options.threads` threads; the
/// entries come in input order (an input with several certificates gives several entries,
/// an unreadable one a single [`Group::Unreadable`] entry). Never fails: what cannot be read
/// is an entry.
pub fn scan<T: AsRef<[u8]> + Sync>(inputs: &[T], options: &ScanOptions) -> Vec<ScanEntry> {
    if options.threads == Some(1) {
        return inputs
            .iter()
            .enumerate()
            .flat_map(|(i, b)| scan_one(i, b.as_ref(), options))
            .collect();
    }
    let work = || -> Vec<ScanEntry> {
        inputs
            .par_iter()
            .enumerate()
            .flat_map_iter(|(i, b)| scan_one(i, b.as_ref(), options))
            .collect()
    };
    in_pool(options.threads, work)
}

/// Runs `work` on `threads` threads (`None`: rayon's global pool, one per core; `Some(1)`:
/// the calling thread only).
fn in_pool<R: Send>(threads: Option<usize>, work: impl FnOnce() -> R + Send) -> R {
    match threads {
        None | Some(0) => work(),
        Some(n) => match rayon::ThreadPoolBuilder::new().num_threads(n).build() {
            Ok(pool) => pool.install(work),
            Err(_) => work(),
        },
    }
}

/// One signature to verify: the public key, the message and the signature as the key's
/// algorithm makes them (GOST s‖r, RSA PKCS#1 v1.5 SHA-256, ECDSA DER).
#[derive(Debug, Clone)]
pub struct SignatureItem<'a> {
    /// The signer's public key.
    pub key: &'a PublicKey,
    /// The signed message (the verifier hashes it).
    pub message: &'a [u8],
    /// The signature.
    pub signature: &'a [u8],
}

/// Verifies every item on `threads` threads (as [`scan`]); the i-th result is item i's, as
/// [`PublicKey::verify`] gives it with the key's own signature algorithm.
pub fn verify_many(items: &[SignatureItem<'_>], threads: Option<usize>) -> Vec<Result<()>> {
    let one = |it: &SignatureItem<'_>| {
        it.key.verify(
            &it.key.algorithm().signature_algorithm(),
            it.message,
            it.signature,
        )
    };
    if threads == Some(1) {
        return items.iter().map(one).collect();
    }
    in_pool(threads, || items.par_iter().map(one).collect())
}

#[cfg(test)]
mod tests {
    use time::Duration;

    use super::*;
    use crate::gost::ParamSet;
    use crate::key::{KeyAlgorithm, SoftwareKey};
    use crate::pki::CertificateBuilder;
    use crate::subject::{AttributeType as A, Subject};

    fn t(unix: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(unix).unwrap()
    }

    struct Ca {
        key: SoftwareKey,
        cert: Certificate,
    }

    fn ca() -> Ca {
        named_ca("scan CA")
    }

    fn named_ca(name: &str) -> Ca {
        let key = SoftwareKey::generate(KeyAlgorithm::Gost(ParamSet::CryptoProA)).unwrap();
        let cert =
            CertificateBuilder::new(&Subject::new().with(A::CommonName, name), &key.public_key())
                .unwrap()
                .validity(t(1_700_000_000), t(2_000_000_000))
                .ca(None)
                .sign(None, &key)
                .unwrap();
        Ca { key, cert }
    }

    fn issue(ca: &Ca, inn: &str, not_after: OffsetDateTime) -> Certificate {
        let key = SoftwareKey::generate(KeyAlgorithm::Gost(ParamSet::Tc26_256A)).unwrap();
        let subject = Subject::new()
            .with(A::CommonName, "Иванов Иван Иванович")
            .with(A::Inn, inn)
            .with(A::Snils, "11223344595");
        CertificateBuilder::new(&subject, &key.public_key())
            .unwrap()
            .validity(t(1_800_000_000), not_after)
            .sign(Some(&ca.cert), &ca.key)
            .unwrap()
    }

    #[test]
    fn every_group_and_the_input_order() {
        let ca = ca();
        let at = t(1_900_000_000);
        let fine = issue(&ca, "500100732259", at + Duration::days(31));
        let due = issue(&ca, "500100732259", at + Duration::days(30));
        let expired = issue(&ca, "500100732259", at - Duration::seconds(1));
        let bad_inn = issue(&ca, "500100732250", at + Duration::days(300));
        let bad_inn_and_expired = issue(&ca, "500100732250", at - Duration::days(1));
        let mut bundle = fine.to_pem();
        bundle.push_str("text between blocks\n");
        bundle.push_str(&due.to_pem());
        let inputs: Vec<Vec<u8>> = vec![
            fine.to_der(),
            due.to_der(),
            expired.to_pem().into_bytes(),
            bad_inn.to_der(),
            bad_inn_and_expired.to_der(),
            b"not a certificate".to_vec(),
            bundle.into_bytes(),
        ];
        let options = ScanOptions::at(at);
        let entries = scan(&inputs, &options);
        let got: Vec<(usize, Group)> = entries.iter().map(|e| (e.input, e.group)).collect();
        assert_eq!(
            got,
            [
                (0, Group::Fine),
                (1, Group::ReplacementDue),
                (2, Group::Expired),
                (3, Group::BadIdentifiers),
                (4, Group::Expired),
                (5, Group::Unreadable),
                (6, Group::Fine),
                (6, Group::ReplacementDue),
            ]
        );
        assert_eq!(entries[1].days_left, Some(30));
        assert_eq!(
            entries[1].status,
            Some(KeySetStatus::ScheduledReplacementRequired)
        );
        assert_eq!(entries[3].reason, Some(Reason::BadInnChecksum));
        assert!(
            entries[3]
                .message
                .as_deref()
                .unwrap()
                .contains("500100732250")
        );
        assert_eq!(
            entries[5].error.as_ref().unwrap().kind(),
            ErrorKind::MalformedEncoding
        );
        assert!(entries.iter().all(|e| !e.chain_checked));
        // The same on one thread and on two.
        for threads in [Some(1), Some(2)] {
            let again = scan(
                &inputs,
                &ScanOptions {
                    threads,
                    ..options.clone()
                },
            );
            let g: Vec<(usize, Group)> = again.iter().map(|e| (e.input, e.group)).collect();
            assert_eq!(g, got);
        }
        // Without keeping the parsed certificates: the same judgement, and each entry's DER.
        let light = scan(
            &inputs,
            &ScanOptions {
                keep_certificates: false,
                ..options.clone()
            },
        );
        assert_eq!(light.len(), entries.len());
        for (full, light) in entries.iter().zip(&light) {
            assert_eq!(
                (full.input, full.group, full.days_left, full.status),
                (light.input, light.group, light.days_left, light.status)
            );
            assert!(light.certificate.is_none());
            assert_eq!(
                light.der.as_deref(),
                full.certificate.as_ref().map(|c| c.der())
            );
        }
    }

    #[test]
    fn with_trust_anchors_a_foreign_certificate_is_untrusted() {
        let ours = ca();
        let theirs = named_ca("another CA");
        let namesake = ca();
        let at = t(1_900_000_000);
        let good = issue(&ours, "500100732259", at + Duration::days(100));
        let foreign = issue(&theirs, "500100732259", at + Duration::days(100));
        let forged = issue(&namesake, "500100732259", at + Duration::days(100));
        let options = ScanOptions {
            trust: vec![ours.cert.clone()],
            ..ScanOptions::at(at)
        };
        let entries = scan(
            &[good.to_der(), foreign.to_der(), forged.to_der()],
            &options,
        );
        assert_eq!(entries[0].group, Group::Fine);
        assert!(entries[0].chain_checked);
        assert_eq!(entries[1].group, Group::Untrusted);
        assert_eq!(entries[1].reason, Some(Reason::Untrusted));
        // A CA of the same name but another key: the key identifiers differ, so the chain
        // search passes the namesake by and finds no issuer (untrusted, as OpenSSL says).
        assert_eq!(entries[2].group, Group::Untrusted);
        assert_eq!(entries[2].reason, Some(Reason::Untrusted));
        // An expired leaf under a good CA is expired, not untrusted.
        let old = issue(&ours, "500100732259", at - Duration::days(1));
        assert_eq!(scan(&[old.to_der()], &options)[0].group, Group::Expired);
    }

    #[test]
    fn cms_with_certificates_inside() {
        let ca = ca();
        let at = t(1_900_000_000);
        let cert = issue(&ca, "500100732259", at + Duration::days(100));
        let signer = SoftwareKey::generate(KeyAlgorithm::Gost(ParamSet::CryptoProA)).unwrap();
        let signer_cert = CertificateBuilder::new(
            &Subject::new().with(A::CommonName, "signer"),
            &signer.public_key(),
        )
        .unwrap()
        .validity(t(1_800_000_000), t(1_990_000_000))
        .sign(Some(&ca.cert), &ca.key)
        .unwrap();
        let der = crate::cms::sign(
            b"content",
            &[(&signer, &signer_cert)],
            &crate::cms::SignOptions {
                certificates: vec![cert.clone()],
                signing_time: Some(at),
                ..crate::cms::SignOptions::default()
            },
        )
        .unwrap();
        let found = certificates_in(&der).unwrap();
        assert!(found.contains(&cert) && found.contains(&signer_cert));
        assert_eq!(scan(&[der], &ScanOptions::at(at)).len(), found.len());
    }

    #[test]
    fn vocabulary() {
        crate::vocab::assert_vocabulary!(Group);
        assert_eq!(
            Group::ReplacementDue.ru(),
            "Необходима плановая замена сертификата"
        );
    }

    #[test]
    fn verify_many_gives_one_result_per_item_in_order() {
        let gost = SoftwareKey::generate(KeyAlgorithm::Gost(ParamSet::Tc26_512A)).unwrap();
        let ec = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        let (gk, ek) = (gost.public_key(), ec.public_key());
        use crate::key::Signer;
        let gs = gost.sign(b"one").unwrap();
        let es = ec.sign(b"two").unwrap();
        let items = [
            SignatureItem {
                key: &gk,
                message: b"one",
                signature: &gs,
            },
            SignatureItem {
                key: &ek,
                message: b"two",
                signature: &es,
            },
            SignatureItem {
                key: &gk,
                message: b"two",
                signature: &gs,
            },
            SignatureItem {
                key: &ek,
                message: b"one",
                signature: &gs,
            },
        ];
        for threads in [None, Some(1)] {
            let r = verify_many(&items, threads);
            assert!(r[0].is_ok() && r[1].is_ok());
            assert_eq!(r[2].as_ref().unwrap_err().kind(), ErrorKind::BadSignature);
            assert!(r[3].is_err());
        }
    }
}
