//! What a command run on a machine sends back, event by event: one JSON
//! object per line on the streaming server function.

use serde::{Deserialize, Serialize};

use crate::compute::RunState;

/// One event of a running command. Written as an internally tagged object
/// (`{"type": "stdout", "data": "…"}`); read through [`TaggedFields`], so
/// reading it needs no buffering of the object (serde's own reader for an
/// internally tagged enum buffers each object as `Content`, a second JSON
/// reader in the browser's code).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", try_from = "TaggedFields")]
pub enum ShellEvent {
    /// Connected and authenticated; the command is starting.
    Connected {
        /// Who it runs as.
        user: String,
        /// The key that opened the machine.
        key: String,
        /// `host:port`.
        host: String,
    },
    /// Not started yet: a script waits for its machine to answer over SSH.
    Waiting {
        /// Why, for the operator.
        message: String,
    },
    /// Output on stdout.
    Stdout {
        /// Text (invalid UTF-8 replaced).
        data: String,
    },
    /// Output on stderr.
    Stderr {
        /// Text (invalid UTF-8 replaced).
        data: String,
    },
    /// The command ended.
    Exit {
        /// Exit status (128 + signal for a signal).
        code: i32,
        /// From connecting to the end, ms.
        duration_ms: u64,
    },
    /// The command was stopped on request.
    Cancelled {
        /// From connecting to the stop, ms.
        duration_ms: u64,
    },
    /// It could not run, or the connection failed mid-way.
    Error {
        /// What happened, for the operator.
        message: String,
    },
}

/// Which [`ShellEvent`] an object is (its `type`).
#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum ShellEventType {
    Connected,
    Waiting,
    Stdout,
    Stderr,
    Exit,
    Cancelled,
    Error,
}

/// A [`ShellEvent`] as its object's fields, read in one pass.
#[derive(Deserialize)]
pub struct TaggedFields {
    #[serde(rename = "type")]
    kind: ShellEventType,
    user: Option<String>,
    key: Option<String>,
    host: Option<String>,
    message: Option<String>,
    data: Option<String>,
    code: Option<i32>,
    duration_ms: Option<u64>,
}

impl TryFrom<TaggedFields> for ShellEvent {
    type Error = String;

    fn try_from(f: TaggedFields) -> Result<Self, String> {
        fn field<T>(value: Option<T>, name: &str) -> Result<T, String> {
            value.ok_or_else(|| format!("missing field `{name}`"))
        }
        Ok(match f.kind {
            ShellEventType::Connected => Self::Connected {
                user: field(f.user, "user")?,
                key: field(f.key, "key")?,
                host: field(f.host, "host")?,
            },
            ShellEventType::Waiting => Self::Waiting {
                message: field(f.message, "message")?,
            },
            ShellEventType::Stdout => Self::Stdout {
                data: field(f.data, "data")?,
            },
            ShellEventType::Stderr => Self::Stderr {
                data: field(f.data, "data")?,
            },
            ShellEventType::Exit => Self::Exit {
                code: field(f.code, "code")?,
                duration_ms: field(f.duration_ms, "duration_ms")?,
            },
            ShellEventType::Cancelled => Self::Cancelled {
                duration_ms: field(f.duration_ms, "duration_ms")?,
            },
            ShellEventType::Error => Self::Error {
                message: field(f.message, "message")?,
            },
        })
    }
}

impl ShellEvent {
    /// Whether this event ends the stream.
    pub fn is_last(&self) -> bool {
        matches!(
            self,
            Self::Exit { .. } | Self::Cancelled { .. } | Self::Error { .. }
        )
    }
}

/// A script run on a machine over SSH: a post-deploy script given at
/// creation, or one run on an existing machine. Its output is kept and can
/// be followed while it runs.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptRunSummary {
    /// Run id.
    pub id: String,
    /// Backend of the machine.
    pub backend: String,
    /// The machine.
    pub machine: String,
    /// The script's text.
    pub script: String,
    /// Where it is.
    pub state: RunState,
    /// Why it waits, or what went wrong.
    pub detail: Option<String>,
    /// Exit status, once it ended.
    pub exit_code: Option<i64>,
    /// The user it ran as.
    pub ssh_user: Option<String>,
    /// The key that opened the machine.
    pub ssh_key: Option<String>,
    /// `host:port` it ran on.
    pub ssh_host: Option<String>,
    /// Who asked for it.
    pub created_by: String,
    /// Unix ms.
    pub created_at: i64,
    /// Unix ms.
    pub started_at: Option<i64>,
    /// Unix ms.
    pub finished_at: Option<i64>,
}

impl ScriptRunSummary {
    /// Whether the run has ended.
    pub fn finished(&self) -> bool {
        self.state.finished()
    }

    /// The event saying where the run started, once it has.
    pub fn connected_event(&self) -> Option<ShellEvent> {
        match (&self.ssh_user, &self.ssh_host) {
            (Some(user), Some(host)) => Some(ShellEvent::Connected {
                user: user.clone(),
                key: self.ssh_key.clone().unwrap_or_default(),
                host: host.clone(),
            }),
            _ => None,
        }
    }

