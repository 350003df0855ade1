//! CryptoPro CSP 4/5 file containers (a `xxxxxxxx.000` folder: header.key, primary.key,
//! masks.key, name.key, and the reserve copy primary2.key / masks2.key), read-only.
//!
//! **What this is.** A reader written from the open-source descriptions of a proprietary,
//! unpublished format (li0ard/ckey, svkreml/ExtractPkey, kov-serg/get-cpcert, rudonick/crypto;
//! we read their descriptions, not their code, most of which is GPL): with the container's PIN
//! it recovers a GOST R 34.10-2012 private key, checks it against the fingerprint in the
//! header, and offers it to import into a file container or a token (or to sign with, as a
//! read-only [`KeyStore`](crate::store::KeyStore)). Without the PIN it reads the name, the
//! algorithm, the certificate stored inside and the fingerprint.
//!
//! **What it is not.** Not CryptoPro CSP, not certified (СКЗИ), not a writer: a key taken
//! out of its container leaves the protection the bank's rules may require of it (see the
//! README). GOST R 34.10-2001 containers are refused. The 4-byte MACs of header.key (on
//! open) and masks.key (before its copy is tried) are checked: an altered file is named; the
//! fingerprint is what tells a wrong PIN or a damaged primary.key, and a damaged copy falls
//! back to the reserve copy.
//!
//! Built only with the cargo feature `cryptopro` (on by default; see `docs/ARCHITECTURE.md`,
//! "CryptoPro file containers", for why).

mod header;
mod kdf;
mod store;
#[cfg(any(test, feature = "cryptopro-test-writer"))]
pub mod writer;

use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::gost::{ParamSet, SigningKey};
use crate::key::SoftwareKey;
use crate::pki::Certificate;
use crate::{Error, ErrorKind, Result, oid};

pub use store::CryptoProStore;

/// What a container's key is for (its `pkaExchange` attribute): CryptoPro's AT_KEYEXCHANGE
/// keys sign as well, and many bank clients' keys are of that kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CryptoProKeyUsage {
    /// AT_SIGNATURE.
    Signature,
    /// AT_KEYEXCHANGE (key agreement, and signing).
    Exchange,
}

/// A CryptoPro file container, opened without its PIN.
#[derive(Clone, Debug)]
pub struct CryptoProContainer {
    dir: PathBuf,
    name: Option<String>,
    param_set: ParamSet,
    usage: CryptoProKeyUsage,
    exportable: bool,
    certificate: Option<Certificate>,
    fingerprint: [u8; 8],
    has_reserve: bool,
    has_second_key: bool,
    key_not_before: Option<String>,
    key_not_after: Option<String>,
}

/// Which copy of the key opened, and with which PIN encoding.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unlocked {
    /// The reserve copy (primary2.key) was used: the main copy is damaged.
    pub from_reserve: bool,
    /// How the PIN's characters were spread ("UTF-32", "UTF-8 bytes", "windows-1251 bytes";
    /// the same for an ASCII PIN).
    pub pin_encoding: &'static str,
}

fn read(dir: &Path, file: &str) -> Result<Vec<u8>> {
    let path = dir.join(file);
    std::fs::read(&path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            Error::new(
                ErrorKind::Storage,
                format!(
                    "{} has no {file}: not a CryptoPro container, or an incomplete one",
                    dir.display()
                ),
            )
            .with_field(file.to_string())
        } else {
            Error::new(ErrorKind::Io, format!("reading {}: {e}", path.display()))
        }
    })
}

impl CryptoProContainer {
    /// Opens the container folder and reads what needs no PIN.
    ///
    /// Errors: [`ErrorKind::Storage`] when header.key, primary.key or masks.key is missing;
    /// [`ErrorKind::MalformedEncoding`] naming the damaged file;
    /// [`ErrorKind::UnsupportedAlgorithm`] for a GOST R 34.10-2001 key or an unknown one.
    pub fn open(dir: impl AsRef<Path>) -> Result<CryptoProContainer> {
        let dir = dir.as_ref().to_path_buf();
        let header_der = read(&dir, "header.key")?;
        let h = header::parse_header(&header_der)?;
        // Present, even if only the reserve copy is readable.
        read(&dir, "primary.key")?;
        read(&dir, "masks.key")?;
        let name = match std::fs::read(dir.join("name.key")) {
            Ok(der) => Some(header::parse_name(&der)?),
            Err(_) => None,
        };
        // After the algorithm: a 2001 container is refused as such, whatever its MAC.
        let param_set = key_param_set(&h)?;
        header::check_header_mac(&header_der)?;
        let usage = if h.key_algorithm == oid::GOST3410_12_256_AGREEMENT
            || h.key_algorithm == oid::GOST3410_12_512_AGREEMENT
            || bit(&h.key_attributes, 2)
        {
            CryptoProKeyUsage::Exchange
        } else {
            CryptoProKeyUsage::Signature
        };
        let certificate = h
            .certificate
            .as_deref()
            .map(|der| {
                Certificate::from_der(der).map_err(|e| e.context("the certificate in header.key"))
            })
            .transpose()?;
        let has_reserve = dir.join("primary2.key").exists() && dir.join("masks2.key").exists();
        Ok(CryptoProContainer {
            dir,
            name,
            param_set,
            usage,
            exportable: bit(&h.key_attributes, 0),
            certificate,
            fingerprint: h.fingerprint.as_slice().try_into().unwrap_or_default(),
            has_reserve,
            has_second_key: h.has_secondary_key,
            key_not_before: h.key_not_before,
            key_not_after: h.key_not_after,
        })
    }

