//! The list of accredited certification centres published by the Ministry of Digital
//! Development («Минцифры», `TSLExt.xml`), read for the QES check of seed 004.
//!
//! The structure (see `shared/reference/tsl-structure.md`): a root
//! `АккредитованныеУдостоверяющиеЦентры` with `Версия`, `Дата` and one
//! `УдостоверяющийЦентр` per CA, each with its identifiers, its current
//! `СтатусАккредитации`, the `ИсторияСтатусовАккредитации` and, under
//! `ПрограммноАппаратныеКомплексы/ПрограммноАппаратныйКомплекс/КлючиУполномоченныхЛиц/Ключ`,
//! the CA keys by `ИдентификаторКлюча` with their CRL addresses and certificates (base64 DER in
//! `Данные`). No namespace.
//!
//! The reader streams ([`crate::xml::XmlReader`] over quick-xml) so the real file (tens of
//! MB) is never held as a tree; elements are recognised by their parent, in any order; unknown
//! elements are skipped, and so is the XMLDSig `Signature` (never read as data). Times
//! (`xs:dateTime`) without an offset are read as Moscow time, the publisher's.
//!
//! The list is signed by the Ministry (an enveloped XMLDSig with GOST R 34.10-2012):
//! [`TrustedList::from_signed_xml`] and [`TrustedList::load_signed`] verify that signature
//! ([`crate::xmldsig`]) and the signer's certificate path to the Ministry's certificate the host
//! gives, and read exactly the bytes the signature covers; the list then carries its
//! [`ListSignature`], and the QES check ([`super::qes`]) refuses a list without one unless the
//! host says it authenticated the list otherwise ([`QesPolicy::trust_unsigned_list`](super::qes::QesPolicy)).
//! [`TrustedList::from_xml`] and [`TrustedList::load`] read without verifying.
//!
//! The older ETSI TS 102 231 list (`TrustStatusList`, «Список доверенных УЦ» of 2011) is
//! recognised and refused with [`ErrorKind::UnsupportedAlgorithm`](crate::ErrorKind): see
//! ARCHITECTURE, "The accredited-CA list".

use std::io::BufRead;

use base64ct::Encoding;
use time::{OffsetDateTime, PrimitiveDateTime, Time, UtcOffset};

use super::crl::{Crl, check_not_revoked};
use crate::pki::{Certificate, build_chain};
use crate::xml::{Node, XmlReader};
use crate::xmldsig::{self, Observer, Verified};
use crate::{Error, ErrorKind, Result};

/// The status word of an accreditation in force; every other word (`Прекращена`,
/// `Аннулирована`, ...) means not accredited.
pub const STATUS_ACTIVE: &str = "Действует";

/// The root element of the Ministry's list.
const ROOT: &str = "АккредитованныеУдостоверяющиеЦентры";

/// The namespaces of ETSI TS 102 231 / TS 119 612 trust-service status lists.
const ETSI_NAMESPACES: [&str; 3] = [
    "http://uri.etsi.org/02231/v1.2.1#",
    "http://uri.etsi.org/02231/v2#",
    "http://uri.etsi.org/02231/v1#",
];

/// The accredited-CA list.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedList {
    /// `Версия`: increases with every publication.
    pub version: u64,
    /// `Дата`: when the list was formed.
    pub date: Option<OffsetDateTime>,
    /// The CAs.
    pub cas: Vec<AccreditedCa>,
    signature: Option<ListSignature>,
}

/// The Ministry's signature of a list, verified when the list was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSignature {
    /// The XMLDSig checks: the signer's certificate, the methods, the reference.
    pub verified: Verified,
    /// The signer's certificate path, the signer first, the Ministry's certificate (the trust
    /// anchor the host gave) last.
    pub chain: Vec<Certificate>,
}