    /// The event that ends the run's stream, once it has ended: its exit
    /// status and duration, or what went wrong.
    pub fn end_event(&self) -> Option<ShellEvent> {
        if !self.finished() {
            return None;
        }
        Some(match (self.exit_code, &self.detail) {
            (Some(code), _) => ShellEvent::Exit {
                code: i32::try_from(code).unwrap_or(-1),
                duration_ms: self
                    .finished_at
                    .zip(self.started_at)
                    .map(|(end, start)| u64::try_from(end - start).unwrap_or(0))
                    .unwrap_or(0),
            },
            (None, detail) => ShellEvent::Error {
                message: detail
                    .clone()
                    .unwrap_or_else(|| "the script ended without an exit status".into()),
            },
        })
    }
}

/// A script's first line worth showing: the first that is neither blank
/// nor the `#!` line, trimmed.
pub fn script_first_line(script: &str) -> &str {
    script
        .lines()
        .find(|l| !l.trim().is_empty() && !l.starts_with("#!"))
        .unwrap_or_default()
        .trim()
}

/// What a terminal's page sends: keystrokes (the websocket's binary frames)
/// and controls (its text frames, JSON: `{"type":"resize","cols":80,"rows":24}`,
/// `{"type":"input","data":"ls\r"}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TerminalIn {
    /// Keystrokes, as the websocket's binary frames carry them.
    #[serde(skip)]
    Keys(Vec<u8>),
    /// Keystrokes sent as a text control.
    Input {
        /// What was typed.
        data: String,
    },
    /// The page's terminal changed size.
    Resize {
        /// Columns.
        cols: u32,
        /// Rows.
        rows: u32,
    },
}

/// What a terminal sends the page: output (binary frames) and its end (a
/// text frame, JSON: `{"type":"exit","code":N}` or
/// `{"type":"error","message":"..."}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum TerminalOut {
    /// Output, as the machine's terminal wrote it.
    #[serde(skip)]
    Output(Vec<u8>),
    /// The shell exited (`None`: the machine closed the session).
    Exit {
        /// Its exit status.
        code: Option<i32>,
    },
    /// The terminal was ended, saying why.
    Error {
        /// Why, for the operator.
        message: String,
    },
}

#[cfg(test)]
mod terminal_tests {
    use super::*;

    #[test]
    fn terminal_controls_read_and_ends_write_as_the_page_expects() {
        assert_eq!(
            serde_json::from_str::<TerminalIn>(r#"{"type":"resize","cols":100,"rows":30}"#)
                .unwrap(),
            TerminalIn::Resize {
                cols: 100,
                rows: 30
            }
        );
        assert_eq!(
            serde_json::to_string(&TerminalOut::Exit { code: Some(3) }).unwrap(),
            r#"{"type":"exit","code":3}"#
        );
        assert_eq!(
            serde_json::to_string(&TerminalOut::Exit { code: None }).unwrap(),
            r#"{"type":"exit","code":null}"#
        );
    }
}

#[cfg(test)]
mod tests {
    use super::ShellEvent;

    #[test]
    fn every_event_reads_back_as_it_was_written() {
        let all = [
            ShellEvent::Connected {
                user: "ubuntu".into(),
                key: "k".into(),
                host: "10.0.0.1:22".into(),
            },
            ShellEvent::Waiting {
                message: "no answer yet".into(),
            },
            ShellEvent::Stdout {
                data: "é\u{202e}\"\n".into(),
            },
            ShellEvent::Stderr {
                data: String::new(),
            },
            ShellEvent::Exit {
                code: -1,
                duration_ms: 12,
            },
            ShellEvent::Cancelled { duration_ms: 3 },
            ShellEvent::Error {
                message: "refused".into(),
            },
        ];
        for event in all {
            let text = serde_json::to_string(&event).unwrap();
            assert!(text.starts_with("{\"type\":"), "{text}");
            assert_eq!(serde_json::from_str::<ShellEvent>(&text).unwrap(), event);
        }
    }

    #[test]
    fn an_object_that_is_no_event_does_not_read() {
        let read = |t: &str| serde_json::from_str::<ShellEvent>(t).map_err(|e| e.to_string());
        // Unknown fields are ignored, in any order, as before.
        assert_eq!(
            read(r#"{"data":"x","extra":[1,{"a":null}],"type":"stdout"}"#),
            Ok(ShellEvent::Stdout { data: "x".into() })
        );
        assert!(read(r#"{"type":"exit","code":0}"#)
            .unwrap_err()
            .contains("missing field `duration_ms`"));
        assert!(read(r#"{"type":"stdin","data":"x"}"#).is_err());
        assert!(read(r#"{"data":"x"}"#).is_err());
        assert!(read(r#"{"type":"stdout","data":7}"#).is_err());
    }
}
