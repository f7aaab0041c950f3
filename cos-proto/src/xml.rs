//! Reading and writing the XML bodies of the COS API.
//!
//! Responses are read into a small element tree first and then into typed outputs by each
//! operation, which makes COS's quirks easy to honour (see `../shared/fixtures/xml/README.md`):
//! elements are matched by local name (namespaces ignored); text is never trimmed; entities,
//! character references and CDATA are decoded; repeated elements may be interleaved with
//! others; unknown elements and attributes are ignored. Reading is bounded: a body over
//! [`MAX_BODY_BYTES`], nested deeper than [`MAX_DEPTH`] or with more than
//! [`MAX_ELEMENTS`] elements is a parse error, never a panic or an unbounded allocation.

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};

use crate::error::{Error, Result};

/// The largest response body read as XML (64 MiB; a 10,000-part ListParts is about 2 MiB).
pub const MAX_BODY_BYTES: usize = 64 << 20;
/// The deepest element nesting accepted.
pub const MAX_DEPTH: usize = 32;
/// The most elements accepted in one document.
pub const MAX_ELEMENTS: usize = 1 << 20;

/// One element: its local name, attributes (local names), direct text and children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// The local name (`ListBucketResult`, not `ns:ListBucketResult`).
    pub name: String,
    /// Attributes by local name (`xsi:type` is `type`), values decoded.
    pub attrs: Vec<(String, String)>,
    /// The character data directly inside the element, decoded, untrimmed.
    pub text: String,
    /// The child elements, in document order.
    pub children: Vec<Element>,
}

impl Element {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The first child with any of `names` (for alternate spellings).
    pub fn child_any(&self, names: &[&str]) -> Option<&Element> {
        self.children
            .iter()
            .find(|c| names.contains(&c.name.as_str()))
    }

    /// Every child named `name`, wherever it stands among the others.
    pub fn children_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The text of the first child named `name`.
    pub fn text_of(&self, name: &str) -> Option<String> {
        self.child(name).map(|c| c.text.clone())
    }

    /// The text of every child named `name`.
    pub fn texts_of(&self, name: &str) -> Vec<String> {
        self.children_named(name).map(|c| c.text.clone()).collect()
    }

    /// The value of attribute `name` (local name).
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The text of child `name`, which must be present.
    pub fn required(&self, operation: &'static str, name: &str) -> Result<String> {
        self.text_of(name).ok_or_else(|| {
            Error::parse(
                operation,
                format!("<{}> has no <{name}> element", self.name),
            )
        })
    }

    /// The text of child `name` as an unsigned number, if present.
    pub fn u64_of(&self, operation: &'static str, name: &str) -> Result<Option<u64>> {
        self.child(name)
            .map(|c| parse_u64(operation, name, &c.text))
            .transpose()
    }

    /// The text of child `name` as a boolean (`true`/`false` in any case), if present.
    pub fn bool_of(&self, operation: &'static str, name: &str) -> Result<Option<bool>> {
        self.child(name)
            .map(|c| parse_bool(operation, name, &c.text))
            .transpose()
    }
}

/// Parses a decimal unsigned number from element `name`.
pub fn parse_u64(operation: &'static str, name: &str, text: &str) -> Result<u64> {
    let t = text.trim();
    if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Error::parse(
            operation,
            format!("<{name}> is not an unsigned number"),
        ));
    }
    t.parse()
        .map_err(|_| Error::parse(operation, format!("<{name}> is out of range")))
}

/// Parses a boolean (`true`/`false`, any case) from element `name`.
pub fn parse_bool(operation: &'static str, name: &str, text: &str) -> Result<bool> {
    match text.trim() {
        t if t.eq_ignore_ascii_case("true") => Ok(true),
        t if t.eq_ignore_ascii_case("false") => Ok(false),
        _ => Err(Error::parse(
            operation,
            format!("<{name}> is not true or false"),
        )),
    }
}