impl ListSignature {
    /// Checks that no certificate on the signer's path is revoked at `at`: each is looked up
    /// in the CRLs its issuer signed ([`check_not_revoked`]: the Ministry's CRLs, published at
    /// the signer certificate's CRL distribution point). The trust anchor is not looked up (it
    /// is trusted by being pinned), so a host that pinned the signing certificate itself has
    /// nothing to check here. Returns the CRL relied on for each certificate below the anchor,
    /// signer first.
    ///
    /// The QES check does not call this: see ARCHITECTURE, "The accredited-CA list and its
    /// signature", for why it is the host's call.
    ///
    /// Errors: [`ErrorKind::VerificationUnavailable`](crate::ErrorKind) (no CRL of an issuer
    /// on the path, or none fresh at `at`), [`ErrorKind::Revoked`](crate::ErrorKind).
    pub fn check_revocation<'c>(
        &self,
        crls: &'c [Crl],
        at: OffsetDateTime,
    ) -> Result<Vec<&'c Crl>> {
        self.chain
            .windows(2)
            .map(|pair| {
                check_not_revoked(&pair[0], &pair[1], crls, at)
                    .map_err(|e| e.context("the list's signing path"))
            })
            .collect()
    }
}

/// One accredited CA (`УдостоверяющийЦентр`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccreditedCa {
    /// `Название`.
    pub name: String,
    /// `КраткоеНазвание`.
    pub short_name: Option<String>,
    /// `ИНН`.
    pub inn: Option<String>,
    /// `ОГРН`.
    pub ogrn: Option<String>,
    /// `РеестровыйНомер`.
    pub registry_number: Option<String>,
    /// `СтатусАккредитации`: the current status.
    pub status: Option<AccreditationStatus>,
    /// `ИсторияСтатусовАккредитации`: every status with the date it took effect.
    pub history: Vec<AccreditationStatus>,
    /// The CA keys (`Ключ`).
    pub keys: Vec<CaKey>,
}

/// A status of accreditation and when it took effect.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccreditationStatus {
    /// `Статус` (`Действует`, `Прекращена`, `Аннулирована`, ...).
    pub status: String,
    /// `ДействуетС`.
    pub since: OffsetDateTime,
}

impl AccreditationStatus {
    /// Whether the status is `Действует`.
    pub fn is_active(&self) -> bool {
        self.status.trim() == STATUS_ACTIVE
    }
}

/// A key of an authorised person of the CA (`Ключ`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaKey {
    /// `ИдентификаторКлюча`, decoded from hex (the AKI of the certificates it issues).
    pub key_id: Vec<u8>,
    /// `АдресаСписковОтзыва/Адрес`: where its CRLs are published.
    pub crl_urls: Vec<String>,
    /// `Сертификаты/ДанныеСертификата`.
    pub certificates: Vec<CaCertificate>,
}

/// A certificate of a CA key as listed (`ДанныеСертификата`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CaCertificate {
    /// `Отпечаток`: SHA-1 thumbprint, hex as written.
    pub thumbprint: Option<String>,
    /// `КемВыдан`.
    pub issued_by: Option<String>,
    /// `КомуВыдан`.
    pub issued_to: Option<String>,
    /// `СерийныйНомер`, as written.
    pub serial: Option<String>,
    /// `ПериодДействияС`.
    pub not_before: Option<OffsetDateTime>,
    /// `ПериодДействияДо`.
    pub not_after: Option<OffsetDateTime>,
    /// `Данные`: the certificate DER; `None` when absent or not base64.
    pub der: Option<Vec<u8>>,
}

impl CaCertificate {
    /// The certificate, parsed.
    ///
    /// Errors: [`ErrorKind::MalformedEncoding`](crate::ErrorKind) when `Данные` is missing or
    /// is not a certificate.
    pub fn certificate(&self) -> Result<Certificate> {
        match &self.der {
            Some(der) => Certificate::from_der(der),
            None => {
                Err(Error::malformed("the list gives no certificate data").with_field("Данные"))
            }
        }
    }
}

impl AccreditedCa {
    /// The status in force at `at`: the entry of the history (and the current status) with
    /// the latest `ДействуетС` not after `at`.
    pub fn status_at(&self, at: OffsetDateTime) -> Option<&AccreditationStatus> {
        self.history
            .iter()
            .chain(self.status.iter())
            .filter(|s| s.since <= at)
            .max_by_key(|s| s.since)
    }
}

