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
//! know writes by default:
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
            o => Err(Error::unsupported(format!("PBKDF2 PRF {o}")).with_field("prf")),
        }
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
    use crate::gost::streebog::rustcrypto::{Streebog256, Streebog512};
    match prf {
        Prf::Sha1 => pbkdf2::pbkdf2_hmac::<sha1::Sha1>(password, salt, iterations, out),
        Prf::Sha256 => pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password, salt, iterations, out),
        Prf::Streebog256 => pbkdf2::pbkdf2_hmac::<Streebog256>(password, salt, iterations, out),
        Prf::Streebog512 => pbkdf2::pbkdf2_hmac::<Streebog512>(password, salt, iterations, out),
    }
    Ok(())
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
