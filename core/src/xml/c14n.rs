//! Canonical XML: Canonical XML 1.0 (W3C Recommendation, 15 March 2001) and Exclusive XML
//! Canonicalization 1.0 (W3C Recommendation, 18 July 2002), with or without comments — the
//! four algorithms XMLDSig names in `CanonicalizationMethod` and `Transform` that a signature
//! from CryptoPro, .NET `SignedXml` or xmlsec uses.
//!
//! Written for the node-sets signatures need, fed node by node as the document streams by
//! ([`Canonicalizer`]): a whole document, an element with its descendants (the apex: its
//! ancestors' namespaces and, in the inclusive algorithm, their `xml:*` attributes are
//! rendered on it), and either of these less an element's subtree (the enveloped-signature
//! transform: the caller does not feed it). Canonical XML 1.1 and XPath-selected node-sets
//! are not supported.
//!
//! [`canonicalize`] canonicalises a whole document; it is what the tests compare with
//! libxml2's canonicaliser (`xmllint --c14n`).

use super::{Element, Node, XML_NS, XmlReader};
use crate::Result;

/// The Canonical XML 1.0 algorithm URI.
pub const C14N_10: &str = "http://www.w3.org/TR/2001/REC-xml-c14n-20010315";
/// Canonical XML 1.0 with comments.
pub const C14N_10_WITH_COMMENTS: &str =
    "http://www.w3.org/TR/2001/REC-xml-c14n-20010315#WithComments";
/// Exclusive XML Canonicalization 1.0.
pub const EXC_C14N: &str = "http://www.w3.org/2001/10/xml-exc-c14n#";
/// Exclusive XML Canonicalization 1.0 with comments.
pub const EXC_C14N_WITH_COMMENTS: &str = "http://www.w3.org/2001/10/xml-exc-c14n#WithComments";

/// A canonicalisation algorithm with its parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Method {
    /// Exclusive XML Canonicalization (else Canonical XML 1.0).
    pub exclusive: bool,
    /// Comments are kept.
    pub with_comments: bool,
    /// Exclusive only: the `InclusiveNamespaces PrefixList`, prefixes rendered as the
    /// inclusive algorithm would (`#default` for the default namespace).
    pub inclusive_prefixes: Vec<String>,
}

impl Method {
    /// Canonical XML 1.0 without comments (what XMLDSig applies when a reference names no
    /// canonicalisation).
    pub fn c14n() -> Method {
        Method {
            exclusive: false,
            with_comments: false,
            inclusive_prefixes: Vec::new(),
        }
    }

    /// Exclusive XML Canonicalization 1.0 without comments.
    pub fn exclusive() -> Method {
        Method {
            exclusive: true,
            ..Method::c14n()
        }
    }

    /// The same, keeping comments.
    pub fn with_comments(mut self) -> Method {
        self.with_comments = true;
        self
    }

    /// The method an algorithm URI names; `None` for another algorithm.
    pub fn from_uri(uri: &str) -> Option<Method> {
        match uri {
            C14N_10 => Some(Method::c14n()),
            C14N_10_WITH_COMMENTS => Some(Method::c14n().with_comments()),
            EXC_C14N => Some(Method::exclusive()),
            EXC_C14N_WITH_COMMENTS => Some(Method::exclusive().with_comments()),
            _ => None,
        }
    }

    /// The algorithm URI.
    pub fn uri(&self) -> &'static str {
        match (self.exclusive, self.with_comments) {
            (false, false) => C14N_10,
            (false, true) => C14N_10_WITH_COMMENTS,
            (true, false) => EXC_C14N,
            (true, true) => EXC_C14N_WITH_COMMENTS,
        }
    }
}