impl TrustedList {
    /// Reads the list from its XML bytes **without verifying its signature**; the QES check
    /// refuses such a list unless the host says it authenticated it otherwise
    /// ([`QesPolicy::trust_unsigned_list`](super::qes::QesPolicy)). See
    /// [`from_signed_xml`](Self::from_signed_xml).
    ///
    /// Errors: [`ErrorKind::MalformedEncoding`](crate::ErrorKind) for XML that is not
    /// well-formed (or has a DTD), another root element, a missing or non-numeric `Версия`, or
    /// a bad date or key identifier (the field names the element);
    /// [`ErrorKind::UnsupportedAlgorithm`](crate::ErrorKind) for the older ETSI-style list.
    pub fn from_xml(xml: &[u8]) -> Result<TrustedList> {
        parse(xml)
    }

    /// Reads the list from a file, streaming, **without verifying its signature** (see
    /// [`from_xml`](Self::from_xml)).
    ///
    /// Errors: [`ErrorKind::Io`](crate::ErrorKind), and those of [`from_xml`](Self::from_xml).
    pub fn load(path: impl AsRef<std::path::Path>) -> Result<TrustedList> {
        parse(open(path.as_ref())?)
    }

    /// Reads a list signed by the Ministry: verifies its enveloped XMLDSig
    /// ([`crate::xmldsig`]: GOST R 34.10-2012, canonicalisation, digest, one reference covering
    /// the whole document), builds the signer's certificate path to one of `ministry` (the
    /// Ministry's root or its signing certificate, as the host pins it) valid at `at`, and reads
    /// the content the signature covers. The list then carries its [`ListSignature`].
    ///
    /// Errors: those of [`from_xml`](Self::from_xml) for a document that is not the list;
    /// [`ErrorKind::BadSignature`](crate::ErrorKind) (no signature, or a signature that does
    /// not verify), [`ErrorKind::ContentAltered`](crate::ErrorKind) (the list was changed after
    /// signing), [`ErrorKind::UnsupportedAlgorithm`](crate::ErrorKind) and
    /// [`ErrorKind::MalformedEncoding`](crate::ErrorKind) (a signature outside the profile:
    /// another algorithm, a second signature, a reference to part of the document),
    /// [`ErrorKind::KeyUsageNotAllowed`](crate::ErrorKind), and the path errors for the signer
    /// ([`ErrorKind::UntrustedIssuer`](crate::ErrorKind), [`ErrorKind::Expired`](crate::ErrorKind),
    /// ...).
    pub fn from_signed_xml(
        xml: &[u8],
        ministry: &[Certificate],
        at: OffsetDateTime,
    ) -> Result<TrustedList> {
        check_root(xml)?;
        read_signed(xml, || Ok(xml), ministry, at)
    }

    /// [`from_signed_xml`](Self::from_signed_xml) from a file, streaming: the file is read
    /// twice (the signature, then the digest and the content at once), so memory does not grow
    /// with it, and what is read is what the digest covered.
    ///
    /// Errors: [`ErrorKind::Io`](crate::ErrorKind), and those of
    /// [`from_signed_xml`](Self::from_signed_xml).
    pub fn load_signed(
        path: impl AsRef<std::path::Path>,
        ministry: &[Certificate],
        at: OffsetDateTime,
    ) -> Result<TrustedList> {
        let path = path.as_ref();
        check_root(open(path)?)?;
        read_signed(open(path)?, || open(path), ministry, at)
    }

    /// The verified signature, for a list read by [`from_signed_xml`](Self::from_signed_xml)
    /// or [`load_signed`](Self::load_signed); `None` for one read without verifying.
    pub fn signature(&self) -> Option<&ListSignature> {
        self.signature.as_ref()
    }

    /// The CA holding the key with this identifier (compared as bytes, so hex case does not
    /// matter), with the key.
    pub fn find_key(&self, key_id: &[u8]) -> Option<(&AccreditedCa, &CaKey)> {
        self.cas
            .iter()
            .find_map(|ca| ca.keys.iter().find(|k| k.key_id == key_id).map(|k| (ca, k)))
    }

    /// Refuses a list older than one already loaded (its `Версия` lower than `previous`).
    ///
    /// Errors: [`ErrorKind::InvalidInput`](crate::ErrorKind) naming `Версия`.
    pub fn check_not_older_than(&self, previous: u64) -> Result<()> {
        if self.version < previous {
            return Err(Error::invalid_field(
                "Версия",
                format!(
                    "list version {} is older than the one loaded before ({previous})",
                    self.version
                ),
            ));
        }
        Ok(())
    }
}

