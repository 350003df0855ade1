//! Object identifiers used across bankkey, each named as in its source document.
//!
//! One place for every OID, so a reader can check them against the standards in one sitting.
//! Sources: RFC 4491/RFC 9215 and TC26 (R 1323565.1.024-2019) for GOST; ФНС/ФСБ orders
//! (приказ ФСБ № 795) and RFC 9215 §5 for the Russian attributes and extensions; RFC 5280.

use const_oid::ObjectIdentifier as Oid;

// --- GOST R 34.10-2012 / 34.11-2012 (RFC 9215 §3, TC26) ---

/// id-tc26-gost3410-12-256: GOST R 34.10-2012 public key, 256 bits.
pub const GOST3410_12_256: Oid = Oid::new_unwrap("1.2.643.7.1.1.1.1");
/// id-tc26-gost3410-12-512: GOST R 34.10-2012 public key, 512 bits.
pub const GOST3410_12_512: Oid = Oid::new_unwrap("1.2.643.7.1.1.1.2");
/// id-tc26-gost3411-12-256: Streebog-256.
pub const STREEBOG_256: Oid = Oid::new_unwrap("1.2.643.7.1.1.2.2");
/// id-tc26-gost3411-12-512: Streebog-512.
pub const STREEBOG_512: Oid = Oid::new_unwrap("1.2.643.7.1.1.2.3");
/// id-tc26-signwithdigest-gost3410-12-256.
pub const SIGN_WITH_DIGEST_GOST3410_12_256: Oid = Oid::new_unwrap("1.2.643.7.1.1.3.2");
/// id-tc26-signwithdigest-gost3410-12-512.
pub const SIGN_WITH_DIGEST_GOST3410_12_512: Oid = Oid::new_unwrap("1.2.643.7.1.1.3.3");
/// id-tc26-hmac-gost-3411-12-256.
pub const HMAC_STREEBOG_256: Oid = Oid::new_unwrap("1.2.643.7.1.1.4.1");
/// id-tc26-hmac-gost-3411-12-512.
pub const HMAC_STREEBOG_512: Oid = Oid::new_unwrap("1.2.643.7.1.1.4.2");
/// id-GostR3410-2001: the 2001 key OID (recognised when reading old objects only).
pub const GOST3410_2001: Oid = Oid::new_unwrap("1.2.643.2.2.19");
/// id-GostR3411-94-with-GostR3410-2001 (RFC 4491 §2.2.2; verified, never written).
pub const GOST3411_94_WITH_GOST3410_2001: Oid = Oid::new_unwrap("1.2.643.2.2.3");
/// id-GostR3411-94: the GOST R 34.11-94 digest (RFC 4490 §2.1; CMS digestAlgorithm).
pub const GOST3411_94: Oid = Oid::new_unwrap("1.2.643.2.2.9");
/// id-GostR3411-94-CryptoProParamSet: the hash parameters of GOST R 34.10-2001 keys
/// (RFC 4357 §11.2; their digestParamSet).
pub const GOST3411_94_CRYPTOPRO_PARAMSET: Oid = Oid::new_unwrap("1.2.643.2.2.30.1");
/// id-GostR3410-94: the GOST R 34.10-94 key OID (named in reports; not verified).
pub const GOST3410_94: Oid = Oid::new_unwrap("1.2.643.2.2.20");
/// id-GostR3411-94-with-GostR3410-94 (named in reports; not verified).
pub const GOST3411_94_WITH_GOST3410_94: Oid = Oid::new_unwrap("1.2.643.2.2.4");

// Parameter sets (RFC 4357 §11.4, RFC 7836, TC26). Curve aliases are noted in `gost::ParamSet`.

