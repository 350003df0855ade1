//! Hand-written DER, where the `der` crate's types do not fit: writing a tag-length-value (the
//! PKCS#8 body of a secret key, built in a `Zeroizing` buffer, never in a crate-owned one; the
//! elements [`ber`] rebuilds) and rewriting BER into DER ([`ber`]: streaming CMS, and the
//! non-canonical encodings certificates carry, issue 12).

pub(crate) mod ber;

use crate::{Error, Result};

/// Reads one DER tag-length-value at the start of `input`: its one identifier octet (low tag
/// numbers only), its contents and what follows. Definite, minimal lengths only. Errors name
/// `what` ("Name", "privateKeyUsagePeriod").
pub(crate) fn read_tlv<'a>(input: &'a [u8], what: &str) -> Result<(u8, &'a [u8], &'a [u8])> {
    let end = || Error::malformed(format!("{what}: unexpected end of data"));
    let (&tag, rest) = input.split_first().ok_or_else(end)?;
    if tag & 0x1F == 0x1F {
        return Err(Error::malformed(format!(
            "{what}: high tag numbers are not used here"
        )));
    }
    let (&first, mut rest) = rest.split_first().ok_or_else(end)?;
    let len = if first < 0x80 {
        usize::from(first)
    } else if first == 0x80 {
        return Err(Error::malformed(format!(
            "{what}: indefinite length is not DER"
        )));
    } else {
        let n = usize::from(first & 0x7F);
        if n > 4 || rest.len() < n {
            return Err(end());
        }
        let (len_bytes, r) = rest.split_at(n);
        rest = r;
        if len_bytes[0] == 0 {
            return Err(Error::malformed(format!(
                "{what}: length is not minimally encoded"
            )));
        }
        let len = len_bytes
            .iter()
            .fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        if len < 0x80 {
            return Err(Error::malformed(format!(
                "{what}: length is not minimally encoded"
            )));
        }
        len
    };
    if rest.len() < len {
        return Err(end());
    }
    let (content, rest) = rest.split_at(len);
    Ok((tag, content, rest))
}

/// Appends `tag` (its identifier octets, as read), the definite length of `value` in its
/// minimal short or long form, and `value`.
pub(crate) fn push_tlv(tag: &[u8], value: &[u8], out: &mut Vec<u8>) {
    out.extend_from_slice(tag);
    let len = value.len();
    if len < 0x80 {
        out.push(len as u8);
    } else {
        let bytes = len.to_be_bytes();
        let skip = bytes.iter().take_while(|b| **b == 0).count();
        out.push(0x80 | (bytes.len() - skip) as u8);
        out.extend_from_slice(&bytes[skip..]);
    }
    out.extend_from_slice(value);
}

#[cfg(test)]
mod tests {
    use der::Decode;

    use super::*;

    #[test]
    fn lengths_are_minimal_and_read_back() {
        let mut out = Vec::new();
        push_tlv(&[0x04], &[7; 3], &mut out);
        assert_eq!(out, [0x04, 3, 7, 7, 7]);
        for len in [127usize, 128, 255, 256, 70000] {
            let mut out = Vec::new();
            push_tlv(&[0x04], &vec![0; len], &mut out);
            let os = der::asn1::OctetString::from_der(&out).unwrap();
            assert_eq!(os.as_bytes().len(), len);
        }
    }
}
