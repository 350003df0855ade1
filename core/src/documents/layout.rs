//! The one intermediate form every rendering is made from: a title, the place and date, and
//! a list of blocks. Text, HTML and PDF differ only in how they draw it.

/// A document ready to be drawn.
#[derive(Debug, Clone)]
pub(crate) struct Layout {
    /// The title lines, centred («АКТ ПРИЗНАНИЯ ...»).
    pub title: Vec<String>,
    /// The place (left), may be empty.
    pub place: String,
    /// The date (right).
    pub date: String,
    /// The labels of the copies; one copy without a label when it has one element "".
    pub copies: Vec<String>,
    /// The body.
    pub blocks: Vec<Block>,
}

/// One block of the body.
#[derive(Debug, Clone)]
pub(crate) enum Block {
    /// A paragraph of running text.
    Paragraph(String),
    /// A numbered or named section heading.
    Heading(String),
    /// Label–value rows; an empty value is a blank to fill in by hand.
    Fields(Vec<(String, String)>),
    /// The key in hex: a caption line, then the hex lines (monospace).
    Hex { caption: String, lines: Vec<String> },
    /// Lines to sign: a role, a blank for the signature, the name, and «М.П.» when sealed.
    Signatures(Vec<Signature>),
}

/// One signature line.
#[derive(Debug, Clone)]
pub(crate) struct Signature {
    /// Who signs («Владелец ключа», «Руководитель организации»).
    pub role: String,
    /// The name, printed under or beside the line; empty for a blank.
    pub name: String,
    /// Whether the seal («М.П.») goes beside it.
    pub seal: bool,
}

/// What an empty field prints: a line to write on.
pub(crate) const BLANK: &str = "____________________";

/// Replaces control characters (line breaks, tabs, NUL, bidi controls) by spaces so that no
/// field can break the layout of any rendering.
pub(crate) fn clean(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control()
                || ('\u{200B}'..='\u{200F}').contains(&c)
                || ('\u{202A}'..='\u{202E}').contains(&c)
                || ('\u{2066}'..='\u{2069}').contains(&c)
            {
                ' '
            } else {
                c
            }
        })
        .collect::<String>()
        .trim()
        .to_owned()
}

impl Layout {
    /// The same layout with every string passed through [`clean`] and empty field values
    /// replaced by [`BLANK`].
    pub fn cleaned(mut self) -> Layout {
        let fix = |s: &mut String| *s = clean(s);
        self.title.iter_mut().for_each(fix);
        fix(&mut self.place);
        fix(&mut self.date);
        self.copies.iter_mut().for_each(fix);
        for b in &mut self.blocks {
            match b {
                Block::Paragraph(s) | Block::Heading(s) => fix(s),
                Block::Fields(rows) => {
                    for (l, v) in rows {
                        fix(l);
                        fix(v);
                        if v.is_empty() {
                            *v = BLANK.to_owned();
                        }
                    }
                }
                Block::Hex { caption, lines } => {
                    fix(caption);
                    lines.iter_mut().for_each(fix);
                }
                Block::Signatures(list) => {
                    for s in list {
                        fix(&mut s.role);
                        fix(&mut s.name);
                    }
                }
            }
        }
        self
    }
}

/// Splits `text` into lines no wider than `max` by `width`, breaking at spaces, and inside a
/// word only when the word alone is too wide. Never returns an empty list.
pub(crate) fn wrap(text: &str, max: f32, width: &dyn Fn(&str) -> f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if width(&candidate) <= max {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // The word alone: cut it where it overflows.
        let mut piece = String::new();
        for c in word.chars() {
            piece.push(c);
            if width(&piece) > max && piece.chars().count() > 1 {
                piece.pop();
                lines.push(std::mem::take(&mut piece));
                piece.push(c);
            }
        }
        line = piece;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chars(s: &str) -> f32 {
        s.chars().count() as f32
    }

    #[test]
    fn wrap_breaks_at_spaces_and_inside_long_words() {
        assert_eq!(wrap("один два три", 8.0, &chars), vec!["один два", "три"]);
        assert_eq!(
            wrap("абвгдежзий к", 4.0, &chars),
            vec!["абвг", "дежз", "ий к"]
        );
        assert_eq!(wrap("", 4.0, &chars), vec![""]);
        for l in wrap(&"я".repeat(1000), 7.0, &chars) {
            assert!(chars(&l) <= 7.0);
        }
    }

    #[test]
    fn clean_removes_controls() {
        assert_eq!(clean(" a\nb\tc\u{0}d\u{202E}e "), "a b c d e");
    }
}