/// id-GostR3410-2001-TestParamSet (the standard's appendix A.1 curve; tests only).
pub const PARAMSET_TEST_256: Oid = Oid::new_unwrap("1.2.643.2.2.35.0");
/// id-GostR3410-2001-CryptoPro-A-ParamSet.
pub const PARAMSET_CRYPTOPRO_A: Oid = Oid::new_unwrap("1.2.643.2.2.35.1");
/// id-GostR3410-2001-CryptoPro-B-ParamSet.
pub const PARAMSET_CRYPTOPRO_B: Oid = Oid::new_unwrap("1.2.643.2.2.35.2");
/// id-GostR3410-2001-CryptoPro-C-ParamSet.
pub const PARAMSET_CRYPTOPRO_C: Oid = Oid::new_unwrap("1.2.643.2.2.35.3");
/// id-GostR3410-2001-CryptoPro-XchA-ParamSet (curve of CryptoPro-A).
pub const PARAMSET_CRYPTOPRO_XCHA: Oid = Oid::new_unwrap("1.2.643.2.2.36.0");
/// id-GostR3410-2001-CryptoPro-XchB-ParamSet (curve of CryptoPro-C).
pub const PARAMSET_CRYPTOPRO_XCHB: Oid = Oid::new_unwrap("1.2.643.2.2.36.1");
/// id-tc26-gost-3410-12-256-paramSetA (twisted Edwards, cofactor 4).
pub const PARAMSET_TC26_256_A: Oid = Oid::new_unwrap("1.2.643.7.1.2.1.1.1");
/// id-tc26-gost-3410-12-256-paramSetB (curve of CryptoPro-A).
pub const PARAMSET_TC26_256_B: Oid = Oid::new_unwrap("1.2.643.7.1.2.1.1.2");
/// id-tc26-gost-3410-12-256-paramSetC (curve of CryptoPro-B).
pub const PARAMSET_TC26_256_C: Oid = Oid::new_unwrap("1.2.643.7.1.2.1.1.3");
/// id-tc26-gost-3410-12-256-paramSetD (curve of CryptoPro-C).
pub const PARAMSET_TC26_256_D: Oid = Oid::new_unwrap("1.2.643.7.1.2.1.1.4");
/// id-tc26-gost-3410-12-512-paramSetTest (the standard's appendix A.2 curve; tests only).
pub const PARAMSET_TEST_512: Oid = Oid::new_unwrap("1.2.643.7.1.2.1.2.0");
/// id-tc26-gost-3410-12-512-paramSetA.
pub const PARAMSET_TC26_512_A: Oid = Oid::new_unwrap("1.2.643.7.1.2.1.2.1");
/// id-tc26-gost-3410-12-512-paramSetB.
pub const PARAMSET_TC26_512_B: Oid = Oid::new_unwrap("1.2.643.7.1.2.1.2.2");
/// id-tc26-gost-3410-12-512-paramSetC (twisted Edwards, cofactor 4).
pub const PARAMSET_TC26_512_C: Oid = Oid::new_unwrap("1.2.643.7.1.2.1.2.3");

// --- RSA and ECDSA (RFC 8017, RFC 5480, RFC 5758) ---

/// rsaEncryption.
pub const RSA_ENCRYPTION: Oid = Oid::new_unwrap("1.2.840.113549.1.1.1");
/// sha256WithRSAEncryption.
pub const SHA256_WITH_RSA: Oid = Oid::new_unwrap("1.2.840.113549.1.1.11");
/// id-ecPublicKey.
pub const EC_PUBLIC_KEY: Oid = Oid::new_unwrap("1.2.840.10045.2.1");
/// prime256v1 / secp256r1 (NIST P-256).
pub const SECP256R1: Oid = Oid::new_unwrap("1.2.840.10045.3.1.7");
/// ecdsa-with-SHA256.
pub const ECDSA_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.10045.4.3.2");
/// id-sha256.
pub const SHA256: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.1");

// --- Password-based encryption of PKCS#8 keys (RFC 8018, RFC 3565, TC26, RFC 4357) ---

