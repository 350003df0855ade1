//! Read-only views: `repr(C)` structs the library builds once per handle, on first request,
//! and keeps until the handle is freed. Every pointer in a view points into storage the view
//! owns (its [`Arena`]) or into the immutable object the handle holds.
//!
//! Fields are only ever appended to a view struct (the library allocates it, so a newer
//! library's longer struct is harmless to an older program): the versioning promise of
//! ARCHITECTURE "C ABI".

use std::any::Any;

use bankkey::pki::{Extension, Extensions, KeyInfo};
use bankkey::subject::{IdentifierCheck, Subject};

use crate::buf::{Text, bk_slice, bk_str};

/// Storage of a view: the texts and arrays its pointers point into. Moving a box keeps its
/// heap contents in place, so the pointers handed out stay valid while the arena lives.
#[derive(Default)]
pub(crate) struct Arena {
    keep: Vec<Box<dyn Any>>,
}

impl Arena {
    pub fn str(&mut self, s: &str) -> bk_str {
        let t = Text::new(s);
        let c = t.as_c();
        self.keep.push(Box::new(t));
        c
    }

    pub fn opt_str(&mut self, s: Option<&str>) -> bk_str {
        s.map_or(bk_str::NONE, |s| self.str(s))
    }

    pub fn bytes(&mut self, b: Vec<u8>) -> bk_slice {
        let b = b.into_boxed_slice();
        let c = bk_slice::of(&b);
        self.keep.push(Box::new(b));
        c
    }

    /// An array of view structs; `(NULL, 0)` when empty.
    pub fn array<T: 'static>(&mut self, v: Vec<T>) -> (*const T, usize) {
        if v.is_empty() {
            return (std::ptr::null(), 0);
        }
        let b = v.into_boxed_slice();
        let p = (b.as_ptr(), b.len());
        self.keep.push(Box::new(b));
        p
    }

    pub fn strs(&mut self, v: impl IntoIterator<Item = String>) -> (*const bk_str, usize) {
        let items: Vec<bk_str> = v.into_iter().map(|s| self.str(&s)).collect();
        self.array(items)
    }
}

/// A view with its storage.
pub(crate) struct View<T> {
    pub c: T,
    _arena: Arena,
}

// SAFETY: a view is immutable once built; its raw pointers point into its own arena (boxes
// it owns, never mutated) or into the immutable object of the handle that owns the view.
unsafe impl<T> Send for View<T> {}
// SAFETY: as above: shared reads of immutable data.
unsafe impl<T> Sync for View<T> {}

impl<T> View<T> {
    pub fn new(arena: Arena, c: T) -> View<T> {
        View { c, _arena: arena }
    }
}

/// One attribute of a subject or issuer name, in the order of the name.
#[repr(C)]
pub struct bk_attribute {
    /// The attribute type's OID ("2.5.4.3").
    pub oid: bk_str,
    /// The short label Russian certificates use ("CN", "INNLE", "SNILS"), or the dotted OID.
    pub label: bk_str,
    /// The name a Russian viewer shows («Общее имя», «ИНН ЮЛ»); absent for other types.
    pub name_ru: bk_str,
    /// The value as text.
    pub value: bk_str,
    /// The ASN.1 string type as read ("UTF8String", "NumericString", ...).
    pub string_type: bk_str,
}

/// A subject or issuer name.
#[repr(C)]
pub struct bk_name {
    /// The attributes, in order.
    pub attributes: *const bk_attribute,
    /// How many.
    pub count: usize,
    /// The name on one line ("CN=…, O=…, INN=…").
    pub text: bk_str,
}

/// The check of one identifier attribute (INN, INNLE, OGRN, OGRNIP, SNILS).
#[repr(C)]
pub struct bk_identifier_check {
    /// "INN", "INNLE", "OGRN", "OGRNIP" or "SNILS".
    pub label: bk_str,
    /// The value as found.
    pub value: bk_str,
    /// Whether it is well-formed with a right check digit.
    pub valid: bool,
    /// What is wrong, when not valid.
    pub problem: bk_str,
}

/// A public key as a certificate, request or key store holds it.
#[repr(C)]
pub struct bk_key_info {
    /// The key algorithm's stable id ("gost2012-256-cryptopro-a", "gost2012-512-tc26-a",
    /// "rsa-2048", "ecdsa-p256"), as `bk_key_store_generate` takes it; absent when the key is
    /// of an algorithm bankkey does not sign with.
    pub algorithm: bk_str,
    /// A human-readable name ("GOST R 34.10-2012 256 CryptoPro-A"); absent as above.
    pub algorithm_name: bk_str,
    /// The SubjectPublicKeyInfo algorithm OID.
    pub algorithm_oid: bk_str,
    /// The parameter set (GOST publicKeyParamSet or EC curve) OID, when there is one.
    pub parameter_set_oid: bk_str,
    /// Its name ("id-GostR3410-2001-CryptoPro-A-ParamSet", "prime256v1"), when known.
    pub parameter_set_name: bk_str,
    /// SHA-1 of the subjectPublicKey bits (20 bytes): the key identifier (RFC 5280 method 1),
    /// the CKA_ID of a token key set and the file name of a container's.
    pub key_id: bk_slice,
    /// The same in uppercase hex.
    pub key_id_hex: bk_str,
    /// The subjectPublicKey BIT STRING contents (what the paper act prints in hex).
    pub key_bits: bk_slice,
    /// The SubjectPublicKeyInfo DER.
    pub spki: bk_slice,
}

