//! XML signatures (W3C XML Signature Syntax and Processing, "XMLDSig") of the one kind the
//! bank meets: an *enveloped* signature over a whole document with GOST R 34.10-2012 and
//! GOST R 34.11-2012 (Streebog), as the Ministry signs its list of accredited CAs
//! (`TSLExt.xml`, CryptoPro) and as xmlsec signs with OpenSSL's gost engine.
//!
//! The profile, and why it is narrow (XML signature wrapping lives in what a verifier lets
//! a signature point at):
//! - exactly one `Signature` element in the XMLDSig namespace, a child of the root element;
//!   a second one anywhere is refused;
//! - exactly one `Reference`, and it covers the whole document: `URI=""`, or `URI="#id"`
//!   naming the root element by an `Id`/`ID`/`id` attribute no other element carries; its
//!   transforms are the enveloped-signature transform, optionally followed by one
//!   canonicalisation; so the bytes a verified signature covers are the bytes the caller reads
//!   next, less the `Signature` element itself (which the caller must not read as data);
//! - canonicalisation: Canonical XML 1.0 or Exclusive XML Canonicalization 1.0, with or without
//!   comments ([`crate::xml::c14n`]); signature: [`GOSTR34102012_256`] / [`GOSTR34102012_512`]
//!   (CryptoPro's URIs, which xmlsec uses too), digest [`GOSTR34112012_256`] /
//!   [`GOSTR34112012_512`]; the signature value is s‖r as in CMS (RFC 4491), the digest value
//!   the Streebog output as OpenSSL gives it;
//! - the signer's certificate comes from `KeyInfo/X509Data/X509Certificate` (or is given by
//!   the caller); whether it is trusted is the caller's question ([`crate::bank::tsl`] builds
//!   its chain to the Ministry's root).
//!
//! The document is read twice, streaming ([`crate::xml::XmlReader`]): once for the `Signature`
//! (held in memory, at most [`MAX_SIGNATURE_BYTES`]), then for the digest, so memory does not
//! grow with the document.

use std::io::BufRead;

use base64ct::Encoding;
use spki::AlgorithmIdentifierOwned;

use crate::gost::streebog::Streebog;
use crate::key::{KeyAlgorithm, Signer};
use crate::pki::Certificate;
use crate::xml::c14n::{Canonicalizer, Method, Sink};
use crate::xml::{Element, Node, XmlReader};
use crate::{Error, ErrorKind, Result, oid};

/// The XMLDSig namespace.
pub const NS: &str = "http://www.w3.org/2000/09/xmldsig#";
/// The enveloped-signature transform.
pub const ENVELOPED_SIGNATURE: &str = "http://www.w3.org/2000/09/xmldsig#enveloped-signature";
/// GOST R 34.10-2012 with a 256-bit key over GOST R 34.11-2012 256 (CryptoPro's URI).
pub const GOSTR34102012_256: &str =
    "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-256";
/// GOST R 34.10-2012 with a 512-bit key over GOST R 34.11-2012 512.
pub const GOSTR34102012_512: &str =
    "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34102012-gostr34112012-512";
/// GOST R 34.11-2012 (Streebog) 256.
pub const GOSTR34112012_256: &str = "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-256";
/// GOST R 34.11-2012 (Streebog) 512.
pub const GOSTR34112012_512: &str = "urn:ietf:params:xml:ns:cpxmlsec:algorithms:gostr34112012-512";

/// The largest `Signature` element read (its certificates included).
pub const MAX_SIGNATURE_BYTES: usize = 1 << 20;

/// The most prefixes an `InclusiveNamespaces PrefixList` may name (each costs a look-up per
/// element canonicalised).
const MAX_INCLUSIVE_PREFIXES: usize = 64;

const EXC_C14N_NS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
const MANIFEST_TYPE: &str = "http://www.w3.org/2000/09/xmldsig#Manifest";

/// What a verified enveloped signature rests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verified {
    /// The certificate whose key verified the signature.
    pub signer: Certificate,
    /// The certificates of `KeyInfo`, in document order (the signer's among them when it came
    /// from there).
    pub certificates: Vec<Certificate>,
    /// The `CanonicalizationMethod` of `SignedInfo`.
    pub canonicalization: String,
    /// The `SignatureMethod`.
    pub signature_method: String,
    /// The `DigestMethod` of the reference.
    pub digest_method: String,
    /// The reference's `URI` (`""` or `#id`).
    pub reference_uri: String,
}