    /// The folder.
    pub fn path(&self) -> &Path {
        &self.dir
    }

    /// The container's name (name.key), as CryptoPro shows it.
    pub fn name(&self) -> Option<&str> {
        self.name.as_deref()
    }

    /// The key's parameter set.
    pub fn param_set(&self) -> ParamSet {
        self.param_set
    }

    /// What the key is for.
    pub fn usage(&self) -> CryptoProKeyUsage {
        self.usage
    }

    /// Whether CryptoPro marked the key exportable (`pkaExportable`). Reading it does not
    /// depend on this flag; it says what the key's owner intended.
    pub fn exportable(&self) -> bool {
        self.exportable
    }

    /// The certificate stored in the container, when there is one.
    pub fn certificate(&self) -> Option<&Certificate> {
        self.certificate.as_ref()
    }

    /// The fingerprint: the first 8 bytes of the public key's x, little-endian.
    pub fn fingerprint(&self) -> [u8; 8] {
        self.fingerprint
    }

    /// Whether the reserve copy (primary2.key, masks2.key) is present.
    pub fn has_reserve_copy(&self) -> bool {
        self.has_reserve
    }

    /// Whether the header describes a second key (secondary key parameters or fingerprint):
    /// only the primary key is read.
    pub fn has_second_key(&self) -> bool {
        self.has_second_key
    }

    /// The private key's validity from the header's extension (GeneralizedTime text), when
    /// CryptoPro recorded it.
    pub fn key_validity(&self) -> (Option<&str>, Option<&str>) {
        (
            self.key_not_before.as_deref(),
            self.key_not_after.as_deref(),
        )
    }

    /// Recovers the private key with the container's PIN (an empty PIN for a container
    /// without one). The main copy first, then the reserve copy; each PIN encoding candidate
    /// in turn (the same bytes for an ASCII PIN).
    ///
    /// Errors: [`ErrorKind::WrongPassword`] when no copy opens with this PIN;
    /// [`ErrorKind::MalformedEncoding`] naming the file when both copies are damaged;
    /// [`ErrorKind::KeyMismatch`] when the key opens but the stored certificate holds another
    /// key.
    pub fn private_key(&self, pin: &str) -> Result<(SoftwareKey, Unlocked)> {
        let mut damage = None;
        for (primary, masks, from_reserve) in [
            ("primary.key", "masks.key", false),
            ("primary2.key", "masks2.key", true),
        ] {
            if from_reserve && !self.has_reserve {
                break;
            }
            match self.try_copy(primary, masks, pin) {
                Ok(Some((key, pin_encoding))) => {
                    let key = SoftwareKey::from_gost(key)?;
                    if let Some(cert) = &self.certificate
                        && !cert.holds_key(&key.public_key())
                    {
                        return Err(Error::new(
                            ErrorKind::KeyMismatch,
                            "the container's key opens, but the certificate stored with it \
                             holds another key",
                        ));
                    }
                    return Ok((
                        key,
                        Unlocked {
                            from_reserve,
                            pin_encoding,
                        },
                    ));
                }
                Ok(None) => {}
                Err(e) if e.kind() == ErrorKind::MalformedEncoding => {
                    damage.get_or_insert(e);
                }
                Err(e) => return Err(e),
            }
        }
        match damage {
            // Nothing opened and a copy is damaged: say so rather than blame the PIN.
            Some(e) if !self.has_reserve => Err(e),
            _ => Err(Error::new(
                ErrorKind::WrongPassword,
                "the PIN does not open the container (its key does not match the fingerprint)",
            )),
        }
    }

    /// One copy: the key if the PIN opens it (`None` if not), by whichever PIN encoding
    /// gives the fingerprint.
    fn try_copy(
        &self,
        primary: &str,
        masks: &str,
        pin: &str,
    ) -> Result<Option<(SigningKey, &'static str)>> {
        let encrypted = Zeroizing::new(header::parse_primary(&read(&self.dir, primary)?, primary)?);
        let (mask, salt) = header::parse_masks(&read(&self.dir, masks)?, masks)?;
        let n = self.param_set.field_len();
        if encrypted.len() != n || mask.len() != n {
            return Err(Error::malformed(format!(
                "{primary} or {masks} holds a key of the wrong size for {}",
                self.param_set.name()
            ))
            .with_field(primary.to_string()));
        }
        let mut tried: Vec<Zeroizing<Vec<u8>>> = Vec::new();
        for encoding in kdf::PinEncoding::ALL {
            let Some(spread) = encoding.spread(pin) else {
                continue;
            };
            if tried.iter().any(|t| **t == *spread) {
                continue;
            }
            let kek = kdf::kek(&spread, &salt);
            tried.push(spread);
            let mut masked = Zeroizing::new(encrypted.to_vec());
            crate::key::pkcs8::ciphers::gost89_ecb_apply(
                crate::key::pkcs8::ciphers::Gost89Sbox::Tc26Z,
                &kek,
                &mut masked,
                true,
            );
            let d = crate::gost::unmask_scalar(self.param_set, &masked, &mask, true);
            let Ok(key) = SigningKey::from_le_bytes(self.param_set, &d) else {
                continue;
            };
            let xy = key.verifying_key().to_le_xy();
            if xy[..8] == self.fingerprint {
                return Ok(Some((key, encoding.name())));
            }
        }
        Ok(None)
    }

