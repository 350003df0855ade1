//! PDF: A4 pages, each copy starting on its own page, text in DejaVu Sans (the key in DejaVu
//! Sans Mono), both embedded as subsets with ToUnicode maps. Long values wrap; a copy that
//! does not fit on one page continues on the next («лист 2 из 2»), so nothing is cut.

mod font;
mod writer;

use super::layout::{BLANK, Block, Layout, wrap};
use crate::Result;
use font::{DEJAVU_SANS, DEJAVU_SANS_MONO, UsedFont};
use writer::{Writer, hex_utf16be};

/// A4 in points.
const PAGE_W: f32 = 595.28;
const PAGE_H: f32 = 841.89;
/// Margins: 20 mm left (binding), 15 mm elsewhere.
const LEFT: f32 = 56.69;
const RIGHT: f32 = 42.52;
const TOP: f32 = 36.0;
const BOTTOM: f32 = 46.0;
/// Line height as a multiple of the font size.
const LEAD: f32 = 1.25;
const TEXT_W: f32 = PAGE_W - LEFT - RIGHT;
/// Sizes in points.
const BODY: f32 = 9.5;
const TITLE: f32 = 12.0;
const MONO: f32 = 9.0;
const SMALL: f32 = 8.0;
/// The share of the text width the field labels take.
const LABEL_SHARE: f32 = 0.38;

#[derive(Clone, Copy, PartialEq)]
enum Face {
    Sans,
    Mono,
}

/// Lays out pages and draws into their content streams.
struct Pages {
    sans: UsedFont,
    mono: UsedFont,
    /// Content streams, one a page.
    pages: Vec<String>,
    /// The first page of the copy being drawn.
    copy_start: usize,
    /// The current baseline.
    y: f32,
}

impl Pages {
    fn font(&self, f: Face) -> &UsedFont {
        match f {
            Face::Sans => &self.sans,
            Face::Mono => &self.mono,
        }
    }

    fn width(&self, f: Face, s: &str, size: f32) -> f32 {
        self.font(f).width(s, size)
    }

    fn wrap(&self, f: Face, s: &str, size: f32, max: f32) -> Vec<String> {
        wrap(s, max, &|t: &str| self.width(f, t, size))
    }

    fn new_page(&mut self) {
        self.pages.push(String::new());
        self.y = PAGE_H - TOP;
    }

    /// Makes room for `height` points below the current line, on a new page if needed.
    fn room(&mut self, height: f32) {
        if self.y - height < BOTTOM && self.y < PAGE_H - TOP - 1.0 {
            self.new_page();
        }
    }

    /// Draws `s` with its baseline at `y`; `bold` strokes the outline too (a faux bold, so one
    /// font suffices).
    fn text(&mut self, f: Face, size: f32, x: f32, s: &str, bold: bool) {
        let font = match f {
            Face::Sans => &mut self.sans,
            Face::Mono => &mut self.mono,
        };
        let hex = font.encode(s);
        let name = match f {
            Face::Sans => "F1",
            Face::Mono => "F2",
        };
        let mode = if bold { "2 Tr 0.35 w" } else { "0 Tr" };
        let y = self.y;
        let page = self.pages.last_mut().expect("a page is open");
        page.push_str(&format!(
            "BT /{name} {size} Tf {mode} 1 0 0 1 {x:.2} {y:.2} Tm {hex} Tj ET\n"
        ));
    }

    fn line(&mut self, x1: f32, x2: f32, y: f32) {
        let page = self.pages.last_mut().expect("a page is open");
        page.push_str(&format!("0.5 w {x1:.2} {y:.2} m {x2:.2} {y:.2} l S\n"));
    }

    /// Lines of running text at `x`, each moved to a new page when the page is full.
    fn lines(&mut self, f: Face, size: f32, x: f32, lines: &[String], bold: bool) {
        let lead = size * LEAD;
        for l in lines {
            self.room(lead);
            self.y -= lead;
            self.text(f, size, x, l, bold);
        }
    }

