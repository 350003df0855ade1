//! Key-set assessment: what the system tells the user about the key set on a medium
//! («Необходима начальная генерация», «Необходима плановая замена сертификата», ...).
//!
//! The rule, for a certificate and a date `at`:
//!
//! | condition | status |
//! |---|---|
//! | no key set with a private key and a certificate | `InitialGenerationRequired` |
//! | `at` after notAfter | `Expired` |
//! | notAfter − `at` ≤ the window (30 days by default) | `ScheduledReplacementRequired` |
//! | otherwise | `Active` |
//!
//! The window is inclusive: exactly 30 days before notAfter the replacement is due; at
//! notAfter itself the certificate is still valid (RFC 5280 §4.1.2.5: the period includes
//! both ends), one second later it has expired.
//!
//! A certificate that is **not valid yet** (`at` before notBefore — a bank issuing with a
//! clock slightly ahead, or a certificate issued in advance) is assessed by its notAfter like a
//! valid one: the user has nothing to do but wait, and telling them to generate keys again
//! would throw away a certificate that will work. Signing with it before notBefore still
//! fails where validity is checked ([`crate::ErrorKind::NotYetValid`]).

use time::{Duration, OffsetDateTime};

use super::KeySetStatus;
use crate::Result;
use crate::pki::Certificate;
use crate::store::{KeySet, KeyStore};

/// The replacement window of the bank instructions: «за месяц до окончания срока действия».
pub const DEFAULT_REPLACEMENT_WINDOW_DAYS: u32 = 30;

/// The status of a key set whose certificate is `cert` (`None`: no certificate) at `at`, with
/// a replacement window of `window_days` days (see the module docs for the rule).
pub fn assess(cert: Option<&Certificate>, at: OffsetDateTime, window_days: u32) -> KeySetStatus {
    let Some(cert) = cert else {
        return KeySetStatus::InitialGenerationRequired;
    };
    let not_after = cert.not_after();
    if at > not_after {
        KeySetStatus::Expired
    } else if not_after - at <= Duration::days(i64::from(window_days)) {
        KeySetStatus::ScheduledReplacementRequired
    } else {
        KeySetStatus::Active
    }
}

/// The assessment of a medium: its status, the key set it is about, the days left.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    /// The status.
    pub status: KeySetStatus,
    /// The key set in use (private key and certificate), when there is one.
    pub key_set: Option<KeySet>,
    /// Whole days from the date of the assessment to the certificate's notAfter, rounded
    /// down ([`Certificate::days_to_expiry`]); negative once expired; `None` without a
    /// certificate.
    pub days_left: Option<i64>,
}

impl Assessment {
    /// The assessment of one key set (or none) at `at`.
    ///
    /// Errors: [`crate::ErrorKind::MalformedEncoding`] when the key set's certificate does
    /// not parse.
    pub fn of(key_set: Option<KeySet>, at: OffsetDateTime, window_days: u32) -> Result<Self> {
        let cert = match key_set.as_ref().and_then(|k| k.certificate.as_deref()) {
            Some(der) => Some(
                Certificate::from_der(der).map_err(|e| e.context("the key set's certificate"))?,
            ),
            None => None,
        };
        Ok(Assessment {
            status: assess(cert.as_ref(), at, window_days),
            days_left: cert.as_ref().map(|c| c.days_to_expiry(at)),
            key_set: key_set.filter(|_| cert.is_some()),
        })
    }
}

/// Assesses the medium behind `store` at `at`.
///
/// The key set in use is chosen among the sets that have a private key and a certificate and
/// are neither retired nor damaged ([`KeySet::damage`]): the one whose certificate ends last. None → `InitialGenerationRequired`.
/// This looks at the store alone; `Client::assess` also knows, from
/// its journal, which set a regeneration in progress must not count yet.
///
/// Errors: the store's own (I/O, token); [`crate::ErrorKind::MalformedEncoding`] when a
/// certificate in the store does not parse.
pub fn assess_store(
    store: &dyn KeyStore,
    at: OffsetDateTime,
    window_days: u32,
) -> Result<Assessment> {
    current_key_set(store.key_sets()?, |_| true).and_then(|k| Assessment::of(k, at, window_days))
}

