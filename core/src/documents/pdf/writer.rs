//! A small PDF 1.7 writer (ISO 32000-1 §7.5): numbered indirect objects, streams, a
//! cross-reference table and the trailer. Nothing else.

/// Objects being collected, written out by [`Writer::finish`].
pub(crate) struct Writer {
    /// Object bodies by id − 1; `None` while allocated but not written.
    objects: Vec<Option<Vec<u8>>>,
}

impl Writer {
    /// An empty document.
    pub fn new() -> Writer {
        Writer {
            objects: Vec::new(),
        }
    }

    /// Reserves the next object id.
    pub fn alloc(&mut self) -> usize {
        self.objects.push(None);
        self.objects.len()
    }

    /// Sets the body of object `id` (a dictionary, array, ...).
    pub fn object(&mut self, id: usize, body: Vec<u8>) {
        self.objects[id - 1] = Some(body);
    }

    /// Sets object `id` to a stream with `data` (unfiltered) and extra dictionary entries.
    pub fn stream(&mut self, id: usize, extra: &str, data: &[u8]) {
        let mut body = format!("<< /Length {} {extra} >>\nstream\n", data.len()).into_bytes();
        body.extend_from_slice(data);
        body.extend_from_slice(b"\nendstream");
        self.object(id, body);
    }

    /// The file: header, objects, xref, trailer naming `root` and `info`.
    pub fn finish(self, root: usize, info: usize) -> Vec<u8> {
        // The second line marks the file as binary (§7.5.2).
        let mut out = b"%PDF-1.7\n%\xE2\xE3\xCF\xD3\n".to_vec();
        let mut offsets = Vec::with_capacity(self.objects.len());
        for (i, body) in self.objects.iter().enumerate() {
            offsets.push(out.len());
            out.extend_from_slice(format!("{} 0 obj\n", i + 1).as_bytes());
            // An object allocated but never written is the null object.
            out.extend_from_slice(body.as_deref().unwrap_or(b"null"));
            out.extend_from_slice(b"\nendobj\n");
        }
        let xref = out.len();
        out.extend_from_slice(format!("xref\n0 {}\n", self.objects.len() + 1).as_bytes());
        // Each entry exactly 20 bytes, "\r\n" as the end of line (§7.5.4).
        out.extend_from_slice(b"0000000000 65535 f\r\n");
        for o in offsets {
            out.extend_from_slice(format!("{o:010} 00000 n\r\n").as_bytes());
        }
        out.extend_from_slice(
            format!(
                "trailer\n<< /Size {} /Root {root} 0 R /Info {info} 0 R >>\nstartxref\n{xref}\n%%EOF\n",
                self.objects.len() + 1
            )
            .as_bytes(),
        );
        out
    }
}

/// A text string as a PDF hex string of UTF-16BE, with the byte order mark when `bom` (text
/// strings in dictionaries, §7.9.2.2) or without (ToUnicode values). Hex strings need no
/// escaping, so no value can break out of them.
pub(crate) fn hex_utf16be(s: &str, bom: bool) -> String {
    let mut out = String::from("<");
    if bom {
        out.push_str("FEFF");
    }
    for u in s.encode_utf16() {
        out.push_str(&format!("{u:04X}"));
    }
    out.push('>');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xref_offsets_point_at_objects() {
        let mut w = Writer::new();
        let a = w.alloc();
        let b = w.alloc();
        w.object(a, b"<< /Type /Catalog >>".to_vec());
        w.stream(b, "", b"BT ET");
        let pdf = w.finish(a, b);
        let find = |hay: &[u8], needle: &[u8]| {
            hay.windows(needle.len())
                .rposition(|w| w == needle)
                .unwrap()
        };
        let at = find(&pdf, b"startxref\n") + b"startxref\n".len();
        let tail = String::from_utf8(pdf[at..].to_vec()).unwrap();
        let start: usize = tail.lines().next().unwrap().parse().unwrap();
        assert!(pdf[start..].starts_with(b"xref\n0 3\n"));
        let table = String::from_utf8(pdf[start..].to_vec()).unwrap();
        for (i, line) in table.lines().skip(3).take(2).enumerate() {
            assert_eq!(line.len() + 2, 20, "{line:?}");
            let off: usize = line[..10].parse().unwrap();
            assert!(pdf[off..].starts_with(format!("{} 0 obj", i + 1).as_bytes()));
        }
    }

    #[test]
    fn utf16_hex() {
        assert_eq!(hex_utf16be("Ая)", true), "<FEFF0410044F0029>");
        assert_eq!(hex_utf16be("😀", false), "<D83DDE00>");
    }
}