/// Parses `body` into its root element.
pub fn parse(operation: &'static str, body: &[u8]) -> Result<Element> {
    let err = |reason: String| Error::parse(operation, reason);
    if body.len() > MAX_BODY_BYTES {
        return Err(err(format!(
            "the body has {} bytes, more than the {MAX_BODY_BYTES} accepted",
            body.len()
        )));
    }
    let mut reader = Reader::from_reader(body);
    let config = reader.config_mut();
    config.trim_text(false);
    config.check_end_names = true;
    config.expand_empty_elements = false;

    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    let mut count = 0usize;
    loop {
        let pos = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| err(format!("malformed XML near byte {pos}: {e}")))?;
        match event {
            Event::Start(start) | Event::Empty(start) if root.is_some() => {
                let _ = start;
                return Err(err("content after the root element".into()));
            }
            Event::Start(start) => {
                count += 1;
                if count > MAX_ELEMENTS || stack.len() >= MAX_DEPTH {
                    return Err(err("the document is too large or too deeply nested".into()));
                }
                stack.push(element(&start).map_err(err)?);
            }
            Event::Empty(start) => {
                count += 1;
                if count > MAX_ELEMENTS || stack.len() >= MAX_DEPTH {
                    return Err(err("the document is too large or too deeply nested".into()));
                }
                let el = element(&start).map_err(err)?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let el = stack
                    .pop()
                    .ok_or_else(|| err("an end tag without a start tag".into()))?;
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::Text(text) => {
                let text = text
                    .xml10_content()
                    .map_err(|e| err(format!("text is not UTF-8: {e}")))?;
                match stack.last_mut() {
                    Some(el) => el.text.push_str(&text),
                    None if text.trim().is_empty() => {}
                    None => return Err(err("text outside the root element".into())),
                }
            }
            Event::CData(data) => {
                let text = data
                    .decode()
                    .map_err(|e| err(format!("CDATA is not UTF-8: {e}")))?;
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&text);
                }
            }
            Event::GeneralRef(reference) => {
                let c = if reference.is_char_ref() {
                    reference
                        .resolve_char_ref()
                        .map_err(|e| err(format!("bad character reference: {e}")))?
                        .ok_or_else(|| err("bad character reference".into()))?
                } else {
                    let name = reference
                        .decode()
                        .map_err(|e| err(format!("bad entity: {e}")))?;
                    match &*name {
                        "lt" => '<',
                        "gt" => '>',
                        "amp" => '&',
                        "apos" => '\'',
                        "quot" => '"',
                        other => return Err(err(format!("unknown entity &{other};"))),
                    }
                };
                if let Some(el) = stack.last_mut() {
                    el.text.push(c);
                }
            }
            Event::Eof => break,
            Event::Decl(_) | Event::PI(_) | Event::Comment(_) | Event::DocType(_) => {}
        }
    }
    if !stack.is_empty() {
        return Err(err(
            "the document ends before its elements are closed (truncated?)".into(),
        ));
    }
    root.ok_or_else(|| err("the body is empty, not an XML document".into()))
}

fn element(start: &BytesStart<'_>) -> std::result::Result<Element, String> {
    let name = std::str::from_utf8(start.local_name().into_inner())
        .map_err(|_| "an element name is not UTF-8".to_owned())?
        .to_owned();
    let mut attrs = Vec::new();
    for attr in start.attributes() {
        let attr = attr.map_err(|e| format!("bad attribute in <{name}>: {e}"))?;
        let key = std::str::from_utf8(attr.key.local_name().into_inner())
            .map_err(|_| "an attribute name is not UTF-8".to_owned())?
            .to_owned();
        let value = attr
            .unescape_value()
            .map_err(|e| format!("bad attribute value in <{name}>: {e}"))?
            .into_owned();
        attrs.push((key, value));
    }
    Ok(Element {
        name,
        attrs,
        text: String::new(),
        children: Vec::new(),
    })
}

/// Writes an XML request body: elements and escaped text, no declaration, no indentation.
#[derive(Debug, Default)]
pub struct Writer {
    out: String,
}

