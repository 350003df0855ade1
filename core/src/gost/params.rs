//! The parameter sets: names, OIDs, and the curve constants behind them.
//!
//! Constants are transcribed from `shared/reference/gost-params.txt` (RFC 4357 §11.4 for the
//! CryptoPro sets, RFC 7836 / R 1323565.1.024-2019 for the TC26 sets, GOST R 34.10-2012
//! appendix A for the test sets), all in their short Weierstrass form y² = x³ + ax + b, which is
//! the form signatures are defined over. Several parameter sets share a curve (TC26 256-B/C/D are
//! CryptoPro A/B/C; XchA = A; XchB = C), so curves are built once per [`CurveId`].

use std::sync::OnceLock;

use const_oid::ObjectIdentifier;

use super::point::Curve;
use crate::{Error, Result, oid};

/// A GOST R 34.10-2012 parameter set (an elliptic curve with its base point).
///
/// The 256-bit sets sign with Streebog-256, the 512-bit ones with Streebog-512.
/// Aliases: TC26 256-B, 256-C, 256-D use the curves of CryptoPro A, B, C; CryptoPro XchA uses
/// the curve of CryptoPro A and XchB the curve of CryptoPro C. TC26 256-A and 512-C are the
/// twisted-Edwards curves (cofactor 4), used here in their Weierstrass form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ParamSet {
    /// id-tc26-gost-3410-12-256-paramSetA (1.2.643.7.1.2.1.1.1), twisted Edwards.
    Tc26_256A,
    /// id-tc26-gost-3410-12-256-paramSetB (1.2.643.7.1.2.1.1.2), the CryptoPro-A curve.
    Tc26_256B,
    /// id-tc26-gost-3410-12-256-paramSetC (1.2.643.7.1.2.1.1.3), the CryptoPro-B curve.
    Tc26_256C,
    /// id-tc26-gost-3410-12-256-paramSetD (1.2.643.7.1.2.1.1.4), the CryptoPro-C curve.
    Tc26_256D,
    /// id-GostR3410-2001-CryptoPro-A-ParamSet (1.2.643.2.2.35.1).
    CryptoProA,
    /// id-GostR3410-2001-CryptoPro-B-ParamSet (1.2.643.2.2.35.2).
    CryptoProB,
    /// id-GostR3410-2001-CryptoPro-C-ParamSet (1.2.643.2.2.35.3).
    CryptoProC,
    /// id-GostR3410-2001-CryptoPro-XchA-ParamSet (1.2.643.2.2.36.0), the CryptoPro-A curve.
    CryptoProXchA,
    /// id-GostR3410-2001-CryptoPro-XchB-ParamSet (1.2.643.2.2.36.1), the CryptoPro-C curve.
    CryptoProXchB,
    /// id-tc26-gost-3410-12-512-paramSetA (1.2.643.7.1.2.1.2.1).
    Tc26_512A,
    /// id-tc26-gost-3410-12-512-paramSetB (1.2.643.7.1.2.1.2.2).
    Tc26_512B,
    /// id-tc26-gost-3410-12-512-paramSetC (1.2.643.7.1.2.1.2.3), twisted Edwards.
    Tc26_512C,
}

impl ParamSet {
    /// Every parameter set, 256-bit ones first.
    pub const ALL: [ParamSet; 12] = [
        ParamSet::Tc26_256A,
        ParamSet::Tc26_256B,
        ParamSet::Tc26_256C,
        ParamSet::Tc26_256D,
        ParamSet::CryptoProA,
        ParamSet::CryptoProB,
        ParamSet::CryptoProC,
        ParamSet::CryptoProXchA,
        ParamSet::CryptoProXchB,
        ParamSet::Tc26_512A,
        ParamSet::Tc26_512B,
        ParamSet::Tc26_512C,
    ];

