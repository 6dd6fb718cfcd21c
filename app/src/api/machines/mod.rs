//! Machines across every backend (the fleet table's pages and its saved
//! columns), one machine's page (keys, host key), and
//! running a command on it: streamed event by event to a page with
//! JavaScript, run to the end for a plain form. Each function is a thin
//! door onto `service::machines` or `service::shell`.

mod accept_host_key;
mod act_on_machine;
mod create_machine;
mod fleet;
mod forget_machine;
mod get_last_run;
mod get_machine;
mod get_machine_activity;
mod list_machines;
mod probe_machine;
mod run_command;
mod set_fleet_columns;
mod set_machine_tags;

pub use accept_host_key::*;
pub use act_on_machine::*;
pub use create_machine::*;
pub use fleet::*;
pub use forget_machine::*;
pub use get_last_run::*;
pub use get_machine::*;
pub use get_machine_activity::*;
pub use list_machines::*;
pub use probe_machine::*;
pub use run_command::*;
pub use set_fleet_columns::*;
pub use set_machine_tags::*;

use domain::shell::ShellEvent;
use serde::{Deserialize, Serialize};

/// A command run from a page without JavaScript, kept in the session so
/// the machine page can show its output after the form's redirect.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LastRun {
    /// Names this run in the page's address (`?run=<id>`).
    pub id: String,
    /// Backend of the machine.
    pub backend: String,
    /// The machine.
    pub machine: String,
    /// What was run.
    pub command: String,
    /// Everything it sent back, in order.
    pub events: Vec<ShellEvent>,
}

/// Most output a run without JavaScript keeps (the command is stopped
/// beyond it; the streamed page and the terminal have no such limit).
pub const LAST_RUN_MAX_BYTES: usize = 256 * 1024;

/// One event as a line of the streamed answer: JSON with every non-ASCII
/// character escaped, so a chunk boundary can never split a character,
/// ended by `\n`.
pub fn event_line(event: &ShellEvent) -> String {
    let json = serde_json::to_string(event).unwrap_or_else(|_| {
        r#"{"type":"error","message":"an event could not be encoded"}"#.to_owned()
    });
    let mut line = String::with_capacity(json.len() + 1);
    for c in json.chars() {
        if c.is_ascii() {
            line.push(c);
        } else {
            // Only strings hold non-ASCII text in JSON, so a \u escape is
            // always in place.
            let mut units = [0u16; 2];
            for unit in c.encode_utf16(&mut units) {
                line.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    line.push('\n');
    line
}

/// Splits streamed text into events: pushes `chunk` onto `pending` and
/// returns every complete line's event, keeping a partial line for the
/// next chunk. Lines that do not parse are skipped.
pub fn take_events(pending: &mut String, chunk: &str) -> Vec<ShellEvent> {
    pending.push_str(chunk);
    let Some(end) = pending.rfind('\n') else {
        return Vec::new();
    };
    let complete: String = pending.drain(..=end).collect();
    complete
        .lines()
        .filter(|l| !l.trim().is_empty())
        .filter_map(|l| crate::loaded::from_text(l).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_ascii_and_survive_any_split() {
        let events = vec![
            ShellEvent::Stdout {
                data: "héllo → 🌍\n</script>".into(),
            },
            ShellEvent::Stderr {
                data: "oops".into(),
            },
            ShellEvent::Exit {
                code: 3,
                duration_ms: 12,
            },
        ];
        let text: String = events.iter().map(event_line).collect();
        assert!(text.is_ascii());
        for cut in 0..text.len() {
            let mut pending = String::new();
            let mut got = take_events(&mut pending, &text[..cut]);
            got.extend(take_events(&mut pending, &text[cut..]));
            assert_eq!(got, events, "split at {cut}");
            assert!(pending.is_empty());
        }
    }
}
