//! Reading XML safely as it streams by: the one XML reader of the crate, under the
//! accredited-CA list ([`crate::bank::tsl`]), its signature ([`crate::xmldsig`]) and canonical
//! XML ([`c14n`]). Built on quick-xml; holds one element and the stack of open elements at a
//! time, never the document.
//!
//! What it refuses, so that nothing above it has to think about it:
//! - a document type declaration (`<!DOCTYPE`): without a DTD no entity can be declared, so
//!   none expands (no "billion laughs", no external entity fetched), and no attribute default
//!   can change what a signature covers; entity references other than the five predefined
//!   ones are errors;
//! - an encoding other than UTF-8 and XML 1.1 (its line-end and character rules differ);
//! - what is not namespace-well-formed (an undeclared prefix, `xmlns:p=""`, the `xml` and
//!   `xmlns` prefixes rebound, two attributes of one expanded name, a name with two colons);
//! - characters XML 1.0 does not allow (controls other than tab, line feed and carriage
//!   return), unbalanced or mismatched tags, `--` in a comment, text or a second element
//!   outside the root, nesting deeper than [`MAX_DEPTH`].
//!
//! Line ends are normalised (XML 1.0 §2.11) and attribute values are normalised as CDATA
//! attributes (§3.3.3), as every conforming parser does before canonicalisation sees them.

pub mod c14n;

use std::io::BufRead;

use quick_xml::Reader;
use quick_xml::XmlVersion;
use quick_xml::events::{BytesStart, Event};

use crate::{Error, Result};

/// The namespace the `xml` prefix is bound to.
pub const XML_NS: &str = "http://www.w3.org/XML/1998/namespace";
/// The namespace of namespace declarations.
pub const XMLNS_NS: &str = "http://www.w3.org/2000/xmlns/";

/// Deepest nesting of elements accepted (the accredited-CA list nests 7 levels, its
/// signature 5 more).
pub const MAX_DEPTH: usize = 64;

/// Most namespace bindings in scope at once.
const MAX_BINDINGS: usize = 256;

/// Most attributes (namespace declarations included) on one element: quick-xml's check for
/// duplicates, and ours, compare each with those before it.
const MAX_ATTRIBUTES: usize = 128;

/// A qualified name as written: `prefix:local`, or `local` with an empty prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Name {
    /// The prefix; empty when there is none.
    pub prefix: String,
    /// The local part.
    pub local: String,
}

impl Name {
    fn parse(raw: &[u8]) -> Result<Name> {
        let s = std::str::from_utf8(raw).map_err(|_| bad("a name is not UTF-8"))?;
        let bad = || bad(format_args!("\"{s}\" is not a namespace-well-formed name"));
        let (prefix, local) = match s.split_once(':') {
            Some((p, l)) => (p, l),
            None => ("", s),
        };
        if local.is_empty() || local.contains(':') || (s.contains(':') && prefix.is_empty()) {
            return Err(bad());
        }
        Ok(Name {
            prefix: prefix.to_owned(),
            local: local.to_owned(),
        })
    }

    /// The name as written.
    pub fn qualified(&self) -> String {
        if self.prefix.is_empty() {
            self.local.clone()
        } else {
            format!("{}:{}", self.prefix, self.local)
        }
    }
}

/// An attribute other than a namespace declaration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    /// Its name as written.
    pub name: Name,
    /// Its namespace: empty for an unprefixed attribute.
    pub namespace: String,
    /// Its normalised value.
    pub value: String,
}

/// A start tag (an empty-element tag is a start tag followed by [`Node::End`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Element {
    /// The name as written.
    pub name: Name,
    /// The namespace it is in; empty for none.
    pub namespace: String,
    /// The namespace declarations on this tag, `(prefix, uri)`, the default one with an
    /// empty prefix (and an empty uri for `xmlns=""`).
    pub declarations: Vec<(String, String)>,
    /// The other attributes, in document order.
    pub attributes: Vec<Attribute>,
    /// Byte offset of its `<` in the input.
    pub offset: u64,
}

