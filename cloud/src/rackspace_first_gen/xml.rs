//! The Cloud Servers API v1.0's XML: answers read with roxmltree (elements
//! matched by local name, values mostly in attributes), request bodies
//! written with every value escaped, and fault bodies (XML, or the JSON the
//! identity service answers in) read for their message.

use roxmltree::{Document, Node};
use serde_json::Value;

use crate::error::DriverError;
use crate::http::Response;

/// The namespace every v1.0 document is in.
pub(crate) const NAMESPACE: &str = "http://docs.rackspacecloud.com/servers/api/v1.0";

/// Parses an answer body. DTDs are refused (roxmltree's default), so an
/// answer cannot expand entities.
pub(crate) fn parse(body: &[u8]) -> Result<Document<'_>, DriverError> {
    let text = std::str::from_utf8(body)
        .map_err(|e| DriverError::Protocol(format!("the answer is not UTF-8: {e}")))?;
    Document::parse(text).map_err(|e| {
        let start: String = text.chars().take(120).collect();
        DriverError::Protocol(format!("not XML: {e} (answer starts {start:?})"))
    })
}

/// The root element, checked to be `name` (`servers`, `flavors`).
pub(crate) fn root<'a, 'i>(doc: &'a Document<'i>, name: &str) -> Result<Node<'a, 'i>, DriverError> {
    let root = doc.root_element();
    if root.tag_name().name() == name {
        Ok(root)
    } else {
        Err(DriverError::Protocol(format!(
            "expected <{name}>, the answer is <{}>",
            root.tag_name().name()
        )))
    }
}

/// The element children of `node` named `name`.
pub(crate) fn children<'a, 'i: 'a>(
    node: Node<'a, 'i>,
    name: &'a str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    node.children()
        .filter(move |c| c.is_element() && c.tag_name().name() == name)
}

/// The first element at `path` (`"addresses/public"`) under `node`.
pub(crate) fn at<'a, 'i: 'a>(node: Node<'a, 'i>, path: &'a str) -> Option<Node<'a, 'i>> {
    path.split('/')
        .try_fold(node, |n, name| children(n, name).next())
}

/// The trimmed, non-empty attribute `name` of `node`.
pub(crate) fn attr<'a>(node: Node<'a, '_>, name: &str) -> Option<&'a str> {
    node.attribute(name)
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

/// A required attribute, or `Protocol` naming it.
pub(crate) fn required<'a>(node: Node<'a, '_>, name: &str) -> Result<&'a str, DriverError> {
    attr(node, name).ok_or_else(|| {
        DriverError::Protocol(format!(
            "<{}> has no {name:?} attribute",
            node.tag_name().name()
        ))
    })
}

/// An attribute read as a number (absent or unreadable: `None`).
pub(crate) fn number<T: std::str::FromStr>(node: Node<'_, '_>, name: &str) -> Option<T> {
    attr(node, name).and_then(|v| v.parse().ok())
}

/// The `addr` of each `<ip>` at `path` (`addresses/public`).
pub(crate) fn ips(node: Node<'_, '_>, path: &str) -> Vec<String> {
    at(node, path)
        .into_iter()
        .flat_map(|list| children(list, "ip"))
        .filter_map(|ip| attr(ip, "addr"))
        .map(str::to_owned)
        .collect()
}

/// `text` escaped for an attribute value or element text.
pub(crate) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c => out.push(c),
        }
    }
    out
}

/// A fault's name (`"overLimit"`), its message (else `HTTP <status>
/// <reason>`), and whether it names a `retryAfter`.
///
/// Cloud Servers writes `<itemNotFound code="404"><message>..</message>
/// </itemNotFound>` (or the same as JSON); the identity service
/// `{"unauthorized": {"message": ..., "code": 401}}`.
pub(crate) fn fault(resp: &Response) -> (Option<String>, String, bool) {
    let found = xml_fault(&resp.body).or_else(|| json_fault(&resp.body));
    match found {
        Some((name, text, retry)) if !text.trim().is_empty() => {
            (name, crate::error::excerpt(&text), retry)
        }
        other => {
            let status = resp.status.as_u16();
            let reason = resp.status.canonical_reason().unwrap_or("error");
            let (name, retry) = other.map_or((None, false), |(n, _, r)| (n, r));
            (name, format!("HTTP {status} {reason}"), retry)
        }
    }
}

type Fault = (Option<String>, String, bool);

fn xml_fault(body: &[u8]) -> Option<Fault> {
    let doc = parse(body).ok()?;
    let root = doc.root_element();
    let text = at(root, "message")
        .and_then(|m| m.text())
        .or_else(|| root.text())
        .unwrap_or_default();
    let retry = root.attribute("retryAfter").is_some();
    Some((
        Some(root.tag_name().name().to_owned()),
        text.trim().to_owned(),
        retry,
    ))
}

fn json_fault(body: &[u8]) -> Option<Fault> {
    let body: Value = serde_json::from_slice(body).ok()?;
    let map = body.as_object()?;
    if let Some(text) = map.get("message").and_then(Value::as_str) {
        return Some((None, text.to_owned(), false));
    }
    map.iter().find_map(|(name, inner)| {
        let text = inner.get("message").and_then(Value::as_str)?;
        let retry = inner.get("retryAfter").is_some();
        Some((Some(name.clone()), text.to_owned(), retry))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resp(status: u16, body: &str) -> Response {
        Response::for_test(status, body)
    }

    #[test]
    fn faults_are_read_from_xml_or_json() {
        let xml = r#"<itemNotFound xmlns="http://docs.rackspacecloud.com/servers/api/v1.0" code="404"><message>Server not found</message></itemNotFound>"#;
        assert_eq!(
            fault(&resp(404, xml)),
            (
                Some("itemNotFound".into()),
                "Server not found".into(),
                false
            )
        );
        let over = r#"<overLimit code="413" retryAfter="2010-08-01T00:00:00Z"><message>Too many requests</message></overLimit>"#;
        assert!(fault(&resp(413, over)).2);
        let json = r#"{"unauthorized":{"message":"Username or api key is invalid","code":401}}"#;
        assert_eq!(fault(&resp(401, json)).1, "Username or api key is invalid");
        assert_eq!(
            fault(&resp(500, "<html")).1,
            "HTTP 500 Internal Server Error"
        );
    }

    #[test]
    fn values_are_escaped_and_entities_refused() {
        assert_eq!(escape(r#"a<b>&"c'"#), "a&lt;b&gt;&amp;&quot;c&apos;");
        assert!(parse(b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>").is_err());
        let doc =
            parse(br#"<s xmlns="urn:x"><a><public><ip addr="1.2.3.4"/></public></a></s>"#).unwrap();
        assert_eq!(ips(doc.root_element(), "a/public"), ["1.2.3.4"]);
        assert!(root(&doc, "servers").is_err());
    }
}