/// How [`sign_enveloped`] signs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignOptions {
    /// The canonicalisation of `SignedInfo`, and of the document when exclusive (then named in
    /// a `Transform`); Canonical XML 1.0 by default, as the Ministry's list has it.
    pub canonicalization: Method,
    /// More certificates for `KeyInfo` after the signer's (its chain, for verifiers that do
    /// not have it).
    pub certificates: Vec<Certificate>,
}

impl Default for SignOptions {
    fn default() -> Self {
        SignOptions {
            canonicalization: Method::c14n(),
            certificates: Vec::new(),
        }
    }
}

/// Sees the nodes of the document outside the `Signature` element during the digest pass of
/// a verification: a reader of the content reads exactly what the digest covers.
pub(crate) trait Observer {
    /// A node, with the reader's depth after it (a start tag counts itself).
    fn node(&mut self, node: &Node, depth: usize);
}

impl Observer for () {
    fn node(&mut self, _: &Node, _: usize) {}
}

fn malformed(what: impl std::fmt::Display) -> Error {
    Error::malformed(format!("XML signature: {what}"))
}

/// Verifies the enveloped signature of `xml` (see the module documentation for what is
/// accepted): the signature over the canonical `SignedInfo` with the key of a certificate of
/// `KeyInfo` or, failing those, of `signers`; then the digest of the document.
///
/// Trust in the signer is not judged here.
///
/// Errors: [`ErrorKind::BadSignature`] (no signature, or one no candidate key verifies),
/// [`ErrorKind::SignerCertificateMissing`] (no certificate to try), [`ErrorKind::KeyMismatch`]
/// (the signature method does not fit the key), [`ErrorKind::ContentAltered`] (the document
/// is not what was signed), [`ErrorKind::UnsupportedAlgorithm`] (an algorithm, transform or
/// reference form outside the profile), [`ErrorKind::MalformedEncoding`] (XML or structure).
pub fn verify_enveloped(xml: &[u8], signers: &[Certificate]) -> Result<Verified> {
    verify_streams(xml, || Ok(xml), signers, &mut ())
}

/// [`verify_enveloped`] over two readings of one document: `first` for the signature, then
/// `second()` for the digest, whose nodes outside the signature `observer` sees.
pub(crate) fn verify_streams<R1: BufRead, R2: BufRead>(
    first: R1,
    second: impl FnOnce() -> Result<R2>,
    signers: &[Certificate],
    observer: &mut dyn Observer,
) -> Result<Verified> {
    let sig = read_signature(first)?;
    let signer = verify_signed_info(&sig, signers)?;
    let digest = digest_document(second()?, &sig.reference, observer)?;
    if digest != sig.reference.value {
        return Err(Error::new(
            ErrorKind::ContentAltered,
            "XML signature: the document's digest is not the signed DigestValue: it was changed \
             after signing",
        ));
    }
    Ok(Verified {
        signer,
        certificates: sig.certificates,
        canonicalization: sig.canonicalization.uri().to_owned(),
        signature_method: sig.signature_method.to_owned(),
        digest_method: sig.reference.digest.uri().to_owned(),
        reference_uri: sig.reference.uri,
    })
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Digest {
    Streebog256,
    Streebog512,
}

impl Digest {
    fn from_uri(uri: &str) -> Option<Digest> {
        match uri {
            GOSTR34112012_256 => Some(Digest::Streebog256),
            GOSTR34112012_512 => Some(Digest::Streebog512),
            _ => None,
        }
    }

    fn uri(self) -> &'static str {
        match self {
            Digest::Streebog256 => GOSTR34112012_256,
            Digest::Streebog512 => GOSTR34112012_512,
        }
    }

    fn hasher(self) -> Hasher {
        match self {
            Digest::Streebog256 => Hasher::S256(Streebog::new()),
            Digest::Streebog512 => Hasher::S512(Streebog::new()),
        }
    }
}

enum Hasher {
    S256(Streebog<32>),
    S512(Streebog<64>),
}

impl Sink for Hasher {
    fn put(&mut self, bytes: &[u8]) {
        match self {
            Hasher::S256(h) => h.update(bytes),
            Hasher::S512(h) => h.update(bytes),
        }
    }
}