/// The issuer's signature tools (issuerSignTool, 1.2.643.100.112).
#[repr(C)]
pub struct bk_issuer_sign_tool {
    /// signTool: the CIPF the issuer signs with.
    pub sign_tool: bk_str,
    /// cATool: the CA software.
    pub ca_tool: bk_str,
    /// signToolCert: the conformity certificate of signTool.
    pub sign_tool_cert: bk_str,
    /// cAToolCert: the conformity certificate of cATool.
    pub ca_tool_cert: bk_str,
}

/// One extension as read.
#[repr(C)]
pub struct bk_extension {
    /// extnID.
    pub oid: bk_str,
    /// A short name ("keyUsage", "subjectSignTool") or the dotted OID.
    pub name: bk_str,
    /// critical.
    pub critical: bool,
    /// The DER inside extnValue.
    pub der: bk_slice,
}

/// keyUsage bits (`bk_extensions_info.key_usage`), RFC 5280 §4.2.1.3.
pub const BK_KEY_USAGE_DIGITAL_SIGNATURE: u32 = 1 << 0;
/// nonRepudiation (contentCommitment).
pub const BK_KEY_USAGE_NON_REPUDIATION: u32 = 1 << 1;
/// keyEncipherment.
pub const BK_KEY_USAGE_KEY_ENCIPHERMENT: u32 = 1 << 2;
/// dataEncipherment.
pub const BK_KEY_USAGE_DATA_ENCIPHERMENT: u32 = 1 << 3;
/// keyAgreement.
pub const BK_KEY_USAGE_KEY_AGREEMENT: u32 = 1 << 4;
/// keyCertSign.
pub const BK_KEY_USAGE_KEY_CERT_SIGN: u32 = 1 << 5;
/// cRLSign.
pub const BK_KEY_USAGE_CRL_SIGN: u32 = 1 << 6;
/// encipherOnly.
pub const BK_KEY_USAGE_ENCIPHER_ONLY: u32 = 1 << 7;
/// decipherOnly.
pub const BK_KEY_USAGE_DECIPHER_ONLY: u32 = 1 << 8;

/// The extensions of a certificate (or those a request asks for), decoded.
#[repr(C)]
pub struct bk_extensions_info {
    /// Whether keyUsage is present.
    pub has_key_usage: bool,
    /// The keyUsage bits (`BK_KEY_USAGE_*`).
    pub key_usage: u32,
    /// extendedKeyUsage purpose OIDs.
    pub extended_key_usage: *const bk_str,
    /// How many.
    pub extended_key_usage_count: usize,
    /// certificatePolicies OIDs.
    pub policies: *const bk_str,
    /// How many.
    pub policies_count: usize,
    /// The signature-tool classes among the policies («КС1» … «КА1»).
    pub sign_tool_classes: *const bk_str,
    /// How many.
    pub sign_tool_classes_count: usize,
    /// subjectSignTool (the subscriber's CIPF), when present.
    pub subject_sign_tool: bk_str,
    /// Whether issuerSignTool is present.
    pub has_issuer_sign_tool: bool,
    /// issuerSignTool, when present.
    pub issuer_sign_tool: bk_issuer_sign_tool,
    /// identificationKind (0 in person, 1 by a qualified signature, 2 biometric passport,
    /// 3 unified biometric system), or -1 when absent.
    pub identification_kind: i64,
    /// Its description in English, when present.
    pub identification_kind_text: bk_str,
    /// subjectKeyIdentifier, when present.
    pub subject_key_id: bk_slice,
    /// authorityKeyIdentifier's keyIdentifier, when present.
    pub authority_key_id: bk_slice,
    /// basicConstraints cA.
    pub is_ca: bool,
    /// basicConstraints pathLenConstraint, or -1.
    pub path_len: i32,
    /// Every extension in order, decoded or not.
    pub items: *const bk_extension,
    /// How many.
    pub items_count: usize,
}

pub(crate) fn name(a: &mut Arena, s: &Subject) -> bk_name {
    let attrs: Vec<bk_attribute> = s
        .attributes()
        .iter()
        .map(|at| bk_attribute {
            oid: a.str(&at.kind.oid().to_string()),
            label: a.str(&at.kind.label()),
            name_ru: a.opt_str(at.kind.ru()),
            value: a.str(&at.value),
            string_type: a.str(at.string_type.name()),
        })
        .collect();
    let text = a.str(&s.to_string());
    let (attributes, count) = a.array(attrs);
    bk_name {
        attributes,
        count,
        text,
    }
}

