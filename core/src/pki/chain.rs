//! Chain building from a certificate to given trust anchors (RFC 5280 §6, simplified).
//!
//! The search goes from the leaf upwards: a candidate issuer is any trust anchor or
//! intermediate whose subject matches the certificate's issuer name, whose subject key
//! identifier is the certificate's authority key identifier when both are present (a CA that
//! renewed its key keeps its name: the Ministry's three roots are all «Минцифры России»; a
//! same-named CA with another key is not the issuer, and its absence is `UntrustedIssuer`, as
//! OpenSSL says "unable to get local issuer certificate"), and that
//! [`verifies`](Certificate::verify_issued_by) the certificate's signature. Anchors are tried
//! before intermediates; the depth is bounded. Once a path to an anchor is found, every
//! certificate in it must be within its validity period at the given time, carry no critical
//! extension we do not understand, and respect the CAs' pathLenConstraint.
//!
//! Not covered: revocation (CRL/OCSP; the error model has `Revoked` for when it comes), name
//! constraints and policy processing (a critical nameConstraints or policyConstraints is
//! therefore rejected as not understood).

use time::OffsetDateTime;

use super::cert::{Certificate, names_match};
use crate::{Error, ErrorKind, Result};

/// The longest path tried, anchor included.
pub const MAX_DEPTH: usize = 8;

/// A verified path: the leaf first, the trust anchor last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    certificates: Vec<Certificate>,
}

impl Chain {
    /// The certificates, leaf first, trust anchor last.
    pub fn certificates(&self) -> &[Certificate] {
        &self.certificates
    }

    /// The trust anchor the path ends in.
    pub fn anchor(&self) -> &Certificate {
        // A chain always holds at least the leaf (which may be the anchor itself).
        &self.certificates[self.certificates.len() - 1]
    }
}

/// Builds and checks a path from `leaf` to one of `anchors` at `at`, through `intermediates`.
///
/// Errors: [`ErrorKind::UntrustedIssuer`] when no certificate names the issuer (or a
/// critical extension is not understood, or a path length is exceeded);
/// [`ErrorKind::BadSignature`] or [`ErrorKind::WrongIssuer`] when the only candidates fail
/// (the first such failure is returned); [`ErrorKind::Expired`] or
/// [`ErrorKind::NotYetValid`] for a certificate of the path outside its validity at `at`.
pub fn build_chain(
    leaf: &Certificate,
    intermediates: &[Certificate],
    anchors: &[Certificate],
    at: OffsetDateTime,
) -> Result<Chain> {
    let mut path = vec![leaf.clone()];
    let mut first_failure = None;
    if !search(&mut path, intermediates, anchors, &mut first_failure) {
        return Err(first_failure.unwrap_or_else(|| {
            Error::new(
                ErrorKind::UntrustedIssuer,
                match leaf.authority_key_id() {
                    Some(aki) => format!(
                        "no trust anchor or intermediate certificate for issuer \"{}\" with key \
                         identifier {}",
                        leaf.issuer(),
                        hex::encode_upper(aki)
                    ),
                    None => format!(
                        "no trust anchor or intermediate certificate for issuer \"{}\"",
                        leaf.issuer()
                    ),
                },
            )
        }));
    }
    for c in &path {
        if let Some(e) = c.extensions().unknown_critical() {
            return Err(Error::new(
                ErrorKind::UntrustedIssuer,
                format!(
                    "certificate {} (\"{}\") has a critical extension we do not understand: {}",
                    c.serial_hex(),
                    c.subject(),
                    e.name()
                ),
            ));
        }
    }
    // pathLenConstraint: the number of non-self-issued intermediates below a CA.
    for (i, ca) in path.iter().enumerate().skip(1) {
        if let Some((_, Some(max))) = ca.extensions().basic_constraints() {
            let below = path[1..i].iter().filter(|c| !c.is_self_issued()).count();
            if below > usize::from(max) {
                return Err(Error::new(
                    ErrorKind::UntrustedIssuer,
                    format!(
                        "\"{}\" allows {max} intermediate CAs below it, the path has {below}",
                        ca.subject()
                    ),
                ));
            }
        }
    }
    for c in &path {
        c.check_validity_at(at)?;
    }
    Ok(Chain { certificates: path })
}

/// Whether `issuer` may hold the key that signed `cert` by their key identifiers (either
/// missing: it may).
fn key_ids_agree(cert: &Certificate, issuer: &Certificate) -> bool {
    match (cert.authority_key_id(), issuer.subject_key_id()) {
        (Some(aki), Some(ski)) => aki == ski,
        _ => true,
    }
}

fn is_anchor(c: &Certificate, anchors: &[Certificate]) -> bool {
    anchors.iter().any(|a| a.der() == c.der())
}

/// Depth-first search; `path` holds the certificates so far (its last one is the one whose
/// issuer is sought). Returns true with `path` ending in an anchor.
fn search(
    path: &mut Vec<Certificate>,
    intermediates: &[Certificate],
    anchors: &[Certificate],
    first_failure: &mut Option<Error>,
) -> bool {
    let Some(cur) = path.last().cloned() else {
        return false;
    };
    if is_anchor(&cur, anchors) {
        return true;
    }
    if path.len() >= MAX_DEPTH {
        return false;
    }
    let candidates: Vec<&Certificate> = anchors
        .iter()
        .chain(intermediates.iter())
        .filter(|c| {
            names_match(cur.issuer_der(), cur.issuer(), c.subject_der(), c.subject())
                && key_ids_agree(&cur, c)
                && !path.iter().any(|p| p.der() == c.der())
        })
        .collect();
    for cand in candidates {
        match cur.verify_issued_by(cand) {
            Ok(()) => {
                path.push(cand.clone());
                if search(path, intermediates, anchors, first_failure) {
                    return true;
                }
                path.pop();
            }
            Err(e) => {
                if first_failure.is_none() {
                    *first_failure = Some(e);
                }
            }
        }
    }
    false
}
