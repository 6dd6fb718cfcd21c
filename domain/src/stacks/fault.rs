//! One fault of a template: where (an RFC 6901 pointer) and what.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A fault found in a template. `pointer` is an RFC 6901 JSON pointer into
/// the template (`/configurations/1/provision/instance_count`); the empty
/// pointer is the whole document (invalid JSON, not an object).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fault {
    /// Where: an RFC 6901 pointer, `""` for the whole document.
    pub pointer: String,
    /// What is wrong, for people.
    pub message: String,
}

impl Fault {
    /// A fault at `pointer`.
    pub fn new(pointer: impl Into<String>, message: impl Into<String>) -> Self {
        Fault {
            pointer: pointer.into(),
            message: message.into(),
        }
    }

    /// The fault of text that is not JSON, naming the line and column.
    pub fn syntax(error: &serde_json::Error) -> Self {
        let text = error.to_string();
        // serde_json appends " at line L column C"; say it once, our way.
        let what = match text.rfind(" at line ") {
            Some(at) => &text[..at],
            None => text.as_str(),
        };
        Fault::new(
            "",
            format!(
                "invalid JSON at line {}, column {}: {what}",
                error.line(),
                error.column()
            ),
        )
    }
}

impl fmt::Display for Fault {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.pointer, self.message)
        }
    }
}