impl Element {
    /// The value of the unprefixed attribute `local`.
    pub fn attribute(&self, local: &str) -> Option<&str> {
        self.attributes
            .iter()
            .find(|a| a.namespace.is_empty() && a.name.local == local)
            .map(|a| a.value.as_str())
    }

    /// Whether it is `local` in namespace `ns`.
    pub fn is(&self, ns: &str, local: &str) -> bool {
        self.namespace == ns && self.name.local == local
    }
}

/// What the reader meets, in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// A start tag.
    Start(Element),
    /// The end of the innermost open element.
    End,
    /// Character data (references resolved, line ends normalised); one run of text may come
    /// in several pieces.
    Text(String),
    /// A comment's text.
    Comment(String),
    /// A processing instruction.
    Pi {
        /// Its target.
        target: String,
        /// Its data, without the white space after the target.
        data: String,
    },
}

struct Open {
    name: Vec<u8>,
    bindings: usize,
    xml_attributes: usize,
}

/// The streaming reader.
pub struct XmlReader<R> {
    reader: Reader<R>,
    buf: Vec<u8>,
    open: Vec<Open>,
    /// `(prefix, uri)` bindings of the open elements, innermost last.
    bindings: Vec<(String, String)>,
    /// `xml:*` attributes of the open elements, innermost last.
    xml_attributes: Vec<(String, String)>,
    pending_end: bool,
    root_seen: bool,
    root_closed: bool,
    seen_any: bool,
}

/// The reader's errors name the field `XML`.
fn bad(what: impl std::fmt::Display) -> Error {
    Error::malformed(format!("XML: {what}")).with_field("XML")
}

/// Refuses characters XML 1.0 does not allow (§2.2).
fn check_chars(s: &str) -> Result<()> {
    match s.chars().find(|&c| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || c == '\u{FFFE}' || c == '\u{FFFF}'
    }) {
        Some(c) => Err(bad(format_args!(
            "character U+{:04X} is not allowed in XML 1.0",
            u32::from(c)
        ))),
        None => Ok(()),
    }
}

fn utf8(bytes: &[u8]) -> Result<&str> {
    std::str::from_utf8(bytes).map_err(|_| bad("not UTF-8"))
}

fn normalise_eol(s: &str) -> String {
    s.replace("\r\n", "\n").replace('\r', "\n")
}

impl<R: BufRead> XmlReader<R> {
    /// A reader over `input`.
    pub fn new(input: R) -> Self {
        let mut reader = Reader::from_reader(input);
        let c = reader.config_mut();
        c.check_comments = true;
        c.check_end_names = true;
        c.expand_empty_elements = false;
        c.trim_text(false);
        XmlReader {
            reader,
            buf: Vec::new(),
            open: Vec::new(),
            bindings: Vec::new(),
            xml_attributes: Vec::new(),
            pending_end: false,
            root_seen: false,
            root_closed: false,
            seen_any: false,
        }
    }

    /// How many elements are open (after a [`Node::Start`], it counts).
    pub fn depth(&self) -> usize {
        self.open.len()
    }

    /// Where the reader is in the input.
    pub fn position(&self) -> u64 {
        self.reader.buffer_position()
    }

    /// Whether the root element has ended.
    pub fn after_root(&self) -> bool {
        self.root_closed
    }

    /// The namespace `prefix` is bound to in the innermost open element (`""`: the default
    /// namespace, empty when none).
    pub fn lookup(&self, prefix: &str) -> Option<&str> {
        if prefix == "xml" {
            return Some(XML_NS);
        }
        match self.bindings.iter().rev().find(|(p, _)| p == prefix) {
            Some((_, uri)) => Some(uri.as_str()),
            None if prefix.is_empty() => Some(""),
            None => None,
        }
    }

    /// Every binding in scope in the innermost open element, one per prefix, sorted by
    /// prefix (the default namespace first, when it is not empty); `xml` not included.
    pub fn in_scope(&self) -> Vec<(String, String)> {
        let mut seen: Vec<(String, String)> = Vec::new();
        for (p, u) in self.bindings.iter().rev() {
            if !seen.iter().any(|(q, _)| q == p) {
                seen.push((p.clone(), u.clone()));
            }
        }
        seen.retain(|(p, u)| !(p.is_empty() && u.is_empty()));
        seen.sort();
        seen
    }

