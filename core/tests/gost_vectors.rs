//! GOST R 34.10-2012 and Streebog through the public API, against
//! `shared/reference/gost-vectors.txt`: Streebog M1/M2 (GOST R 34.11-2012 appendix A), the
//! deterministic sign vectors of §5 (key derivation and verification on every production
//! curve and its aliases), and the encoding rules (LE key, s‖r signature).

use bankkey::ErrorKind;
use bankkey::gost::{ParamSet, Signature, SigningKey, VerifyingKey, streebog256, streebog512};

const M1: &[u8] = b"012345678901234567890123456789012345678901234567890123456789012";
const M2_HEX: &str = "d1e520e2e5f2f0e82c20d1f2f0e8e1eee6e820e2edf3f6e82c20e2e5fef2fa20f120eceef0ff20f1f2f0e5ebe0ece820ede020f5f0e0e1f0fbff20efebfaeafb20c8e3eef0e5e2fb";

#[test]
fn streebog_m1_m2() {
    let m2 = hex::decode(M2_HEX).unwrap();
    assert_eq!(
        hex::encode(streebog512(M1)),
        "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48"
    );
    assert_eq!(
        hex::encode(streebog256(M1)),
        "9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500"
    );
    assert_eq!(
        hex::encode(streebog512(&m2)),
        "1e88e62226bfca6f9994f1f2d51569e0daf8475a3b0fe61a5300eee46d961376035fe83549ada2b8620fcd7c496ce5b33f0cb9dddc2b6460143b03dabac9fb28"
    );
    assert_eq!(
        hex::encode(streebog256(&m2)),
        "9dd2fe4e90409e5da87f53976d7405b0c0cac628fc669a741d50063c557e8f50"
    );
}

const MSG5: &[u8] = b"GOST R 34.10-2012 regeneration test vector";

