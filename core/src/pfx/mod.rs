//! PFX (PKCS#12, RFC 7292) transport containers: a client's key and its certificates, under
//! a password, the way CryptoPro CSP (`certmgr -export -pfx`), OpenSSL and GnuTLS exchange
//! them.
//!
//! Read: the GOST profile of Р 50.1.112-2016 / Р 1323565.1.041-2022 and RFC 9548 (PBES2 with
//! PBKDF2-HMAC-Streebog-512 or HMAC-GOST R 34.11-94, GOST 28147-89 CFB with key meshing,
//! Kuznyechik and Magma CTR-ACPKM with or without OMAC; the MAC key derived by PBKDF2 as
//! those documents say), and the common profile of OpenSSL and Windows (PBES2 with AES, the
//! MAC key by the PKCS#12 KDF); CryptoPro CSP's own export (the key bag under CryptoPro's
//! key encryption 1.2.840.113549.1.12.1.80, see `cryptopro.rs`; the certificates under the
//! PKCS#12 PBEs with triple DES or RC2, as Windows and OpenSSL's `-legacy` write them too, see
//! `legacy.rs`). Keys plain or encrypted,
//! GOST keys plain or "masked" (the
//! CryptoPro form: key·mask⁻¹ followed by the mask), several keys and certificates, nested
//! SafeContents. BER input (indefinite lengths, chunked strings) is read as well.
//!
//! Written ([`Pfx::write`]): GOST keys in the Р 50.1.112-2016 profile exactly as its example
//! (PBKDF2-HMAC-Streebog-512 with 32-byte salts, GOST 28147-89 CFB with the param-Z S-box, the
//! key in a pkcs8ShroudedKeyBag of a `data` safe, the certificates in an `encryptedData`
//! safe, the Streebog-512 MAC), which CryptoPro CSP, OpenSSL's gost engine and GnuTLS read;
//! RSA and ECDSA keys as OpenSSL 3 writes them (AES-256-CBC, HMAC-SHA-256 PRF and MAC).
//!
//! Errors: [`ErrorKind::WrongPassword`] when the password is wrong;
//! [`ErrorKind::ContentAltered`] when the password is right (something encrypted under it
//! decrypts) but the MAC does not match, i.e. the file was altered;
//! [`ErrorKind::LimitExceeded`] for iteration counts above
//! [`kdf_iteration_limit`](crate::key::kdf_iteration_limit);
//! [`ErrorKind::UnsupportedAlgorithm`] naming what is not read (the RC4 PKCS#12 PBEs,
//! GOST R 34.10-2001 keys, enveloped safes);
//! [`ErrorKind::MalformedEncoding`] for the rest.

mod asn1;
mod cryptopro;
mod legacy;
mod mac;

use der::asn1::{Any, BmpString, OctetString};
use der::{Decode, Encode};
use zeroize::Zeroizing;

use crate::key::pkcs8::pbes2::Pbes2;
use crate::key::{KeyAlgorithm, PublicKey, SoftwareKey};
use crate::pki::Certificate;
use crate::store::{FileContainer, KeySet, KeyStore};
use crate::{Error, ErrorKind, Result, oid};

/// How deep SafeContents may nest in safeContentsBags.
const MAX_NESTING: usize = 4;

/// A private key found in a PFX, with what the PFX says about it.
pub struct PfxKey {
    /// The key.
    pub key: SoftwareKey,
    /// Its localKeyId attribute (PKCS#9), which ties it to its certificate.
    pub local_key_id: Option<Vec<u8>>,
    /// Its friendlyName attribute.
    pub friendly_name: Option<String>,
    /// How it was protected ("PBES2: PBKDF2-HMAC-Streebog-512, GOST 28147-89 CFB (param-Z),
    /// 2000 iterations", or "none").
    pub protection: String,
}

impl std::fmt::Debug for PfxKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PfxKey")
            .field("key", &self.key)
            .field("local_key_id", &self.local_key_id.as_ref().map(hex::encode))
            .field("friendly_name", &self.friendly_name)
            .finish()
    }
}

/// A certificate found in a PFX.
#[derive(Clone, Debug)]
pub struct PfxCertificate {
    /// The certificate.
    pub certificate: Certificate,
    /// Its localKeyId attribute.
    pub local_key_id: Option<Vec<u8>>,
    /// Its friendlyName attribute.
    pub friendly_name: Option<String>,
}