/// Where canonical bytes go: a buffer, or a hash as they come.
pub trait Sink {
    /// Takes the next bytes.
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

/// Canonicalises a node-set fed node by node, writing into a [`Sink`].
///
/// Feed a whole document ([`start_document`](Self::start_document)) or an apex element and
/// its descendants; the caller leaves out what the node-set excludes (a subtree: feed
/// neither its start, its content nor its end). The work per element is bounded by its own
/// declarations and attributes (and, for the apex, the bindings in scope), whatever the
/// document declares around it.
pub struct Canonicalizer<'m, S> {
    method: &'m Method,
    out: S,
    /// Namespace bindings in scope, innermost last: the apex's context, then each open
    /// element's declarations.
    scope: Vec<(String, String)>,
    /// Declarations rendered by the open output elements, innermost last.
    rendered: Vec<(String, String)>,
    /// For each open output element: its qualified name, where its bindings and its rendered
    /// declarations start.
    open: Vec<(String, usize, usize)>,
    document: bool,
    root_done: bool,
}

fn find<'a>(list: &'a [(String, String)], prefix: &str) -> &'a str {
    list.iter()
        .rev()
        .find(|(p, _)| p == prefix)
        .map_or("", |(_, u)| u.as_str())
}

impl<'m, S: Sink> Canonicalizer<'m, S> {
    /// A canonicaliser writing into `out`.
    pub fn new(method: &'m Method, out: S) -> Self {
        Canonicalizer {
            method,
            out,
            scope: Vec::new(),
            rendered: Vec::new(),
            open: Vec::new(),
            document: false,
            root_done: false,
        }
    }

    /// The node-set is a whole document: comments and processing instructions outside the
    /// root element are rendered with the line feeds that separate them from it.
    pub fn start_document(&mut self) {
        self.document = true;
    }

    /// The sink.
    pub fn finish(self) -> S {
        self.out
    }

