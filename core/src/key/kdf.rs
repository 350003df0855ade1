//! Password → key: PBKDF2 (RFC 8018 §5.2) with the PRFs we read, and the process-wide limit
//! on the work a file may ask for.
//!
//! A password-protected file names its own iteration count, so a few hundred hostile bytes
//! can ask for hours of CPU per password attempt (issue 13, defect 5: 10,000,000 iterations of
//! HMAC-Streebog-512 took 16 s). Every derivation checks the count against
//! [`kdf_iteration_limit`] before it starts, and a count above it is
//! [`ErrorKind::LimitExceeded`](crate::ErrorKind::LimitExceeded), not a malformed file: the
//! file may be genuine, and a host that trusts it raises the limit.
//!
//! The default, [`DEFAULT_KDF_ITERATION_LIMIT`] = 1,000,000, is above what every producer we
//! know writes by default (iterations of HMAC-GOST R 34.11-94, seven times slower than
//! Streebog-512, count eight times):
//!
//! | producer | default iterations |
//! |---|---|
//! | CryptoPro CSP, PFX export (Р 50.1.112-2016 example) | 2,000 |
//! | OpenSSL 3.0 `pkcs12 -export`, `pkcs8 -topk8` (`PKCS5_DEFAULT_ITER`) | 2,048 |
//! | GnuTLS 3.7 `certtool --to-p8`, `--to-p12` (`PKCS12_ITER_COUNT`) | 600,000 |
//! | bankkey's own file container ([`DEFAULT_PBKDF2_ITERATIONS`](super::DEFAULT_PBKDF2_ITERATIONS)) | 600,000 |
//!
//! The limit is a process-wide setting, like CPython's `sys.set_int_max_str_digits`: it
//! guards every reader at once (encrypted PKCS#8, the file container, PFX keys, certificates
//! and MAC) without threading an option through each of them, and the C and Python bindings
//! expose the same two functions. Writing above the limit is refused too: we never write
//! what we would refuse to read.

use std::sync::atomic::{AtomicU32, Ordering};

use spki::AlgorithmIdentifierOwned;

use crate::{Error, ErrorKind, Result, oid};

/// The default limit on the iteration count of a password-based key derivation that we
/// read or write (see the module documentation for the producers it accommodates).
pub const DEFAULT_KDF_ITERATION_LIMIT: u32 = 1_000_000;

static LIMIT: AtomicU32 = AtomicU32::new(DEFAULT_KDF_ITERATION_LIMIT);

/// The current limit on key-derivation iteration counts (process-wide; default
/// [`DEFAULT_KDF_ITERATION_LIMIT`]).
pub fn kdf_iteration_limit() -> u32 {
    LIMIT.load(Ordering::Relaxed)
}

/// Sets the process-wide limit on key-derivation iteration counts, for files from a source
/// the host trusts to ask for more work (or to tighten it). Takes effect for derivations
/// that start after the call, in every thread.
///
/// Errors: [`ErrorKind::InvalidInput`] for 0.
pub fn set_kdf_iteration_limit(limit: u32) -> Result<()> {
    if limit == 0 {
        return Err(Error::invalid_field(
            "limit",
            "the iteration limit must be at least 1",
        ));
    }
    LIMIT.store(limit, Ordering::Relaxed);
    Ok(())
}

/// Checks an iteration count read from a file: 0 is malformed (RFC 8018: `INTEGER (1..MAX)`),
/// above the limit is [`ErrorKind::LimitExceeded`].
pub(crate) fn check_read(iterations: u64, field: &str) -> Result<u32> {
    if iterations == 0 {
        return Err(Error::malformed("an iteration count of 0").with_field(field));
    }
    let limit = kdf_iteration_limit();
    match u32::try_from(iterations) {
        Ok(n) if n <= limit => Ok(n),
        _ => Err(over_limit(iterations, limit, field)),
    }
}