/// What protects a PFX as a whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PfxIntegrity {
    /// The MAC's digest ("Streebog-512", "SHA-256", …), or `None` when the PFX has no MAC.
    pub mac: Option<String>,
    /// How the MAC key is derived ("PBKDF2 (Р 50.1.112-2016)", "PKCS#12 KDF").
    pub mac_key_derivation: Option<String>,
    /// The MAC's iteration count.
    pub iterations: Option<u32>,
}

/// A PFX read with its password: every key and certificate in it.
#[derive(Debug)]
pub struct Pfx {
    keys: Vec<PfxKey>,
    certificates: Vec<PfxCertificate>,
    integrity: PfxIntegrity,
    encryption: Vec<String>,
    skipped_bags: Vec<String>,
}

/// Options of [`Pfx::write`].
#[derive(Clone, Debug)]
pub struct PfxOptions {
    /// PBKDF2 iterations for the key, the certificates and the MAC. Default
    /// [`DEFAULT_PFX_ITERATIONS`].
    pub iterations: u32,
    /// The friendlyName of the key and its certificate (CryptoPro shows it as the
    /// container's name on import), if any.
    pub friendly_name: Option<String>,
}

/// The iteration count [`Pfx::write`] uses by default: 2000, the count of Р 50.1.112-2016's
/// example and of CryptoPro CSP's own exports. A PFX travelling over an untrusted channel
/// deserves a strong password more than a higher count: its PBKDF2 is Streebog-512, about
/// 6 times slower per iteration than SHA-256, and any count up to the reading limit may be
/// chosen.
pub const DEFAULT_PFX_ITERATIONS: u32 = 2000;

impl Default for PfxOptions {
    fn default() -> Self {
        PfxOptions {
            iterations: DEFAULT_PFX_ITERATIONS,
            friendly_name: None,
        }
    }
}

/// The password as each KDF wants it.
struct Password<'a> {
    text: &'a str,
    utf8: &'a [u8],
    /// BMPString, big-endian UTF-16 with a terminating zero (RFC 7292 B.1), for the PKCS#12 KDF.
    bmp: Zeroizing<Vec<u8>>,
}

impl<'a> Password<'a> {
    fn new(password: &'a str) -> Password<'a> {
        let mut bmp = Zeroizing::new(Vec::with_capacity(password.len() * 2 + 2));
        for unit in password.encode_utf16() {
            bmp.extend_from_slice(&unit.to_be_bytes());
        }
        bmp.extend_from_slice(&[0, 0]);
        Password {
            text: password,
            utf8: password.as_bytes(),
            bmp,
        }
    }
}

/// What the reader found decryptable, for telling a wrong password from an altered file.
#[derive(Default)]
struct Evidence {
    /// Something encrypted under the password decrypted into a structure that parses.
    password_works: bool,
}

impl Pfx {
    /// Reads a PFX (DER or BER) with its password (UTF-8 for PBKDF2, as Р 50.1.112-2016,
    /// OpenSSL and GnuTLS take it; a BMPString for the PKCS#12 KDF).
    ///
    /// The MAC is checked before anything decrypted is trusted. A PFX without a MAC is read
    /// (its [`integrity`](Pfx::integrity) says so): some exporters omit it.
    pub fn from_der(input: &[u8], password: &str) -> Result<Pfx> {
        let der = if input.first() == Some(&0x30) {
            crate::asn1::ber::normalize(input).map_err(|e| e.context("PFX"))?
        } else {
            return Err(Error::malformed(
                "not a PFX: it does not start as DER or BER",
            ));
        };
        let pfx = asn1::Pfx::from_der(&der).map_err(|e| Error::malformed(format!("PFX: {e}")))?;
        if pfx.version != 3 {
            return Err(Error::malformed(format!(
                "PFX version {} (not 3)",
                pfx.version
            )));
        }
        if pfx.auth_safe.content_type != oid::CT_DATA {
            return Err(Error::unsupported(format!(
                "PFX integrity by {} (only password integrity, id-data, is read)",
                pfx.auth_safe.content_type
            ))
            .with_field("authSafe"));
        }
        let auth_safe = data_content(pfx.auth_safe.content.as_ref(), "authSafe")?;
        let password = Password::new(password);

        let mut integrity = PfxIntegrity {
            mac: None,
            mac_key_derivation: None,
            iterations: None,
        };
        let mut mac_ok = true;
        if let Some(mac_data) = &pfx.mac_data {
            let check = mac::verify(mac_data, &auth_safe, password.utf8, &password.bmp)?;
            integrity = check.integrity;
            mac_ok = check.matches;
        }

        let mut reader = Reader {
            password: &password,
            trusted: mac_ok,
            out: Pfx {
                keys: Vec::new(),
                certificates: Vec::new(),
                integrity,
                encryption: Vec::new(),
                skipped_bags: Vec::new(),
            },
            evidence: Evidence::default(),
        };
        let result = reader.auth_safe(&auth_safe);
        if !mac_ok {
            // The MAC does not match. If the password opened something, the file was altered;
            // otherwise the password is wrong (or everything was altered: we cannot tell).
            return Err(if reader.evidence.password_works {
                Error::new(
                    ErrorKind::ContentAltered,
                    "the PFX MAC does not match its contents, although the password decrypts \
                     them: the file was altered after it was made",
                )
            } else {
                Error::new(
                    ErrorKind::WrongPassword,
                    "the password does not open this PFX (its MAC does not match)",
                )
            });
        }
        result?;
        Ok(reader.out)
    }