fn bad(field: &str, what: impl std::fmt::Display) -> Error {
    Error::malformed(format!("accredited CA list, {field}: {what}")).with_field(field)
}

/// Parses `xs:dateTime` (or `xs:date`): `YYYY-MM-DD[THH:MM:SS[.fraction]][Z|±HH:MM]`; no
/// offset means Moscow time. `None` also for an instant after 9999-12-31T23:59:59 UTC
/// (`9999-12-31T23:59:59-23:59`), which `time` could not convert later.
pub fn parse_xs_datetime(s: &str) -> Option<OffsetDateTime> {
    let s = s.trim();
    let (date, rest) = if s.len() >= 10 && s.is_char_boundary(10) {
        s.split_at(10)
    } else {
        return None;
    };
    let d = crate::calendar::parse_date(date).ok()?;
    let (time_part, offset_part) = match rest.strip_prefix('T') {
        None => ("", rest),
        Some(r) => {
            let end = r.find(['Z', '+', '-']).unwrap_or(r.len());
            r.split_at(end)
        }
    };
    let t = if time_part.is_empty() {
        if rest.starts_with('T') {
            return None;
        }
        Time::MIDNIGHT
    } else {
        let (hms, frac) = match time_part.split_once('.') {
            Some((a, b)) => (a, Some(b)),
            None => (time_part, None),
        };
        let parts: Vec<&str> = hms.split(':').collect();
        if parts.len() != 3 || parts.iter().any(|p| p.len() != 2) {
            return None;
        }
        let n = |p: &str| -> Option<u8> {
            if p.bytes().all(|b| b.is_ascii_digit()) {
                p.parse().ok()
            } else {
                None
            }
        };
        let mut nanos = 0u32;
        if let Some(f) = frac {
            if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            let digits: String = f.chars().take(9).collect();
            nanos = format!("{digits:0<9}").parse().ok()?;
        }
        Time::from_hms_nano(n(parts[0])?, n(parts[1])?, n(parts[2])?, nanos).ok()?
    };
    let offset = match offset_part {
        "" => crate::calendar::MOSCOW,
        "Z" => UtcOffset::UTC,
        o => {
            let sign = o.chars().next()?;
            if sign != '+' && sign != '-' {
                return None;
            }
            let (h, m) = o[1..].split_once(':')?;
            if h.len() != 2
                || m.len() != 2
                || !(h.bytes().chain(m.bytes())).all(|b| b.is_ascii_digit())
            {
                return None;
            }
            let (h, m): (i8, i8) = (h.parse().ok()?, m.parse().ok()?);
            let k = if sign == '-' { -1 } else { 1 };
            UtcOffset::from_hms(k * h, k * m, 0).ok()?
        }
    };
    crate::calendar::representable(PrimitiveDateTime::new(d, t).assume_offset(offset))
}

fn date_of(field: &str, text: &str) -> Result<OffsetDateTime> {
    parse_xs_datetime(text).ok_or_else(|| bad(field, format!("\"{text}\" is not a date")))
}

fn hex_id(field: &str, text: &str) -> Result<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    hex::decode(&compact).map_err(|_| bad(field, "not a hexadecimal key identifier"))
}

fn open(path: &std::path::Path) -> Result<std::io::BufReader<std::fs::File>> {
    let f = std::fs::File::open(path).map_err(|e| Error::from(e).context(path.display()))?;
    Ok(std::io::BufReader::new(f))
}

/// Refuses a document that is not the Ministry's list before its signature is looked at, so
/// that the error says what the document is.
fn check_root<R: BufRead>(input: R) -> Result<()> {
    let mut reader = XmlReader::new(input);
    while let Some(node) = reader.read_node()? {
        if let Node::Start(e) = node {
            if e.name.local == ROOT {
                return Ok(());
            }
            // Read on, for the error that names the document.
            let mut model = Model::default();
            model.node(&Node::Start(e), 1)?;
            while let Some(n) = reader.read_node()? {
                model.node(&n, reader.depth())?;
            }
            return model.finish().map(|_| ());
        }
    }
    Err(bad("root", format!("no <{ROOT}>")))
}

