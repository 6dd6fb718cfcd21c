//! Events: every change a page shows, as one value the server pushes and
//! the browser applies.
//!
//! An event names what happened ([`EventKind`]), the resource it concerns
//! (the same resource paths roles decide on: `backend/<id>`,
//! `backend/<id>/machine/<id>`, `key/<name>`), a per-installation sequence
//! number that only grows, the time, and a small JSON payload. A subscriber
//! sees an event only when it may `view:` the resource it concerns
//! ([`EventKind::view_action`]).

use serde::{Deserialize, Serialize};

macro_rules! event_kinds {
    ($($variant:ident => $name:literal, $action:literal, $doc:literal;)*) => {
        /// What happened.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum EventKind {
            $(
                #[doc = $doc]
                #[serde(rename = $name)]
                $variant,
            )*
        }

        impl EventKind {
            /// Every kind, in declaration order.
            pub const ALL: &'static [EventKind] = &[$(EventKind::$variant),*];

            /// The kind as it travels (`machine.changed`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(EventKind::$variant => $name,)*
                }
            }

            /// The kind written as [`EventKind::as_str`] gives it.
            pub fn parse(name: &str) -> Option<Self> {
                match name {
                    $($name => Some(EventKind::$variant),)*
                    _ => None,
                }
            }

            /// The right a subscriber needs on the event's resource to see it.
            pub fn view_action(self) -> &'static str {
                match self {
                    $(EventKind::$variant => $action,)*
                }
            }
        }
    };
}

event_kinds! {
    MachineAppeared => "machine.appeared", "view:machine",
        "A machine was created, or a poll found one it had not seen.";
    MachineChanged => "machine.changed", "view:machine",
        "A machine's state, name, addresses or tags changed.";
    MachineGone => "machine.gone", "view:machine",
        "A machine was destroyed, or a poll no longer finds it.";
    BackendChanged => "backend.changed", "view:backend",
        "A backend was added or renamed, enabled or disabled, or its state changed.";
    BackendGone => "backend.gone", "view:backend",
        "A backend was deleted.";
    ScriptChanged => "script.changed", "view:machine",
        "A script run started, or waits for its machine.";
    ScriptOutput => "script.output", "view:machine",
        "A script run's output grew (the run, the chunk's number and stream).";
    ScriptEnded => "script.ended", "view:machine",
        "A script run ended.";
    ShellAudit => "shell.audit", "view:audit",
        "A command or terminal session on a machine was recorded.";
    StackChanged => "stack.changed", "view:alm.stack",
        "A stack was created, deleted, or its status changed.";
    StackStep => "stack.step", "view:alm.stack",
        "A step of a stack's operation began, ended or failed.";
    StackAgent => "stack.agent", "view:alm.stack",
        "An agent on one of a stack's machines reported.";
}

impl EventKind {
    /// The topic the kind belongs to (`machine`, `backend`, `script`,
    /// `shell`): a subscriber may ask for some topics only.
    pub fn topic(self) -> &'static str {
        self.as_str().split('.').next().unwrap_or_default()
    }
}

/// One event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Event {
    /// Its place in the installation's sequence: later events have larger
    /// numbers (there may be gaps).
    pub seq: i64,
    /// When it happened, Unix ms.
    pub at: i64,
    /// What happened.
    pub kind: EventKind,
    /// What it concerns (a resource path).
    pub resource: String,
    /// The details, as the kind defines them (a machine summary, a chunk of
    /// output, ...).
    pub data: serde_json::Value,
}

/// The answer to a subscriber whose position is older than the events kept:
/// what it missed is gone, so it must read the pages again.
pub const RELOAD: &str = "reload";

/// A subscriber's choice of topics: `None` for all of them.
pub fn parse_topics(text: Option<&str>) -> Result<Option<Vec<&'static str>>, String> {
    let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) else {
        return Ok(None);
    };
    let known: Vec<&'static str> = {
        let mut t: Vec<_> = EventKind::ALL.iter().map(|k| k.topic()).collect();
        t.dedup();
        t
    };
    text.split(',')
        .map(str::trim)
        .map(|t| {
            known
                .iter()
                .copied()
                .find(|k| *k == t)
                .ok_or_else(|| format!("unknown topic {t:?}; known topics: {}", known.join(", ")))
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_back_as_they_travel() {
        for kind in EventKind::ALL {
            assert_eq!(EventKind::parse(kind.as_str()), Some(*kind));
            let json = serde_json::to_string(kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
        }
        assert_eq!(EventKind::parse("machine.exploded"), None);
    }

    #[test]
    fn topics_are_checked() {
        assert_eq!(parse_topics(None), Ok(None));
        assert_eq!(parse_topics(Some(" ")), Ok(None));
        assert_eq!(
            parse_topics(Some("machine, script")),
            Ok(Some(vec!["machine", "script"]))
        );
        let err = parse_topics(Some("machine,weather")).unwrap_err();
        assert!(err.contains("\"weather\""), "{err}");
        assert!(err.contains("backend"), "{err}");
    }

    #[test]
    fn each_kind_needs_a_view_right() {
        for kind in EventKind::ALL {
            assert!(kind.view_action().starts_with("view:"), "{kind:?}");
        }
    }
}
