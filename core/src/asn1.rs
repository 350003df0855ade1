//! Writing a DER tag-length-value by hand, where the `der` crate's types do not fit: the
//! PKCS#8 body of a secret key (built in a `Zeroizing` buffer, never in a crate-owned one)
//! and the elements `cms::ber` rebuilds from BER (any tag, content already DER).

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
