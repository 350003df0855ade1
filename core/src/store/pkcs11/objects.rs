//! Key sets on a token: listing, certificate install, find, retire, delete.
//!
//! A key set is every object sharing one CKA_ID: the private key, the public key, the
//! certificate. Listing groups by CKA_ID and shows incomplete sets too (a key without its
//! certificate waits for the bank; a certificate without a key is someone else's or orphaned).

use std::collections::BTreeMap;

use cryptoki::object::{Attribute, CertificateType, ObjectClass, ObjectHandle};
use cryptoki::session::Session;
use cryptoki_sys::{CKA_ID, CKA_LABEL, CKA_VALUE, CKR_OBJECT_HANDLE_INVALID};
use der::{Decode, Encode};

use super::error::from_cryptoki;
use super::keygen::read_spki;
use super::pubkey;
use super::token::{Pkcs11Token, TokenInner, gone};
use crate::store::{KeySet, RETIRED_PREFIX};
use crate::{Error, ErrorKind, Result};

#[derive(Default)]
struct Group {
    label: Option<String>,
    private: Option<ObjectHandle>,
    public: Option<ObjectHandle>,
    certificates: Vec<(ObjectHandle, Vec<u8>)>,
}

fn find(s: &Session, class: ObjectClass) -> Result<Vec<ObjectHandle>> {
    s.find_objects(&[Attribute::Token(true), Attribute::Class(class)])
        .map_err(|e| from_cryptoki(e, "searching the token"))
}

fn id_and_label(inner: &TokenInner, s: &Session, h: ObjectHandle) -> Result<(Vec<u8>, String)> {
    let raw = &inner.module.raw;
    let id = raw
        .attribute(s.handle(), h.handle(), CKA_ID)?
        .unwrap_or_default();
    let label = raw
        .attribute(s.handle(), h.handle(), CKA_LABEL)?
        .map(|l| String::from_utf8_lossy(&l).into_owned())
        .unwrap_or_default();
    Ok((id, label))
}

/// The key sets by CKA_ID, with the public key of an interrupted generation beside its
/// private key (see [`interrupted`]).
fn groups(inner: &TokenInner, s: &Session) -> Result<BTreeMap<Vec<u8>, Group>> {
    let mut map = raw_groups(inner, s)?;
    for (temporary, key_id) in interrupted(inner, s, &map) {
        if let Some(g) = map.remove(&temporary) {
            map.entry(key_id).or_default().public = g.public;
        }
    }
    Ok(map)
}