impl Hasher {
    fn finalize(self) -> Vec<u8> {
        match self {
            Hasher::S256(h) => h.finalize().to_vec(),
            Hasher::S512(h) => h.finalize().to_vec(),
        }
    }
}

struct Reference {
    uri: String,
    /// The canonicalisation of the referenced node-set.
    method: Method,
    digest: Digest,
    value: Vec<u8>,
}

struct Signature {
    canonicalization: Method,
    signature_method: &'static str,
    reference: Reference,
    value: Vec<u8>,
    certificates: Vec<Certificate>,
    /// The canonical `SignedInfo`.
    signed_info: Vec<u8>,
}

/// A node of the recorded `Signature`, with the scope of a start tag.
struct Recorded {
    node: Node,
    in_scope: Vec<(String, String)>,
    inherited_xml: Vec<(String, String)>,
}

/// The recorded `Signature` as a small tree.
struct Tree {
    element: Element,
    /// Index of the start tag in the recording.
    at: usize,
    children: Vec<Child>,
}

enum Child {
    Element(Tree),
    Text(String),
    Other,
}

impl Tree {
    fn build(rec: &[Recorded]) -> Result<Tree> {
        let mut stack: Vec<Tree> = Vec::new();
        for (i, r) in rec.iter().enumerate() {
            match &r.node {
                Node::Start(e) => stack.push(Tree {
                    element: e.clone(),
                    at: i,
                    children: Vec::new(),
                }),
                Node::End => {
                    let done = stack
                        .pop()
                        .ok_or_else(|| malformed("unbalanced recording"))?;
                    match stack.last_mut() {
                        Some(parent) => parent.children.push(Child::Element(done)),
                        None => return Ok(done),
                    }
                }
                Node::Text(t) => {
                    if let Some(top) = stack.last_mut() {
                        top.children.push(Child::Text(t.clone()));
                    }
                }
                Node::Comment(_) | Node::Pi { .. } => {
                    if let Some(top) = stack.last_mut() {
                        top.children.push(Child::Other);
                    }
                }
            }
        }
        Err(malformed("the Signature element is not closed"))
    }

    fn name(&self) -> String {
        self.element.name.qualified()
    }

    /// The child elements; text other than white space between them is an error.
    fn elements(&self) -> Result<Vec<&Tree>> {
        let mut out = Vec::new();
        for c in &self.children {
            match c {
                Child::Element(t) => out.push(t),
                Child::Text(s) if s.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r')) => {}
                Child::Text(_) => {
                    return Err(malformed(format_args!("text inside <{}>", self.name())));
                }
                Child::Other => {}
            }
        }
        Ok(out)
    }

    /// The text content; a child element is an error.
    fn text(&self) -> Result<String> {
        let mut s = String::new();
        for c in &self.children {
            match c {
                Child::Text(t) => s.push_str(t),
                Child::Element(t) => {
                    return Err(malformed(format_args!(
                        "<{}> inside <{}>",
                        t.name(),
                        self.name()
                    )));
                }
                Child::Other => {}
            }
        }
        Ok(s)
    }

    fn algorithm(&self) -> Result<&str> {
        self.element
            .attribute("Algorithm")
            .ok_or_else(|| malformed(format_args!("<{}> names no Algorithm", self.name())))
    }

    fn is(&self, local: &str) -> bool {
        self.element.is(NS, local)
    }
}

fn base64(what: &str, text: &str) -> Result<Vec<u8>> {
    let compact: String = text.chars().filter(|c| !c.is_ascii_whitespace()).collect();
    base64ct::Base64::decode_vec(&compact)
        .map_err(|_| malformed(format_args!("{what} is not base64")))
}