    /// The parameter-set OID (as in the SubjectPublicKeyInfo parameters).
    pub fn oid(self) -> ObjectIdentifier {
        match self {
            ParamSet::Tc26_256A => oid::PARAMSET_TC26_256_A,
            ParamSet::Tc26_256B => oid::PARAMSET_TC26_256_B,
            ParamSet::Tc26_256C => oid::PARAMSET_TC26_256_C,
            ParamSet::Tc26_256D => oid::PARAMSET_TC26_256_D,
            ParamSet::CryptoProA => oid::PARAMSET_CRYPTOPRO_A,
            ParamSet::CryptoProB => oid::PARAMSET_CRYPTOPRO_B,
            ParamSet::CryptoProC => oid::PARAMSET_CRYPTOPRO_C,
            ParamSet::CryptoProXchA => oid::PARAMSET_CRYPTOPRO_XCHA,
            ParamSet::CryptoProXchB => oid::PARAMSET_CRYPTOPRO_XCHB,
            ParamSet::Tc26_512A => oid::PARAMSET_TC26_512_A,
            ParamSet::Tc26_512B => oid::PARAMSET_TC26_512_B,
            ParamSet::Tc26_512C => oid::PARAMSET_TC26_512_C,
        }
    }

    /// The parameter set named by an OID; the test sets of the standard's appendix are not
    /// accepted ([`crate::ErrorKind::UnsupportedAlgorithm`]).
    pub fn from_oid(oid: &ObjectIdentifier) -> Result<ParamSet> {
        ParamSet::ALL
            .into_iter()
            .find(|ps| ps.oid() == *oid)
            .ok_or_else(|| {
                Error::unsupported(format!("unknown GOST R 34.10-2012 parameter set {oid}"))
                    .with_field("parameter set")
            })
    }

    /// Whether this is a 512-bit set (Streebog-512, 64-byte scalars and coordinates).
    pub fn is_512(self) -> bool {
        matches!(
            self,
            ParamSet::Tc26_512A | ParamSet::Tc26_512B | ParamSet::Tc26_512C
        )
    }

    /// The length in bytes of a coordinate, a scalar and a digest: 32 or 64.
    pub fn field_len(self) -> usize {
        if self.is_512() { 64 } else { 32 }
    }

    /// The name of the OID as in RFC 4357 / RFC 9215, e.g. "id-GostR3410-2001-CryptoPro-A-ParamSet".
    pub fn name(self) -> &'static str {
        match self {
            ParamSet::Tc26_256A => "id-tc26-gost-3410-12-256-paramSetA",
            ParamSet::Tc26_256B => "id-tc26-gost-3410-12-256-paramSetB",
            ParamSet::Tc26_256C => "id-tc26-gost-3410-12-256-paramSetC",
            ParamSet::Tc26_256D => "id-tc26-gost-3410-12-256-paramSetD",
            ParamSet::CryptoProA => "id-GostR3410-2001-CryptoPro-A-ParamSet",
            ParamSet::CryptoProB => "id-GostR3410-2001-CryptoPro-B-ParamSet",
            ParamSet::CryptoProC => "id-GostR3410-2001-CryptoPro-C-ParamSet",
            ParamSet::CryptoProXchA => "id-GostR3410-2001-CryptoPro-XchA-ParamSet",
            ParamSet::CryptoProXchB => "id-GostR3410-2001-CryptoPro-XchB-ParamSet",
            ParamSet::Tc26_512A => "id-tc26-gost-3410-12-512-paramSetA",
            ParamSet::Tc26_512B => "id-tc26-gost-3410-12-512-paramSetB",
            ParamSet::Tc26_512C => "id-tc26-gost-3410-12-512-paramSetC",
        }
    }

    /// The gost engine's `paramset:` name: "A", "B", "C", "XA", "XB", "TCA".."TCD" for
    /// `gost2012_256`; "A", "B", "C" for `gost2012_512`.
    pub fn openssl_name(self) -> &'static str {
        match self {
            ParamSet::Tc26_256A => "TCA",
            ParamSet::Tc26_256B => "TCB",
            ParamSet::Tc26_256C => "TCC",
            ParamSet::Tc26_256D => "TCD",
            ParamSet::CryptoProA => "A",
            ParamSet::CryptoProB => "B",
            ParamSet::CryptoProC => "C",
            ParamSet::CryptoProXchA => "XA",
            ParamSet::CryptoProXchB => "XB",
            ParamSet::Tc26_512A => "A",
            ParamSet::Tc26_512B => "B",
            ParamSet::Tc26_512C => "C",
        }
    }

    /// The curve behind the parameter set.
    pub(crate) fn curve_id(self) -> CurveId {
        match self {
            ParamSet::Tc26_256A => CurveId::Tc26_256A,
            ParamSet::CryptoProA | ParamSet::CryptoProXchA | ParamSet::Tc26_256B => {
                CurveId::CryptoProA
            }
            ParamSet::CryptoProB | ParamSet::Tc26_256C => CurveId::CryptoProB,
            ParamSet::CryptoProC | ParamSet::CryptoProXchB | ParamSet::Tc26_256D => {
                CurveId::CryptoProC
            }
            ParamSet::Tc26_512A => CurveId::Tc26_512A,
            ParamSet::Tc26_512B => CurveId::Tc26_512B,
            ParamSet::Tc26_512C => CurveId::Tc26_512C,
        }
    }
}

