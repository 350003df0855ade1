//! Property tests of GOST R 34.10-2012 on every parameter set: sign/verify round trips with
//! random keys and messages, tampering detected, malformed inputs give typed errors and never
//! panic.

use bankkey::ErrorKind;
use bankkey::gost::{ParamSet, Signature, SigningKey, VerifyingKey};
use proptest::prelude::*;

/// A key from random bytes, kept below 2^253 (every set's q is above that) and non-zero.
fn key_from(ps: ParamSet, seed: &[u8]) -> SigningKey {
    let n = ps.field_len();
    let mut d = seed[..n].to_vec();
    d[n - 1] &= 0x1F;
    d[0] |= 1;
    SigningKey::from_le_bytes(ps, &d).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn sign_verify_round_trip_and_tampering(
        set in 0usize..12,
        seed in prop::collection::vec(any::<u8>(), 64),
        msg in prop::collection::vec(any::<u8>(), 0..200),
        flip in any::<usize>(),
    ) {
        let ps = ParamSet::ALL[set];
        let key = key_from(ps, &seed);
        let vk = key.verifying_key();
        let sig = key.sign(&msg);
        prop_assert_eq!(sig.to_bytes().len(), 2 * ps.field_len());
        prop_assert!(vk.verify(&msg, &sig).is_ok());

        // the key survives its encodings
        let again = SigningKey::from_le_bytes(ps, &key.to_le_bytes()).unwrap();
        prop_assert_eq!(again.verifying_key(), vk.clone());
        prop_assert_eq!(VerifyingKey::from_le_xy(ps, &vk.to_le_xy()).unwrap(), vk.clone());

        // another message
        let mut other = msg.clone();
        if other.is_empty() { other.push(0) } else { let i = flip % other.len(); other[i] ^= 1 << (flip % 8); }
        prop_assert_eq!(vk.verify(&other, &sig).unwrap_err().kind(), ErrorKind::BadSignature);

        // a changed signature bit
        let mut b = sig.to_bytes();
        let i = flip % b.len();
        b[i] ^= 1 << ((flip / 7) % 8);
        let bad = Signature::from_bytes(&b).unwrap();
        prop_assert_eq!(vk.verify(&msg, &bad).unwrap_err().kind(), ErrorKind::BadSignature);

        // another key
        let other_key = key_from(ps, &seed.iter().map(|x| x ^ 0x5A).collect::<Vec<_>>());
        prop_assert!(other_key.verifying_key().verify(&msg, &sig).is_err());
    }

    #[test]
    fn malformed_public_keys_are_typed_errors(
        set in 0usize..12,
        bytes in prop::collection::vec(any::<u8>(), 0..140),
    ) {
        let ps = ParamSet::ALL[set];
        match VerifyingKey::from_le_xy(ps, &bytes) {
            // a random string is on the curve with negligible probability
            Ok(_) => prop_assert!(false, "random bytes accepted as a point"),
            Err(e) => {
                prop_assert_eq!(e.kind(), ErrorKind::InvalidInput);
                prop_assert_eq!(e.field(), Some("public key"));
            }
        }
    }

    #[test]
    fn malformed_signatures_are_typed_errors(
        set in 0usize..12,
        bytes in prop::collection::vec(any::<u8>(), 0..140),
        msg in prop::collection::vec(any::<u8>(), 0..40),
    ) {
        let ps = ParamSet::ALL[set];
        let key = key_from(ps, &[7u8; 64]);
        match Signature::from_bytes(&bytes) {
            Ok(sig) => {
                prop_assert!(bytes.len() == 64 || bytes.len() == 128);
                let e = key.verifying_key().verify(&msg, &sig).unwrap_err();
                prop_assert_eq!(e.kind(), ErrorKind::BadSignature);
            }
            Err(e) => {
                prop_assert!(bytes.len() != 64 && bytes.len() != 128);
                prop_assert_eq!(e.kind(), ErrorKind::MalformedEncoding);
            }
        }
    }

    #[test]
    fn private_keys_of_any_bytes_never_panic(
        set in 0usize..12,
        bytes in prop::collection::vec(any::<u8>(), 0..70),
    ) {
        let ps = ParamSet::ALL[set];
        if let Err(e) = SigningKey::from_le_bytes(ps, &bytes) {
            prop_assert_eq!(e.kind(), ErrorKind::InvalidInput);
            prop_assert_eq!(e.field(), Some("private key"));
        } else {
            prop_assert_eq!(bytes.len(), ps.field_len());
        }
    }
}

#[test]
fn out_of_range_scalars_and_wrong_lengths() {
    for ps in ParamSet::ALL {
        let n = ps.field_len();
        let key = key_from(ps, &[3u8; 64]);
        let vk = key.verifying_key();
        let good = key.sign(b"m").to_bytes();
        let s = &good[..n];
        let r = &good[n..];
        let zero = vec![0u8; n];
        let big = vec![0xFFu8; n]; // > q for every set
        for (ss, rr) in [(s, &zero[..]), (&zero[..], r), (s, &big[..]), (&big[..], r)] {
            let sig = Signature::from_bytes(&[ss, rr].concat()).unwrap();
            let e = vk.verify(b"m", &sig).unwrap_err();
            assert_eq!(e.kind(), ErrorKind::BadSignature, "{ps}");
        }
        // a signature of the other size
        let other = Signature::from_bytes(&vec![1u8; if n == 32 { 128 } else { 64 }]).unwrap();
        assert_eq!(
            vk.verify(b"m", &other).unwrap_err().kind(),
            ErrorKind::BadSignature
        );
        // digests of the wrong length
        for len in [0, 31, 33, 48, 63, 65] {
            if len == n {
                continue;
            }
            assert_eq!(
                key.sign_digest(&vec![0u8; len]).unwrap_err().kind(),
                ErrorKind::InvalidInput
            );
            assert_eq!(
                vk.verify_digest(&vec![0u8; len], &Signature::from_bytes(&good).unwrap())
                    .unwrap_err()
                    .field(),
                Some("digest")
            );
        }
        // a zero digest signs with e = 1 and verifies
        let zd = vec![0u8; n];
        vk.verify_digest(&zd, &key.sign_digest(&zd).unwrap())
            .unwrap();
        // private scalars 0 and ≥ q are refused
        assert!(SigningKey::from_le_bytes(ps, &zero).is_err());
        assert!(SigningKey::from_le_bytes(ps, &big).is_err());
        // Debug never prints the scalar
        let dbg = format!("{key:?}");
        assert!(!dbg.contains(&hex::encode(&*key.to_le_bytes())));
        // generated keys work
        let g = SigningKey::generate(ps).unwrap();
        g.verifying_key().verify(b"x", &g.sign(b"x")).unwrap();
    }
}

#[test]
fn points_off_the_curve_are_refused() {
    for ps in ParamSet::ALL {
        let key = key_from(ps, &[9u8; 64]);
        let mut xy = key.verifying_key().to_le_xy();
        xy[0] ^= 1; // x changed: off the curve
        assert_eq!(
            VerifyingKey::from_le_xy(ps, &xy).unwrap_err().kind(),
            ErrorKind::InvalidInput
        );
        // coordinates ≥ p are refused (p < 2^(8n) for every set)
        let ff = vec![0xFFu8; 2 * ps.field_len()];
        assert!(VerifyingKey::from_le_xy(ps, &ff).is_err());
    }
}