/// Checks an iteration count we are asked to write: 1 to the limit.
pub(crate) fn check_write(iterations: u32) -> Result<()> {
    if iterations == 0 {
        return Err(Error::invalid_field(
            "iterations",
            "the iteration count must be at least 1",
        ));
    }
    let limit = kdf_iteration_limit();
    if iterations > limit {
        return Err(over_limit(iterations.into(), limit, "iterations"));
    }
    Ok(())
}

fn over_limit(iterations: u64, limit: u32, field: &str) -> Error {
    Error::new(
        ErrorKind::LimitExceeded,
        format!(
            "a key derivation of {iterations} iterations is above the limit of {limit} \
             (producers write 2,000 to 600,000); a host that trusts the file can raise the \
             limit (set_kdf_iteration_limit)"
        ),
    )
    .with_field(field)
}

/// The pseudo-random function of PBKDF2.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Prf {
    /// hmacWithSHA1, PBKDF2's default.
    Sha1,
    /// hmacWithSHA256.
    Sha256,
    /// id-tc26-hmac-gost-3411-12-256.
    Streebog256,
    /// id-tc26-hmac-gost-3411-12-512.
    Streebog512,
    /// id-HMACGostR3411-94 (CryptoPro-era keys).
    Gost94,
}

impl Prf {
    /// The PRF named by PBKDF2-params' `prf` (absent: HMAC-SHA-1).
    pub(crate) fn from_algorithm(alg: Option<&AlgorithmIdentifierOwned>) -> Result<Prf> {
        let Some(alg) = alg else {
            return Ok(Prf::Sha1);
        };
        crate::key::public::params_absent_or_null(alg, "prf")?;
        match alg.oid {
            o if o == oid::HMAC_WITH_SHA1 => Ok(Prf::Sha1),
            o if o == oid::HMAC_WITH_SHA256 => Ok(Prf::Sha256),
            o if o == oid::HMAC_STREEBOG_256 => Ok(Prf::Streebog256),
            o if o == oid::HMAC_STREEBOG_512 => Ok(Prf::Streebog512),
            o if o == oid::HMAC_GOST3411_94 => Ok(Prf::Gost94),
            o => Err(Error::unsupported(format!("PBKDF2 PRF {o}")).with_field("prf")),
        }
    }

    /// How many iterations one iteration of this PRF counts as toward the limit. HMAC-GOST R
    /// 34.11-94 costs about 7 times an HMAC-Streebog-512 iteration and 60 times an
    /// HMAC-SHA-256 one (`benches/keys.rs`: 17.5 µs against 2.5 and 0.3), so it counts 8
    /// times: no PRF then takes much longer than Streebog-512 at the limit. Only
    /// GOST R 34.10-2001-era keys use it (CryptoPro writes 2000 iterations: 16,000 counted).
    pub(crate) fn weight(self) -> u64 {
        match self {
            Prf::Gost94 => 8,
            _ => 1,
        }
    }

    /// The PRF's name in reports ("HMAC-Streebog-512").
    pub(crate) fn name(self) -> &'static str {
        match self {
            Prf::Sha1 => "HMAC-SHA-1",
            Prf::Sha256 => "HMAC-SHA-256",
            Prf::Streebog256 => "HMAC-Streebog-256",
            Prf::Streebog512 => "HMAC-Streebog-512",
            Prf::Gost94 => "HMAC-GOST R 34.11-94",
        }
    }
}

/// HMAC-GOST R 34.11-94 (CryptoPro parameters). `SimpleHmac`: the `gost94` crate offers the
/// digest traits, not the block-level core `Hmac` wants.
pub(crate) fn hmac_gost94(key: &[u8], data: &[u8]) -> Vec<u8> {
    use hmac::{KeyInit, Mac};
    match <hmac::SimpleHmac<crate::gost::Gost94> as KeyInit>::new_from_slice(key) {
        Ok(mut mac) => {
            mac.update(data);
            mac.finalize().into_bytes().to_vec()
        }
        // HMAC takes keys of any length.
        Err(_) => Vec::new(),
    }
}