/// Among `sets`, the usable one (private key, certificate, not retired, not damaged, accepted
/// by `keep`) whose certificate ends last.
pub(crate) fn current_key_set(
    sets: Vec<KeySet>,
    keep: impl Fn(&KeySet) -> bool,
) -> Result<Option<KeySet>> {
    let mut best: Option<(OffsetDateTime, KeySet)> = None;
    for set in sets {
        // A damaged set (its certificate or metadata does not read) is never the one in
        // use: the store's warnings name it.
        if !set.has_private_key || set.retired || set.is_damaged() || !keep(&set) {
            continue;
        }
        let Some(der) = set.certificate.as_deref() else {
            continue;
        };
        let not_after = Certificate::from_der(der)
            .map_err(|e| e.context(format!("the certificate of key set {}", set.id_hex())))?
            .not_after();
        if best.as_ref().is_none_or(|(t, _)| not_after > *t) {
            best = Some((not_after, set));
        }
    }
    Ok(best.map(|(_, set)| set))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::gost::ParamSet;
    use crate::key::{KeyAlgorithm, SoftwareKey};
    use crate::pki::CertificateBuilder;
    use crate::subject::{AttributeType, Subject};

    fn cert(not_before: OffsetDateTime, not_after: OffsetDateTime) -> Certificate {
        let key = SoftwareKey::generate(KeyAlgorithm::Gost(ParamSet::Tc26_256A)).unwrap();
        let subject = Subject::new().with(AttributeType::CommonName, "assess");
        CertificateBuilder::new(&subject, &key.public_key())
            .unwrap()
            .validity(not_before, not_after)
            .ca(None)
            .sign(None, &key)
            .unwrap()
    }

    fn t(unix: i64) -> OffsetDateTime {
        OffsetDateTime::from_unix_timestamp(unix).unwrap()
    }

    #[test]
    fn the_window_is_inclusive_and_expiry_starts_one_second_after_not_after() {
        let not_after = t(1_900_000_000);
        let c = cert(t(1_800_000_000), not_after);
        let w = DEFAULT_REPLACEMENT_WINDOW_DAYS;
        let day = Duration::days(1);
        let sec = Duration::seconds(1);
        assert_eq!(
            assess(Some(&c), not_after - 30 * day - sec, w),
            KeySetStatus::Active
        );
        assert_eq!(
            assess(Some(&c), not_after - 30 * day, w),
            KeySetStatus::ScheduledReplacementRequired
        );
        assert_eq!(
            assess(Some(&c), not_after, w),
            KeySetStatus::ScheduledReplacementRequired
        );
        assert_eq!(assess(Some(&c), not_after + sec, w), KeySetStatus::Expired);
        // The window is configurable.
        assert_eq!(
            assess(Some(&c), not_after - 30 * day, 29),
            KeySetStatus::Active
        );
        assert_eq!(
            assess(Some(&c), not_after - 60 * day, 60),
            KeySetStatus::ScheduledReplacementRequired
        );
        assert_eq!(assess(Some(&c), not_after - sec, 0), KeySetStatus::Active);
        assert_eq!(
            assess(None, not_after, w),
            KeySetStatus::InitialGenerationRequired
        );
    }

    #[test]
    fn a_certificate_not_valid_yet_is_assessed_by_its_end() {
        let c = cert(t(1_800_000_000), t(1_900_000_000));
        let before = t(1_800_000_000) - Duration::seconds(1);
        assert_eq!(assess(Some(&c), before, 30), KeySetStatus::Active);
        // Issued for less than the window: replacement is already due.
        let short = cert(t(1_800_000_000), t(1_800_000_000) + Duration::days(10));
        assert_eq!(
            assess(Some(&short), before, 30),
            KeySetStatus::ScheduledReplacementRequired
        );
    }

    #[test]
    fn assessment_counts_days_and_ignores_incomplete_and_retired_sets() {
        let old = cert(t(1_800_000_000), t(1_850_000_000));
        let newer = cert(t(1_800_000_000), t(1_900_000_000));
        let set = |id: u8, cert: Option<&Certificate>, key: bool, retired: bool| KeySet {
            id: vec![id],
            label: format!("set {id}"),
            public_key_spki: None,
            has_private_key: key,
            certificate: cert.map(|c| c.to_der()),
            retired,
            damage: Vec::new(),
        };
        let at = t(1_850_000_000) - Duration::days(5) - Duration::hours(1);
        let a = Assessment::of(Some(set(1, Some(&old), true, false)), at, 30).unwrap();
        assert_eq!(a.status, KeySetStatus::ScheduledReplacementRequired);
        assert_eq!(a.days_left, Some(5));
        let none = Assessment::of(Some(set(2, None, true, false)), at, 30).unwrap();
        assert_eq!(none.status, KeySetStatus::InitialGenerationRequired);
        assert_eq!((none.key_set, none.days_left), (None, None));

        let sets = vec![
            set(1, Some(&old), true, false),
            set(2, Some(&newer), true, true),   // retired
            set(3, Some(&newer), false, false), // someone else's certificate
            set(4, None, true, false),          // waiting for the bank
        ];
        let current = current_key_set(sets.clone(), |_| true).unwrap().unwrap();
        assert_eq!(current.id, vec![1]);
        assert_eq!(current_key_set(sets, |k| k.id != vec![1]).unwrap(), None);
        let both = vec![
            set(1, Some(&old), true, false),
            set(5, Some(&newer), true, false),
        ];
        assert_eq!(
            current_key_set(both, |_| true).unwrap().unwrap().id,
            vec![5]
        );

        let mut broken = set(6, Some(&old), true, false);
        broken.certificate = Some(vec![0x30, 0x03, 0x02, 0x01, 0x01]);
        let e = Assessment::of(Some(broken), at, 30).unwrap_err();
        assert_eq!(e.kind(), crate::ErrorKind::MalformedEncoding);
    }
}