/// Pass one: the `Signature` element, recorded and interpreted; the canonical `SignedInfo`.
fn read_signature<R: BufRead>(input: R) -> Result<Signature> {
    let mut reader = XmlReader::new(input);
    let mut recording: Vec<Recorded> = Vec::new();
    let mut inside = false;
    let mut found = 0usize;
    let mut size = 0usize;
    while let Some(node) = reader.read_node()? {
        let depth = reader.depth();
        if let Node::Start(e) = &node
            && e.is(NS, "Signature")
        {
            found += 1;
            if found > 1 {
                return Err(malformed(format_args!(
                    "a second Signature element at byte {}: one signature over the whole \
                     document is accepted",
                    e.offset
                )));
            }
            if depth != 2 {
                return Err(malformed(format_args!(
                    "the Signature element at byte {} is not a child of the root element: not an \
                     enveloped signature of the document",
                    e.offset
                )));
            }
            inside = true;
        }
        if !inside {
            continue;
        }
        size += match &node {
            Node::Start(e) => {
                64 + e.name.local.len()
                    + e.attributes
                        .iter()
                        .map(|a| a.value.len() + 16)
                        .sum::<usize>()
                    + e.declarations
                        .iter()
                        .map(|(p, u)| p.len() + u.len())
                        .sum::<usize>()
            }
            Node::End => 8,
            Node::Text(t) | Node::Comment(t) => t.len(),
            Node::Pi { target, data } => target.len() + data.len(),
        };
        if size > MAX_SIGNATURE_BYTES {
            return Err(malformed(format_args!(
                "the Signature element is larger than {MAX_SIGNATURE_BYTES} bytes"
            )));
        }
        // The scope of SignedInfo, the apex of its canonical form (Signature is at depth 2).
        let (in_scope, inherited_xml) = match &node {
            Node::Start(e) if depth == 3 && e.is(NS, "SignedInfo") => {
                (reader.in_scope(), reader.inherited_xml_attributes())
            }
            _ => (Vec::new(), Vec::new()),
        };
        let closes = matches!(node, Node::End) && depth == 1;
        recording.push(Recorded {
            node,
            in_scope,
            inherited_xml,
        });
        if closes {
            inside = false;
        }
    }
    if found == 0 {
        return Err(Error::bad_signature(
            "the document is not signed: it has no Signature element of the XMLDSig namespace",
        ));
    }
    interpret(&recording)
}

fn interpret(rec: &[Recorded]) -> Result<Signature> {
    let sig = Tree::build(rec)?;
    let parts = sig.elements()?;
    let (signed_info, value, key_info) = match parts.as_slice() {
        [si, sv, rest @ ..] if si.is("SignedInfo") && sv.is("SignatureValue") => {
            let mut key_info = None;
            for (i, t) in rest.iter().enumerate() {
                if t.is("KeyInfo") && i == 0 {
                    key_info = Some(*t);
                } else if !t.is("Object") {
                    return Err(malformed(format_args!(
                        "unexpected <{}> in Signature",
                        t.name()
                    )));
                }
            }
            (*si, *sv, key_info)
        }
        _ => {
            return Err(malformed(
                "Signature must hold SignedInfo, then SignatureValue, then KeyInfo and Objects",
            ));
        }
    };
    let si = signed_info.elements()?;
    let (cm, sm, refs) = match si.as_slice() {
        [cm, sm, refs @ ..]
            if cm.is("CanonicalizationMethod")
                && sm.is("SignatureMethod")
                && refs.iter().all(|r| r.is("Reference")) =>
        {
            (*cm, *sm, refs)
        }
        _ => {
            return Err(malformed(
                "SignedInfo must hold CanonicalizationMethod, SignatureMethod and References",
            ));
        }
    };
    let canonicalization = c14n_method(cm)?;
    let signature_method = match sm.algorithm()? {
        GOSTR34102012_256 => GOSTR34102012_256,
        GOSTR34102012_512 => GOSTR34102012_512,
        other => {
            return Err(Error::unsupported(format!(
                "XML signature: SignatureMethod {other} (GOST R 34.10-2012 is verified)"
            )));
        }
    };
    if !sm.elements()?.is_empty() {
        return Err(malformed("SignatureMethod has parameters"));
    }
    let [reference] = refs else {
        return Err(malformed(format_args!(
            "{} references: one reference to the whole document is accepted",
            refs.len()
        )));
    };
    let reference = read_reference(reference)?;
    let value = base64("SignatureValue", &value.text()?)?;
    let mut certificates = Vec::new();
    if let Some(ki) = key_info {
        for data in ki.elements()?.into_iter().filter(|t| t.is("X509Data")) {
            for c in data
                .elements()?
                .into_iter()
                .filter(|t| t.is("X509Certificate"))
            {
                let der = base64("X509Certificate", &c.text()?)?;
                certificates.push(
                    Certificate::from_der(&der).map_err(|e| e.context("XML signature: KeyInfo"))?,
                );
            }
        }
    }
    // The canonical SignedInfo, in the scope it has in the document.
    let start = signed_info.at;
    let mut c = Canonicalizer::new(&canonicalization, Vec::new());
    let mut depth = 0usize;
    for r in &rec[start..] {
        match &r.node {
            Node::Start(e) => {
                let inherited: &[(String, String)] =
                    if depth == 0 { &r.inherited_xml } else { &[] };
                c.start(e, &r.in_scope, inherited);
                depth += 1;
            }
            Node::End => {
                c.end();
                depth -= 1;
            }
            Node::Text(t) => c.text(t),
            Node::Comment(t) => c.comment(t),
            Node::Pi { target, data } => c.pi(target, data),
        }
        if depth == 0 {
            break;
        }
    }
    let signed_info = c.finish();
    Ok(Signature {
        canonicalization,
        signature_method,
        reference,
        value,
        certificates,
        signed_info,
    })
}

