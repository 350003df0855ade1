//! An embedded TrueType font used by one PDF: maps text to glyphs as it is laid out, measures
//! it, and at the end writes the Type0/CIDFontType2 objects with the subset (FontFile2) and a
//! ToUnicode CMap.

use std::collections::BTreeMap;

use subsetter::GlyphRemapper;
use ttf_parser::{Face, GlyphId};

use super::writer::{Writer, hex_utf16be};
use crate::{Error, ErrorKind, Result};

/// DejaVu Sans 2.37 (Debian fonts-dejavu-core), see core/assets/fonts/README.md.
pub(crate) const DEJAVU_SANS: &[u8] = include_bytes!("../../../assets/fonts/DejaVuSans.ttf");
/// DejaVu Sans Mono 2.37, for the key's hex lines.
pub(crate) const DEJAVU_SANS_MONO: &[u8] =
    include_bytes!("../../../assets/fonts/DejaVuSansMono.ttf");

/// One font as used by one document.
pub(crate) struct UsedFont {
    name: &'static str,
    data: &'static [u8],
    face: Face<'static>,
    units_per_em: f32,
    remapper: GlyphRemapper,
    /// New glyph id → the text it stands for (for ToUnicode).
    unicode: BTreeMap<u16, char>,
    /// New glyph id → advance in font units.
    advances: BTreeMap<u16, u16>,
    /// The glyph drawn for a character the font lacks.
    fallback: GlyphId,
}

impl UsedFont {
    /// Parses an embedded font.
    pub fn new(name: &'static str, data: &'static [u8]) -> Result<UsedFont> {
        let face = Face::parse(data, 0)
            .map_err(|e| Error::new(ErrorKind::Internal, format!("embedded font {name}: {e}")))?;
        let fallback = face
            .glyph_index('\u{FFFD}')
            .or_else(|| face.glyph_index('?'))
            .unwrap_or(GlyphId(0));
        Ok(UsedFont {
            name,
            data,
            units_per_em: f32::from(face.units_per_em()),
            face,
            remapper: GlyphRemapper::new(),
            unicode: BTreeMap::new(),
            advances: BTreeMap::new(),
            fallback,
        })
    }

    fn glyph(&self, c: char) -> GlyphId {
        self.face.glyph_index(c).unwrap_or(self.fallback)
    }

    fn advance(&self, g: GlyphId) -> u16 {
        self.face.glyph_hor_advance(g).unwrap_or(0)
    }

    /// The width of `s` at `size` points (advances, no kerning: what we draw).
    pub fn width(&self, s: &str, size: f32) -> f32 {
        let units: u32 = s
            .chars()
            .map(|c| u32::from(self.advance(self.glyph(c))))
            .sum();
        units as f32 * size / self.units_per_em
    }

    /// The text as a PDF hex string of 2-byte CIDs (Identity-H), recording the glyphs used.
    /// Hex strings need no escaping: no field can break out of them.
    pub fn encode(&mut self, s: &str) -> String {
        let mut out = String::with_capacity(2 + 4 * s.len());
        out.push('<');
        for c in s.chars() {
            let g = self.glyph(c);
            let new = self.remapper.remap(g.0);
            let shown = if self.face.glyph_index(c).is_some() {
                c
            } else {
                '\u{FFFD}'
            };
            self.unicode.entry(new).or_insert(shown);
            let adv = self.advance(g);
            self.advances.entry(new).or_insert(adv);
            out.push_str(&format!("{new:04X}"));
        }
        out.push('>');
        out
    }

    /// Scales font units to the PDF's 1000-unit glyph space.
    fn thousandths(&self, v: f32) -> i64 {
        (v * 1000.0 / self.units_per_em).round() as i64
    }

