//! Links into the inventory pages, with names safely encoded. Used by
//! pages, components and server functions alike (a server function
//! redirects to a machine's page).

/// Percent-encodes one path segment or query value (everything but
/// unreserved characters).
pub fn encode_segment(s: &str) -> String {
    if s == "." || s == ".." {
        return s.replace('.', "%2E");
    }
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A machine's page.
pub fn machine_href(backend: &str, machine: &str) -> String {
    format!(
        "/machines/{}/{}",
        encode_segment(backend),
        encode_segment(machine)
    )
}

/// A stack's page.
pub fn stack_href(stack_id: &str) -> String {
    format!("/stacks/{}", encode_segment(stack_id))
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_cannot_leave_their_segment() {
        assert_eq!(super::encode_segment("a.b-c_d~e"), "a.b-c_d~e");
        assert_eq!(super::encode_segment("../x y?z#"), "..%2Fx%20y%3Fz%23");
        assert_eq!(super::machine_href("b1", "m/1"), "/machines/b1/m%2F1");
        assert_eq!(super::machine_href("..", "."), "/machines/%2E%2E/%2E");
    }
}