impl Writer {
    /// An empty document.
    pub fn new() -> Self {
        Writer::default()
    }

    /// Opens element `name`.
    pub fn open(&mut self, name: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// Opens element `name` with attributes (values escaped).
    pub fn open_with(&mut self, name: &str, attrs: &[(&str, &str)]) -> &mut Self {
        self.out.push('<');
        self.out.push_str(name);
        for (k, v) in attrs {
            self.out.push(' ');
            self.out.push_str(k);
            self.out.push_str("=\"");
            escape_into(&mut self.out, v);
            self.out.push('"');
        }
        self.out.push('>');
        self
    }

    /// Closes element `name`.
    pub fn close(&mut self, name: &str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(name);
        self.out.push('>');
        self
    }

    /// Writes `<name>text</name>` with the text escaped.
    pub fn leaf(&mut self, name: &str, text: &str) -> &mut Self {
        self.open(name);
        escape_into(&mut self.out, text);
        self.close(name)
    }

    /// The document's bytes.
    pub fn finish(self) -> Vec<u8> {
        self.out.into_bytes()
    }
}

/// Appends `text` with `& < > " '` escaped, and the characters XML 1.0 cannot carry
/// literally (other C0 controls than tab, LF and CR are not allowed at all; CR is written as
/// a reference so it survives end-of-line normalisation).
fn escape_into(out: &mut String, text: &str) {
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_namespaces_entities_cdata_and_keeps_spaces() {
        let body = br#"<?xml version="1.0"?><r:Root xmlns:r="urn:x" xmlns:xsi="urn:y"><Key> a &amp; b &#x4E2D;&#20013; </Key><G xsi:type="Group"/><Key><![CDATA[<c>]]></Key><Other/></r:Root>"#;
        let root = parse("Test", body).expect("parses");
        assert_eq!(root.name, "Root");
        assert_eq!(root.texts_of("Key"), vec![" a & b 中中 ", "<c>"]);
        assert_eq!(root.child("G").and_then(|g| g.attr("type")), Some("Group"));
    }

    #[test]
    fn bad_bodies_are_parse_errors() {
        for (body, why) in [
            (&b""[..], "empty"),
            (b"not xml at all", "text outside"),
            (b"<a><b></a>", "malformed"),
            (b"<a><b>", "truncated"),
            (b"<a>&bogus;</a>", "unknown entity"),
            (b"<a/><b/>", "after the root"),
        ] {
            let err = parse("GetBucket", body).expect_err(why);
            assert!(
                matches!(
                    &err,
                    Error::Parse {
                        operation: "GetBucket",
                        ..
                    }
                ),
                "{why}: {err}"
            );
        }
        let deep = format!(
            "{}{}",
            "<a>".repeat(MAX_DEPTH + 1),
            "</a>".repeat(MAX_DEPTH + 1)
        );
        assert!(parse("T", deep.as_bytes()).is_err());
        let big = vec![b' '; MAX_BODY_BYTES + 1];
        assert!(parse("T", &big).is_err());
    }

    #[test]
    fn numbers_and_booleans() {
        let root = parse(
            "T",
            b"<a><n>18446744073709551615</n><b>TRUE</b><x>1a</x></a>",
        )
        .expect("parses");
        assert_eq!(root.u64_of("T", "n").ok().flatten(), Some(u64::MAX));
        assert_eq!(root.bool_of("T", "b").ok().flatten(), Some(true));
        assert!(root.u64_of("T", "x").is_err());
        assert_eq!(root.u64_of("T", "missing").ok().flatten(), None);
    }

    #[test]
    fn writer_escapes_and_round_trips() {
        let mut w = Writer::new();
        w.open("Delete")
            .leaf("Key", "a<&>\"' b\r\n中")
            .close("Delete");
        let body = w.finish();
        let root = parse("T", &body).expect("parses");
        assert_eq!(root.text_of("Key").as_deref(), Some("a<&>\"' b\r\n中"));
    }
}
