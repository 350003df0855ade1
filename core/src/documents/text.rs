//! Plain text: UTF-8, LF line ends, at most [`WIDTH`] characters a line, one copy.

use super::layout::{BLANK, Block, Layout, wrap};

/// Characters a line.
pub(crate) const WIDTH: usize = 80;
/// The label column of field rows (the value column is 50 wide: a key identifier, 49
/// characters, fits on one line).
const LABEL: usize = 28;
/// The indent of signature and hex lines.
const INDENT: usize = 2;

fn chars(s: &str) -> f32 {
    s.chars().count() as f32
}

fn wrap_at(s: &str, n: usize) -> Vec<String> {
    wrap(s, n as f32, &chars)
}

fn pad(s: &str, n: usize) -> String {
    let len = s.chars().count();
    format!("{s}{}", " ".repeat(n.saturating_sub(len)))
}

/// Renders one copy of the layout as text.
pub(crate) fn render(layout: &Layout) -> String {
    let layout = layout.clone().cleaned();
    let mut out: Vec<String> = Vec::new();
    for t in &layout.title {
        for l in wrap_at(t, WIDTH) {
            let left = (WIDTH - l.chars().count()) / 2;
            out.push(format!("{}{l}", " ".repeat(left)));
        }
    }
    out.push(String::new());
    let (place, date) = (&layout.place, &layout.date);
    if place.chars().count() + date.chars().count() < WIDTH {
        out.push(format!(
            "{}{date}",
            pad(place, WIDTH - date.chars().count())
        ));
    } else {
        out.extend(wrap_at(place, WIDTH));
        out.extend(wrap_at(date, WIDTH));
    }
    for block in &layout.blocks {
        out.push(String::new());
        match block {
            Block::Paragraph(p) => out.extend(wrap_at(p, WIDTH)),
            Block::Heading(h) => out.extend(wrap_at(h, WIDTH)),
            Block::Fields(rows) => {
                let value_w = WIDTH - LABEL - 2;
                for (label, value) in rows {
                    let ls = wrap_at(&format!("{label}:"), LABEL);
                    let vs = wrap_at(value, value_w);
                    for i in 0..ls.len().max(vs.len()) {
                        let l = ls.get(i).map_or("", String::as_str);
                        let v = vs.get(i).map_or("", String::as_str);
                        let line = format!("{}  {v}", pad(l, LABEL));
                        out.push(line.trim_end().to_owned());
                    }
                }
            }
            Block::Hex { caption, lines } => {
                out.extend(wrap_at(caption, WIDTH));
                out.extend(
                    lines
                        .iter()
                        .map(|l| format!("{}{l}", " ".repeat(INDENT + 2))),
                );
            }
            Block::Signatures(list) => {
                for (i, s) in list.iter().enumerate() {
                    if i > 0 {
                        out.push(String::new());
                    }
                    out.extend(wrap_at(&format!("{}:", s.role), WIDTH));
                    let name = if s.name.is_empty() { BLANK } else { &s.name };
                    let seal = if s.seal { "   М.П." } else { "" };
                    let line = format!("{BLANK} / {name} /{seal}");
                    out.extend(
                        wrap_at(&line, WIDTH - INDENT)
                            .into_iter()
                            .map(|l| format!("{}{l}", " ".repeat(INDENT))),
                    );
                }
            }
        }
    }
    let mut s = out.join("\n");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::super::layout::Signature;
    use super::*;

    #[test]
    fn no_line_is_wider_than_80() {
        let long = "Очень длинное наименование ".repeat(40);
        let layout = Layout {
            title: vec![long.clone()],
            place: long.clone(),
            date: "30 ноября 2026 г.".into(),
            copies: vec![String::new()],
            blocks: vec![
                Block::Paragraph(long.clone()),
                Block::Fields(vec![
                    (long.clone(), long.clone()),
                    ("ИНН".into(), "".into()),
                ]),
                Block::Hex {
                    caption: "Открытый ключ".into(),
                    lines: vec!["0440 0000".into()],
                },
                Block::Signatures(vec![Signature {
                    role: long.clone(),
                    name: long.repeat(3),
                    seal: true,
                }]),
            ],
        };
        let text = render(&layout);
        for l in text.lines() {
            assert!(
                l.chars().count() <= WIDTH,
                "{} > 80: {l}",
                l.chars().count()
            );
        }
        assert!(text.contains(&format!("ИНН:{}{BLANK}", " ".repeat(LABEL - 4 + 2))));
        assert!(text.contains("М.П."));
    }
}