/// (parameter sets on the curve, d PKCS#8 octets (LE), SPKI DER (ends with the 64/128-byte
/// LE X‖Y), signature s‖r)
const SIGN5: &[(&[ParamSet], &str, &str, &str)] = &[
    (
        &[
            ParamSet::CryptoProA,
            ParamSet::CryptoProXchA,
            ParamSet::Tc26_256B,
        ],
        "ABBCABC27A2161BA13BDE126AAADF8075D1F9E4B2A10177D2F88EB30A7E44CE7",
        "305E301706082A85030701010101300B06092A8503070102010102034300044072A4F513F6A820BDDFF2A40265EEDE6E8AA39DB0376D1B42C14AE939BA1CBB3483A3E6E9947A48C77BF9F13D0F64F16E54F772F6933E9EEAE2B821C4CFCEDED8",
        "154288586B1266588A32FC7D65D629004C5F935560BE494EBEAFB530229213E327D25D59450C0AD16BB8D17D1E0395688FC842D35A704E2D8894B01531D6EC9E",
    ),
    (
        &[ParamSet::CryptoProB, ParamSet::Tc26_256C],
        "AC7764518C5A0196999C17949AA073DF6EE25909C61B0B79B6DAC5AF8DB61903",
        "305E301706082A85030701010101300B06092A850307010201010303430004404B1152D73185FF61DC0D1FE3776AA7A865B7DC95E0ED5467DE594B12B5D71E2B78DA174E9E46BE965E0F6C55CA007A29CCE448C037AEB5B45FE60B9634485D6E",
        "2A22F5A6583C710105AEA7622D2EC9A41DA9CCF401797E8349C5753D8947AD4A1E9FFB7321B9290E409B5B3E39CFD80D8D9CD8B9DD92D8F238C4F8C32D188D5C",
    ),
    (
        &[
            ParamSet::CryptoProC,
            ParamSet::CryptoProXchB,
            ParamSet::Tc26_256D,
        ],
        "B1DD79800F6D07E983619C073273A63330917A8D7B70AD186B97A12B4366DA5E",
        "305E301706082A85030701010101300B06092A85030701020101040343000440B261B882237399F0DE7EBA24458AF642C2CF8B5CFE0700D28A34FD6BDDFD8A1B3157BAAAD71BE1D6147472D8D8119D92C33A060472A347C50B7433EF6F61448E",
        "850395F2A9E3DE32EFFE84FF30AE95331B99A8DF7134E665FAFFABB2BDC0EB4B8868963214FDC98399B5198085ACA8C504F0B93D509AB63D96D7A34D18E46718",
    ),
    (
        &[ParamSet::Tc26_256A],
        "5C907455B5F481367F72E5824DBBBA47C80E97A31C1A235D1D1179A5C2B1DF1D",
        "305E301706082A85030701010101300B06092A85030701020101010343000440A7438915F025F67A8341078326BB4E2A1CF94266ABF57D54520CE29D865D2AB375EC9CA4C62078143C9606CA6BB7192ACB98AAD24DCCD9D8461BF8327F901AFA",
        "153DC9023679E9B73588AEC3A1E2D257522557D4F2EA7272FC2F9CAF7D757D1B1E047D952FA891F0348F3CD9F9CF809B836D068ACFE8379548F647A0F86295D0",
    ),
    (
        &[ParamSet::Tc26_512A],
        "D6098A760B0B425665140803B88ECBA049ACE2A0F59FA155164C03F26372F279FDD0259A41528D394F4863E72188B45119ABFDC80091CE2E1C78985183C88002",
        "3081AA302106082A85030701010102301506092A850307010201020106082A85030701010203038184000481802429E41268AFF26EE56CE7A98B902DC55B3B15172E3ED9F1491E8CE8FDFC5D77CB2284A692797B25307FECF7CD487B0A531EC21D0622FCF771A6CBA62311A45B2233C5C125540E1EF1D714B88CC8116CFEEE8F05607ECC5B7B4C905DA595BF2FCB73EC737EAD5D47A878F6D7DD8093249BBE0566C5810B9702B60B5863B0B805",
        "C6E4068CF51DA6C71B936522AB446AF529D38772789B4256DB5EE3C61A70023CE9D8E4FA3BFF03DED343D7CB72B908FA076B1BDE10D70E3BE1117DB34393D7446A568DE950D90598764486F39CFA1A1B33AE84A1F35BE1B14D32C25B525DEBD1468A8E0B413B8585DF96AC1DDA9352197C3F1C3B73997D001DB326968FD2C7D1",
    ),
    (
        &[ParamSet::Tc26_512B],
        "067D62A5DA337456F5ACE08C7D461EDBC85A066D2BECEA977F7A2896F20491997C8B63E61F5ABCA1C904F9F5DB72824A2923A89847F011AB44F5A329E7C0A85A",
        "3081AA302106082A85030701010102301506092A850307010201020206082A8503070101020303818400048180132C3D3053EF36B74C6422E644CF82F8128BD2947E91C1BE04B33DD54821A2D562D96BD364AD821CD13EC8753CB06C4891EF53284D19C540F320563EC14EB049C014DA8109D7E523D2D449223C67098EBAB494DEA98E8EFD58933A9428C9FB3E76EC9B0DE290EB3E811DA8A5F4E8B5357DACB3EAB597FAEDD6AABDA980A8DD16",
        "35A0D211DFCF3130BC7C76BBFB7147C2F203738F9CB28F2E9FA2A73F290A195DF5B64E7D00339DF82B340A9CE809C09B4A8E4EC1310F64B07C5FAAF8478154B631146E133CF0F87D2F73C18A7D74DB2FEBF12C2D6A4A60F321BBC90AB8D81355D516A55EA3134693705135707EF3F788286ADF45E0CC133F6FCAF550C2E666B6",
    ),
    (
        &[ParamSet::Tc26_512C],
        "AFA3AAA40813EFC7DB970EC913241BBE9ACD71099A3C6968DD8D8270291AA806386AE94B0F6F679B702C219645FBBC23CE0D867848C2B513143B92DC10E0E014",
        "3081A0301706082A85030701010102300B06092A85030701020102030381840004818094EA8043F9676A731AAA1A95D2471164E00810AB6530CB1372C93AAE16E5BA9494F957DD0DF2469BF51793B76535459CF027B5EC1A746B98860525805B9CACD186C248553362100DBE9D4692E999CCF074B5D61B96B2D9F54120D62E7402DF16C723FD5B1EAAC07E2ECB28BF90D88A2A2D29FEF8ACB2E9A4FB1EAA490197F2D8",
        "154987A89C66B6DB597174DCECE19CC24107D897D6ECE0CC4AF565F41D6EA3AE3AE7CF4651B14A9036480DA2ECF8490DB2A3E971F0933360D835689BB1FE71C40DB85E6BEDA91645A098B7CE0C299FFF10433887DF030E524C43E6E5CC06331130573F7D7681D4CF27CE1BE40253EF9DD37E51769DC9EADF7CECBE3F092B0C02",
    ),
];

