//! HTML: one self-contained file (no external resources), print CSS for A4, each copy in its
//! own `<section class="copy">` that starts a new page. Every field is escaped. The markup is
//! also well-formed XML (void elements closed, character references only), so the tests can
//! check its structure with an XML parser.

use super::layout::{BLANK, Block, Layout};

/// Escapes text for element content and double-quoted attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
@page { size: A4; margin: 15mm 15mm 15mm 20mm; }
* { box-sizing: border-box; }
body { font-family: "DejaVu Sans", "Arial", sans-serif; font-size: 10pt; line-height: 1.3;
  margin: 0; color: #000; background: #fff; }
.copy { max-width: 175mm; margin: 0 auto; padding: 8mm 0; overflow-wrap: anywhere;
  word-break: break-word; }
.copy + .copy { break-before: page; page-break-before: always; }
.copy-label { text-align: right; font-size: 8pt; color: #444; margin: 0 0 2mm 0; }
h1 { font-size: 12pt; text-align: center; margin: 0; }
h1 + p.subtitle { text-align: center; font-weight: bold; margin: 0 0 4mm 0; }
.place-date { display: flex; justify-content: space-between; gap: 4mm; margin: 3mm 0 4mm 0; }
h2 { font-size: 10pt; margin: 4mm 0 1mm 0; break-after: avoid; page-break-after: avoid; }
p { margin: 0 0 2mm 0; text-align: justify; }
table.fields { width: 100%; border-collapse: collapse; table-layout: fixed; }
table.fields th { width: 38%; text-align: left; font-weight: normal; vertical-align: top;
  padding: 0.5mm 2mm 0.5mm 0; }
table.fields td { vertical-align: top; padding: 0.5mm 0; }
table.fields tr { break-inside: avoid; page-break-inside: avoid; }
.key { font-family: "DejaVu Sans Mono", "Courier New", monospace; font-size: 9.5pt;
  white-space: pre; margin: 1mm 0 3mm 6mm; break-inside: avoid; page-break-inside: avoid; }
.signatures { margin-top: 4mm; break-inside: avoid; page-break-inside: avoid; }
.signature { margin: 0 0 5mm 0; }
.signature .line { display: inline-block; min-width: 50mm; border-bottom: 1px solid #000;
  margin-right: 2mm; }
.seal { margin-left: 8mm; }
@media screen { .copy { border-bottom: 1px dashed #999; } }
@media print {
  body { font-size: 9pt; line-height: 1.2; }
  .copy { padding: 0; }
  .place-date { margin: 2mm 0 3mm 0; }
  h2 { margin: 2.5mm 0 0.5mm 0; }
  .key { font-size: 8.5pt; margin: 0.5mm 0 2mm 6mm; }
  .signatures { margin-top: 2mm; }
  .signature { margin: 0 0 3.5mm 0; }
}
"#;

/// Renders every copy of the layout.
pub(crate) fn render(layout: &Layout) -> String {
    let layout = layout.clone().cleaned();
    let title = escape(&layout.title.join(" "));
    let mut out = String::new();
    out.push_str("<!DOCTYPE html>\n<html lang=\"ru\">\n<head>\n<meta charset=\"utf-8\" />\n");
    out.push_str(&format!(
        "<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
    ));
    for label in &layout.copies {
        out.push_str("<section class=\"copy\">\n");
        if !label.is_empty() {
            out.push_str(&format!("<p class=\"copy-label\">{}</p>\n", escape(label)));
        }
        if let Some((first, rest)) = layout.title.split_first() {
            out.push_str(&format!("<h1>{}</h1>\n", escape(first)));
            for t in rest {
                out.push_str(&format!("<p class=\"subtitle\">{}</p>\n", escape(t)));
            }
        }
        out.push_str(&format!(
            "<div class=\"place-date\"><span>{}</span><span>{}</span></div>\n",
            escape(&layout.place),
            escape(&layout.date)
        ));
        for block in &layout.blocks {
            match block {
                Block::Paragraph(p) => out.push_str(&format!("<p>{}</p>\n", escape(p))),
                Block::Heading(h) => out.push_str(&format!("<h2>{}</h2>\n", escape(h))),
                Block::Fields(rows) => {
                    out.push_str("<table class=\"fields\">\n");
                    for (l, v) in rows {
                        out.push_str(&format!(
                            "<tr><th>{}</th><td>{}</td></tr>\n",
                            escape(l),
                            escape(v)
                        ));
                    }
                    out.push_str("</table>\n");
                }
                Block::Hex { caption, lines } => {
                    out.push_str(&format!("<p>{}</p>\n", escape(caption)));
                    out.push_str(&format!(
                        "<div class=\"key\">{}</div>\n",
                        lines
                            .iter()
                            .map(|l| escape(l))
                            .collect::<Vec<_>>()
                            .join("\n")
                    ));
                }
                Block::Signatures(list) => {
                    out.push_str("<div class=\"signatures\">\n");
                    for s in list {
                        let name = if s.name.is_empty() { BLANK } else { &s.name };
                        out.push_str(&format!(
                            "<div class=\"signature\"><div>{}:</div><span class=\"line\">&#160;</span>/ {} /{}</div>\n",
                            escape(&s.role),
                            escape(name),
                            if s.seal { "<span class=\"seal\">М.П.</span>" } else { "" }
                        ));
                    }
                    out.push_str("</div>\n");
                }
            }
        }
        out.push_str("</section>\n");
    }
    out.push_str("</body>\n</html>\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            escape(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
    }
}