fn read_signed<R1: BufRead, R2: BufRead>(
    first: R1,
    second: impl FnOnce() -> Result<R2>,
    ministry: &[Certificate],
    at: OffsetDateTime,
) -> Result<TrustedList> {
    let mut model = Model::default();
    let mut observer = Deferred {
        model: &mut model,
        error: None,
    };
    let verified = xmldsig::verify_streams(first, second, ministry, &mut observer)
        .map_err(|e| e.context("the list's signature"))?;
    if let Some(e) = observer.error {
        return Err(e);
    }
    let chain =
        build_chain(&verified.signer, &verified.certificates, ministry, at).map_err(|e| {
            e.context(format_args!(
                "the list's signer \"{}\" is not trusted as the Ministry",
                verified.signer.subject()
            ))
        })?;
    let mut list = model.finish()?;
    list.signature = Some(ListSignature {
        verified,
        chain: chain.certificates().to_vec(),
    });
    Ok(list)
}

/// The model during a verification: its first error waits until the digest has been checked,
/// so that a changed list is reported as changed.
struct Deferred<'a> {
    model: &'a mut Model,
    error: Option<Error>,
}

impl Observer for Deferred<'_> {
    fn node(&mut self, node: &Node, depth: usize) {
        if self.error.is_none()
            && let Err(e) = self.model.node(node, depth)
        {
            self.error = Some(e);
        }
    }
}

/// Reads without verifying: the XMLDSig `Signature` elements are skipped.
fn parse<R: BufRead>(input: R) -> Result<TrustedList> {
    let mut reader = XmlReader::new(input);
    let mut model = Model::default();
    let mut skip_from: Option<usize> = None;
    while let Some(node) = reader.read_node()? {
        let depth = reader.depth();
        if let Some(d) = skip_from {
            if matches!(node, Node::End) && depth < d {
                skip_from = None;
            }
            continue;
        }
        if let Node::Start(e) = &node
            && e.is(xmldsig::NS, "Signature")
        {
            skip_from = Some(depth);
            continue;
        }
        model.node(&node, depth)?;
    }
    model.finish()
}

/// What the parser is filling in.
#[derive(Default)]
struct State {
    list: TrustedList,
    saw_version: bool,
    ca: Option<AccreditedCa>,
    status: Option<(Option<String>, Option<OffsetDateTime>)>,
    key: Option<CaKey>,
    cert: Option<CaCertificate>,
}

/// The list's model, built node by node.
#[derive(Default)]
struct Model {
    st: State,
    stack: Vec<String>,
    text: String,
    root_seen: bool,
    etsi: Option<Etsi>,
}

/// What an ETSI-style list says about itself, for the error that refuses it.
#[derive(Default)]
struct Etsi {
    sequence: Option<String>,
    issued: Option<String>,
    name: Option<String>,
}

impl Model {
    fn node(&mut self, node: &Node, depth: usize) -> Result<()> {
        match node {
            Node::Start(e) => {
                let name = e.name.local.clone();
                if depth == 1 {
                    if e.name.local == "TrustStatusList"
                        && ETSI_NAMESPACES.contains(&e.namespace.as_str())
                    {
                        self.etsi = Some(Etsi::default());
                    } else if name != ROOT {
                        return Err(bad("root", format!("<{name}> is not <{ROOT}>")));
                    }
                    self.root_seen = true;
                }
                if self.etsi.is_none() {
                    open_element(&mut self.st, &self.stack, &name);
                }
                self.stack.push(name);
                self.text.clear();
            }
            Node::End => {
                if let Some(etsi) = self.etsi.as_mut() {
                    let v = self.text.trim();
                    let v = (!v.is_empty()).then(|| v.to_owned());
                    match (parent(&self.stack, 2), parent(&self.stack, 1)) {
                        ("SchemeInformation", "TSLSequenceNumber") => etsi.sequence = v,
                        ("SchemeInformation", "ListIssueDateTime") => etsi.issued = v,
                        ("SchemeName", "Name") => {
                            etsi.name.get_or_insert(v.unwrap_or_default());
                        }
                        (_, "SchemeInformation") => return Err(etsi_refused(etsi)),
                        _ => {}
                    }
                } else {
                    close(&mut self.st, &self.stack, &self.text)?;
                }
                self.stack.pop();
                self.text.clear();
            }
            Node::Text(t) => self.text.push_str(t),
            Node::Comment(_) | Node::Pi { .. } => {}
        }
        Ok(())
    }