    fn paragraph(&mut self, s: &str, bold: bool) {
        let ls = self.wrap(Face::Sans, s, BODY, TEXT_W);
        self.lines(Face::Sans, BODY, LEFT, &ls, bold);
    }

    fn fields(&mut self, rows: &[(String, String)]) {
        let label_w = TEXT_W * LABEL_SHARE;
        let value_x = LEFT + label_w;
        let value_w = TEXT_W - label_w;
        let lead = BODY * LEAD;
        for (label, value) in rows {
            let ls = self.wrap(Face::Sans, label, BODY, label_w - 8.0);
            let vs = self.wrap(Face::Sans, value, BODY, value_w);
            for i in 0..ls.len().max(vs.len()) {
                self.room(lead);
                self.y -= lead;
                if let Some(l) = ls.get(i) {
                    self.text(Face::Sans, BODY, LEFT, l, false);
                }
                if let Some(v) = vs.get(i) {
                    self.text(Face::Sans, BODY, value_x, v, false);
                }
            }
            self.y -= 1.5;
        }
    }

    fn signatures(&mut self, list: &[super::layout::Signature]) {
        let lead = BODY * LEAD;
        for s in list {
            // The role, then a line to sign on, the name and the seal: kept together.
            let role = self.wrap(Face::Sans, &format!("{}:", s.role), BODY, TEXT_W);
            let name = if s.name.is_empty() { BLANK } else { &s.name };
            let line_w = 150.0;
            let seal_w = self.width(Face::Sans, "М.П.", BODY) + 20.0;
            let names = self.wrap(
                Face::Sans,
                &format!("/ {name} /"),
                BODY,
                TEXT_W - line_w - 8.0 - seal_w,
            );
            self.room(lead * (role.len() + names.len()) as f32 + 18.0);
            self.y -= 6.0;
            self.lines(Face::Sans, BODY, LEFT, &role, false);
            self.y -= 14.0;
            self.line(LEFT, LEFT + line_w, self.y - 1.5);
            let first_y = self.y;
            for (i, n) in names.iter().enumerate() {
                if i > 0 {
                    self.y -= lead;
                }
                self.text(Face::Sans, BODY, LEFT + line_w + 8.0, n, false);
            }
            if s.seal {
                let y = self.y;
                self.y = first_y;
                self.text(
                    Face::Sans,
                    BODY,
                    PAGE_W - RIGHT - seal_w + 20.0,
                    "М.П.",
                    true,
                );
                self.y = y;
            }
            self.y -= 4.0;
        }
    }

