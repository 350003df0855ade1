//! PKCS#10 certificate requests and X.509 certificates.
