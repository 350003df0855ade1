//! A reader of the `openssl x509/req -text` dumps checked in beside the fixtures, and the
//! mapping of OpenSSL's names to ours, for comparing our report with what OpenSSL prints.

use time::OffsetDateTime;

/// An `openssl -text` dump.
pub struct Dump {
    lines: Vec<String>,
}

fn indent(l: &str) -> usize {
    l.len() - l.trim_start().len()
}

impl Dump {
    pub fn new(text: &str) -> Dump {
        Dump {
            lines: text.lines().map(str::to_owned).collect(),
        }
    }

    /// The rest of the first line starting (after indentation) with `key`, trimmed.
    pub fn value(&self, key: &str) -> Option<String> {
        self.lines.iter().find_map(|l| {
            l.trim_start()
                .strip_prefix(key)
                .map(|v| v.trim().to_owned())
        })
    }

    /// The lines indented under the first line starting with `key`, trimmed.
    pub fn block(&self, key: &str) -> Option<Vec<String>> {
        let i = self
            .lines
            .iter()
            .position(|l| l.trim_start().starts_with(key))?;
        Some(self.block_at(i))
    }

    /// The lines indented under the *last* line starting with `key` (the outer "Signature
    /// Value" of a certificate).
    pub fn last_block(&self, key: &str) -> Option<Vec<String>> {
        let i = self
            .lines
            .iter()
            .rposition(|l| l.trim_start().starts_with(key))?;
        Some(self.block_at(i))
    }

    fn block_at(&self, i: usize) -> Vec<String> {
        let base = indent(&self.lines[i]);
        self.lines[i + 1..]
            .iter()
            .take_while(|l| indent(l) > base)
            .map(|l| l.trim().to_owned())
            .collect()
    }
}

/// Hex bytes written as "6c:d1:..." over several lines.
pub fn colon_hex(lines: &[String]) -> Vec<u8> {
    let s: String = lines.concat().replace(':', "");
    hex::decode(s).unwrap()
}

/// "Nov 23 01:27:51 2026 GMT" → time.
pub fn openssl_date(s: &str) -> OffsetDateTime {
    let p: Vec<&str> = s.split_whitespace().collect();
    assert_eq!(p.len(), 5, "{s}");
    let months = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = months.iter().position(|m| *m == p[0]).unwrap() as u8 + 1;
    let hms: Vec<u8> = p[2].split(':').map(|x| x.parse().unwrap()).collect();
    let date = time::Date::from_calendar_date(
        p[3].parse().unwrap(),
        time::Month::try_from(month).unwrap(),
        p[1].parse().unwrap(),
    )
    .unwrap();
    date.with_hms(hms[0], hms[1], hms[2]).unwrap().assume_utc()
}

/// One attribute of an RFC 2253 name as OpenSSL prints it: its label and value (a "#hex"
/// value is returned decoded: (tag, string)).
#[derive(Debug, PartialEq, Eq)]
pub struct NameAttr {
    pub label: String,
    pub value: String,
    /// The DER tag when the value was printed as #hex.
    pub hex_tag: Option<u8>,
}

/// Parses OpenSSL's `-nameopt RFC2253,-esc_msb,utf8` output and returns the attributes in
/// *stored* order (RFC 2253 prints the last RDN first).
pub fn rfc2253(s: &str) -> Vec<NameAttr> {
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push('\\');
                    cur.push(n);
                }
            }
            ',' => parts.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    parts.push(cur);
    let mut out: Vec<NameAttr> = parts
        .into_iter()
        .map(|p| {
            let (label, value) = p.split_once('=').unwrap();
            if let Some(h) = value.strip_prefix('#') {
                let der = hex::decode(h).unwrap();
                let len = der[1] as usize;
                assert_eq!(der.len(), 2 + len);
                NameAttr {
                    label: label.to_owned(),
                    value: String::from_utf8(der[2..].to_vec()).unwrap(),
                    hex_tag: Some(der[0]),
                }
            } else {
                let mut v = String::new();
                let mut it = value.chars();
                while let Some(c) = it.next() {
                    if c == '\\' {
                        if let Some(n) = it.next() {
                            v.push(n);
                        }
                    } else {
                        v.push(c);
                    }
                }
                NameAttr {
                    label: label.to_owned(),
                    value: v,
                    hex_tag: None,
                }
            }
        })
        .collect();
    out.reverse();
    out
}