fn c14n_method(t: &Tree) -> Result<Method> {
    let uri = t.algorithm()?;
    let mut m = Method::from_uri(uri).ok_or_else(|| {
        Error::unsupported(format!(
            "XML signature: canonicalisation {uri} (Canonical XML 1.0 and Exclusive XML \
             Canonicalization 1.0 are supported)"
        ))
    })?;
    for p in t.elements()? {
        if m.exclusive && p.element.is(EXC_C14N_NS, "InclusiveNamespaces") {
            let list = p.element.attribute("PrefixList").unwrap_or("");
            m.inclusive_prefixes = list.split_ascii_whitespace().map(str::to_owned).collect();
            if m.inclusive_prefixes.len() > MAX_INCLUSIVE_PREFIXES {
                return Err(malformed(format_args!(
                    "an InclusiveNamespaces PrefixList of more than {MAX_INCLUSIVE_PREFIXES} prefixes"
                )));
            }
        } else {
            return Err(malformed(format_args!(
                "<{}> inside <{}>",
                p.name(),
                t.name()
            )));
        }
    }
    Ok(m)
}

fn read_reference(r: &Tree) -> Result<Reference> {
    let uri = r
        .element
        .attribute("URI")
        .ok_or_else(|| malformed("a Reference without URI"))?
        .to_owned();
    if r.element.attribute("Type") == Some(MANIFEST_TYPE) {
        return Err(Error::unsupported(
            "XML signature: a reference to a Manifest",
        ));
    }
    if !uri.is_empty() {
        let id = uri.strip_prefix('#').unwrap_or("");
        if id.is_empty() || id.contains(['(', ')', '#', ':', ' ']) {
            return Err(Error::unsupported(format!(
                "XML signature: reference URI \"{uri}\" (only \"\" and \"#id\" of the document's \
                 root)"
            )));
        }
    }
    let parts = r.elements()?;
    let (transforms, dm, dv) = match parts.as_slice() {
        [t, dm, dv] if t.is("Transforms") && dm.is("DigestMethod") && dv.is("DigestValue") => {
            (Some(*t), *dm, *dv)
        }
        [dm, dv] if dm.is("DigestMethod") && dv.is("DigestValue") => (None, *dm, *dv),
        _ => {
            return Err(malformed(
                "Reference must hold Transforms, DigestMethod and DigestValue",
            ));
        }
    };
    let transforms = match transforms {
        Some(t) => t.elements()?,
        None => Vec::new(),
    };
    let mut method = Method::c14n();
    match transforms.as_slice() {
        [env, rest @ ..]
            if env.is("Transform")
                && env.algorithm()? == ENVELOPED_SIGNATURE
                && rest.len() <= 1 =>
        {
            if !env.elements()?.is_empty() {
                return Err(malformed(
                    "the enveloped-signature transform has parameters",
                ));
            }
            if let Some(t) = rest.first() {
                if !t.is("Transform") {
                    return Err(malformed(format_args!("<{}> in Transforms", t.name())));
                }
                method = c14n_method(t)?;
            }
        }
        _ => {
            let names: Vec<String> = transforms
                .iter()
                .map(|t| t.element.attribute("Algorithm").unwrap_or("?").to_owned())
                .collect();
            return Err(Error::unsupported(format!(
                "XML signature: transforms [{}] (the enveloped-signature transform, then at most \
                 one canonicalisation, are supported)",
                names.join(", ")
            )));
        }
    }
    // A same-document reference leaves comments out, whatever the canonicalisation says.
    method.with_comments = false;
    let digest = Digest::from_uri(dm.algorithm()?).ok_or_else(|| {
        Error::unsupported(format!(
            "XML signature: DigestMethod {} (GOST R 34.11-2012 is verified)",
            dm.algorithm().unwrap_or("?")
        ))
    })?;
    let value = base64("DigestValue", &dv.text()?)?;
    let want = match digest {
        Digest::Streebog256 => 32,
        Digest::Streebog512 => 64,
    };
    if value.len() != want {
        return Err(malformed(format_args!(
            "a DigestValue of {} bytes for a {want}-byte digest",
            value.len()
        )));
    }
    Ok(Reference {
        uri,
        method,
        digest,
        value,
    })
}