/// Public keys left under the temporary CKA_ID of a generation the token's removal
/// interrupted (keygen's `finish` sets the private key's CKA_ID first): a public key alone
/// under its CKA_ID whose own key id (SHA-1 of its bits) is the CKA_ID of a private key
/// without a public key. (temporary CKA_ID, key id) pairs.
fn interrupted(
    inner: &TokenInner,
    s: &Session,
    map: &BTreeMap<Vec<u8>, Group>,
) -> Vec<(Vec<u8>, Vec<u8>)> {
    let alone = |g: &Group| g.private.is_some() && g.public.is_none();
    if !map.values().any(alone) {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (id, g) in map {
        let (None, Some(h), true) = (g.private, g.public, g.certificates.is_empty()) else {
            continue;
        };
        let Ok(spki) = read_spki(inner, s, h.handle()) else {
            continue;
        };
        let Ok(key_id) = pubkey::key_id(&spki) else {
            continue;
        };
        if key_id[..] != id[..] && map.get(&key_id[..]).is_some_and(alone) {
            out.push((id.clone(), key_id.to_vec()));
        }
    }
    out
}

fn raw_groups(inner: &TokenInner, s: &Session) -> Result<BTreeMap<Vec<u8>, Group>> {
    let mut map: BTreeMap<Vec<u8>, Group> = BTreeMap::new();
    for h in find(s, ObjectClass::PRIVATE_KEY)? {
        let (id, label) = id_and_label(inner, s, h)?;
        let g = map.entry(id).or_default();
        g.private = Some(h);
        g.label.get_or_insert(label);
    }
    for h in find(s, ObjectClass::PUBLIC_KEY)? {
        let (id, label) = id_and_label(inner, s, h)?;
        let g = map.entry(id).or_default();
        g.public = Some(h);
        g.label.get_or_insert(label);
    }
    for h in find(s, ObjectClass::CERTIFICATE)? {
        let (id, label) = id_and_label(inner, s, h)?;
        let value = inner
            .module
            .raw
            .attribute(s.handle(), h.handle(), CKA_VALUE)?
            .unwrap_or_default();
        let g = map.entry(id).or_default();
        g.certificates.push((h, value));
        g.label.get_or_insert(label);
    }
    Ok(map)
}

/// One key set from its objects. An object that does not read (a certificate whose
/// CKA_VALUE is empty or not a certificate, or holds another key than the set's public key;
/// a public key whose value does not read) is not used and is named in [`KeySet::damage`];
/// the rest of the set, and every other set, is listed as usual (issue 13, defect 8).
fn to_key_set(inner: &TokenInner, s: &Session, id: Vec<u8>, g: &Group) -> Result<KeySet> {
    let label = g.label.clone().unwrap_or_default();
    let mut damage = Vec::new();
    let public_from_object = match g.public.map(|h| read_spki(inner, s, h.handle())) {
        None => None,
        Some(Ok(spki)) => Some(spki),
        // Gone meanwhile (another process rewrote it): the listing is made again.
        Some(Err(e)) if e.ckr() == Some(CKR_OBJECT_HANDLE_INVALID as u64) => return Err(e),
        // The token went: not damage (a certificate would then look like another key's).
        Some(Err(e)) if gone(&e) => return Err(e),
        Some(Err(e)) => {
            damage.push(format!(
                "public key object: does not read ({})",
                e.message()
            ));
            None
        }
    };
    let public_bits = public_from_object
        .as_deref()
        .and_then(|p| pubkey::key_bits(p).ok());
    // The first certificate object that reads and holds the set's key.
    let mut certificate = None;
    for (_, value) in &g.certificates {
        let checked = crate::pki::Certificate::from_der(value).and_then(|c| match &public_bits {
            Some(bits) if *bits != c.key_info().key_bits => Err(Error::new(
                ErrorKind::KeyMismatch,
                "it holds another key than the key set's public key",
            )),
            _ => Ok(()),
        });
        match checked {
            Ok(()) if certificate.is_none() => certificate = Some(value.clone()),
            Ok(()) => {}
            Err(e) => damage.push(format!(
                "certificate object ({} bytes): not usable: {}",
                value.len(),
                e.message()
            )),
        }
    }
    // The public key from the public-key object, else from the certificate.
    let public_key_spki = public_from_object.or_else(|| {
        certificate
            .as_deref()
            .and_then(|c| certificate_spki(c).ok())
    });
    Ok(KeySet {
        id,
        retired: label.starts_with(RETIRED_PREFIX),
        label,
        public_key_spki,
        has_private_key: g.private.is_some(),
        certificate,
        damage,
    })
}

/// The SubjectPublicKeyInfo DER of a certificate.
pub(crate) fn certificate_spki(cert_der: &[u8]) -> Result<Vec<u8>> {
    let cert = x509_cert::Certificate::from_der(cert_der)
        .map_err(|e| Error::malformed(format!("certificate: {e}")))?;
    Ok(cert.tbs_certificate().subject_public_key_info().to_der()?)
}

impl Pkcs11Token {
    /// Every key set on the token (public objects are listed without login; private keys only
    /// show when logged in).
    pub fn key_sets(&self) -> Result<Vec<KeySet>> {
        let _objects = self.inner.read_objects();
        self.key_sets_held()
    }

    /// [`key_sets`](Self::key_sets) for a caller that holds the objects already. Another
    /// process writing the token meanwhile can invalidate a handle between the search and
    /// the read (SoftHSM answers CKR_OBJECT_HANDLE_INVALID when another process rewrote the
    /// object: the 4-process load test): the listing is then made again, a few times.
    fn key_sets_held(&self) -> Result<Vec<KeySet>> {
        let inner = &self.inner;
        let mut attempt = 0;
        loop {
            let listed = inner.with_session(|s| {
                groups(inner, s)?
                    .into_iter()
                    .map(|(id, g)| to_key_set(inner, s, id, &g))
                    .collect()
            });
            match listed {
                Err(e) if e.ckr() == Some(CKR_OBJECT_HANDLE_INVALID as u64) && attempt < 8 => {
                    attempt += 1;
                    std::thread::sleep(std::time::Duration::from_millis(5 << attempt.min(4)));
                }
                other => return other,
            }
        }
    }

    /// Finishes the key generations a removal interrupted between the two CKA_ID changes
    /// (see [`interrupted`]): the public key gets its private key's CKA_ID. Called at login,
    /// the first moment private keys are visible and objects writable; returns how many.
    pub(crate) fn finish_interrupted_generations(&self) -> Result<usize> {
        let inner = &self.inner;
        let _objects = inner.write_objects();
        inner.with_session(|s| {
            let map = raw_groups(inner, s)?;
            let pairs = interrupted(inner, s, &map);
            for (temporary, key_id) in &pairs {
                if let Some(h) = map.get(temporary).and_then(|g| g.public) {
                    s.update_attributes(h, &[Attribute::Id(key_id.clone())])
                        .map_err(|e| from_cryptoki(e, "finishing an interrupted generation"))?;
                }
            }
            Ok(pairs.len())
        })
    }

    /// The key set holding `cert_der`, or whose public key is the certificate's.
    pub fn find_by_certificate(&self, cert_der: &[u8]) -> Result<Option<KeySet>> {
        let bits = pubkey::key_bits(&certificate_spki(cert_der)?)?;
        Ok(self.key_sets()?.into_iter().find(|k| {
            k.certificate.as_deref() == Some(cert_der)
                || k.public_key_spki
                    .as_deref()
                    .and_then(|p| pubkey::key_bits(p).ok())
                    .is_some_and(|b| b == bits)
        }))
    }

    /// Installs a certificate beside its key: same CKA_ID, label of the key set (or `label`).
    /// With `id`, the certificate must hold that key set's key; without, the key set is found
    /// by the certificate's public key. [`ErrorKind::KeyMismatch`] when there is no such key.
    /// Installing the same certificate twice is a no-op.
    pub fn install_certificate(
        &self,
        cert_der: &[u8],
        id: Option<&[u8]>,
        label: Option<&str>,
    ) -> Result<KeySet> {
        let inner = &self.inner;
        inner.require_login()?;
        let cert = x509_cert::Certificate::from_der(cert_der)
            .map_err(|e| Error::malformed(format!("certificate: {e}")))?;
        let bits = pubkey::key_bits(&cert.tbs_certificate().subject_public_key_info().to_der()?)?;
        let _objects = inner.write_objects();
        let sets = self.key_sets_held()?;
        let holds = |k: &KeySet| {
            k.public_key_spki
                .as_deref()
                .and_then(|p| pubkey::key_bits(p).ok())
                .is_some_and(|b| b == bits)
        };
        let target = crate::store::install_target(&sets, id, holds, "on the token")?;
        if target.certificate.as_deref() == Some(cert_der) {
            return Ok(target.clone());
        }
        let tbs = cert.tbs_certificate();
        let template = vec![
            Attribute::Class(ObjectClass::CERTIFICATE),
            Attribute::CertificateType(CertificateType::X_509),
            Attribute::Token(true),
            Attribute::Private(false),
            Attribute::Id(target.id.clone()),
            Attribute::Label(label.unwrap_or(&target.label).as_bytes().to_vec()),
            Attribute::Subject(tbs.subject().to_der()?),
            Attribute::Issuer(tbs.issuer().to_der()?),
            Attribute::SerialNumber(tbs.serial_number().to_der()?),
            Attribute::Value(cert_der.to_vec()),
        ];
        inner.with_session(|s| {
            s.create_object(&template)
                .map_err(|e| from_cryptoki(e, "installing the certificate"))
        })?;
        let mut set = target.clone();
        set.certificate = Some(cert_der.to_vec());
        Ok(set)
    }

    /// Marks a key set retired: its labels get the [`RETIRED_PREFIX`]. The keys stay (the old
    /// set is kept until its successor is proven; DESIGN §2).
    pub fn retire(&self, id: &[u8]) -> Result<()> {
        let inner = &self.inner;
        inner.require_login()?;
        let _objects = inner.write_objects();
        inner.with_session(|s| {
            let objects = objects_with_id(inner, s, id)?;
            for (h, label) in objects {
                if !label.starts_with(RETIRED_PREFIX) {
                    let new = format!("{RETIRED_PREFIX}{label}");
                    s.update_attributes(h, &[Attribute::Label(new.into_bytes())])
                        .map_err(|e| from_cryptoki(e, "renaming a retired object"))?;
                }
            }
            Ok(())
        })
    }

    /// Destroys every object of a key set (private key, public key, certificates).
    pub fn delete(&self, id: &[u8]) -> Result<()> {
        let inner = &self.inner;
        inner.require_login()?;
        let _objects = inner.write_objects();
        inner.with_session(|s| {
            let objects = objects_with_id(inner, s, id)?;
            if objects.is_empty() {
                return Err(Error::invalid_field("id", "no key set with this CKA_ID"));
            }
            for (h, _) in objects {
                s.destroy_object(h)
                    .map_err(|e| from_cryptoki(e, "deleting a key set"))?;
            }
            Ok(())
        })
    }

    /// The private key handle of a key set (for signing).
    pub(crate) fn private_key(&self, s: &Session, id: &[u8]) -> Result<ObjectHandle> {
        let found = s
            .find_objects(&[
                Attribute::Token(true),
                Attribute::Class(ObjectClass::PRIVATE_KEY),
                Attribute::Id(id.to_vec()),
            ])
            .map_err(|e| from_cryptoki(e, "finding the private key"))?;
        match found.as_slice() {
            [h] => Ok(*h),
            [] => Err(Error::new(
                ErrorKind::KeyMismatch,
                "the private key of this key set is not on the token (or not visible without login)",
            )),
            _ => Err(Error::new(
                ErrorKind::Storage,
                "several private keys share this CKA_ID",
            )),
        }
    }
}

fn objects_with_id(
    inner: &TokenInner,
    s: &Session,
    id: &[u8],
) -> Result<Vec<(ObjectHandle, String)>> {
    let handles = s
        .find_objects(&[Attribute::Token(true), Attribute::Id(id.to_vec())])
        .map_err(|e| from_cryptoki(e, "searching the token"))?;
    handles
        .into_iter()
        .map(|h| Ok((h, id_and_label(inner, s, h)?.1)))
        .collect()
}