/// OpenSSL's short name of an attribute → (OID, the ASN.1 type OpenSSL wrote, per the
/// fixtures README).
pub fn openssl_attr(label: &str) -> (&'static str, &'static str) {
    match label {
        "CN" => ("2.5.4.3", "UTF8String"),
        "SN" => ("2.5.4.4", "UTF8String"),
        "GN" => ("2.5.4.42", "UTF8String"),
        "title" => ("2.5.4.12", "UTF8String"),
        "O" => ("2.5.4.10", "UTF8String"),
        "L" => ("2.5.4.7", "UTF8String"),
        "ST" => ("2.5.4.8", "UTF8String"),
        "C" => ("2.5.4.6", "PrintableString"),
        "street" => ("2.5.4.9", "UTF8String"),
        "emailAddress" => ("1.2.840.113549.1.9.1", "IA5String"),
        "INN" => ("1.2.643.3.131.1.1", "NumericString"),
        "OGRN" => ("1.2.643.100.1", "NumericString"),
        "SNILS" => ("1.2.643.100.3", "NumericString"),
        "1.2.643.100.4" => ("1.2.643.100.4", "UTF8String"),
        other => panic!("unexpected attribute {other}"),
    }
}

/// OpenSSL's name of an algorithm or parameter set → OID.
pub fn openssl_oid(name: &str) -> &'static str {
    match name {
        "GOST R 34.10-2012 with GOST R 34.11-2012 (256 bit)" => "1.2.643.7.1.1.3.2",
        "GOST R 34.10-2012 with GOST R 34.11-2012 (512 bit)" => "1.2.643.7.1.1.3.3",
        "GOST R 34.10-2012 with 256 bit modulus" => "1.2.643.7.1.1.1.1",
        "GOST R 34.10-2012 with 512 bit modulus" => "1.2.643.7.1.1.1.2",
        "sha256WithRSAEncryption" => "1.2.840.113549.1.1.11",
        "ecdsa-with-SHA256" => "1.2.840.10045.4.3.2",
        "rsaEncryption" => "1.2.840.113549.1.1.1",
        "id-ecPublicKey" => "1.2.840.10045.2.1",
        "id-GostR3410-2001-CryptoPro-A-ParamSet" => "1.2.643.2.2.35.1",
        "id-GostR3410-2001-CryptoPro-B-ParamSet" => "1.2.643.2.2.35.2",
        "id-GostR3410-2001-CryptoPro-C-ParamSet" => "1.2.643.2.2.35.3",
        "id-GostR3410-2001-CryptoPro-XchA-ParamSet" => "1.2.643.2.2.36.0",
        "id-GostR3410-2001-CryptoPro-XchB-ParamSet" => "1.2.643.2.2.36.1",
        "GOST R 34.10-2012 (256 bit) ParamSet A" => "1.2.643.7.1.2.1.1.1",
        "GOST R 34.10-2012 (256 bit) ParamSet B" => "1.2.643.7.1.2.1.1.2",
        "GOST R 34.10-2012 (256 bit) ParamSet C" => "1.2.643.7.1.2.1.1.3",
        "GOST R 34.10-2012 (256 bit) ParamSet D" => "1.2.643.7.1.2.1.1.4",
        "GOST R 34.10-2012 (512 bit) ParamSet A" => "1.2.643.7.1.2.1.2.1",
        "GOST R 34.10-2012 (512 bit) ParamSet B" => "1.2.643.7.1.2.1.2.2",
        "GOST R 34.10-2012 (512 bit) ParamSet C" => "1.2.643.7.1.2.1.2.3",
        "prime256v1" => "1.2.840.10045.3.1.7",
        other => panic!("unexpected OpenSSL name {other}"),
    }
}

/// OpenSSL's extended key usage names → OID.
pub fn openssl_eku(name: &str) -> &'static str {
    match name {
        "TLS Web Client Authentication" => "1.3.6.1.5.5.7.3.2",
        "TLS Web Server Authentication" => "1.3.6.1.5.5.7.3.1",
        "E-mail Protection" => "1.3.6.1.5.5.7.3.4",
        "Code Signing" => "1.3.6.1.5.5.7.3.3",
        "Time Stamping" => "1.3.6.1.5.5.7.3.8",
        other => panic!("unexpected EKU {other}"),
    }
}

/// OpenSSL's key usage names → RFC 5280 names.
pub fn openssl_key_usage(name: &str) -> &'static str {
    match name {
        "Digital Signature" => "digitalSignature",
        "Non Repudiation" => "nonRepudiation",
        "Key Encipherment" => "keyEncipherment",
        "Data Encipherment" => "dataEncipherment",
        "Key Agreement" => "keyAgreement",
        "Certificate Sign" => "keyCertSign",
        "CRL Sign" => "cRLSign",
        other => panic!("unexpected key usage {other}"),
    }
}
