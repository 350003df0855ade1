//! Keys: algorithms, public keys, signers, software keys and PKCS#8.