fn signature_algorithm(method: &str) -> AlgorithmIdentifierOwned {
    AlgorithmIdentifierOwned {
        oid: if method == GOSTR34102012_512 {
            oid::SIGN_WITH_DIGEST_GOST3410_12_512
        } else {
            oid::SIGN_WITH_DIGEST_GOST3410_12_256
        },
        parameters: None,
    }
}

/// The signature over the canonical `SignedInfo`: the first candidate whose key verifies it.
fn verify_signed_info(sig: &Signature, signers: &[Certificate]) -> Result<Certificate> {
    let alg = signature_algorithm(sig.signature_method);
    let mut first_error: Option<Error> = None;
    for cert in sig.certificates.iter().chain(signers) {
        match cert
            .public_key()
            .and_then(|k| k.verify(&alg, &sig.signed_info, &sig.value))
        {
            Ok(()) if !cert.may_sign_data() => {
                return Err(Error::new(
                    ErrorKind::KeyUsageNotAllowed,
                    format!(
                        "XML signature: the keyUsage of \"{}\" allows neither digitalSignature \
                         nor nonRepudiation",
                        cert.subject()
                    ),
                ));
            }
            Ok(()) => return Ok(cert.clone()),
            Err(e) => {
                first_error.get_or_insert(
                    e.context(format_args!("XML signature by \"{}\"", cert.subject())),
                );
            }
        }
    }
    Err(first_error.unwrap_or_else(|| {
        Error::new(
            ErrorKind::SignerCertificateMissing,
            "XML signature: KeyInfo holds no certificate and none was given",
        )
    }))
}

fn is_id(a: &crate::xml::Attribute) -> bool {
    a.namespace.is_empty() && matches!(a.name.local.as_str(), "Id" | "ID" | "id")
}

/// Pass two: the digest of the document less the `Signature` element, every other node shown
/// to `observer`.
fn digest_document<R: BufRead>(
    input: R,
    reference: &Reference,
    observer: &mut dyn Observer,
) -> Result<Vec<u8>> {
    let mut reader = XmlReader::new(input);
    let mut c = Canonicalizer::new(&reference.method, reference.digest.hasher());
    let id = reference.uri.strip_prefix('#');
    if id.is_none() {
        c.start_document();
    }
    let mut skipping = false;
    let mut signatures = 0usize;
    let mut id_holders = 0usize;
    let mut root_has_id = false;
    while let Some(node) = reader.read_node()? {
        let depth = reader.depth();
        if skipping {
            if matches!(node, Node::End) && depth == 1 {
                skipping = false;
            }
            continue;
        }
        if let Node::Start(e) = &node {
            if let Some(id) = id
                && e.attributes.iter().any(|a| is_id(a) && a.value == id)
            {
                id_holders += 1;
                root_has_id |= depth == 1;
            }
            if e.is(NS, "Signature") {
                signatures += 1;
                if signatures > 1 || depth != 2 {
                    return Err(malformed(
                        "the document changed between readings: another Signature element",
                    ));
                }
                skipping = true;
                continue;
            }
        }
        observer.node(&node, depth);
        c.feed(&node, &reader);
    }
    if signatures != 1 {
        return Err(malformed(
            "the document changed between readings: no Signature element",
        ));
    }
    if let Some(id) = id
        && (!root_has_id || id_holders != 1)
    {
        return Err(malformed(if root_has_id {
            format!("the reference #{id} names {id_holders} elements (an ID must be unique)")
        } else {
            format!(
                "the reference #{id} is not the root element: the signature does not cover the \
                 whole document"
            )
        }));
    }
    Ok(c.finish().finalize())
}