/// PBKDF2 into `out`. The caller has checked `iterations` ([`check_read`] or
/// [`check_write`]); checked again here so that no path derives above the limit.
pub(crate) fn pbkdf2(
    prf: Prf,
    password: &[u8],
    salt: &[u8],
    iterations: u32,
    out: &mut [u8],
) -> Result<()> {
    check_read(iterations.into(), "iterationCount")?;
    let counted = u64::from(iterations) * prf.weight();
    let limit = kdf_iteration_limit();
    if counted > u64::from(limit) {
        return Err(Error::new(
            ErrorKind::LimitExceeded,
            format!(
                "{iterations} iterations of {} count as {counted} (it is {} times slower), \
                 above the limit of {limit}; a host that trusts the file can raise the limit \
                 (set_kdf_iteration_limit)",
                prf.name(),
                prf.weight()
            ),
        )
        .with_field("iterationCount"));
    }
    use crate::gost::streebog::rustcrypto::{Streebog256, Streebog512};
    match prf {
        Prf::Sha1 => pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, iterations, out),
        Prf::Sha256 => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, iterations, out),
        Prf::Streebog256 => pbkdf2::pbkdf2_hmac::<Streebog256>(password, salt, iterations, out),
        Prf::Streebog512 => pbkdf2::pbkdf2_hmac::<Streebog512>(password, salt, iterations, out),
        Prf::Gost94 => {
            type HmacGost94 = hmac::SimpleHmac<crate::gost::Gost94>;
            pbkdf2::pbkdf2::<HmacGost94>(password, salt, iterations, out)
                .map_err(|_| Error::new(ErrorKind::Internal, "HMAC-GOST R 34.11-94 key"))?;
        }
    }
    Ok(())
}

/// The hash of a PKCS#12 KDF.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Pkcs12Hash {
    Sha1,
    Sha256,
    Sha384,
    Sha512,
}

/// The PKCS#12 KDF (RFC 7292 appendix B.2) into `out`: `id` 1 (key), 2 (IV) or 3 (MAC key);
/// `password` the BMPString with its two zero bytes. The iteration count is checked against
/// the limit as PBKDF2's is.
pub(crate) fn pkcs12(
    hash: Pkcs12Hash,
    password: &[u8],
    salt: &[u8],
    id: u8,
    iterations: u32,
    out: &mut [u8],
) -> Result<()> {
    check_read(iterations.into(), "iterations")?;
    match hash {
        Pkcs12Hash::Sha1 => pkcs12_with::<sha1::Sha1>(password, salt, id, iterations, out),
        Pkcs12Hash::Sha256 => pkcs12_with::<sha2::Sha256>(password, salt, id, iterations, out),
        Pkcs12Hash::Sha384 => pkcs12_with::<sha2::Sha384>(password, salt, id, iterations, out),
        Pkcs12Hash::Sha512 => pkcs12_with::<sha2::Sha512>(password, salt, id, iterations, out),
    }
    Ok(())
}

