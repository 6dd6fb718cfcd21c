//! What every name an operator gives (roles, tokens, backends, keys, users)
//! must not hold: characters that do not show as themselves. A control
//! character (a NUL, a newline, an escape) or a Unicode bidirectional
//! override or isolate (U+202A–U+202E, U+2066–U+2069) lets a name look like
//! another on a page, in a log line or in the audit log.

use crate::ErrorKind;

/// The bidirectional embeddings, overrides and isolates: they reorder the
/// text around them without showing.
const BIDI_CONTROLS: [char; 9] = [
    '\u{202A}', '\u{202B}', '\u{202C}', '\u{202D}', '\u{202E}', '\u{2066}', '\u{2067}', '\u{2068}',
    '\u{2069}',
];

/// Whether `c` is a character no name may hold.
pub fn is_hidden(c: char) -> bool {
    c.is_control() || BIDI_CONTROLS.contains(&c)
}

/// Refuses `name` (the value of `field`) if it holds a control character
/// or a bidirectional override, with a 400 naming `field` and the
/// character's code point. Every service that takes a name calls this
/// before its own rules (length, allowed characters).
pub fn check_visible(field: &str, name: &str) -> Result<(), ErrorKind> {
    match name.chars().find(|c| is_hidden(*c)) {
        None => Ok(()),
        Some(c) => Err(ErrorKind::invalid(
            field,
            format!(
                "may not hold control characters or bidirectional overrides (found U+{:04X})",
                u32::from(c)
            ),
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_and_bidi_overrides_are_refused_naming_the_field() {
        for bad in [
            "a\0b",
            "tab\there",
            "line\nbreak",
            "esc\u{1b}[31m",
            "del\u{7f}",
            "c1\u{85}",
            "evil\u{202E}txt.exe",
            "\u{202A}x",
            "\u{202D}x",
            "x\u{2066}",
            "x\u{2069}",
        ] {
            let err = check_visible("name", bad).unwrap_err();
            assert_eq!(err.field(), Some("name"), "{bad:?}");
            assert!(err.to_string().contains("U+"), "{bad:?}: {err}");
        }
    }

    #[test]
    fn ordinary_names_in_any_script_pass() {
        for good in [
            "web",
            "prod db #2",
            "ключ",
            "名前",
            "שלום",
            "café-1",
            "a\u{200D}b",
        ] {
            assert_eq!(check_visible("name", good), Ok(()), "{good:?}");
        }
    }
}