/// Signs `xml` with an enveloped signature (the profile above): a `Signature` element as the
/// last child of the root, `Reference URI=""`, the enveloped-signature transform,
/// GOST R 34.10-2012 with the Streebog of the key's size, the certificate in `KeyInfo`.
///
/// Errors: [`ErrorKind::InvalidInput`] for a document already signed,
/// [`ErrorKind::KeyMismatch`] when `certificate` is not the signer's,
/// [`ErrorKind::UnsupportedAlgorithm`] for a key other than GOST R 34.10-2012; the reader's
/// and the signer's errors.
pub fn sign_enveloped(
    xml: &[u8],
    signer: &dyn Signer,
    certificate: &Certificate,
    options: &SignOptions,
) -> Result<Vec<u8>> {
    let key = signer.public_key();
    if certificate.public_key_der() != key.to_spki_der().as_slice() {
        return Err(Error::new(
            ErrorKind::KeyMismatch,
            "the certificate given to sign an XML document is not the signing key's",
        ));
    }
    let (method_uri, digest) = match key.algorithm() {
        KeyAlgorithm::Gost(ps) if ps.is_512() => (GOSTR34102012_512, Digest::Streebog512),
        KeyAlgorithm::Gost(_) => (GOSTR34102012_256, Digest::Streebog256),
        other => {
            return Err(Error::unsupported(format!(
                "XML signatures are made with GOST R 34.10-2012, not {}",
                other.name()
            )));
        }
    };
    let c14n = Method {
        with_comments: false,
        ..options.canonicalization.clone()
    };
    // The digest of the document as it is, and where the root element ends.
    let mut reader = XmlReader::new(xml);
    let mut c = Canonicalizer::new(&c14n, digest.hasher());
    c.start_document();
    let mut root: Option<String> = None;
    let mut end_at = 0usize;
    while let Some(node) = reader.read_node()? {
        if let Node::Start(e) = &node {
            if e.is(NS, "Signature") {
                return Err(Error::invalid_field(
                    "xml",
                    "the document already carries an XML signature",
                ));
            }
            root.get_or_insert_with(|| e.name.qualified());
        }
        if matches!(node, Node::End) && reader.depth() == 0 {
            end_at = usize::try_from(reader.position())
                .map_err(|_| Error::invalid_field("xml", "the document is too large"))?;
        }
        c.feed(&node, &reader);
    }
    let root_name = root.ok_or_else(|| malformed("no root element"))?;
    let digest_value = base64ct::Base64::encode_string(&c.finish().finalize());
    let transforms = if c14n.exclusive {
        format!("<Transform Algorithm=\"{}\"/>", c14n.uri())
    } else {
        String::new()
    };
    let mut key_info = String::new();
    for cert in std::iter::once(certificate).chain(&options.certificates) {
        key_info.push_str("<X509Certificate>");
        key_info.push_str(&base64ct::Base64::encode_string(cert.der()));
        key_info.push_str("</X509Certificate>");
    }
    let head = format!(
        "<Signature xmlns=\"{NS}\"><SignedInfo><CanonicalizationMethod Algorithm=\"{}\"/>\
         <SignatureMethod Algorithm=\"{method_uri}\"/><Reference URI=\"\"><Transforms>\
         <Transform Algorithm=\"{ENVELOPED_SIGNATURE}\"/>{transforms}</Transforms>\
         <DigestMethod Algorithm=\"{}\"/><DigestValue>{digest_value}</DigestValue></Reference>\
         </SignedInfo><SignatureValue>",
        c14n.uri(),
        digest.uri()
    );
    let tail =
        format!("</SignatureValue><KeyInfo><X509Data>{key_info}</X509Data></KeyInfo></Signature>");
    let tag_end = xml[..end_at]
        .iter()
        .rposition(|&b| b == b'<')
        .ok_or_else(|| malformed("no end tag"))?;
    let empty_root = xml[tag_end..end_at].ends_with(b"/>") && xml[tag_end + 1] != b'/';
    let (before, after): (Vec<u8>, Vec<u8>) = if empty_root {
        let mut b = xml[..end_at - 2].to_vec();
        b.push(b'>');
        let mut a = format!("</{root_name}>").into_bytes();
        a.extend_from_slice(&xml[end_at..]);
        (b, a)
    } else {
        (xml[..tag_end].to_vec(), xml[tag_end..].to_vec())
    };
    let assemble = |value: &str| -> Vec<u8> {
        let mut out =
            Vec::with_capacity(before.len() + head.len() + tail.len() + after.len() + 200);
        out.extend_from_slice(&before);
        out.extend_from_slice(head.as_bytes());
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(tail.as_bytes());
        out.extend_from_slice(&after);
        out
    };
    // The canonical SignedInfo as a verifier will see it, in its place in the document.
    let unsigned = assemble("");
    let signed_info = read_signature(unsigned.as_slice())?.signed_info;
    let value = signer.sign(&signed_info)?;
    Ok(assemble(&base64ct::Base64::encode_string(&value)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gost::ParamSet;
    use crate::key::SoftwareKey;
    use crate::pki::CertificateBuilder;
    use crate::subject::{AttributeType, Subject};

    fn signer() -> (SoftwareKey, Certificate) {
        let k = SoftwareKey::generate(KeyAlgorithm::Gost(ParamSet::Tc26_256A)).unwrap();
        let now = time::OffsetDateTime::now_utc();
        let cert = CertificateBuilder::new(
            &Subject::new().with(AttributeType::CommonName, "xmldsig"),
            &k.public_key(),
        )
        .unwrap()
        .ca(None)
        .validity(now - time::Duration::days(1), now + time::Duration::days(1))
        .sign(None, &k)
        .unwrap();
        (k, cert)
    }

    #[test]
    fn the_signature_goes_where_a_verifier_finds_it() {
        let (k, cert) = signer();
        // An empty root, a default namespace on the root (the Signature declares its own),
        // nodes around the root, a root with a prefix.
        for doc in [
            "<r/>",
            "<?pi x?><!-- c --><r a='1' />\n<!-- after -->",
            "<r xmlns=\"urn:r\" xmlns:p=\"urn:p\"><p:a>текст</p:a>\n</r>",
            "<p:r xmlns:p=\"urn:p\"><p:a/></p:r>",
        ] {
            for c14n in [Method::c14n(), Method::exclusive()] {
                let options = SignOptions {
                    canonicalization: c14n,
                    ..SignOptions::default()
                };
                let signed = sign_enveloped(doc.as_bytes(), &k, &cert, &options).unwrap();
                let v = verify_enveloped(&signed, &[])
                    .unwrap_or_else(|e| panic!("{doc}: {e}\n{}", String::from_utf8_lossy(&signed)));
                assert_eq!(v.signer, cert);
                // The document less the Signature is the document signed.
                let text = String::from_utf8(signed).unwrap();
                let start = text.find("<Signature").unwrap();
                let end = text.find("</Signature>").unwrap() + "</Signature>".len();
                let without = format!("{}{}", &text[..start], &text[end..]);
                assert_eq!(
                    crate::xml::c14n::canonicalize(without.as_bytes(), &Method::c14n()).unwrap(),
                    crate::xml::c14n::canonicalize(doc.as_bytes(), &Method::c14n()).unwrap(),
                    "{doc}"
                );
            }
        }
    }

    #[test]
    fn a_key_given_by_the_caller_verifies_a_signature_without_key_info() {
        let (k, cert) = signer();
        let signed = sign_enveloped(b"<r>1</r>", &k, &cert, &SignOptions::default()).unwrap();
        let text = String::from_utf8(signed).unwrap();
        let start = text.find("<KeyInfo>").unwrap();
        let end = text.find("</KeyInfo>").unwrap() + "</KeyInfo>".len();
        let bare = format!("{}{}", &text[..start], &text[end..]);
        let e = verify_enveloped(bare.as_bytes(), &[]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::SignerCertificateMissing);
        assert_eq!(
            verify_enveloped(bare.as_bytes(), std::slice::from_ref(&cert))
                .unwrap()
                .signer,
            cert
        );
    }
}