    fn finish(self) -> Result<TrustedList> {
        if let Some(etsi) = &self.etsi {
            return Err(etsi_refused(etsi));
        }
        if !self.root_seen {
            return Err(bad("root", format!("no <{ROOT}>")));
        }
        if !self.st.saw_version {
            return Err(bad("Версия", "missing"));
        }
        Ok(self.st.list)
    }
}

fn etsi_refused(etsi: &Etsi) -> Error {
    let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "?".into());
    Error::new(
        ErrorKind::UnsupportedAlgorithm,
        format!(
            "an ETSI TS 102 231 trust-service status list («{}», sequence {}, issued {}), not \
             the Ministry's list of accredited CAs (<{ROOT}>): that older format is not read \
             (see ARCHITECTURE, \"The accredited-CA list\")",
            opt(&etsi.name),
            opt(&etsi.sequence),
            opt(&etsi.issued)
        ),
    )
    .with_field("root")
}

fn parent(stack: &[String], back: usize) -> &str {
    stack
        .len()
        .checked_sub(back)
        .and_then(|i| stack.get(i))
        .map(String::as_str)
        .unwrap_or("")
}

/// An element `name` opens under `stack`.
fn open_element(st: &mut State, stack: &[String], name: &str) {
    let p = parent(stack, 1);
    match (p, name) {
        ("АккредитованныеУдостоверяющиеЦентры", "УдостоверяющийЦентр") => {
            st.ca = Some(AccreditedCa::default())
        }
        ("УдостоверяющийЦентр", "СтатусАккредитации")
        | ("ИсторияСтатусовАккредитации", "СтатусАккредитации") => {
            st.status = Some((None, None))
        }
        ("КлючиУполномоченныхЛиц", "Ключ") => {
            st.key = Some(CaKey::default())
        }
        ("Сертификаты", "ДанныеСертификата") => {
            st.cert = Some(CaCertificate::default())
        }
        _ => {}
    }
}