    /// Every private key.
    pub fn keys(&self) -> &[PfxKey] {
        &self.keys
    }

    /// Every certificate.
    pub fn certificates(&self) -> &[PfxCertificate] {
        &self.certificates
    }

    /// The MAC that protects the PFX.
    pub fn integrity(&self) -> &PfxIntegrity {
        &self.integrity
    }

    /// How the encrypted parts were protected, one line per encrypted safe or key bag.
    pub fn encryption(&self) -> &[String] {
        &self.encryption
    }

    /// Bags that were present but not read (CRL, secret, unknown), by type.
    pub fn skipped_bags(&self) -> &[String] {
        &self.skipped_bags
    }

    /// The certificate of `key`: the one holding its public key (the localKeyId is only a
    /// hint: producers differ in what they put there).
    pub fn certificate_of(&self, key: &PfxKey) -> Option<&Certificate> {
        let public = key.key.public_key();
        self.certificates
            .iter()
            .map(|c| &c.certificate)
            .find(|c| c.holds_key(&public))
    }

    /// The one key of the PFX (with its certificate, when the PFX has it): what a client
    /// imports. [`ErrorKind::InvalidInput`] when the PFX holds no key or several.
    pub fn single_key(&self) -> Result<(&PfxKey, Option<&Certificate>)> {
        match self.keys.as_slice() {
            [key] => Ok((key, self.certificate_of(key))),
            [] => Err(Error::invalid_field(
                "pfx",
                "the PFX holds no private key (only certificates)",
            )),
            keys => Err(Error::invalid_field(
                "pfx",
                format!("the PFX holds {} private keys: choose one", keys.len()),
            )),
        }
    }

    /// The certificates other than the key's: its chain (CA certificates), as found.
    pub fn chain_of(&self, key: &PfxKey) -> Vec<&Certificate> {
        let public = key.key.public_key();
        self.certificates
            .iter()
            .map(|c| &c.certificate)
            .filter(|c| !c.holds_key(&public))
            .collect()
    }

    /// Imports the PFX's one key into `store` (a file container, where it stays encrypted
    /// under the container's password, or a PKCS#11 token, where it becomes a sensitive,
    /// non-extractable key) under `label`, with its certificate beside it under the same
    /// identifier. If the certificate cannot be installed, the key is removed again: the store
    /// is left as it was.
    ///
    /// Errors: as [`single_key`](Pfx::single_key); [`ErrorKind::PreconditionFailed`] when the
    /// key is already in the store; the store's own errors.
    pub fn import_into(&self, store: &dyn KeyStore, label: &str) -> Result<KeySet> {
        let (key, cert) = self.single_key()?;
        crate::store::import_key_set(store, &key.key, cert, label)
    }