impl std::fmt::Display for ParamSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A distinct curve (parameter sets that share a curve share its tables).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(test), allow(dead_code))] // the test curves serve the appendix A vectors
pub(crate) enum CurveId {
    /// GOST R 34.10-2012 appendix A.1 (id-GostR3410-2001-TestParamSet).
    Test256,
    CryptoProA,
    CryptoProB,
    CryptoProC,
    Tc26_256A,
    /// GOST R 34.10-2012 appendix A.2 (id-tc26-gost-3410-12-512-paramSetTest).
    Test512,
    Tc26_512A,
    Tc26_512B,
    Tc26_512C,
}

/// The constants of one curve, big-endian hex as in gost-params.txt.
pub(crate) struct CurveConsts {
    pub(crate) p: &'static str,
    pub(crate) a: &'static str,
    pub(crate) b: &'static str,
    pub(crate) q: &'static str,
    pub(crate) x: &'static str,
    pub(crate) y: &'static str,
    pub(crate) cofactor: u64,
    /// Twisted Edwards model (e = 1): d, base point u, v — for TC26 256-A and 512-C.
    pub(crate) edwards: Option<(&'static str, &'static str, &'static str)>,
}

const TEST_256: CurveConsts = CurveConsts {
    p: "8000000000000000000000000000000000000000000000000000000000000431",
    a: "0000000000000000000000000000000000000000000000000000000000000007",
    b: "5FBFF498AA938CE739B8E022FBAFEF40563F6E6A3472FC2A514C0CE9DAE23B7E",
    q: "8000000000000000000000000000000150FE8A1892976154C59CFC193ACCF5B3",
    x: "0000000000000000000000000000000000000000000000000000000000000002",
    y: "08E2A8A0E65147D4BD6316030E16D19C85C97F0A9CA267122B96ABBCEA7E8FC8",
    cofactor: 1,
    edwards: None,
};

const CRYPTOPRO_A: CurveConsts = CurveConsts {
    p: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
    a: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD94",
    b: "00000000000000000000000000000000000000000000000000000000000000A6",
    q: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF6C611070995AD10045841B09B761B893",
    x: "0000000000000000000000000000000000000000000000000000000000000001",
    y: "8D91E471E0989CDA27DF505A453F2B7635294F2DDF23E3B122ACC99C9E9F1E14",
    cofactor: 1,
    edwards: None,
};

const CRYPTOPRO_B: CurveConsts = CurveConsts {
    p: "8000000000000000000000000000000000000000000000000000000000000C99",
    a: "8000000000000000000000000000000000000000000000000000000000000C96",
    b: "3E1AF419A269A5F866A7D3C25C3DF80AE979259373FF2B182F49D4CE7E1BBC8B",
    q: "800000000000000000000000000000015F700CFFF1A624E5E497161BCC8A198F",
    x: "0000000000000000000000000000000000000000000000000000000000000001",
    y: "3FA8124359F96680B83D1C3EB2C070E5C545C9858D03ECFB744BF8D717717EFC",
    cofactor: 1,
    edwards: None,
};

const CRYPTOPRO_C: CurveConsts = CurveConsts {
    p: "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D759B",
    a: "9B9F605F5A858107AB1EC85E6B41C8AACF846E86789051D37998F7B9022D7598",
    b: "000000000000000000000000000000000000000000000000000000000000805A",
    q: "9B9F605F5A858107AB1EC85E6B41C8AA582CA3511EDDFB74F02F3A6598980BB9",
    x: "0000000000000000000000000000000000000000000000000000000000000000",
    y: "41ECE55743711A8C3CBF3783CD08C0EE4D4DC440D4641A8F366E550DFDB3BB67",
    cofactor: 1,
    edwards: None,
};

const TC26_256_A: CurveConsts = CurveConsts {
    p: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFD97",
    a: "C2173F1513981673AF4892C23035A27CE25E2013BF95AA33B22C656F277E7335",
    b: "295F9BAE7428ED9CCC20E7C359A9D41A22FCCD9108E17BF7BA9337A6F8AE9513",
    q: "400000000000000000000000000000000FD8CDDFC87B6635C115AF556C360C67",
    x: "91E38443A5E82C0D880923425712B2BB658B9196932E02C78B2582FE742DAA28",
    y: "32879423AB1A0375895786C4BB46E9565FDE0B5344766740AF268ADB32322E5C",
    cofactor: 4,
    edwards: Some((
        "0605F6B7C183FA81578BC39CFAD518132B9DF62897009AF7E522C32D6DC7BFFB",
        "000000000000000000000000000000000000000000000000000000000000000D",
        "60CA1E32AA475B348488C38FAB07649CE7EF8DBE87F22E81F92B2592DBA300E7",
    )),
};

const TEST_512: CurveConsts = CurveConsts {
    p: "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DF1D852741AF4704A0458047E80E4546D35B8336FAC224DD81664BBF528BE6373",
    a: "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000007",
    b: "1CFF0806A31116DA29D8CFA54E57EB748BC5F377E49400FDD788B649ECA1AC4361834013B2AD7322480A89CA58E0CF74BC9E540C2ADD6897FAD0A3084F302ADC",
    q: "4531ACD1FE0023C7550D267B6B2FEE80922B14B2FFB90F04D4EB7C09B5D2D15DA82F2D7ECB1DBAC719905C5EECC423F1D86E25EDBE23C595D644AAF187E6E6DF",
    x: "24D19CC64572EE30F396BF6EBBFD7A6C5213B3B3D7057CC825F91093A68CD762FD60611262CD838DC6B60AA7EEE804E28BC849977FAC33B4B530F1B120248A9A",
    y: "2BB312A43BD2CE6E0D020613C857ACDDCFBF061E91E5F2C3F32447C259F39B2C83AB156D77F1496BF7EB3351E1EE4E43DC1A18B91B24640B6DBB92CB1ADD371E",
    cofactor: 1,
    edwards: None,
};

const TC26_512_A: CurveConsts = CurveConsts {
    p: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
    a: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC4",
    b: "E8C2505DEDFC86DDC1BD0B2B6667F1DA34B82574761CB0E879BD081CFD0B6265EE3CB090F30D27614CB4574010DA90DD862EF9D4EBEE4761503190785A71C760",
    q: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF27E69532F48D89116FF22B8D4E0560609B4B38ABFAD2B85DCACDB1411F10B275",
    x: "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000003",
    y: "7503CFE87A836AE3A61B8816E25450E6CE5E1C93ACF1ABC1778064FDCBEFA921DF1626BE4FD036E93D75E6A50E3A41E98028FE5FC235F5B889A589CB5215F2A4",
    cofactor: 1,
    edwards: None,
};

const TC26_512_B: CurveConsts = CurveConsts {
    p: "8000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006F",
    a: "8000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000006C",
    b: "687D1B459DC841457E3E06CF6F5E2517B97C7D614AF138BCBF85DC806C4B289F3E965D2DB1416D217F8B276FAD1AB69C50F78BEE1FA3106EFB8CCBC7C5140116",
    q: "800000000000000000000000000000000000000000000000000000000000000149A1EC142565A545ACFDB77BD9D40CFA8B996712101BEA0EC6346C54374F25BD",
    x: "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000002",
    y: "1A8F7EDA389B094C2C071E3647A8940F3C123B697578C213BE6DD9E6C8EC7335DCB228FD1EDF4A39152CBCAAF8C0398828041055F94CEEEC7E21340780FE41BD",
    cofactor: 1,
    edwards: None,
};

const TC26_512_C: CurveConsts = CurveConsts {
    p: "FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFDC7",
    a: "DC9203E514A721875485A529D2C722FB187BC8980EB866644DE41C68E143064546E861C0E2C9EDD92ADE71F46FCF50FF2AD97F951FDA9F2A2EB6546F39689BD3",
    b: "B4C4EE28CEBC6C2C8AC12952CF37F16AC7EFB6A9F69F4B57FFDA2E4F0DE5ADE038CBC2FFF719D2C18DE0284B8BFEF3B52B8CC7A5F5BF0A3C8D2319A5312557E1",
    q: "3FFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFC98CDBA46506AB004C33A9FF5147502CC8EDA9E7A769A12694623CEF47F023ED",
    x: "E2E31EDFC23DE7BDEBE241CE593EF5DE2295B7A9CBAEF021D385F7074CEA043AA27272A7AE602BF2A7B9033DB9ED3610C6FB85487EAE97AAC5BC7928C1950148",
    y: "F5CE40D95B5EB899ABBCCFF5911CB8577939804D6527378B8C108C3D2090FF9BE18E2D33E3021ED2EF32D85822423B6304F726AA854BAE07D0396E9A9ADDC40F",
    cofactor: 4,
    edwards: Some((
        "9E4F5D8C017D8D9F13A5CF3CDF5BFE4DAB402D54198E31EBDE28A0621050439CA6B39E0A515C06B304E2CE43E79E369E91A0CFC2BC2A22B4CA302DBB33EE7550",
        "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000012",
        "469AF79D1FB1F5E16B99592B77A01E2A0FDFB0D01794368D9A56117F7B38669522DD4B650CF789EEBF068C5D139732F0905622C04B2BAAE7600303EE73001A3D",
    )),
};

static CURVES_256: [OnceLock<Curve<4>>; 5] = [const { OnceLock::new() }; 5];
static CURVES_512: [OnceLock<Curve<8>>; 4] = [const { OnceLock::new() }; 4];

/// A 256-bit curve, built (with its fixed-base tables) on first use and shared.
pub(crate) fn curve256(id: CurveId) -> &'static Curve<4> {
    let (slot, consts) = match id {
        CurveId::Test256 => (0, &TEST_256),
        CurveId::CryptoProA => (1, &CRYPTOPRO_A),
        CurveId::CryptoProB => (2, &CRYPTOPRO_B),
        CurveId::CryptoProC => (3, &CRYPTOPRO_C),
        CurveId::Tc26_256A => (4, &TC26_256_A),
        _ => unreachable!("512-bit curve asked for as 256-bit"),
    };
    CURVES_256[slot].get_or_init(|| Curve::new(consts))
}

/// A 512-bit curve, built (with its fixed-base tables) on first use and shared.
pub(crate) fn curve512(id: CurveId) -> &'static Curve<8> {
    let (slot, consts) = match id {
        CurveId::Test512 => (0, &TEST_512),
        CurveId::Tc26_512A => (1, &TC26_512_A),
        CurveId::Tc26_512B => (2, &TC26_512_B),
        CurveId::Tc26_512C => (3, &TC26_512_C),
        _ => unreachable!("256-bit curve asked for as 512-bit"),
    };
    CURVES_512[slot].get_or_init(|| Curve::new(consts))
}