    /// Opens the container as a read-only key store with its PIN (see [`CryptoProStore`]).
    pub fn unlock(&self, pin: &str) -> Result<CryptoProStore> {
        let (key, unlocked) = self.private_key(pin)?;
        Ok(CryptoProStore::new(self.clone(), key, unlocked))
    }
}

fn bit(bits: &[u8], n: usize) -> bool {
    bits.get(n / 8).is_some_and(|b| b & (0x80 >> (n % 8)) != 0)
}

fn key_param_set(h: &header::Header) -> Result<ParamSet> {
    let alg = h.key_algorithm;
    if alg == oid::GOST3410_2001 || alg == oid::GOST3410_2001_AGREEMENT {
        return Err(Error::unsupported(
            "a GOST R 34.10-2001 key: signing with 2001 keys ended on 31.12.2019, and this \
             reader takes 2012 keys only",
        )
        .with_field("header.key"));
    }
    let is_512 = if alg == oid::GOST3410_12_256 || alg == oid::GOST3410_12_256_AGREEMENT {
        false
    } else if alg == oid::GOST3410_12_512 || alg == oid::GOST3410_12_512_AGREEMENT {
        true
    } else {
        return Err(
            Error::unsupported(format!("a container key of algorithm {alg}"))
                .with_field("header.key"),
        );
    };
    let ps = ParamSet::from_oid(&h.curve)?;
    if ps.is_512() != is_512 {
        return Err(Error::malformed(format!(
            "header.key is damaged: parameter set {} does not fit {alg}",
            ps.name()
        ))
        .with_field("header.key"));
    }
    Ok(ps)
}

impl kdf::PinEncoding {
    fn name(self) -> &'static str {
        match self {
            kdf::PinEncoding::Utf32 => "UTF-32",
            kdf::PinEncoding::Utf8Bytes => "UTF-8 bytes",
            kdf::PinEncoding::Cp1251Bytes => "windows-1251 bytes",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn realworld() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../tests/realworld/containers/91team_test.91.gost.dev")
    }

    /// The container CryptoPro CSP 5 wrote (91team/cryptopro): what needs no PIN.
    #[test]
    fn the_real_container_reads_without_its_pin() {
        let c = CryptoProContainer::open(realworld()).unwrap();
        assert_eq!(c.name(), Some("srv"));
        assert_eq!(c.param_set(), ParamSet::CryptoProXchA);
        assert_eq!(c.usage(), CryptoProKeyUsage::Exchange);
        assert!(c.exportable());
        assert!(c.has_reserve_copy());
        assert!(!c.has_second_key());
        assert_eq!(c.key_validity(), (None, Some("20250606132158Z")));
        let cert = c.certificate().expect("the certificate in header.key");
        assert_eq!(cert.subject().to_string(), "CN=test.91.gost.dev");
        // The fingerprint is the first 8 bytes of the certificate key's x, little-endian.
        let xy = crate::key::gost_public_le(&cert.public_key().unwrap().key_bits()).unwrap();
        assert_eq!(c.fingerprint(), xy[..8]);
    }

    /// Its PIN is empty (a server's container: stunnel and nginx start without one). The key
    /// it opens is the certificate's: checked twice over, by the fingerprint and by the
    /// certificate's public key. Both copies open; wrong PINs are told.
    #[test]
    fn the_real_container_opens_with_the_empty_pin() {
        let c = CryptoProContainer::open(realworld()).unwrap();
        let (key, how) = c.private_key("").unwrap();
        assert!(!how.from_reserve);
        assert!(c.certificate().unwrap().holds_key(&key.public_key()));
        for pin in ["11111111", "12345678", "0000"] {
            let e = c.private_key(pin).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::WrongPassword, "{pin}");
        }
        // The reserve copy on its own: the main one damaged.
        let dir = tempfile::tempdir().unwrap();
        for f in std::fs::read_dir(realworld()).unwrap() {
            let f = f.unwrap();
            std::fs::copy(f.path(), dir.path().join(f.file_name())).unwrap();
        }
        std::fs::write(dir.path().join("primary.key"), b"\x30\x03\x04\x01\x00").unwrap();
        let copy = CryptoProContainer::open(dir.path()).unwrap();
        let (again, how) = copy.private_key("").unwrap();
        assert!(how.from_reserve);
        assert_eq!(again.public_key(), key.public_key());
    }
}