fn pkcs12_with<D>(password: &[u8], salt: &[u8], id: u8, iterations: u32, out: &mut [u8])
where
    D: digest::Digest + digest::block_api::BlockSizeUser,
{
    use zeroize::Zeroizing;
    let u = <D as digest::Digest>::output_size();
    let v = <D as digest::block_api::BlockSizeUser>::block_size();
    // I = S ‖ P, each repeated to a multiple of v bytes.
    let fill = |src: &[u8]| -> Vec<u8> {
        if src.is_empty() {
            return Vec::new();
        }
        let len = src.len().div_ceil(v) * v;
        src.iter().copied().cycle().take(len).collect()
    };
    let mut i_buf = Zeroizing::new(fill(salt));
    i_buf.extend_from_slice(&Zeroizing::new(fill(password)));
    let d = vec![id; v];
    for chunk in out.chunks_mut(u) {
        let mut a = Zeroizing::new({
            let mut h = D::new();
            h.update(&d);
            h.update(&*i_buf);
            h.finalize().to_vec()
        });
        for _ in 1..iterations {
            *a = D::digest(&*a).to_vec();
        }
        chunk.copy_from_slice(&a[..chunk.len()]);
        // I_j = (I_j + B + 1) mod 2^(8v), B = A repeated to v bytes.
        let b: Zeroizing<Vec<u8>> = Zeroizing::new(a.iter().copied().cycle().take(v).collect());
        for block in i_buf.chunks_mut(v) {
            let mut carry = 1u16;
            for k in (0..v).rev() {
                let sum = u16::from(block[k]) + u16::from(b[k]) + carry;
                block[k] = sum as u8;
                carry = sum >> 8;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The limit is process-wide: these tests only read it, and use counts far from any value
    // a test sets (tests/keys_kdf_limit.rs changes it, in its own process).

    #[test]
    fn counts_are_checked_against_the_default_limit() {
        assert_eq!(kdf_iteration_limit(), DEFAULT_KDF_ITERATION_LIMIT);
        assert_eq!(check_read(2000, "x").unwrap(), 2000);
        assert_eq!(
            check_read(0, "x").unwrap_err().kind(),
            ErrorKind::MalformedEncoding
        );
        let e = check_read(10_000_000, "iterationCount").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
        assert_eq!(e.field(), Some("iterationCount"));
        assert_eq!(
            check_read(u64::MAX, "x").unwrap_err().kind(),
            ErrorKind::LimitExceeded
        );
        assert_eq!(check_write(0).unwrap_err().kind(), ErrorKind::InvalidInput);
        assert_eq!(
            check_write(DEFAULT_KDF_ITERATION_LIMIT + 1)
                .unwrap_err()
                .kind(),
            ErrorKind::LimitExceeded
        );
        assert_eq!(
            set_kdf_iteration_limit(0).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
    }

    /// The classic PKCS#12 KDF vectors (the "drh-consultancy test.txt" set that OpenSSL,
    /// GnuTLS and BouncyCastle test with): SHA-1, password "smeg", salt 0A58CF64530D823F, ID 1,
    /// one iteration.
    #[test]
    fn pkcs12_kdf_known_answer() {
        let password: Vec<u8> = "smeg"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .chain([0, 0])
            .collect();
        let mut out = [0u8; 24];
        pkcs12(
            Pkcs12Hash::Sha1,
            &password,
            &hex::decode("0A58CF64530D823F").unwrap(),
            1,
            1,
            &mut out,
        )
        .unwrap();
        assert_eq!(
            hex::encode_upper(out),
            "8AAAE6297B6CB04642AB5B077851284EB7128F1A2A7FBCA3"
        );
    }

    #[test]
    fn pbkdf2_refuses_above_the_limit_before_deriving() {
        let mut out = [0u8; 32];
        let e = pbkdf2(Prf::Streebog512, b"p", b"salt", u32::MAX, &mut out).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::LimitExceeded);
        assert_eq!(out, [0u8; 32]);
    }

    /// RFC 6070's first PBKDF2-HMAC-SHA1 vector, and the Streebog-512 PBKDF2 of
    /// R 50.1.111-2016 §A (P = "password", S = "salt", c = 1, dkLen = 64).
    #[test]
    fn pbkdf2_known_answers() {
        let mut out = [0u8; 20];
        pbkdf2(Prf::Sha1, b"password", b"salt", 1, &mut out).unwrap();
        assert_eq!(hex::encode(out), "0c60c80f961f0e71f3a9b524af6012062fe037a6");
        let mut out = [0u8; 64];
        pbkdf2(Prf::Streebog512, b"password", b"salt", 1, &mut out).unwrap();
        assert_eq!(
            hex::encode(out),
            "64770af7f748c3b1c9ac831dbcfd85c26111b30a8a657ddc3056b80ca73e040d\
             2854fd36811f6d825cc4ab66ec0a68a490a9e5cf5156b3a2b7eecddbf9a16b47"
        );
    }
}
