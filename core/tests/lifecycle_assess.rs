//! Assessing a real file container as the user goes through it: a new medium, a key waiting
//! for its certificate, a certified key over time, a retired key.

mod lifecycle_common;

use bankkey::lifecycle::{DEFAULT_REPLACEMENT_WINDOW_DAYS, KeySetStatus, assess_store};
use bankkey::store::KeyStore;
use lifecycle_common::*;
use time::Duration;

#[test]
fn a_container_goes_from_initial_generation_to_expired() {
    let dir = tempfile::tempdir().unwrap();
    let store = container(&dir.path().join("c"));
    let w = DEFAULT_REPLACEMENT_WINDOW_DAYS;

    let a = assess_store(&store, t0(), w).unwrap();
    assert_eq!(a.status, KeySetStatus::InitialGenerationRequired);
    assert_eq!((a.key_set, a.days_left), (None, None));

    // A key without its certificate is still "initial generation required".
    store.generate(ALG, "pending").unwrap();
    assert_eq!(
        assess_store(&store, t0(), w).unwrap().status,
        KeySetStatus::InitialGenerationRequired
    );

    let ca = TestCa::new();
    let set = certified_key(&store, &ca, t0(), 365);
    let a = assess_store(&store, t0(), w).unwrap();
    assert_eq!(a.status, KeySetStatus::Active);
    assert_eq!(a.key_set.as_ref().map(|k| &k.id), Some(&set.id));
    assert_eq!(a.days_left, Some(365));

    let end = t0() + Duration::days(365);
    let a = assess_store(&store, end - Duration::days(30), w).unwrap();
    assert_eq!(
        (a.status, a.days_left),
        (KeySetStatus::ScheduledReplacementRequired, Some(30))
    );
    let a = assess_store(&store, end + Duration::seconds(1), w).unwrap();
    assert_eq!((a.status, a.days_left), (KeySetStatus::Expired, Some(-1)));

    store.retire(&set.id).unwrap();
    assert_eq!(
        assess_store(&store, t0(), w).unwrap().status,
        KeySetStatus::InitialGenerationRequired
    );
}
