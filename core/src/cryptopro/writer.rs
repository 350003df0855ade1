//! A writer of CryptoPro-style containers, for tests only (the cargo feature
//! `cryptopro-test-writer`, which the package's own tests turn on, or `cfg(test)`): the
//! inverse of the reader, following the same description. A container it writes proves the
//! reader's round trip and its error paths; it proves nothing about CryptoPro itself, which
//! the container CryptoPro CSP 5 wrote (tests/realworld/containers/) and the cross-checks in
//! `docs/ARCHITECTURE.md` do.
#![allow(missing_docs)]

use std::path::Path;

use der::Encode;
use der::asn1::{BitString, ObjectIdentifier, OctetString};
use zeroize::Zeroizing;

use super::kdf::{PinEncoding, kek};
use crate::gost::SigningKey;
use crate::{Result, oid};

/// What to write.
pub struct ContainerSpec<'a> {
    pub key: &'a SigningKey,
    pub pin: &'a str,
    pub pin_encoding: PinEncodingChoice,
    pub name: &'a str,
    pub certificate: Option<&'a [u8]>,
    /// Write primary2.key / masks2.key as well.
    pub reserve: bool,
    /// The key algorithm OID (signature or agreement); `None`: the signature OID.
    pub key_algorithm: Option<ObjectIdentifier>,
}

/// The PIN encodings (the reader's candidates).
#[derive(Clone, Copy, Debug)]
pub enum PinEncodingChoice {
    Utf32,
    Utf8Bytes,
    Cp1251Bytes,
}

fn tlv(tag: u8, value: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    crate::asn1::push_tlv(&[tag], value, &mut out);
    out
}

fn rand<const N: usize>() -> [u8; N] {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).expect("OS random source");
    b
}

/// Writes the container into `dir` (which must exist).
pub fn write(dir: &Path, spec: &ContainerSpec<'_>) -> Result<()> {
    let ps = spec.key.param_set();
    let n = ps.field_len();
    let encoding = match spec.pin_encoding {
        PinEncodingChoice::Utf32 => PinEncoding::Utf32,
        PinEncodingChoice::Utf8Bytes => PinEncoding::Utf8Bytes,
        PinEncodingChoice::Cp1251Bytes => PinEncoding::Cp1251Bytes,
    };
    let pin = encoding
        .spread(spec.pin)
        .ok_or_else(|| crate::Error::invalid_field("pin", "not representable"))?;
    let d = spec.key.to_le_bytes();
    for (primary, masks, write) in [
        ("primary.key", "masks.key", true),
        ("primary2.key", "masks2.key", spec.reserve),
    ] {
        if !write {
            continue;
        }
        let mut mask = Zeroizing::new(vec![0u8; n]);
        getrandom::fill(&mut mask).expect("OS random source");
        mask[n - 1] &= 0x3F; // below q
        let salt: [u8; 12] = rand();
        // d = masked·mask⁻¹, so masked = d·mask.
        let mut masked = crate::gost::unmask_scalar(ps, &d, &mask, false);
        let k = kek(&pin, &salt);
        crate::key::pkcs8::ciphers::gost89_ecb_apply(
            crate::key::pkcs8::ciphers::Gost89Sbox::Tc26Z,
            &k,
            &mut masked,
            false,
        );
        let masks_der = [
            OctetString::new(mask.to_vec())?.to_der()?,
            OctetString::new(salt.to_vec())?.to_der()?,
            OctetString::new(super::header::masks_mac(&mask, &salt).to_vec())?.to_der()?,
        ]
        .concat();
        std::fs::write(dir.join(masks), tlv(0x30, &masks_der))?;
        std::fs::write(
            dir.join(primary),
            tlv(0x30, &OctetString::new(masked.to_vec())?.to_der()?),
        )?;
    }
    // An IA5String tag around the name's UTF-8 bytes (a Russian name is not ASCII).
    std::fs::write(
        dir.join("name.key"),
        tlv(0x30, &tlv(0x16, spec.name.as_bytes())),
    )?;

    let key_alg = spec.key_algorithm.unwrap_or(if ps.is_512() {
        oid::GOST3410_12_512
    } else {
        oid::GOST3410_12_256
    });
    let digest = if ps.is_512() {
        oid::STREEBOG_512
    } else {
        oid::STREEBOG_256
    };
    let params = tlv(0x30, &[ps.oid().to_der()?, digest.to_der()?].concat());
    let alg = tlv(0xA0, &[key_alg.to_der()?, params].concat());
    let key_attrs = BitString::new(5, vec![0xA0])?.to_der()?; // exportable, exchange
    let key_params = tlv(0x30, &[key_attrs, alg].concat());
    let mut content = Vec::new();
    content.extend(tlv(0xA0, &oid::CRYPTOPRO_CONTAINER_ALGORITHM.to_der()?));
    content.extend(BitString::new(6, vec![if spec.reserve { 0x40 } else { 0 }])?.to_der()?);
    content.extend(key_params);
    content.extend(tlv(0x82, &[0, 0, 0, 0]));
    if let Some(cert) = spec.certificate {
        content.extend(tlv(0x85, cert));
    }
    let xy = spec.key.verifying_key().to_le_xy();
    content.extend(tlv(0x8A, &xy[..8]));
    let content = tlv(0x30, &content);
    let header = [OctetString::new(super::header::header_mac(&content).to_vec())?.to_der()?];
    let header = [content, header.concat()].concat();
    std::fs::write(dir.join("header.key"), tlv(0x30, &header))?;
    Ok(())
}