    /// A subset tag (six capital letters) that depends only on the glyphs used.
    fn tag(&self) -> String {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for g in self.remapper.remapped_gids() {
            for b in g.to_be_bytes() {
                h ^= u64::from(b);
                h = h.wrapping_mul(0x0100_0000_01b3);
            }
        }
        (0..6)
            .map(|i| char::from(b'A' + ((h >> (i * 8)) % 26) as u8))
            .collect()
    }

    /// Writes the font's objects; `type0` is the id the pages refer to.
    pub fn write(&self, w: &mut Writer, type0: usize) -> Result<()> {
        let subset = subsetter::subset(self.data, 0, &self.remapper).map_err(|e| {
            Error::new(
                ErrorKind::Internal,
                format!("subsetting {}: {e}", self.name),
            )
        })?;
        let base = format!("{}+{}", self.tag(), self.name);
        let (cid, descriptor, file, to_unicode) = (w.alloc(), w.alloc(), w.alloc(), w.alloc());

        w.object(
            type0,
            format!(
                "<< /Type /Font /Subtype /Type0 /BaseFont /{base} /Encoding /Identity-H \
                 /DescendantFonts [{cid} 0 R] /ToUnicode {to_unicode} 0 R >>"
            )
            .into_bytes(),
        );
        // Widths of every glyph in the subset, new ids 0..n in order.
        let n = self.remapper.num_gids();
        let widths: Vec<String> = (0..n)
            .map(|g| {
                let adv = self.advances.get(&g).copied().unwrap_or_else(|| {
                    // .notdef and glyphs the subsetter added (components): their own advance.
                    let old = self
                        .remapper
                        .remapped_gids()
                        .nth(usize::from(g))
                        .unwrap_or(0);
                    self.advance(GlyphId(old))
                });
                self.thousandths(f32::from(adv)).to_string()
            })
            .collect();
        w.object(
            cid,
            format!(
                "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /{base} \
                 /CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> \
                 /FontDescriptor {descriptor} 0 R /CIDToGIDMap /Identity /DW 1000 \
                 /W [0 [{}]] >>",
                widths.join(" ")
            )
            .into_bytes(),
        );
        let bb = self.face.global_bounding_box();
        let cap = self.face.capital_height().unwrap_or(self.face.ascender());
        w.object(
            descriptor,
            format!(
                "<< /Type /FontDescriptor /FontName /{base} /Flags 32 \
                 /FontBBox [{} {} {} {}] /ItalicAngle 0 /Ascent {} /Descent {} \
                 /CapHeight {} /StemV 80 /FontFile2 {file} 0 R >>",
                self.thousandths(f32::from(bb.x_min)),
                self.thousandths(f32::from(bb.y_min)),
                self.thousandths(f32::from(bb.x_max)),
                self.thousandths(f32::from(bb.y_max)),
                self.thousandths(f32::from(self.face.ascender())),
                self.thousandths(f32::from(self.face.descender())),
                self.thousandths(f32::from(cap)),
            )
            .into_bytes(),
        );
        w.stream(file, &format!("/Length1 {}", subset.len()), &subset);
        w.stream(to_unicode, "", self.to_unicode().as_bytes());
        Ok(())
    }

    /// The ToUnicode CMap: each glyph id used → its character (so text can be copied and
    /// searched; `pdftotext` reads it).
    fn to_unicode(&self) -> String {
        let mut s = String::from(
            "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n\
             /CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n\
             /CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n\
             1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n",
        );
        let entries: Vec<(&u16, &char)> = self.unicode.iter().collect();
        // At most 100 entries per bfchar block (PDF 32000-1 §9.10.3, CMap syntax).
        for chunk in entries.chunks(100) {
            s.push_str(&format!("{} beginbfchar\n", chunk.len()));
            for (g, c) in chunk {
                s.push_str(&format!(
                    "<{g:04X}> {}\n",
                    hex_utf16be(&c.to_string(), false)
                ));
            }
            s.push_str("endbfchar\n");
        }
        s.push_str("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
        s
    }
}
