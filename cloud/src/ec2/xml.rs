//! Reading EC2's XML answers with roxmltree: elements are matched by local
//! name, so AWS's namespace, moto's (no trailing slash) and Eucalyptus's
//! prefixed one all read the same.

use roxmltree::{Document, Node};

use crate::error::DriverError;

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

/// The first element child of `node` named `name`.
pub(crate) fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

/// The element at `path` (`"placement/availabilityZone"`) under `node`.
pub(crate) fn at<'a, 'i>(node: Node<'a, 'i>, path: &str) -> Option<Node<'a, 'i>> {
    path.split('/').try_fold(node, child)
}

/// The trimmed, non-empty text at `path` under `node`.
pub(crate) fn text<'a>(node: Node<'a, '_>, path: &str) -> Option<&'a str> {
    at(node, path)
        .and_then(|n| n.text())
        .map(str::trim)
        .filter(|t| !t.is_empty())
}

/// The text at `path` as an owned string.
pub(crate) fn string(node: Node<'_, '_>, path: &str) -> Option<String> {
    text(node, path).map(str::to_owned)
}

/// The text at `path` read as a number.
pub(crate) fn number<T: std::str::FromStr>(node: Node<'_, '_>, path: &str) -> Option<T> {
    text(node, path).and_then(|t| t.parse().ok())
}

/// Whether the text at `path` is `true`.
pub(crate) fn flag(node: Node<'_, '_>, path: &str) -> Option<bool> {
    text(node, path).map(|t| t.eq_ignore_ascii_case("true"))
}

/// The `<item>` children of the list at `path` (EC2 wraps every list so).
pub(crate) fn items<'a, 'i: 'a>(
    node: Node<'a, 'i>,
    path: &str,
) -> impl Iterator<Item = Node<'a, 'i>> + 'a {
    at(node, path)
        .into_iter()
        .flat_map(|list| list.children())
        .filter(|c| c.is_element() && c.tag_name().name() == "item")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_read_through_any_namespace_and_trim() {
        let body = br#"<r xmlns="http://ec2.amazonaws.com/doc/2016-11-15"><a><b>
            x </b><l><item>1</item><item>2</item></l></a><e:z xmlns:e="urn:e">9</e:z></r>"#;
        let doc = parse(body).unwrap();
        let root = doc.root_element();
        assert_eq!(text(root, "a/b"), Some("x"));
        assert_eq!(number::<u32>(root, "z"), Some(9));
        let listed: Vec<_> = items(root, "a/l").filter_map(|i| i.text()).collect();
        assert_eq!(listed, ["1", "2"]);
        assert_eq!(text(root, "a/missing"), None);
        assert!(parse(b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>").is_err());
        assert!(parse(b"{\"json\": true}").is_err());
    }
}