    /// Writes the key set `id` of a file container (its key, decrypted with the container's
    /// password, and its certificate) as a PFX under `password` ([`Pfx::write`]'s profile):
    /// how a client takes its key to CryptoPro CSP (`certmgr -install -pfx`) or to another
    /// program.
    ///
    /// Errors: [`ErrorKind::InvalidInput`] naming `id` when the container has no private key
    /// of this identifier; the container's ([`ErrorKind::WrongPassword`] for its password);
    /// [`Pfx::write`]'s.
    pub fn export(
        container: &FileContainer,
        id: &[u8],
        password: &str,
        options: &PfxOptions,
    ) -> Result<Vec<u8>> {
        let key = container.software_key(id)?;
        let cert = container
            .key_sets()?
            .into_iter()
            .find(|s| s.id == id)
            .and_then(|s| s.certificate)
            .map(|der| Certificate::from_der(&der))
            .transpose()?;
        Pfx::write(&key, cert.as_ref(), &[], password, options)
    }

    /// Writes a PFX holding `key`, its certificate (when given; it must hold the key) and the
    /// `chain` certificates, protected by `password` (see the module documentation for the
    /// profiles). The key and the certificate carry the same localKeyId, the SHA-1 of the
    /// public key bits (the key set identifier).
    ///
    /// Errors: [`ErrorKind::KeyMismatch`] when the certificate does not hold the key;
    /// [`ErrorKind::LimitExceeded`] for an iteration count above the limit;
    /// [`ErrorKind::InvalidInput`] for an empty password.
    pub fn write(
        key: &SoftwareKey,
        certificate: Option<&Certificate>,
        chain: &[Certificate],
        password: &str,
        options: &PfxOptions,
    ) -> Result<Vec<u8>> {
        if password.is_empty() {
            return Err(Error::invalid_field(
                "password",
                "the password is empty: a PFX must be protected",
            ));
        }
        let public = key.public_key();
        if let Some(cert) = certificate
            && !cert.holds_key(&public)
        {
            return Err(Error::new(
                ErrorKind::KeyMismatch,
                "the certificate does not hold this key",
            ));
        }
        write::pfx(key, &public, certificate, chain, password, options)
    }
}

/// Whether `input` has the shape of a PFX (DER or BER: version 3, an authSafe ContentInfo),
/// without a password: what `inspect` uses to recognise one.
pub fn looks_like_pfx(input: &[u8]) -> bool {
    if input.first() != Some(&0x30) {
        return false;
    }
    let Ok(der) = crate::asn1::ber::normalize(input) else {
        return false;
    };
    asn1::Pfx::from_der(&der).is_ok_and(|p| p.version == 3)
}

/// The bytes of an id-data content (an OCTET STRING in `[0]`).
fn data_content(content: Option<&Any>, field: &str) -> Result<Vec<u8>> {
    let content = content
        .ok_or_else(|| Error::malformed("a data ContentInfo without content").with_field(field))?;
    let os: OctetString = content
        .decode_as()
        .map_err(|e| Error::malformed(format!("{field}: {e}")).with_field(field))?;
    Ok(os.into_bytes().into_vec())
}

struct Reader<'a> {
    password: &'a Password<'a>,
    /// The MAC matched: what fails to parse after decryption is malformed, not a wrong
    /// password.
    trusted: bool,
    out: Pfx,
    evidence: Evidence,
}