/// id-PBES2.
pub const PBES2: Oid = Oid::new_unwrap("1.2.840.113549.1.5.13");
/// id-PBKDF2.
pub const PBKDF2: Oid = Oid::new_unwrap("1.2.840.113549.1.5.12");
/// id-hmacWithSHA1 (PBKDF2's default PRF; read only).
pub const HMAC_WITH_SHA1: Oid = Oid::new_unwrap("1.2.840.113549.2.7");
/// id-hmacWithSHA256.
pub const HMAC_WITH_SHA256: Oid = Oid::new_unwrap("1.2.840.113549.2.9");
/// id-aes128-CBC.
pub const AES_128_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.2");
/// id-aes192-CBC.
pub const AES_192_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.22");
/// id-aes256-CBC.
pub const AES_256_CBC: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.1.42");
/// id-tc26-cipher-gostr3412-2015-kuznyechik-ctracpkm (R 1323565.1.017-2018).
pub const KUZNYECHIK_CTR_ACPKM: Oid = Oid::new_unwrap("1.2.643.7.1.1.5.2.1");
/// id-Gost28147-89 (CFB mode in PBES2, as the OpenSSL gost engine writes it).
pub const GOST28147_89: Oid = Oid::new_unwrap("1.2.643.2.2.21");
/// id-tc26-gost-28147-param-Z: the GOST R 34.12-2015 (Magma) S-box.
pub const GOST28147_PARAM_Z: Oid = Oid::new_unwrap("1.2.643.7.1.2.5.1.1");
/// id-Gost28147-89-CryptoPro-A-ParamSet.
pub const GOST28147_CRYPTOPRO_A: Oid = Oid::new_unwrap("1.2.643.2.2.31.1");
/// id-Gost28147-89-CryptoPro-B-ParamSet.
pub const GOST28147_CRYPTOPRO_B: Oid = Oid::new_unwrap("1.2.643.2.2.31.2");
/// id-Gost28147-89-CryptoPro-C-ParamSet.
pub const GOST28147_CRYPTOPRO_C: Oid = Oid::new_unwrap("1.2.643.2.2.31.3");
/// id-Gost28147-89-CryptoPro-D-ParamSet.
pub const GOST28147_CRYPTOPRO_D: Oid = Oid::new_unwrap("1.2.643.2.2.31.4");

// --- Name attributes (X.520, PKCS#9, приказ ФСБ № 795) ---

/// commonName (CN).
pub const AT_COMMON_NAME: Oid = Oid::new_unwrap("2.5.4.3");
/// surname (SN).
pub const AT_SURNAME: Oid = Oid::new_unwrap("2.5.4.4");
/// countryName (C).
pub const AT_COUNTRY: Oid = Oid::new_unwrap("2.5.4.6");
/// localityName (L).
pub const AT_LOCALITY: Oid = Oid::new_unwrap("2.5.4.7");
/// stateOrProvinceName (ST).
pub const AT_STATE: Oid = Oid::new_unwrap("2.5.4.8");
/// streetAddress (STREET).
pub const AT_STREET: Oid = Oid::new_unwrap("2.5.4.9");
/// organizationName (O).
pub const AT_ORGANIZATION: Oid = Oid::new_unwrap("2.5.4.10");
/// organizationalUnitName (OU).
pub const AT_ORGANIZATIONAL_UNIT: Oid = Oid::new_unwrap("2.5.4.11");
/// title (T).
pub const AT_TITLE: Oid = Oid::new_unwrap("2.5.4.12");
/// givenName (G, GN): in Russian certificates "first name and patronymic".
pub const AT_GIVEN_NAME: Oid = Oid::new_unwrap("2.5.4.42");
/// postalAddress, 2.5.4.16: `SEQUENCE SIZE(1..6) OF DirectoryString` (X.520), read only.
pub const AT_POSTAL_ADDRESS: Oid = Oid::new_unwrap("2.5.4.16");
/// registeredAddress, 2.5.4.26: a PostalAddress too (X.520), read only.
pub const AT_REGISTERED_ADDRESS: Oid = Oid::new_unwrap("2.5.4.26");
/// emailAddress (E), PKCS#9.
pub const AT_EMAIL: Oid = Oid::new_unwrap("1.2.840.113549.1.9.1");
/// INN: taxpayer number of a person (12 digits) — or, in old certificates, of an entity.
pub const AT_INN: Oid = Oid::new_unwrap("1.2.643.3.131.1.1");
/// OGRN: primary state registration number of a legal entity (13 digits).
pub const AT_OGRN: Oid = Oid::new_unwrap("1.2.643.100.1");
/// SNILS: individual insurance account number (11 digits).
pub const AT_SNILS: Oid = Oid::new_unwrap("1.2.643.100.3");
/// INNLE: taxpayer number of a legal entity (10 digits).
pub const AT_INNLE: Oid = Oid::new_unwrap("1.2.643.100.4");
/// OGRNIP: primary state registration number of an individual entrepreneur (15 digits).
pub const AT_OGRNIP: Oid = Oid::new_unwrap("1.2.643.100.5");