/// The innermost element of `stack` closes with `text`.
fn close(st: &mut State, stack: &[String], text: &str) -> Result<()> {
    let name = parent(stack, 1);
    let p = parent(stack, 2);
    let gp = parent(stack, 3);
    let v = text.trim();
    let opt = || (!v.is_empty()).then(|| v.to_owned());
    match (gp, p, name) {
        (_, "АккредитованныеУдостоверяющиеЦентры", "Версия") =>
        {
            st.list.version = v
                .parse()
                .map_err(|_| bad("Версия", format!("\"{v}\" is not a number")))?;
            st.saw_version = true;
        }
        (_, "АккредитованныеУдостоверяющиеЦентры", "Дата") => {
            st.list.date = Some(date_of("Дата", v)?)
        }
        (_, "АккредитованныеУдостоверяющиеЦентры", "УдостоверяющийЦентр") => {
            if let Some(ca) = st.ca.take() {
                st.list.cas.push(ca);
            }
        }
        (_, "УдостоверяющийЦентр", "СтатусАккредитации") => {
            if let Some(s) = take_status(st)?
                && let Some(ca) = st.ca.as_mut()
            {
                ca.status = Some(s);
            }
        }
        (_, "УдостоверяющийЦентр", field) => {
            if let Some(ca) = st.ca.as_mut() {
                match field {
                    "Название" => ca.name = v.to_owned(),
                    "КраткоеНазвание" => ca.short_name = opt(),
                    "ИНН" => ca.inn = opt(),
                    "ОГРН" => ca.ogrn = opt(),
                    "РеестровыйНомер" => ca.registry_number = opt(),
                    _ => {}
                }
            }
        }
        (_, "ИсторияСтатусовАккредитации", "СтатусАккредитации") => {
            if let Some(s) = take_status(st)?
                && let Some(ca) = st.ca.as_mut()
            {
                ca.history.push(s);
            }
        }
        (_, "СтатусАккредитации", "Статус") => {
            if let Some(s) = st.status.as_mut() {
                s.0 = opt();
            }
        }
        (_, "СтатусАккредитации", "ДействуетС") => {
            let d = date_of("ДействуетС", v)?;
            if let Some(s) = st.status.as_mut() {
                s.1 = Some(d);
            }
        }
        (_, "КлючиУполномоченныхЛиц", "Ключ") => {
            if let (Some(k), Some(ca)) = (st.key.take(), st.ca.as_mut()) {
                ca.keys.push(k);
            }
        }
        (_, "Ключ", "ИдентификаторКлюча") => {
            let id = hex_id("ИдентификаторКлюча", v)?;
            if let Some(k) = st.key.as_mut() {
                k.key_id = id;
            }
        }
        ("Ключ", "АдресаСписковОтзыва", "Адрес") => {
            if let (Some(k), Some(a)) = (st.key.as_mut(), opt()) {
                k.crl_urls.push(a);
            }
        }
        (_, "Сертификаты", "ДанныеСертификата") => {
            if let (Some(c), Some(k)) = (st.cert.take(), st.key.as_mut()) {
                k.certificates.push(c);
            }
        }
        (_, "ДанныеСертификата", field) => {
            let date = match field {
                "ПериодДействияС" | "ПериодДействияДо" if !v.is_empty() => {
                    Some(date_of(field, v)?)
                }
                _ => None,
            };
            if let Some(c) = st.cert.as_mut() {
                match field {
                    "Отпечаток" => c.thumbprint = opt(),
                    "КемВыдан" => c.issued_by = opt(),
                    "КомуВыдан" => c.issued_to = opt(),
                    "СерийныйНомер" => c.serial = opt(),
                    "ПериодДействияС" => c.not_before = date,
                    "ПериодДействияДо" => c.not_after = date,
                    "Данные" => {
                        let compact: Vec<u8> =
                            v.bytes().filter(|b| !b.is_ascii_whitespace()).collect();
                        c.der =
                            base64ct::Base64::decode_vec(&String::from_utf8_lossy(&compact)).ok();
                    }
                    _ => {}
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn take_status(st: &mut State) -> Result<Option<AccreditationStatus>> {
    match st.status.take() {
        Some((Some(status), Some(since))) => Ok(Some(AccreditationStatus { status, since })),
        Some((None, _)) => Err(bad("Статус", "a status without its word")),
        Some((_, None)) => Err(bad("ДействуетС", "a status without its date")),
        None => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    #[test]
    fn xs_datetimes() {
        assert_eq!(
            parse_xs_datetime("2021-07-01T00:00:00").unwrap(),
            datetime!(2021-07-01 00:00 +03:00)
        );
        assert_eq!(
            parse_xs_datetime("2023-03-22T15:51:05.4539312+03:00").unwrap(),
            datetime!(2023-03-22 15:51:05.4539312 +03:00)
        );
        assert_eq!(
            parse_xs_datetime("2020-12-31T21:00:00Z").unwrap(),
            datetime!(2021-01-01 00:00 +03:00)
        );
        assert_eq!(
            parse_xs_datetime("2020-12-31").unwrap(),
            datetime!(2020-12-31 00:00 +03:00)
        );
        assert_eq!(
            parse_xs_datetime("2020-12-31T10:00:00-05:30").unwrap(),
            datetime!(2020-12-31 15:30 UTC)
        );
        for bad in [
            "",
            "2020",
            "2020-13-01",
            "2020-12-31T",
            "2020-12-31T1:00:00",
            "2020-12-31T10:00:00+3",
            "2020-12-31T10:00:00.",
            "2020-12-31T10:00:00+ab:cd",
            "ДействуетС-0",
            "2020-12-31T25:00:00",
            // Issue 13 defect 1: a UTC instant past year 9999.
            "9999-12-31T23:59:59-23:59",
            "9999-12-31T22:00:00-02:00",
        ] {
            assert!(parse_xs_datetime(bad).is_none(), "{bad}");
        }
        assert_eq!(
            parse_xs_datetime("9999-12-31T20:59:59").unwrap(),
            datetime!(9999-12-31 17:59:59 UTC)
        );
        let early = parse_xs_datetime("0000-01-01T00:00:00+23:59").unwrap();
        assert_eq!(early.to_offset(UtcOffset::UTC).year(), -1);
    }
}
