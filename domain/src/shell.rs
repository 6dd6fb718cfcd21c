//! What a command run on a machine sends back, event by event: one JSON
//! object per line on the streaming server function.

use serde::{Deserialize, Serialize};

/// One event of a running command.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
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

impl ShellEvent {
    /// Whether this event ends the stream.
    pub fn is_last(&self) -> bool {
        matches!(
            self,
            Self::Exit { .. } | Self::Cancelled { .. } | Self::Error { .. }
        )
    }
}