// --- Extensions (RFC 5280 §4.2, приказ ФСБ № 795, RFC 9215 §5) ---

/// subjectKeyIdentifier.
pub const EXT_SUBJECT_KEY_IDENTIFIER: Oid = Oid::new_unwrap("2.5.29.14");
/// keyUsage.
pub const EXT_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.15");
/// privateKeyUsagePeriod.
pub const EXT_PRIVATE_KEY_USAGE_PERIOD: Oid = Oid::new_unwrap("2.5.29.16");
/// subjectAltName.
pub const EXT_SUBJECT_ALT_NAME: Oid = Oid::new_unwrap("2.5.29.17");
/// basicConstraints.
pub const EXT_BASIC_CONSTRAINTS: Oid = Oid::new_unwrap("2.5.29.19");
/// cRLDistributionPoints.
pub const EXT_CRL_DISTRIBUTION_POINTS: Oid = Oid::new_unwrap("2.5.29.31");
/// cRLNumber (RFC 5280 §5.2.3).
pub const EXT_CRL_NUMBER: Oid = Oid::new_unwrap("2.5.29.20");
/// reasonCode, a CRL entry extension (RFC 5280 §5.3.1).
pub const EXT_CRL_REASON: Oid = Oid::new_unwrap("2.5.29.21");
/// certificatePolicies.
pub const EXT_CERTIFICATE_POLICIES: Oid = Oid::new_unwrap("2.5.29.32");
/// authorityKeyIdentifier.
pub const EXT_AUTHORITY_KEY_IDENTIFIER: Oid = Oid::new_unwrap("2.5.29.35");
/// extKeyUsage.
pub const EXT_EXTENDED_KEY_USAGE: Oid = Oid::new_unwrap("2.5.29.37");
/// authorityInfoAccess.
pub const EXT_AUTHORITY_INFO_ACCESS: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.1.1");
/// subjectSignTool: the CIPF (СКЗИ) the subject uses, a UTF8String.
pub const EXT_SUBJECT_SIGN_TOOL: Oid = Oid::new_unwrap("1.2.643.100.111");
/// issuerSignTool: four UTF8Strings naming the issuer's tools and their conformity documents.
pub const EXT_ISSUER_SIGN_TOOL: Oid = Oid::new_unwrap("1.2.643.100.112");
/// identificationKind: how the applicant was identified (0 in person, 1 by a qualified
/// signature, 2 by a biometric passport, 3 by the unified biometric system).
pub const EXT_IDENTIFICATION_KIND: Oid = Oid::new_unwrap("1.2.643.100.114");

/// PKCS#9 extensionRequest (the attribute carrying requested extensions in PKCS#10).
pub const PKCS9_EXTENSION_REQUEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.14");

// Certificate policies: the signature tool's class (приказ ФСБ № 796/795).

/// КС1 class of the signature tool.
pub const POLICY_KC1: Oid = Oid::new_unwrap("1.2.643.100.113.1");
/// КС2 class.
pub const POLICY_KC2: Oid = Oid::new_unwrap("1.2.643.100.113.2");
/// КС3 class.
pub const POLICY_KC3: Oid = Oid::new_unwrap("1.2.643.100.113.3");
/// КВ1 class.
pub const POLICY_KB1: Oid = Oid::new_unwrap("1.2.643.100.113.4");
/// КВ2 class.
pub const POLICY_KB2: Oid = Oid::new_unwrap("1.2.643.100.113.5");
/// КА1 class.
pub const POLICY_KA1: Oid = Oid::new_unwrap("1.2.643.100.113.6");

// Extended key usages commonly requested for bank-client keys.

/// id-kp-serverAuth.
pub const KP_SERVER_AUTH: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.1");
/// id-kp-clientAuth.
pub const KP_CLIENT_AUTH: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.2");
/// id-kp-emailProtection.
pub const KP_EMAIL_PROTECTION: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.4");
/// id-kp-codeSigning.
pub const KP_CODE_SIGNING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.3");
/// id-kp-timeStamping.
pub const KP_TIME_STAMPING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.8");
/// id-kp-OCSPSigning.
pub const KP_OCSP_SIGNING: Oid = Oid::new_unwrap("1.3.6.1.5.5.7.3.9");

