//! Verifying many GOST signatures at once, on every core.
//!
//! A bank verifies every signed request and payment it receives; those checks are independent,
//! so [`verify_many`] spreads them over rayon's thread pool (one thread per core unless the
//! caller runs it inside a pool of its own, `rayon::ThreadPool::install`). Each item is checked
//! exactly as [`VerifyingKey::verify`] checks it, and the results come back in input order.
//! `BENCHMARKS.md` records the speed-up per core.

use rayon::prelude::*;

use super::{Signature, VerifyingKey};
use crate::Result;

/// One signature to check: the signer's public key, the signed message (hashed with the
/// parameter set's Streebog, as [`VerifyingKey::verify`] does) and the signature.
#[derive(Clone, Debug)]
pub struct BatchItem {
    /// The signer's public key.
    pub key: VerifyingKey,
    /// The signed message.
    pub message: Vec<u8>,
    /// The signature, s‖r.
    pub signature: Signature,
}

/// Verifies every item in parallel; the i-th result is item i's: `Ok(())`, or the error
/// [`VerifyingKey::verify`] gives for it ([`BadSignature`](crate::ErrorKind::BadSignature) when
/// the signature does not verify).
pub fn verify_many(items: &[BatchItem]) -> Vec<Result<()>> {
    items
        .par_iter()
        .map(|item| item.key.verify(&item.message, &item.signature))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;
    use crate::gost::{ParamSet, SigningKey};

    #[test]
    fn results_are_per_item_in_order() {
        let keys: Vec<SigningKey> = [
            ParamSet::Tc26_256A,
            ParamSet::CryptoProA,
            ParamSet::Tc26_512C,
        ]
        .into_iter()
        .map(|ps| SigningKey::generate(ps).unwrap())
        .collect();
        let mut items = Vec::new();
        for i in 0..30u32 {
            let key = &keys[i as usize % keys.len()];
            let message = format!("payment order {i}").into_bytes();
            let signature = key.sign(&message);
            items.push(BatchItem {
                key: key.verifying_key(),
                message,
                signature,
            });
        }
        // Break three items in three ways: another message, another key, another signature.
        items[4].message.push(b'!');
        items[11].key = keys[(11 + 1) % keys.len()].verifying_key();
        items[23].signature = items[22].signature.clone();

        let results = verify_many(&items);
        assert_eq!(results.len(), items.len());
        for (i, r) in results.iter().enumerate() {
            match i {
                4 | 23 => assert_eq!(r.as_ref().unwrap_err().kind(), ErrorKind::BadSignature),
                // A key of another parameter set: the signature's length or value is wrong.
                11 => assert!(r.is_err(), "item 11 verified under a wrong key"),
                _ => assert!(r.is_ok(), "item {i}: {r:?}"),
            }
        }
        assert!(verify_many(&[]).is_empty());
    }

    #[test]
    fn agrees_with_verify_in_a_pool_of_one_thread() {
        let key = SigningKey::generate(ParamSet::Tc26_256B).unwrap();
        let items: Vec<BatchItem> = (0..8u8)
            .map(|i| BatchItem {
                key: key.verifying_key(),
                message: vec![i; 100],
                signature: key.sign(&[i ^ (i & 1); 100]),
            })
            .collect();
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(1)
            .build()
            .unwrap();
        let results = pool.install(|| verify_many(&items));
        for (item, r) in items.iter().zip(&results) {
            let single = item.key.verify(&item.message, &item.signature);
            assert_eq!(r.is_ok(), single.is_ok());
        }
        // Odd i signed another message.
        assert_eq!(results.iter().filter(|r| r.is_ok()).count(), 4);
    }
}
