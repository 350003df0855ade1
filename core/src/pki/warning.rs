//! Warnings: what a certificate or request held that is not DER, or not within RFC 5280's
//! profile, and was read all the same (issue 12).
//!
//! OpenSSL, GnuTLS and CryptoPro read these encodings, accredited CAs wrote them, and the
//! signature covers the bytes as received (we verify over those, never over a re-encoding), so
//! refusing them would only refuse real certificates. Reading them is never silent: each is a
//! [`Warning`] on the object, and the report lists them. Where reading leniently would change
//! what the object says, we refuse instead; the line is drawn in `docs/ARCHITECTURE.md` (PKI,
//! "Lenient reading").

use serde::Serialize;

use crate::asn1::ber::Rewrites;

/// What kind of leniency a [`Warning`] reports. The names (`ber-boolean`, ...) are stable, as
/// the report's reasons are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum WarningCode {
    /// A BOOLEAN TRUE written as an octet other than 0xFF: BER (X.690 8.2.2), not DER
    /// (11.1). Read as TRUE.
    BerBoolean,
    /// An indefinite or non-minimal length: BER, not DER. Read as its definite length.
    BerLength,
    /// A string in constructed (chunked) form: BER, not DER. Read as the chunks joined.
    BerConstructedString,
    /// A GeneralizedTime with fractional seconds where RFC 5280 §4.1.2.5.2 wants whole
    /// seconds (the Ministry's 2025 root, in its privateKeyUsagePeriod). Read to the second,
    /// the fraction dropped.
    FractionalSeconds,
}

impl WarningCode {
    /// The stable name, as serialised ("ber-boolean").
    pub fn name(self) -> &'static str {
        match self {
            WarningCode::BerBoolean => "ber-boolean",
            WarningCode::BerLength => "ber-length",
            WarningCode::BerConstructedString => "ber-constructed-string",
            WarningCode::FractionalSeconds => "fractional-seconds",
        }
    }
}

/// One encoding read leniently: what, and where.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct Warning {
    /// What kind.
    pub code: WarningCode,
    /// Where and what, for people ("extension basicConstraints: a BOOLEAN TRUE written as
    /// 0x01 (BER), read as TRUE").
    pub detail: String,
}

impl Warning {
    pub(crate) fn new(code: WarningCode, detail: impl Into<String>) -> Warning {
        Warning {
            code,
            detail: detail.into(),
        }
    }

    /// The warnings for what `asn1::ber` rewrote in `place` ("certificate", "extension
    /// basicConstraints").
    pub(crate) fn from_rewrites(rw: Rewrites, place: &str) -> Vec<Warning> {
        let mut out = Vec::new();
        if rw.booleans > 0 {
            out.push(Warning::new(
                WarningCode::BerBoolean,
                format!(
                    "{place}: {} BOOLEAN TRUE written as an octet other than 0xFF (BER, not DER), \
                     read as TRUE",
                    rw.booleans
                ),
            ));
        }
        if rw.lengths {
            out.push(Warning::new(
                WarningCode::BerLength,
                format!("{place}: indefinite or non-minimal lengths (BER, not DER)"),
            ));
        }
        if rw.chunked_strings {
            out.push(Warning::new(
                WarningCode::BerConstructedString,
                format!("{place}: strings in constructed form (BER, not DER), read joined"),
            ));
        }
        out
    }

    /// The same warning about a part of a larger object ("certificate 01AB: ...").
    pub(crate) fn within(&self, outer: &str) -> Warning {
        Warning::new(self.code, format!("{outer}: {}", self.detail))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_serialise_as_their_names() {
        for c in [
            WarningCode::BerBoolean,
            WarningCode::BerLength,
            WarningCode::BerConstructedString,
            WarningCode::FractionalSeconds,
        ] {
            assert_eq!(serde_json::to_value(c).unwrap(), c.name());
        }
        let rw = Rewrites {
            lengths: true,
            chunked_strings: false,
            booleans: 2,
        };
        let w = Warning::from_rewrites(rw, "extension basicConstraints");
        assert_eq!(
            w.iter().map(|w| w.code).collect::<Vec<_>>(),
            [WarningCode::BerBoolean, WarningCode::BerLength]
        );
        assert!(
            w[0].detail
                .starts_with("extension basicConstraints: 2 BOOLEAN")
        );
        assert!(
            w[1].within("certificate 01")
                .detail
                .starts_with("certificate 01: extension")
        );
    }
}