impl Reader<'_> {
    fn auth_safe(&mut self, der: &[u8]) -> Result<()> {
        let infos = Vec::<asn1::ContentInfo>::from_der(der)
            .map_err(|e| Error::malformed(format!("AuthenticatedSafe: {e}")))?;
        for info in &infos {
            match info.content_type {
                o if o == oid::CT_DATA => {
                    let safe = data_content(info.content.as_ref(), "AuthenticatedSafe")?;
                    self.safe_contents(&safe, 0)?;
                }
                o if o == oid::CT_ENCRYPTED_DATA => self.encrypted_safe(info)?,
                o => {
                    return Err(Error::unsupported(format!(
                        "a PFX safe of type {o} (enveloped safes, Р 1323565.1.041's public-key \
                         protection, are not read)"
                    )));
                }
            }
        }
        Ok(())
    }

    fn encrypted_safe(&mut self, info: &asn1::ContentInfo) -> Result<()> {
        let content = info
            .content
            .as_ref()
            .ok_or_else(|| Error::malformed("encryptedData without content"))?;
        let ed: asn1::EncryptedData = content
            .decode_as()
            .map_err(|e| Error::malformed(format!("EncryptedData: {e}")))?;
        let eci = &ed.encrypted_content_info;
        let data = eci
            .encrypted_content
            .as_ref()
            .ok_or_else(|| Error::malformed("EncryptedData without encryptedContent"))?;
        let alg = &eci.content_encryption_algorithm;
        let plain = if let Some(legacy) = legacy::LegacyPbe::from_algorithm(alg) {
            let legacy = legacy?;
            self.out
                .encryption
                .push(format!("certificates: {}", legacy.describe()));
            match legacy.decrypt(&self.password.bmp, data.as_bytes())? {
                Some(plain) => plain,
                None if self.trusted => {
                    return Err(Error::malformed(
                        "the certificates do not decrypt (bad padding), although the PFX MAC \
                         matches",
                    ));
                }
                None => return Err(pbes2_wrong("certificates")),
            }
        } else {
            let pbes2 = Pbes2::from_algorithm(alg)?;
            self.out
                .encryption
                .push(format!("certificates: {}", describe(&pbes2)));
            pbes2.decrypt(self.password.utf8, data.as_bytes(), "certificates")?
        };
        // A wrong password gives random bytes (CFB, CTR): a SafeContents that parses says
        // the password is right.
        if Vec::<asn1::SafeBag>::from_der(&plain).is_ok() {
            self.evidence.password_works = true;
        } else if !self.trusted {
            return Err(pbes2_wrong("certificates"));
        }
        self.safe_contents(&plain, 0)
    }

    fn safe_contents(&mut self, der: &[u8], depth: usize) -> Result<()> {
        if depth > MAX_NESTING {
            return Err(Error::malformed("SafeContents nested too deep"));
        }
        let bags = Vec::<asn1::SafeBag>::from_der(der)
            .map_err(|e| Error::malformed(format!("SafeContents: {e}")))?;
        for bag in &bags {
            self.bag(bag, depth)?;
        }
        Ok(())
    }

    fn bag(&mut self, bag: &asn1::SafeBag, depth: usize) -> Result<()> {
        let (local_key_id, friendly_name) = attributes(bag);
        match bag.bag_id {
            o if o == oid::PKCS12_KEY_BAG => {
                let der = Zeroizing::new(bag.bag_value.to_der()?);
                let key = SoftwareKey::from_pkcs8_der(&der)?;
                self.out.keys.push(PfxKey {
                    key,
                    local_key_id,
                    friendly_name,
                    protection: "none (a plain keyBag)".into(),
                });
            }
            o if o == oid::PKCS12_SHROUDED_KEY_BAG => {
                let epki: asn1::EncryptedPrivateKeyInfo = bag
                    .bag_value
                    .decode_as()
                    .map_err(|e| Error::malformed(format!("pkcs8ShroudedKeyBag: {e}")))?;
                if epki.encryption_algorithm.oid == oid::CRYPTOPRO_PFX_PBE {
                    return self.cryptopro_key_bag(&epki, local_key_id, friendly_name);
                }
                let data = epki.encrypted_data.as_bytes();
                let (plain, protection) = if let Some(legacy) =
                    legacy::LegacyPbe::from_algorithm(&epki.encryption_algorithm)
                {
                    let legacy = legacy?;
                    let protection = legacy.describe();
                    self.out.encryption.push(format!("key: {protection}"));
                    match legacy.decrypt(&self.password.bmp, data)? {
                        Some(plain) => (plain, protection),
                        None if self.trusted => {
                            return Err(Error::malformed(
                                "the key does not decrypt (bad padding), although the PFX \
                                 MAC matches",
                            ));
                        }
                        None => return Err(pbes2_wrong("key")),
                    }
                } else {
                    let pbes2 = Pbes2::from_algorithm(&epki.encryption_algorithm)?;
                    let protection = describe(&pbes2);
                    self.out.encryption.push(format!("key: {protection}"));
                    (pbes2.decrypt(self.password.utf8, data, "key")?, protection)
                };
                if pkcs8::PrivateKeyInfoRef::from_der(&plain).is_err() {
                    return Err(if self.trusted {
                        Error::malformed("the decrypted key is not a PrivateKeyInfo")
                    } else {
                        pbes2_wrong("key")
                    });
                }
                self.evidence.password_works = true;
                let key = SoftwareKey::from_pkcs8_der(&plain)?;
                self.out.keys.push(PfxKey {
                    key,
                    local_key_id,
                    friendly_name,
                    protection,
                });
            }
            o if o == oid::PKCS12_CERT_BAG => {
                let cert_bag: asn1::CertBag = bag
                    .bag_value
                    .decode_as()
                    .map_err(|e| Error::malformed(format!("certBag: {e}")))?;
                if cert_bag.cert_id != oid::PKCS9_X509_CERTIFICATE {
                    self.out
                        .skipped_bags
                        .push(format!("certBag of type {}", cert_bag.cert_id));
                    return Ok(());
                }
                let der: OctetString = cert_bag
                    .cert_value
                    .decode_as()
                    .map_err(|e| Error::malformed(format!("certBag value: {e}")))?;
                let certificate = Certificate::from_der(der.as_bytes())
                    .map_err(|e| e.context("a certificate in the PFX"))?;
                self.out.certificates.push(PfxCertificate {
                    certificate,
                    local_key_id,
                    friendly_name,
                });
            }
            o if o == oid::PKCS12_SAFE_CONTENTS_BAG => {
                let inner = bag.bag_value.to_der()?;
                self.safe_contents(&inner, depth + 1)?;
            }
            o => {
                let name = match o {
                    o if o == oid::PKCS12_CRL_BAG => "crlBag".to_string(),
                    o if o == oid::PKCS12_SECRET_BAG => "secretBag".to_string(),
                    o => format!("bag {o}"),
                };
                self.out.skipped_bags.push(name);
            }
        }
        Ok(())
    }
}