#[test]
fn reference_keys_and_signatures_on_every_set() {
    let mut covered = Vec::new();
    for (sets, d_le, spki, sig) in SIGN5 {
        let d = hex::decode(d_le).unwrap();
        let spki = hex::decode(spki).unwrap();
        let sig = Signature::from_bytes(&hex::decode(sig).unwrap()).unwrap();
        for &ps in *sets {
            covered.push(ps);
            let key = SigningKey::from_le_bytes(ps, &d).unwrap();
            assert_eq!(*key.to_le_bytes(), d);
            let xy_len = 2 * ps.field_len();
            let xy = &spki[spki.len() - xy_len..];
            let vk = key.verifying_key();
            assert_eq!(vk.to_le_xy(), xy, "{ps}: public key");
            let parsed = VerifyingKey::from_le_xy(ps, xy).unwrap();
            assert_eq!(parsed, vk);
            vk.verify(MSG5, &sig).unwrap();
            let digest = if ps.is_512() {
                streebog512(MSG5).to_vec()
            } else {
                streebog256(MSG5).to_vec()
            };
            vk.verify_digest(&digest, &sig).unwrap();
            // the digest read big-endian (a classic mistake) does not verify
            let mut reversed = digest.clone();
            reversed.reverse();
            assert_eq!(
                vk.verify_digest(&reversed, &sig).unwrap_err().kind(),
                ErrorKind::BadSignature
            );
            // r‖s instead of s‖r does not verify
            let b = sig.to_bytes();
            let n = ps.field_len();
            let swapped = [&b[n..], &b[..n]].concat();
            assert!(
                vk.verify(MSG5, &Signature::from_bytes(&swapped).unwrap())
                    .is_err()
            );
            // our own signature with the same key verifies
            let ours = key.sign(MSG5);
            vk.verify(MSG5, &ours).unwrap();
            assert_ne!(ours, sig, "the nonce is random, not the vector's");
        }
    }
    covered.sort();
    assert_eq!(covered, ParamSet::ALL.to_vec());
}

#[test]
fn param_set_metadata() {
    for ps in ParamSet::ALL {
        assert_eq!(ParamSet::from_oid(&ps.oid()).unwrap(), ps);
        assert_eq!(ps.field_len(), if ps.is_512() { 64 } else { 32 });
        assert!(ps.name().starts_with("id-"));
    }
    assert_eq!(
        ParamSet::CryptoProA.name(),
        "id-GostR3410-2001-CryptoPro-A-ParamSet"
    );
    assert_eq!(ParamSet::Tc26_256A.openssl_name(), "TCA");
    assert_eq!(ParamSet::CryptoProXchB.openssl_name(), "XB");
    assert_eq!(ParamSet::Tc26_512C.openssl_name(), "C");
    // the appendix test set is not a production set
    let test = bankkey::oid::PARAMSET_TEST_256;
    assert_eq!(
        ParamSet::from_oid(&test).unwrap_err().kind(),
        ErrorKind::UnsupportedAlgorithm
    );
}
