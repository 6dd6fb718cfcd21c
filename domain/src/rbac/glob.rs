//! Wildcard matching: `*` matches any run of characters (none included),
//! `?` exactly one; everything else matches itself.

/// Whether `text` matches `pattern`. Linear in practice: a greedy scan that
/// backtracks only to the last `*`.
pub fn glob_match(pattern: &str, text: &str) -> bool {
    if pattern.is_ascii() && text.is_ascii() {
        // The common case, without allocating: bytes are characters.
        return matches(pattern.as_bytes(), text.as_bytes(), b'*', b'?');
    }
    let p: Vec<char> = pattern.chars().collect();
    let t: Vec<char> = text.chars().collect();
    matches(&p, &t, '*', '?')
}

fn matches<C: Copy + PartialEq>(p: &[C], t: &[C], many: C, one: C) -> bool {
    let (mut pi, mut ti) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some(c) if *c == many => {
                star = Some((pi, ti));
                pi += 1;
            }
            Some(c) if *c == one || *c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    pi = sp + 1;
                    ti = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|c| *c == many)
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn wildcards_match_as_in_iam() {
        assert!(glob_match("*", ""));
        assert!(glob_match("*", "backend/1/machine/2"));
        assert!(glob_match("view:*", "view:machine"));
        assert!(glob_match("backend/*/machine/*", "backend/b1/machine/m9"));
        assert!(glob_match("?iew:key", "view:key"));
        assert!(!glob_match("?iew:key", "iew:key"));
        assert!(!glob_match("view:key", "view:keys"));
        assert!(glob_match("a*b*c", "aXXbYYc"));
        assert!(
            glob_match("?ä*", "xäyz"),
            "non-ASCII text matches by character"
        );
        assert!(!glob_match("?ä", "xxä"));
        assert!(!glob_match("a*b*c", "aXXbYY"));
    }
}