impl Reader<'_> {
    /// A key bag under CryptoPro's own key encryption (1.2.840.113549.1.12.1.80).
    fn cryptopro_key_bag(
        &mut self,
        epki: &asn1::EncryptedPrivateKeyInfo,
        local_key_id: Option<Vec<u8>>,
        friendly_name: Option<String>,
    ) -> Result<()> {
        let params = cryptopro::Params::from_algorithm(&epki.encryption_algorithm)?;
        let protection = params.describe();
        self.out.encryption.push(format!("key: {protection}"));
        match cryptopro::decrypt(&params, self.password.text, epki.encrypted_data.as_bytes())? {
            cryptopro::Outcome::Key(key) => {
                self.evidence.password_works = true;
                self.out.keys.push(PfxKey {
                    key: *key,
                    local_key_id,
                    friendly_name,
                    protection,
                });
                Ok(())
            }
            cryptopro::Outcome::Damaged(reason) => {
                self.evidence.password_works = true;
                Err(Error::new(
                    ErrorKind::ContentAltered,
                    format!(
                        "the password opens the key bag (CryptoPro's key export), but {reason}: \
                         it was altered"
                    ),
                ))
            }
            cryptopro::Outcome::NotOpened => Err(if self.trusted {
                Error::malformed(
                    "the key bag (CryptoPro's key export) does not decrypt into a key blob, \
                     although the PFX MAC matches",
                )
            } else {
                pbes2_wrong("key")
            }),
        }
    }
}

fn pbes2_wrong(what: &str) -> Error {
    crate::key::pkcs8::pbes2::wrong_password(what)
}

fn describe(p: &Pbes2) -> String {
    format!(
        "PBES2: PBKDF2-{}, {}, {} iterations",
        p.prf.name(),
        p.scheme.name(),
        p.iterations
    )
}

/// localKeyId and friendlyName of a bag (others are ignored).
fn attributes(bag: &asn1::SafeBag) -> (Option<Vec<u8>>, Option<String>) {
    let mut local_key_id = None;
    let mut friendly_name = None;
    for attr in bag.bag_attributes.iter().flat_map(|s| &s.0) {
        let Some(value) = attr.attr_values.0.first() else {
            continue;
        };
        if attr.attr_id == oid::PKCS9_LOCAL_KEY_ID {
            local_key_id = value
                .decode_as::<OctetString>()
                .ok()
                .map(|o| o.into_bytes().into_vec());
        } else if attr.attr_id == oid::PKCS9_FRIENDLY_NAME {
            friendly_name = value.decode_as::<BmpString>().ok().map(|s| s.to_string());
        }
    }
    (local_key_id, friendly_name)
}

