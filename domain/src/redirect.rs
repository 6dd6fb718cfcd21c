//! Where a page may send the browser after signing in: the `next` it was
//! given, if that is a path on this site, else home.

/// Longest `next` honoured.
const MAX_NEXT: usize = 2048;

/// `next` if it is a same-origin path: it starts with one `/` (not `//`
/// or `/\`, which browsers read as another host), and holds only visible
/// ASCII: no whitespace or control characters (browsers drop a tab or a
/// newline from an address, so `/\t/evil.example` would become
/// `//evil.example`), no backslash (read as `/`), nothing else a browser
/// might rewrite. Percent-encoded octets stay encoded in a path, so they
/// are allowed.
pub fn same_origin_path(next: &str) -> Option<&str> {
    let bytes = next.as_bytes();
    let ok = next.len() <= MAX_NEXT
        && bytes.first() == Some(&b'/')
        && !matches!(bytes.get(1), Some(b'/' | b'\\'))
        && bytes.iter().all(|b| b.is_ascii_graphic() && *b != b'\\');
    ok.then_some(next)
}

/// Where to go after signing in: `next` if [`same_origin_path`] allows it,
/// else `/`. The one rule for every place that honours a `next`.
pub fn safe_next(next: Option<&str>) -> String {
    next.and_then(same_origin_path).unwrap_or("/").to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_on_this_site_are_kept() {
        for next in [
            "/",
            "/machines",
            "/machines/b1/m-1?tab=shell#terminal",
            "/keys/%D0%BA",
            "/%2F%2Fevil.example",
            "/a/b/",
        ] {
            assert_eq!(safe_next(Some(next)), next);
        }
    }

    #[test]
    fn anything_that_could_leave_the_site_goes_home() {
        for next in [
            "",
            "machines",
            "//evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r/evil.example",
            "\t//evil.example",
            " /x",
            "/ /x",
            "/\\evil.example",
            "/x\\y",
            "https://evil.example",
            "javascript:alert(1)",
            "/\0",
            "/\u{7f}",
            "/caf\u{e9}",
            "/\u{3000}/evil.example",
        ] {
            assert_eq!(safe_next(Some(next)), "/", "{next:?}");
        }
        assert_eq!(safe_next(None), "/");
        assert_eq!(safe_next(Some(&format!("/{}", "a".repeat(MAX_NEXT)))), "/");
    }
}