    /// Draws one copy of the layout starting on a new page.
    fn copy(&mut self, layout: &Layout, label: &str) {
        self.new_page();
        self.copy_start = self.pages.len() - 1;
        if !label.is_empty() {
            let w = self.width(Face::Sans, label, SMALL);
            self.y -= SMALL;
            self.text(Face::Sans, SMALL, PAGE_W - RIGHT - w, label, false);
            self.y -= 6.0;
        }
        for t in &layout.title {
            for l in self.wrap(Face::Sans, t, TITLE, TEXT_W) {
                self.room(TITLE * 1.3);
                self.y -= TITLE * 1.3;
                let w = self.width(Face::Sans, &l, TITLE);
                self.text(Face::Sans, TITLE, LEFT + (TEXT_W - w) / 2.0, &l, true);
            }
        }
        self.y -= 10.0;
        let pw = self.width(Face::Sans, &layout.place, BODY);
        let dw = self.width(Face::Sans, &layout.date, BODY);
        if pw + dw + 20.0 <= TEXT_W {
            self.room(BODY * LEAD);
            self.y -= BODY * LEAD;
            let place = layout.place.clone();
            self.text(Face::Sans, BODY, LEFT, &place, false);
            let date = layout.date.clone();
            self.text(Face::Sans, BODY, PAGE_W - RIGHT - dw, &date, false);
        } else {
            self.paragraph(&layout.place, false);
            self.paragraph(&layout.date, false);
        }
        for block in &layout.blocks {
            self.y -= 5.0;
            match block {
                Block::Paragraph(p) => self.paragraph(p, false),
                Block::Heading(h) => {
                    // Keep a heading with at least two lines of what follows.
                    self.room(BODY * LEAD * 3.0);
                    self.paragraph(h, true);
                    self.y -= 2.0;
                }
                Block::Fields(rows) => self.fields(rows),
                Block::Hex { caption, lines } => {
                    self.room(BODY * LEAD + MONO * LEAD * lines.len().div_ceil(2).min(8) as f32);
                    self.paragraph(caption, false);
                    self.y -= 2.0;
                    let indent = LEFT + 18.0;
                    // Two of the layout's lines (8 groups each) to a printed line: the same
                    // bytes in the same order, half the height (an RSA key fits one page).
                    let mut wrapped = Vec::new();
                    for pair in lines.chunks(2) {
                        wrapped.extend(self.wrap(
                            Face::Mono,
                            &pair.join("  "),
                            MONO,
                            TEXT_W - 18.0,
                        ));
                    }
                    self.lines(Face::Mono, MONO, indent, &wrapped, false);
                }
                Block::Signatures(list) => self.signatures(list),
            }
        }
        // «лист k из n» at the foot of each page of a copy that took more than one.
        let n = self.pages.len() - self.copy_start;
        if n > 1 {
            for k in 0..n {
                let foot = if label.is_empty() {
                    format!("лист {} из {n}", k + 1)
                } else {
                    format!("{label}, лист {} из {n}", k + 1)
                };
                let w = self.width(Face::Sans, &foot, SMALL);
                let hex = self.sans.encode(&foot);
                self.pages[self.copy_start + k].push_str(&format!(
                    "BT /F1 {SMALL} Tf 0 Tr 1 0 0 1 {:.2} {:.2} Tm {hex} Tj ET\n",
                    PAGE_W - RIGHT - w,
                    BOTTOM - 14.0
                ));
            }
        }
    }
}

/// Renders every copy of the layout as one PDF.
pub(crate) fn render(layout: &Layout) -> Result<Vec<u8>> {
    let layout = layout.clone().cleaned();
    let mut p = Pages {
        sans: UsedFont::new("DejaVuSans", DEJAVU_SANS)?,
        mono: UsedFont::new("DejaVuSansMono", DEJAVU_SANS_MONO)?,
        pages: Vec::new(),
        copy_start: 0,
        y: 0.0,
    };
    for label in &layout.copies {
        p.copy(&layout, label);
    }

    let mut w = Writer::new();
    let (catalog, pages, info, f1, f2) = (w.alloc(), w.alloc(), w.alloc(), w.alloc(), w.alloc());
    let mut kids = Vec::new();
    for content in &p.pages {
        let (page, stream) = (w.alloc(), w.alloc());
        kids.push(format!("{page} 0 R"));
        w.object(
            page,
            format!(
                "<< /Type /Page /Parent {pages} 0 R /MediaBox [0 0 {PAGE_W} {PAGE_H}] \
                 /Resources << /Font << /F1 {f1} 0 R /F2 {f2} 0 R >> >> /Contents {stream} 0 R >>"
            )
            .into_bytes(),
        );
        w.stream(stream, "", content.as_bytes());
    }
    w.object(
        catalog,
        format!("<< /Type /Catalog /Pages {pages} 0 R /Lang (ru-RU) >>").into_bytes(),
    );
    w.object(
        pages,
        format!(
            "<< /Type /Pages /Kids [{}] /Count {} >>",
            kids.join(" "),
            kids.len()
        )
        .into_bytes(),
    );
    w.object(
        info,
        format!(
            "<< /Title {} /Producer (bankkey) >>",
            hex_utf16be(&layout.title.join(" "), true)
        )
        .into_bytes(),
    );
    p.sans.write(&mut w, f1)?;
    p.mono.write(&mut w, f2)?;
    Ok(w.finish(catalog, info))
}