mod write {
    //! The PFX writer.

    use super::*;

    fn attribute(id: der::asn1::ObjectIdentifier, value: Any) -> asn1::Attribute {
        asn1::Attribute {
            attr_id: id,
            attr_values: asn1::SetOf(vec![value]),
        }
    }

    fn bag_attributes(
        local_key_id: &[u8],
        name: Option<&str>,
    ) -> Result<asn1::SetOf<asn1::Attribute>> {
        let mut attrs = vec![attribute(
            oid::PKCS9_LOCAL_KEY_ID,
            Any::encode_from(&OctetString::new(local_key_id.to_vec())?)?,
        )];
        if let Some(name) = name {
            let bmp = BmpString::from_utf8(name).map_err(|_| {
                Error::invalid_field("friendly_name", "not representable as a BMPString")
            })?;
            attrs.push(attribute(oid::PKCS9_FRIENDLY_NAME, Any::encode_from(&bmp)?));
        }
        Ok(asn1::SetOf(attrs))
    }

    fn data_info(der: &[u8]) -> Result<asn1::ContentInfo> {
        Ok(asn1::ContentInfo {
            content_type: oid::CT_DATA,
            content: Some(Any::encode_from(&OctetString::new(der.to_vec())?)?),
        })
    }

    pub(super) fn pfx(
        key: &SoftwareKey,
        public: &PublicKey,
        certificate: Option<&Certificate>,
        chain: &[Certificate],
        password: &str,
        options: &PfxOptions,
    ) -> Result<Vec<u8>> {
        let gost = matches!(key.algorithm(), KeyAlgorithm::Gost(_));
        let pbes2 = || {
            if gost {
                Pbes2::gost89(options.iterations)
            } else {
                Pbes2::aes256(options.iterations)
            }
        };
        let local_key_id = public.key_id();
        let name = options.friendly_name.as_deref();

        // The key, encrypted, in a pkcs8ShroudedKeyBag of a plain `data` safe.
        let key_pbes2 = pbes2()?;
        let encrypted_key = key_pbes2.encrypt(password.as_bytes(), &key.to_pkcs8_der())?;
        let epki = asn1::EncryptedPrivateKeyInfo {
            encryption_algorithm: key_pbes2.to_algorithm()?,
            encrypted_data: OctetString::new(encrypted_key)?,
        };
        let key_bag = asn1::SafeBag {
            bag_id: oid::PKCS12_SHROUDED_KEY_BAG,
            bag_value: Any::encode_from(&epki)?,
            bag_attributes: Some(bag_attributes(&local_key_id, name)?),
        };
        let key_safe = vec![key_bag].to_der()?;

        // The certificates in a SafeContents encrypted as a whole (`encryptedData`).
        let mut cert_bags = Vec::new();
        for (i, cert) in certificate.into_iter().chain(chain).enumerate() {
            let cert_bag = asn1::CertBag {
                cert_id: oid::PKCS9_X509_CERTIFICATE,
                cert_value: Any::encode_from(&OctetString::new(cert.to_der())?)?,
            };
            let attrs = if i == 0 && certificate.is_some() {
                Some(bag_attributes(&local_key_id, name)?)
            } else {
                None
            };
            cert_bags.push(asn1::SafeBag {
                bag_id: oid::PKCS12_CERT_BAG,
                bag_value: Any::encode_from(&cert_bag)?,
                bag_attributes: attrs,
            });
        }
        let mut safes = vec![data_info(&key_safe)?];
        if !cert_bags.is_empty() {
            let cert_pbes2 = pbes2()?;
            let encrypted = cert_pbes2.encrypt(password.as_bytes(), &cert_bags.to_der()?)?;
            let ed = asn1::EncryptedData {
                version: 0,
                encrypted_content_info: asn1::EncryptedContentInfo {
                    content_type: oid::CT_DATA,
                    content_encryption_algorithm: cert_pbes2.to_algorithm()?,
                    encrypted_content: Some(OctetString::new(encrypted)?),
                },
            };
            safes.push(asn1::ContentInfo {
                content_type: oid::CT_ENCRYPTED_DATA,
                content: Some(Any::encode_from(&ed)?),
            });
        }
        let auth_safe = safes.to_der()?;
        let mac_data = mac::create(
            &auth_safe,
            gost,
            password.as_bytes(),
            &Password::new(password).bmp,
            options.iterations,
        )?;
        asn1::Pfx {
            version: 3,
            auth_safe: data_info(&auth_safe)?,
            mac_data: Some(mac_data),
        }
        .to_der()
        .map_err(Error::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example() -> Vec<u8> {
        std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../tests/realworld/pfx/gnutls_gost12.p12"
        ))
        .unwrap()
    }

