//! Certificate subjects of Russian certificates.