// --- CMS (RFC 5652), PKCS#9 attributes, ESS (RFC 2634, RFC 5035) ---

/// id-data: arbitrary octets as CMS content.
pub const CT_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.1");
/// id-signedData: CMS SignedData.
pub const CT_SIGNED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.2");
/// id-envelopedData: CMS EnvelopedData (recognised, not decrypted).
pub const CT_ENVELOPED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.3");
/// id-digestedData: CMS DigestedData (RFC 5652 §7).
pub const CT_DIGESTED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.5");
/// id-encryptedData: CMS EncryptedData (recognised, not decrypted).
pub const CT_ENCRYPTED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.7.6");
/// id-ct-authData: CMS AuthenticatedData (RFC 5652 §9; recognised, not verified).
pub const CT_AUTHENTICATED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.2");
/// id-ct-compressedData (RFC 3274; recognised, not decompressed).
pub const CT_COMPRESSED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.9");
/// id-ct-authEnvelopedData (RFC 5083; recognised, not decrypted).
pub const CT_AUTH_ENVELOPED_DATA: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.1.23");
/// id-contentType: the signed attribute naming the content type.
pub const ATTR_CONTENT_TYPE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.3");
/// id-messageDigest: the signed attribute holding the content's digest.
pub const ATTR_MESSAGE_DIGEST: Oid = Oid::new_unwrap("1.2.840.113549.1.9.4");
/// id-signingTime: the signed attribute holding the time of signing.
pub const ATTR_SIGNING_TIME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.5");
/// id-aa-signingCertificate (ESS, SHA-1 certificate hashes; recognised when reading only).
pub const ATTR_SIGNING_CERTIFICATE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.12");
/// id-aa-signingCertificateV2 (ESS, RFC 5035): the hash of the signer's certificate.
pub const ATTR_SIGNING_CERTIFICATE_V2: Oid = Oid::new_unwrap("1.2.840.113549.1.9.16.2.47");

// --- PKCS#12 / PFX (RFC 7292, RFC 9548, Р 50.1.112-2016), the GOST ciphers and digests they
// use (RFC 9337, RFC 4357), and CryptoPro's file containers ---