    /// The `xml:*` attributes the innermost open element inherits from its ancestors and
    /// does not carry itself, `(local name, value)`, sorted.
    pub fn inherited_xml_attributes(&self) -> Vec<(String, String)> {
        let own_from = self.open.last().map_or(0, |o| o.xml_attributes);
        let (ancestors, own) = self
            .xml_attributes
            .split_at(own_from.min(self.xml_attributes.len()));
        let mut out: Vec<(String, String)> = Vec::new();
        for (l, v) in ancestors.iter().rev() {
            if !out.iter().any(|(k, _)| k == l) && !own.iter().any(|(k, _)| k == l) {
                out.push((l.clone(), v.clone()));
            }
        }
        out.sort();
        out
    }

    /// The next node; `None` at the end of a well-formed document.
    pub fn read_node(&mut self) -> Result<Option<Node>> {
        let mut buf = std::mem::take(&mut self.buf);
        let node = self.next_into(&mut buf);
        self.buf = buf;
        node
    }

    fn next_into(&mut self, buf: &mut Vec<u8>) -> Result<Option<Node>> {
        if self.pending_end {
            self.pending_end = false;
            self.close();
            return Ok(Some(Node::End));
        }
        loop {
            buf.clear();
            let offset = self.reader.buffer_position();
            let event = self.reader.read_event_into(buf).map_err(|e| {
                bad(format_args!(
                    "at byte {}: {e}",
                    self.reader.buffer_position()
                ))
            })?;
            let first = !self.seen_any;
            self.seen_any = true;
            let depth = self.open.len();
            match event {
                Event::Decl(d) => {
                    if !first {
                        return Err(bad("an XML declaration that is not at the start"));
                    }
                    let version = d
                        .version()
                        .map_err(|e| bad(format_args!("declaration: {e}")))?;
                    if version.as_ref() != b"1.0" {
                        return Err(Error::unsupported(format!(
                            "XML version {} is not read (only 1.0)",
                            String::from_utf8_lossy(&version)
                        ))
                        .with_field("XML"));
                    }
                    if let Some(enc) = d.encoding() {
                        let enc = enc.map_err(|e| bad(format_args!("declaration: {e}")))?;
                        if !enc.eq_ignore_ascii_case(b"utf-8") && !enc.eq_ignore_ascii_case(b"utf8")
                        {
                            return Err(Error::unsupported(format!(
                                "the document is encoded in {}; only UTF-8 is read",
                                String::from_utf8_lossy(&enc)
                            ))
                            .with_field("XML"));
                        }
                    }
                }
                Event::DocType(_) => {
                    return Err(Error::unsupported(
                        "XML: a document type declaration (DOCTYPE) is not accepted: no DTD, no entities",
                    )
                    .with_field("XML"));
                }
                Event::Start(e) => {
                    let el = self.open_element(&e, offset)?;
                    return Ok(Some(Node::Start(el)));
                }
                Event::Empty(e) => {
                    let el = self.open_element(&e, offset)?;
                    self.pending_end = true;
                    return Ok(Some(Node::Start(el)));
                }
                Event::End(_) => {
                    if depth == 0 {
                        return Err(bad("an end tag without a start tag"));
                    }
                    self.close();
                    return Ok(Some(Node::End));
                }
                Event::Text(t) => {
                    let s = t.xml10_content().map_err(|_| bad("text is not UTF-8"))?;
                    if depth == 0 {
                        // A byte order mark may open the document; otherwise only white space.
                        let s = if offset == 0 {
                            s.trim_start_matches('\u{FEFF}')
                        } else {
                            &s
                        };
                        if !s.chars().all(|c| matches!(c, ' ' | '\t' | '\n' | '\r')) {
                            return Err(bad("text outside the root element"));
                        }
                        continue;
                    }
                    check_chars(&s)?;
                    return Ok(Some(Node::Text(s.into_owned())));
                }
                Event::CData(t) => {
                    if depth == 0 {
                        return Err(bad("a CDATA section outside the root element"));
                    }
                    let s = t.xml10_content().map_err(|_| bad("CDATA is not UTF-8"))?;
                    check_chars(&s)?;
                    return Ok(Some(Node::Text(s.into_owned())));
                }
                Event::GeneralRef(r) => {
                    if depth == 0 {
                        return Err(bad("a reference outside the root element"));
                    }
                    if let Some(c) = r
                        .resolve_char_ref()
                        .map_err(|e| bad(format_args!("character reference: {e}")))?
                    {
                        check_chars(c.encode_utf8(&mut [0; 4]))?;
                        return Ok(Some(Node::Text(c.to_string())));
                    }
                    let name = r.decode().map_err(|_| bad("a reference is not UTF-8"))?;
                    let s = match name.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        other => {
                            return Err(bad(format_args!(
                                "entity &{other}; is not declared (no DTD is read)"
                            )));
                        }
                    };
                    return Ok(Some(Node::Text(s.to_owned())));
                }
                Event::Comment(c) => {
                    let s = normalise_eol(utf8(&c)?);
                    check_chars(&s)?;
                    return Ok(Some(Node::Comment(s)));
                }
                Event::PI(p) => {
                    let target = utf8(p.target())?.to_owned();
                    if target.eq_ignore_ascii_case("xml") {
                        return Err(bad("an XML declaration that is not at the start"));
                    }
                    Name::parse(target.as_bytes())?;
                    let data = normalise_eol(
                        utf8(p.content())?.trim_start_matches([' ', '\t', '\r', '\n']),
                    );
                    check_chars(&data)?;
                    return Ok(Some(Node::Pi { target, data }));
                }
                Event::Eof => {
                    if depth > 0 {
                        return Err(bad("the document ends inside an element"));
                    }
                    if !self.root_seen {
                        return Err(bad("no root element").with_field("root"));
                    }
                    return Ok(None);
                }
            }
        }
    }

    fn close(&mut self) {
        if let Some(o) = self.open.pop() {
            self.bindings.truncate(o.bindings);
            self.xml_attributes.truncate(o.xml_attributes);
            let _ = o.name;
        }
        if self.open.is_empty() {
            self.root_closed = true;
        }
    }

    fn open_element(&mut self, e: &BytesStart<'_>, offset: u64) -> Result<Element> {
        if self.root_closed {
            return Err(bad("a second root element"));
        }
        if self.open.len() >= MAX_DEPTH {
            return Err(bad(format_args!("elements nested deeper than {MAX_DEPTH}")));
        }
        self.root_seen = true;
        let name = Name::parse(e.name().as_ref())?;
        let mut declarations = Vec::new();
        let mut raw_attributes = Vec::new();
        for (i, a) in e.attributes().enumerate() {
            if i == MAX_ATTRIBUTES {
                return Err(bad(format_args!(
                    "<{}> has more than {MAX_ATTRIBUTES} attributes",
                    name.qualified()
                )));
            }
            let a =
                a.map_err(|err| bad(format_args!("<{}>: attribute: {err}", name.qualified())))?;
            if a.value.contains(&b'<') {
                return Err(bad(format_args!(
                    "<{}>: '<' in an attribute value",
                    name.qualified()
                )));
            }
            let value = a
                .normalized_value(XmlVersion::Implicit1_0)
                .map_err(|err| {
                    bad(format_args!(
                        "<{}>: attribute value: {err}",
                        name.qualified()
                    ))
                })?
                .into_owned();
            check_chars(&value)?;
            let an = Name::parse(a.key.as_ref())?;
            if an.prefix.is_empty() && an.local == "xmlns" {
                declarations.push((String::new(), value));
            } else if an.prefix == "xmlns" {
                let p = an.local;
                if value.is_empty() {
                    return Err(bad(format_args!(
                        "xmlns:{p}=\"\" undeclares a prefix (XML 1.1 only)"
                    )));
                }
                if p == "xmlns" || (p == "xml") != (value == XML_NS) || value == XMLNS_NS {
                    return Err(bad(format_args!(
                        "xmlns:{p}=\"{value}\" binds a reserved prefix or namespace"
                    )));
                }
                declarations.push((p, value));
            } else {
                raw_attributes.push((an, value));
            }
        }
        let bindings = self.bindings.len();
        let xml_attributes = self.xml_attributes.len();
        for (p, u) in &declarations {
            if p.is_empty() && (u == XML_NS || u == XMLNS_NS) {
                return Err(bad("the default namespace bound to a reserved namespace"));
            }
            self.bindings.push((p.clone(), u.clone()));
        }
        self.open.push(Open {
            name: e.name().as_ref().to_vec(),
            bindings,
            xml_attributes,
        });
        if self.bindings.len() > MAX_BINDINGS {
            return Err(bad(format_args!(
                "more than {MAX_BINDINGS} namespace bindings in scope"
            )));
        }
        let namespace = self
            .lookup(&name.prefix)
            .ok_or_else(|| {
                bad(format_args!(
                    "<{}>: prefix \"{}\" is not declared",
                    name.qualified(),
                    name.prefix
                ))
            })?
            .to_owned();
        if name.prefix == "xmlns" {
            return Err(bad("an element in the xmlns namespace"));
        }
        let mut attributes: Vec<Attribute> = Vec::with_capacity(raw_attributes.len());
        for (an, value) in raw_attributes {
            let namespace = if an.prefix.is_empty() {
                String::new()
            } else {
                self.lookup(&an.prefix)
                    .ok_or_else(|| {
                        bad(format_args!(
                            "<{}>: prefix \"{}\" of attribute {} is not declared",
                            name.qualified(),
                            an.prefix,
                            an.qualified()
                        ))
                    })?
                    .to_owned()
            };
            if attributes
                .iter()
                .any(|a| a.namespace == namespace && a.name.local == an.local)
            {
                return Err(bad(format_args!(
                    "<{}>: two attributes named {{{namespace}}}{}",
                    name.qualified(),
                    an.local
                )));
            }
            if namespace == XML_NS {
                self.xml_attributes.push((an.local.clone(), value.clone()));
            }
            attributes.push(Attribute {
                name: an,
                namespace,
                value,
            });
        }
        Ok(Element {
            name,
            namespace,
            declarations,
            attributes,
            offset,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ErrorKind;

    fn nodes(xml: &str) -> Result<Vec<Node>> {
        let mut r = XmlReader::new(xml.as_bytes());
        let mut out = Vec::new();
        while let Some(n) = r.read_node()? {
            out.push(n);
        }
        Ok(out)
    }

    #[test]
    fn names_namespaces_and_text_as_a_parser_sees_them() {
        let n = nodes(
            "\u{feff}<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<p:a xmlns:p=\"urn:p\" \
             b=\"x\ty&#9;\" p:c='1'>t&amp;&#x41;\r\n<![CDATA[<]]><e xmlns=\"urn:d\"/></p:a>\n",
        )
        .unwrap();
        let Node::Start(a) = &n[0] else { panic!() };
        assert_eq!(
            (a.name.qualified(), a.namespace.as_str()),
            ("p:a".into(), "urn:p")
        );
        assert_eq!(a.declarations, [("p".to_owned(), "urn:p".to_owned())]);
        assert_eq!(a.attribute("b"), Some("x y\t"));
        assert_eq!(a.attributes[1].namespace, "urn:p");
        let text: String = n
            .iter()
            .filter_map(|x| match x {
                Node::Text(t) => Some(t.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(text, "t&A\n<");
        let Node::Start(e) = &n[n.len() - 3] else {
            panic!()
        };
        assert_eq!(e.namespace, "urn:d");
        assert_eq!(n[n.len() - 2..], [Node::End, Node::End]);
    }

    #[test]
    fn scope_of_the_innermost_element() {
        let mut r = XmlReader::new(
            &b"<a xmlns='urn:a' xmlns:p='urn:p' xml:lang='ru' xml:space='preserve'>\
               <b xmlns:p='urn:q' xml:lang='en'><c xmlns=''/></b></a>"[..],
        );
        while let Some(n) = r.read_node().unwrap() {
            if let Node::Start(e) = n
                && e.name.local == "c"
            {
                assert_eq!(r.in_scope(), [("p".to_owned(), "urn:q".to_owned())]);
                assert_eq!(r.lookup(""), Some(""));
                assert_eq!(
                    r.inherited_xml_attributes(),
                    [
                        ("lang".to_owned(), "en".to_owned()),
                        ("space".to_owned(), "preserve".to_owned())
                    ]
                );
            }
        }
    }

    #[test]
    fn what_the_reader_refuses() {
        for (xml, kind) in [
            (
                "<!DOCTYPE a [<!ENTITY e 'x'>]><a>&e;</a>",
                ErrorKind::UnsupportedAlgorithm,
            ),
            ("<a>&e;</a>", ErrorKind::MalformedEncoding),
            (
                "<?xml version=\"1.1\"?><a/>",
                ErrorKind::UnsupportedAlgorithm,
            ),
            (
                "<?xml version=\"1.0\" encoding=\"windows-1251\"?><a/>",
                ErrorKind::UnsupportedAlgorithm,
            ),
            ("<a/><?xml version=\"1.0\"?>", ErrorKind::MalformedEncoding),
            ("<p:a/>", ErrorKind::MalformedEncoding),
            ("<a p:b='1'/>", ErrorKind::MalformedEncoding),
            ("<a xmlns:p=''/>", ErrorKind::MalformedEncoding),
            ("<a xmlns:xml='urn:x'/>", ErrorKind::MalformedEncoding),
            (
                "<a xmlns:p='urn:x' xmlns:q='urn:x' p:b='1' q:b='2'/>",
                ErrorKind::MalformedEncoding,
            ),
            ("<a b='1' b='2'/>", ErrorKind::MalformedEncoding),
            ("<a:b:c/>", ErrorKind::MalformedEncoding),
            ("<a b='<'/>", ErrorKind::MalformedEncoding),
            ("<a>\u{1}</a>", ErrorKind::MalformedEncoding),
            ("<a>&#0;</a>", ErrorKind::MalformedEncoding),
            ("<a><!-- a -- b --></a>", ErrorKind::MalformedEncoding),
            ("<a></b>", ErrorKind::MalformedEncoding),
            ("<a>", ErrorKind::MalformedEncoding),
            ("<a/><b/>", ErrorKind::MalformedEncoding),
            ("text<a/>", ErrorKind::MalformedEncoding),
            ("", ErrorKind::MalformedEncoding),
        ] {
            let e = nodes(xml).unwrap_err();
            assert_eq!(e.kind(), kind, "{xml}: {e}");
        }
        // The limits that bound the work per element.
        let attrs = |n: usize| (0..n).map(|i| format!(" a{i}='1'")).collect::<String>();
        assert!(nodes(&format!("<a{}/>", attrs(MAX_ATTRIBUTES))).is_ok());
        assert!(nodes(&format!("<a{}/>", attrs(MAX_ATTRIBUTES + 1))).is_err());
        let decls = |n: usize| {
            (0..n)
                .map(|i| format!(" xmlns:p{i}='urn:{i}'"))
                .collect::<String>()
        };
        let nested = format!(
            "<a{}><b{}><c{}/></b></a>",
            decls(100),
            decls(100),
            decls(MAX_BINDINGS - 199)
        );
        assert!(nodes(&nested).unwrap_err().message().contains("bindings"));
        let deep = format!(
            "{}{}",
            "<a>".repeat(MAX_DEPTH + 1),
            "</a>".repeat(MAX_DEPTH + 1)
        );
        assert!(nodes(&deep).is_err());
        let ok = format!("{}{}", "<a>".repeat(MAX_DEPTH), "</a>".repeat(MAX_DEPTH));
        assert!(nodes(&ok).is_ok());
    }
}
