//! Applying events to the rows of one page of the fleet table: a machine
//! on the page that changed is replaced in place; anything that changes
//! which machines the page holds or how many there are (a machine
//! appearing or going, a state change, a backend's change) asks for the
//! page to be read again, so the counters and the paging stay true.

use domain::{events::EventKind, fleet::FleetRow, inventory::MachineSummary};
use serde::Deserialize;

use crate::live::Heard;

/// A backend's event data, as far as the fleet's rows need it.
#[derive(Deserialize)]
struct Titled {
    id: String,
    title: String,
}

/// What an event did to a page's rows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LiveChange {
    /// A row on the page changed in place.
    pub changed: bool,
    /// The page should be read again (soon: events come in bursts).
    pub read_again: bool,
}

/// Applies `event` to `rows`, one page of the fleet.
pub fn apply_to_fleet(rows: &mut [FleetRow], event: &Heard) -> LiveChange {
    match event.kind {
        EventKind::MachineChanged => {
            let Some(machine) = event.data::<MachineSummary>() else {
                return LiveChange::default();
            };
            match rows
                .iter_mut()
                .find(|r| r.machine.backend == machine.backend && r.machine.id == machine.id)
            {
                Some(row) if row.machine == machine => LiveChange::default(),
                Some(row) => {
                    let moved = row.machine.state != machine.state;
                    row.machine = machine;
                    LiveChange {
                        changed: true,
                        read_again: moved,
                    }
                }
                // Elsewhere in the list: it may now match, and it counts.
                None => LiveChange {
                    changed: false,
                    read_again: true,
                },
            }
        }
        EventKind::BackendChanged => {
            let mut changed = false;
            if let Some(Titled { id, title }) = event.data::<Titled>() {
                for row in rows
                    .iter_mut()
                    .filter(|r| r.machine.backend == id && r.machine.backend_title != title)
                {
                    row.machine.backend_title.clone_from(&title);
                    changed = true;
                }
            }
            LiveChange {
                changed,
                read_again: true,
            }
        }
        EventKind::MachineAppeared | EventKind::MachineGone | EventKind::BackendGone => {
            LiveChange {
                changed: false,
                read_again: true,
            }
        }
        _ => LiveChange::default(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::compute::MachineState;
    use serde_json::json;

    fn row(backend: &str, id: &str, state: MachineState) -> FleetRow {
        FleetRow {
            machine: MachineSummary {
                id: id.into(),
                backend: backend.into(),
                backend_title: format!("{backend} title"),
                name: id.into(),
                state,
                ..MachineSummary::default()
            },
            size: Some("t2.micro".into()),
            image: None,
            location: None,
            first_seen: Some(1),
            price_hourly: None,
            stack: None,
        }
    }

    fn event(kind: EventKind, data: serde_json::Value) -> Heard {
        let event = domain::events::Event {
            seq: 1,
            at: 0,
            kind,
            resource: String::new(),
            data,
        };
        Heard::read(serde_json::to_string(&event).unwrap()).unwrap()
    }

    #[test]
    fn a_changed_machine_changes_its_row_in_place() {
        let mut rows = vec![row("b1", "a", MachineState::Running)];
        let mut tagged = rows[0].machine.clone();
        tagged.tags = vec!["env=prod".into()];
        let change = apply_to_fleet(
            &mut rows,
            &event(
                EventKind::MachineChanged,
                serde_json::to_value(&tagged).unwrap(),
            ),
        );
        assert_eq!(
            change,
            LiveChange {
                changed: true,
                read_again: false
            }
        );
        assert_eq!(rows[0].machine.tags, ["env=prod"]);
        // The columns beyond the summary stay.
        assert_eq!(rows[0].size.as_deref(), Some("t2.micro"));
        // Replayed: nothing to do.
        let again = event(
            EventKind::MachineChanged,
            serde_json::to_value(&tagged).unwrap(),
        );
        assert_eq!(apply_to_fleet(&mut rows, &again), LiveChange::default());
        // A new state changes the counters: read again.
        tagged.state = MachineState::Stopped;
        let stopped = event(
            EventKind::MachineChanged,
            serde_json::to_value(&tagged).unwrap(),
        );
        assert!(apply_to_fleet(&mut rows, &stopped).read_again);
        assert_eq!(rows[0].machine.state, MachineState::Stopped);
        // A machine on another page: read again, nothing here changes.
        let other = row("b1", "z", MachineState::Running).machine;
        let elsewhere = event(
            EventKind::MachineChanged,
            serde_json::to_value(&other).unwrap(),
        );
        assert_eq!(
            apply_to_fleet(&mut rows, &elsewhere),
            LiveChange {
                changed: false,
                read_again: true
            }
        );
    }

    #[test]
    fn machines_coming_and_going_and_backends_read_the_page_again() {
        let mut rows = vec![
            row("b1", "a", MachineState::Running),
            row("b2", "a", MachineState::Running),
        ];
        for kind in [
            EventKind::MachineAppeared,
            EventKind::MachineGone,
            EventKind::BackendGone,
        ] {
            assert!(apply_to_fleet(&mut rows, &event(kind, json!({"id": "b1"}))).read_again);
        }
        let renamed = apply_to_fleet(
            &mut rows,
            &event(
                EventKind::BackendChanged,
                json!({"id": "b2", "title": "Lab"}),
            ),
        );
        assert!(renamed.changed && renamed.read_again);
        assert_eq!(rows[1].machine.backend_title, "Lab");
        assert_eq!(rows[0].machine.backend_title, "b1 title");
        // Other topics leave the page alone.
        assert_eq!(
            apply_to_fleet(&mut rows, &event(EventKind::ScriptEnded, json!({}))),
            LiveChange::default()
        );
    }
}