    /// An element starts. For the apex only, `in_scope` is every namespace binding in scope
    /// at it ([`XmlReader::in_scope`]) and `inherited_xml` the `xml:*` attributes of its
    /// ancestors ([`XmlReader::inherited_xml_attributes`], used by the inclusive algorithm);
    /// below the apex both are ignored.
    pub fn start(
        &mut self,
        e: &Element,
        in_scope: &[(String, String)],
        inherited_xml: &[(String, String)],
    ) {
        let apex = self.open.is_empty();
        let scope_mark = self.scope.len();
        if apex {
            self.scope.extend(in_scope.iter().cloned());
        }
        self.scope.extend(e.declarations.iter().cloned());
        // The candidate prefixes. Inclusive: at the apex every binding in scope (and the
        // default namespace, so that xmlns="" can be rendered); below it only what the element
        // declares, since its parent's output already has every other binding in effect.
        // Exclusive: the prefixes visibly utilised, and the InclusiveNamespaces list.
        let mut candidates: Vec<&str> = Vec::new();
        if self.method.exclusive {
            candidates.push(&e.name.prefix);
            for a in &e.attributes {
                if !a.name.prefix.is_empty() {
                    candidates.push(&a.name.prefix);
                }
            }
            for p in &self.method.inclusive_prefixes {
                let p = if p == "#default" { "" } else { p.as_str() };
                if p.is_empty() || self.scope.iter().any(|(q, _)| q == p) {
                    candidates.push(p);
                }
            }
        } else if apex {
            candidates.push("");
            candidates.extend(self.scope.iter().map(|(p, _)| p.as_str()));
        } else {
            candidates.extend(e.declarations.iter().map(|(p, _)| p.as_str()));
        }
        candidates.sort_unstable();
        candidates.dedup();
        let mut ns: Vec<(String, String)> = Vec::new();
        for p in candidates {
            if p == "xml" {
                continue;
            }
            let uri = find(&self.scope, p);
            if uri != find(&self.rendered, p) {
                ns.push((p.to_owned(), uri.to_owned()));
            }
        }
        let rendered_mark = self.rendered.len();
        self.rendered.extend(ns.iter().cloned());
        let qname = e.name.qualified();

        let mut attrs: Vec<(&str, &str, String, &str)> = e
            .attributes
            .iter()
            .map(|a| {
                (
                    a.namespace.as_str(),
                    a.name.local.as_str(),
                    a.name.qualified(),
                    a.value.as_str(),
                )
            })
            .collect();
        if apex && !self.method.exclusive {
            for (local, value) in inherited_xml {
                if !e
                    .attributes
                    .iter()
                    .any(|a| a.namespace == XML_NS && &a.name.local == local)
                {
                    attrs.push((
                        XML_NS,
                        local.as_str(),
                        format!("xml:{local}"),
                        value.as_str(),
                    ));
                }
            }
        }
        attrs.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)));

        self.out.put(b"<");
        self.out.put(qname.as_bytes());
        for (p, u) in &ns {
            if p.is_empty() {
                self.out.put(b" xmlns=\"");
            } else {
                self.out.put(b" xmlns:");
                self.out.put(p.as_bytes());
                self.out.put(b"=\"");
            }
            escape(&mut self.out, u, true);
            self.out.put(b"\"");
        }
        for (_, _, q, v) in &attrs {
            self.out.put(b" ");
            self.out.put(q.as_bytes());
            self.out.put(b"=\"");
            escape(&mut self.out, v, true);
            self.out.put(b"\"");
        }
        self.out.put(b">");
        self.open.push((qname, scope_mark, rendered_mark));
    }

    /// The innermost element ends.
    pub fn end(&mut self) {
        if let Some((qname, scope_mark, rendered_mark)) = self.open.pop() {
            self.out.put(b"</");
            self.out.put(qname.as_bytes());
            self.out.put(b">");
            self.scope.truncate(scope_mark);
            self.rendered.truncate(rendered_mark);
            if self.open.is_empty() {
                self.root_done = true;
            }
        }
    }

    /// Character data inside an element.
    pub fn text(&mut self, t: &str) {
        if !self.open.is_empty() {
            escape(&mut self.out, t, false);
        }
    }

    /// A comment (dropped unless the method keeps comments).
    pub fn comment(&mut self, c: &str) {
        if !self.method.with_comments {
            return;
        }
        self.outside_before();
        self.out.put(b"<!--");
        self.out.put(c.as_bytes());
        self.out.put(b"-->");
        self.outside_after();
    }

    /// A processing instruction.
    pub fn pi(&mut self, target: &str, data: &str) {
        self.outside_before();
        self.out.put(b"<?");
        self.out.put(target.as_bytes());
        if !data.is_empty() {
            self.out.put(b" ");
            self.out.put(data.as_bytes());
        }
        self.out.put(b"?>");
        self.outside_after();
    }

    fn outside_before(&mut self) {
        if self.document && self.open.is_empty() && self.root_done {
            self.out.put(b"\n");
        }
    }

    fn outside_after(&mut self) {
        if self.document && self.open.is_empty() && !self.root_done {
            self.out.put(b"\n");
        }
    }

    /// Feeds a node the reader just returned (the reader's scope is the node's).
    pub fn feed<R: std::io::BufRead>(&mut self, node: &Node, reader: &XmlReader<R>) {
        match node {
            Node::Start(e) if self.open.is_empty() => {
                // The apex: its context comes from the reader (a document's root has none).
                let (scope, inherited) = if self.document {
                    (Vec::new(), Vec::new())
                } else {
                    (reader.in_scope(), reader.inherited_xml_attributes())
                };
                self.start(e, &scope, &inherited);
            }
            Node::Start(e) => self.start(e, &[], &[]),
            Node::End => self.end(),
            Node::Text(t) => self.text(t),
            Node::Comment(c) => {
                if self.document || !self.open.is_empty() {
                    self.comment(c)
                }
            }
            Node::Pi { target, data } => {
                if self.document || !self.open.is_empty() {
                    self.pi(target, data)
                }
            }
        }
    }
}