    /// Р 50.1.112-2016's example, step by step as the standard prints it: the key bag
    /// decrypts (PBKDF2-HMAC-Streebog-512, GOST 28147-89 CFB param-Z) to the published
    /// masked PrivateKeyInfo, and the MAC (the 96-byte PBKDF2 rule) matches.
    #[test]
    fn the_example_decrypts_to_the_published_key() {
        use base64ct::Encoding;
        let expected = base64ct::Base64::decode_vec(
            "MGYCAQAwHwYIKoUDBwEBAQEwEwYHKoUDAgIjAQYIKoUDBwEBAgIEQEYbRu86z+1JFKDcPDN9UbTG\
             G2ki9enTqos4KpUU0j9IDpl1UXiaA1YDIwUjlAp+81GkLmyt8Fw6Gt/X5JZySAY=",
        )
        .unwrap();
        let password = "Пароль для PFX";
        let pfx = asn1::Pfx::from_der(&example()).unwrap();
        let auth_safe = data_content(pfx.auth_safe.content.as_ref(), "authSafe").unwrap();
        let pw = Password::new(password);
        let check =
            mac::verify(pfx.mac_data.as_ref().unwrap(), &auth_safe, pw.utf8, &pw.bmp).unwrap();
        assert!(check.matches);
        let infos = Vec::<asn1::ContentInfo>::from_der(&auth_safe).unwrap();
        let safe = data_content(infos[0].content.as_ref(), "safe").unwrap();
        let bags = Vec::<asn1::SafeBag>::from_der(&safe).unwrap();
        assert_eq!(bags[0].bag_id, oid::PKCS12_SHROUDED_KEY_BAG);
        let epki: asn1::EncryptedPrivateKeyInfo = bags[0].bag_value.decode_as().unwrap();
        let pbes2 = Pbes2::from_algorithm(&epki.encryption_algorithm).unwrap();
        let plain = pbes2
            .decrypt(password.as_bytes(), epki.encrypted_data.as_bytes(), "key")
            .unwrap();
        assert_eq!(*plain, expected);
        // And the key is the one the certificate holds.
        let key = SoftwareKey::from_pkcs8_der(&plain).unwrap();
        let read = Pfx::from_der(&example(), password).unwrap();
        assert!(
            read.certificates()[0]
                .certificate
                .holds_key(&key.public_key())
        );
    }

    #[test]
    fn our_pfx_round_trips_gost_rsa_and_ec() {
        use crate::gost::ParamSet;
        for alg in [
            KeyAlgorithm::Gost(ParamSet::Tc26_256A),
            KeyAlgorithm::Gost(ParamSet::Tc26_512B),
            KeyAlgorithm::EcdsaP256,
        ] {
            let key = SoftwareKey::generate(alg).unwrap();
            let options = PfxOptions {
                iterations: 100,
                friendly_name: Some("Иванов И. И.".into()),
            };
            let der = Pfx::write(&key, None, &[], "пароль", &options).unwrap();
            let back = Pfx::from_der(&der, "пароль").unwrap();
            let (k, cert) = back.single_key().unwrap();
            assert!(cert.is_none());
            assert_eq!(k.key.public_key(), key.public_key());
            assert_eq!(k.friendly_name.as_deref(), Some("Иванов И. И."));
            assert_eq!(
                k.local_key_id.as_deref(),
                Some(&key.public_key().key_id()[..])
            );
            assert_eq!(
                Pfx::from_der(&der, "Пароль").unwrap_err().kind(),
                ErrorKind::WrongPassword
            );
        }
        let key = SoftwareKey::generate(KeyAlgorithm::EcdsaP256).unwrap();
        assert_eq!(
            Pfx::write(&key, None, &[], "", &PfxOptions::default())
                .unwrap_err()
                .kind(),
            ErrorKind::InvalidInput
        );
    }
}
