//! Structured, JSON-serialisable reports of certificates, requests and keys.