/// id-HMACGostR3411-94 (RFC 4357 §10.1; a PBKDF2 PRF of CryptoPro-era keys).
pub const HMAC_GOST3411_94: Oid = Oid::new_unwrap("1.2.643.2.2.10");
/// id-sha1 (a PFX MAC digest; read only).
pub const SHA1: Oid = Oid::new_unwrap("1.3.14.3.2.26");
/// id-sha384 (a PFX MAC digest; read only).
pub const SHA384: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.2");
/// id-sha512 (a PFX MAC digest; read only).
pub const SHA512: Oid = Oid::new_unwrap("2.16.840.1.101.3.4.2.3");
/// id-tc26-cipher-gostr3412-2015-kuznyechik-ctracpkm-omac (RFC 9337).
pub const KUZNYECHIK_CTR_ACPKM_OMAC: Oid = Oid::new_unwrap("1.2.643.7.1.1.5.2.2");
/// id-tc26-cipher-gostr3412-2015-magma-ctracpkm (RFC 9337).
pub const MAGMA_CTR_ACPKM: Oid = Oid::new_unwrap("1.2.643.7.1.1.5.1.1");
/// id-tc26-cipher-gostr3412-2015-magma-ctracpkm-omac (RFC 9337).
pub const MAGMA_CTR_ACPKM_OMAC: Oid = Oid::new_unwrap("1.2.643.7.1.1.5.1.2");
/// CryptoPro's own PFX key encryption (under pkcs-12PbeIds, not in RFC 7292): the key bag
/// of CryptoPro CSP's PFX export (`pfx::cryptopro`).
pub const CRYPTOPRO_PFX_PBE: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.80");
/// pbeWithSHAAnd3-KeyTripleDES-CBC (RFC 7292 appendix C): how Windows and CryptoPro CSP
/// encrypt a PFX's certificates (read only).
pub const PKCS12_PBE_SHA1_3DES: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.3");
/// pbeWithSHAAnd2-KeyTripleDES-CBC (RFC 7292 appendix C; read only).
pub const PKCS12_PBE_SHA1_2DES: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.4");
/// pbeWithSHAAnd128BitRC2-CBC (RFC 7292 appendix C; read only).
pub const PKCS12_PBE_SHA1_RC2_128: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.5");
/// pbeWithSHAAnd40BitRC2-CBC (RFC 7292 appendix C): how CryptoPro CSP 5 and OpenSSL's
/// `-legacy` encrypt a PFX's certificates (read only).
pub const PKCS12_PBE_SHA1_RC2_40: Oid = Oid::new_unwrap("1.2.840.113549.1.12.1.6");
/// keyBag (RFC 7292 §4.2.1): a plain PrivateKeyInfo.
pub const PKCS12_KEY_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.1");
/// pkcs8ShroudedKeyBag (RFC 7292 §4.2.2): an EncryptedPrivateKeyInfo.
pub const PKCS12_SHROUDED_KEY_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.2");
/// certBag (RFC 7292 §4.2.3).
pub const PKCS12_CERT_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.3");
/// crlBag (RFC 7292 §4.2.4; skipped).
pub const PKCS12_CRL_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.4");
/// secretBag (RFC 7292 §4.2.5; skipped).
pub const PKCS12_SECRET_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.5");
/// safeContentsBag (RFC 7292 §4.2.6): nested SafeContents.
pub const PKCS12_SAFE_CONTENTS_BAG: Oid = Oid::new_unwrap("1.2.840.113549.1.12.10.1.6");
/// x509Certificate (PKCS#9): a certBag's DER certificate.
pub const PKCS9_X509_CERTIFICATE: Oid = Oid::new_unwrap("1.2.840.113549.1.9.22.1");
/// friendlyName (PKCS#9): a bag's BMPString name.
pub const PKCS9_FRIENDLY_NAME: Oid = Oid::new_unwrap("1.2.840.113549.1.9.20");
/// localKeyId (PKCS#9): ties a key bag to its certificate bag.
pub const PKCS9_LOCAL_KEY_ID: Oid = Oid::new_unwrap("1.2.840.113549.1.9.21");
/// id-tc26-agreement-gost-3410-12-256: the key algorithm of a CryptoPro exchange key (2012-256).
pub const GOST3410_12_256_AGREEMENT: Oid = Oid::new_unwrap("1.2.643.7.1.1.6.1");
/// id-tc26-agreement-gost-3410-12-512: the key algorithm of a CryptoPro exchange key (2012-512).
pub const GOST3410_12_512_AGREEMENT: Oid = Oid::new_unwrap("1.2.643.7.1.1.6.2");
/// id-GostR3410-2001DH: the key algorithm of a CryptoPro 2001 exchange key (refused).
pub const GOST3410_2001_AGREEMENT: Oid = Oid::new_unwrap("1.2.643.2.2.98");
/// The container algorithm CryptoPro CSP writes in header.key (its `[0]` field).
pub const CRYPTOPRO_CONTAINER_ALGORITHM: Oid = Oid::new_unwrap("1.2.643.2.2.37.2.1");
/// A header.key extension of CryptoPro: the private key's validity (PrivateKeyUsagePeriod).
pub const CRYPTOPRO_PRIVATE_KEY_VALIDITY: Oid = Oid::new_unwrap("1.2.643.2.2.37.3.10");

#[cfg(test)]
mod tests {
    use super::*;
    use der::Encode;

    #[test]
    fn paramset_der_matches_reference() {
        // DER values from shared/reference/gost-params.txt
        let cases = [
            (PARAMSET_CRYPTOPRO_A, "06072A850302022301"),
            (PARAMSET_CRYPTOPRO_XCHB, "06072A850302022401"),
            (PARAMSET_TC26_256_A, "06092A8503070102010101"),
            (PARAMSET_TC26_512_C, "06092A8503070102010203"),
        ];
        for (oid, der_hex) in cases {
            assert_eq!(hex::encode_upper(oid.to_der().unwrap()), der_hex);
        }
    }
}