/// Writes `s` escaped as Canonical XML escapes text (`&`, `<`, `>`, CR) or, with
/// `attribute`, an attribute value (`&`, `<`, `"`, tab, LF, CR).
fn escape<S: Sink>(out: &mut S, s: &str, attribute: bool) {
    let mut last = 0;
    for (i, b) in s.bytes().enumerate() {
        let rep: &[u8] = match (b, attribute) {
            (b'&', _) => b"&amp;",
            (b'<', _) => b"&lt;",
            (b'\r', _) => b"&#xD;",
            (b'>', false) => b"&gt;",
            (b'"', true) => b"&quot;",
            (b'\t', true) => b"&#x9;",
            (b'\n', true) => b"&#xA;",
            _ => continue,
        };
        out.put(&s.as_bytes()[last..i]);
        out.put(rep);
        last = i + 1;
    }
    out.put(&s.as_bytes()[last..]);
}

/// The canonical form of a whole document.
///
/// Errors: [`ErrorKind::MalformedEncoding`](crate::ErrorKind) for XML the reader refuses
/// (see [`crate::xml`]), [`ErrorKind::UnsupportedAlgorithm`](crate::ErrorKind) for a DTD,
/// XML 1.1 or an encoding other than UTF-8.
pub fn canonicalize(xml: &[u8], method: &Method) -> Result<Vec<u8>> {
    let mut reader = XmlReader::new(xml);
    let mut c = Canonicalizer::new(method, Vec::with_capacity(xml.len()));
    c.start_document();
    while let Some(node) = reader.read_node()? {
        c.feed(&node, &reader);
    }
    Ok(c.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The subtree of the first element named `local`, canonicalised as an apex.
    fn apex(xml: &str, local: &str, method: &Method) -> String {
        let mut r = XmlReader::new(xml.as_bytes());
        let mut c = Canonicalizer::new(method, Vec::new());
        let mut depth = 0usize;
        while let Some(n) = r.read_node().unwrap() {
            if depth == 0 && !matches!(&n, Node::Start(e) if e.name.local == local) {
                continue;
            }
            match &n {
                Node::Start(_) => depth += 1,
                Node::End => depth -= 1,
                _ => {}
            }
            c.feed(&n, &r);
            if depth == 0 {
                break;
            }
        }
        String::from_utf8(c.finish()).unwrap()
    }

    const DOC: &str = "<r xmlns='urn:r' xmlns:p='urn:p' xmlns:u='urn:unused' xml:lang='ru'>\
        <s xml:space='preserve'><p:t a='1' p:b='2'><!--c--><u xmlns=''/></p:t></s></r>";

    #[test]
    fn an_apex_carries_its_ancestors_context() {
        // Inclusive: every namespace in scope and the inherited xml:* attributes (sorted by
        // namespace URI: "http://www.w3.org/XML/1998/namespace" before "urn:p").
        assert_eq!(
            apex(DOC, "t", &Method::c14n()),
            "<p:t xmlns=\"urn:r\" xmlns:p=\"urn:p\" xmlns:u=\"urn:unused\" a=\"1\" \
             xml:lang=\"ru\" xml:space=\"preserve\" p:b=\"2\"><u xmlns=\"\"></u></p:t>"
        );
        // Exclusive: only what is visibly used; no xml:* inheritance; comments when asked.
        assert_eq!(
            apex(DOC, "t", &Method::exclusive().with_comments()),
            "<p:t xmlns:p=\"urn:p\" a=\"1\" p:b=\"2\"><!--c--><u></u></p:t>"
        );
        // The InclusiveNamespaces PrefixList renders the listed prefixes as inclusive would.
        let listed = Method {
            inclusive_prefixes: vec!["u".into(), "#default".into()],
            ..Method::exclusive()
        };
        assert_eq!(
            apex(DOC, "t", &listed),
            "<p:t xmlns=\"urn:r\" xmlns:p=\"urn:p\" xmlns:u=\"urn:unused\" a=\"1\" p:b=\"2\">\
             <u xmlns=\"\"></u></p:t>"
        );
    }

    #[test]
    fn method_uris_round_trip() {
        for uri in [
            C14N_10,
            C14N_10_WITH_COMMENTS,
            EXC_C14N,
            EXC_C14N_WITH_COMMENTS,
        ] {
            assert_eq!(Method::from_uri(uri).unwrap().uri(), uri);
        }
        assert!(Method::from_uri("http://www.w3.org/2006/12/xml-c14n11").is_none());
    }
}