pub(crate) fn identifiers(
    a: &mut Arena,
    checks: &[IdentifierCheck],
) -> (*const bk_identifier_check, usize) {
    let v = checks
        .iter()
        .map(|c| bk_identifier_check {
            label: a.str(&c.label),
            value: a.str(&c.value),
            valid: c.valid,
            problem: a.opt_str(c.problem.as_deref()),
        })
        .collect();
    a.array(v)
}

pub(crate) fn key(a: &mut Arena, info: &KeyInfo, spki: &[u8]) -> bk_key_info {
    let alg = bankkey::key::PublicKey::from_spki_der(spki)
        .ok()
        .map(|k| k.algorithm());
    bk_key_info {
        algorithm: a.opt_str(alg.map(|k| k.id()).as_deref()),
        algorithm_name: a.opt_str(alg.map(|k| k.name()).as_deref()),
        algorithm_oid: a.str(&info.algorithm.to_string()),
        parameter_set_oid: a.opt_str(info.parameter_set.map(|o| o.to_string()).as_deref()),
        parameter_set_name: a.opt_str(
            info.parameter_set
                .as_ref()
                .and_then(bankkey::report::parameter_set_name),
        ),
        key_id: a.bytes(info.key_id.to_vec()),
        key_id_hex: a.str(&hex_upper(&info.key_id)),
        key_bits: a.bytes(info.key_bits.clone()),
        spki: a.bytes(spki.to_vec()),
    }
}

fn oids<T: ToString>(v: Option<&[T]>) -> Vec<String> {
    v.unwrap_or_default()
        .iter()
        .map(|o| o.to_string())
        .collect()
}

pub(crate) fn hex_upper(b: &[u8]) -> String {
    const H: &[u8; 16] = b"0123456789ABCDEF";
    let mut s = String::with_capacity(b.len() * 2);
    for x in b {
        s.push(H[(x >> 4) as usize] as char);
        s.push(H[(x & 15) as usize] as char);
    }
    s
}

pub(crate) fn extensions(a: &mut Arena, list: &Extensions) -> bk_extensions_info {
    let mut key_usage = 0;
    let ku = list.key_usage();
    for bit in ku.unwrap_or_default() {
        let i = bankkey::pki::KeyUsageBit::ALL
            .iter()
            .position(|b| b == bit)
            .unwrap_or(0);
        key_usage |= 1 << i;
    }
    let (extended_key_usage, extended_key_usage_count) = a.strs(oids(list.extended_key_usage()));
    let (policies, policies_count) = a.strs(oids(list.policies()));
    let (sign_tool_classes, sign_tool_classes_count) =
        a.strs(list.sign_tool_classes().iter().map(|c| c.name().to_owned()));
    let ist = list.issuer_sign_tool();
    let issuer_sign_tool = bk_issuer_sign_tool {
        sign_tool: a.opt_str(ist.map(|t| t.sign_tool.as_str())),
        ca_tool: a.opt_str(ist.map(|t| t.ca_tool.as_str())),
        sign_tool_cert: a.opt_str(ist.map(|t| t.sign_tool_cert.as_str())),
        ca_tool_cert: a.opt_str(ist.map(|t| t.ca_tool_cert.as_str())),
    };
    let kind = list.identification_kind();
    let (is_ca, path_len) = list.basic_constraints().unwrap_or((false, None));
    let items: Vec<bk_extension> = list
        .iter()
        .map(|e: &Extension| bk_extension {
            oid: a.str(&e.oid.to_string()),
            name: a.str(&e.name()),
            critical: e.critical,
            der: a.bytes(e.der.clone()),
        })
        .collect();
    let (items, items_count) = a.array(items);
    bk_extensions_info {
        has_key_usage: ku.is_some(),
        key_usage,
        extended_key_usage,
        extended_key_usage_count,
        policies,
        policies_count,
        sign_tool_classes,
        sign_tool_classes_count,
        subject_sign_tool: a.opt_str(list.subject_sign_tool()),
        has_issuer_sign_tool: ist.is_some(),
        issuer_sign_tool,
        identification_kind: kind.map_or(-1, |k| k.value()),
        identification_kind_text: a.opt_str(kind.map(|k| k.description())),
        subject_key_id: list
            .subject_key_id()
            .map_or(bk_slice::EMPTY, |b| a.bytes(b.to_vec())),
        authority_key_id: list
            .authority_key_id()
            .map_or(bk_slice::EMPTY, |b| a.bytes(b.to_vec())),
        is_ca,
        path_len: path_len.map_or(-1, i32::from),
        items,
        items_count,
    }
}

/// A `bk_key_info` with every field absent.
pub(crate) fn key_absent() -> bk_key_info {
    bk_key_info {
        algorithm: bk_str::NONE,
        algorithm_name: bk_str::NONE,
        algorithm_oid: bk_str::NONE,
        parameter_set_oid: bk_str::NONE,
        parameter_set_name: bk_str::NONE,
        key_id: bk_slice::EMPTY,
        key_id_hex: bk_str::NONE,
        key_bits: bk_slice::EMPTY,
        spki: bk_slice::EMPTY,
    }
}
