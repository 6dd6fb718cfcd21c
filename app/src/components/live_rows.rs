//! Applying events to the rows a page shows: a machine that appeared or
//! changed replaces its row (or is added), one that is gone is removed, and
//! so are a deleted backend's machines; a renamed backend's title changes
//! on its machines' rows.

use domain::{
    events::{Event, EventKind},
    inventory::MachineSummary,
};

/// Applies `event` to `rows`; `true` when they changed.
pub fn apply_to_machines(rows: &mut Vec<MachineSummary>, event: &Event) -> bool {
    let same = |m: &MachineSummary, backend: &str, id: &str| m.backend == backend && m.id == id;
    match event.kind {
        EventKind::MachineAppeared | EventKind::MachineChanged => {
            let Ok(machine) = serde_json::from_value::<MachineSummary>(event.data.clone()) else {
                return false;
            };
            match rows
                .iter_mut()
                .find(|m| same(m, &machine.backend, &machine.id))
            {
                Some(row) if *row == machine => false,
                Some(row) => {
                    *row = machine;
                    true
                }
                None => {
                    rows.push(machine);
                    true
                }
            }
        }
        EventKind::MachineGone => {
            let (Some(backend), Some(id)) =
                (event.data["backend"].as_str(), event.data["id"].as_str())
            else {
                return false;
            };
            let before = rows.len();
            rows.retain(|m| !same(m, backend, id));
            rows.len() != before
        }
        EventKind::BackendGone => {
            let Some(backend) = event.data["id"].as_str() else {
                return false;
            };
            let before = rows.len();
            rows.retain(|m| m.backend != backend);
            rows.len() != before
        }
        EventKind::BackendChanged => {
            let (Some(backend), Some(title)) =
                (event.data["id"].as_str(), event.data["title"].as_str())
            else {
                return false;
            };
            let mut changed = false;
            for row in rows
                .iter_mut()
                .filter(|m| m.backend == backend && m.backend_title != title)
            {
                row.backend_title = title.to_owned();
                changed = true;
            }
            changed
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use domain::compute::MachineState;
    use serde_json::json;

    fn machine(backend: &str, id: &str, state: MachineState) -> MachineSummary {
        MachineSummary {
            id: id.into(),
            backend: backend.into(),
            backend_title: format!("{backend} title"),
            name: id.into(),
            state,
            public_ips: vec![],
            private_ips: vec![],
            can_reboot: false,
            can_stop: false,
            can_start: false,
            can_destroy: false,
            can_tag: false,
            ssh_port: 22,
            tags: vec![],
        }
    }

    fn event(kind: EventKind, data: serde_json::Value) -> Event {
        Event {
            seq: 1,
            at: 0,
            kind,
            resource: String::new(),
            data,
        }
    }

    #[test]
    fn machines_appear_change_and_go() {
        let mut rows = vec![machine("b1", "a", MachineState::Running)];
        let new = machine("b1", "n", MachineState::Pending);
        assert!(apply_to_machines(
            &mut rows,
            &event(
                EventKind::MachineAppeared,
                serde_json::to_value(&new).unwrap()
            )
        ));
        assert_eq!(rows.len(), 2);
        let stopped = machine("b1", "a", MachineState::Stopped);
        let changed = event(
            EventKind::MachineChanged,
            serde_json::to_value(&stopped).unwrap(),
        );
        assert!(apply_to_machines(&mut rows, &changed));
        assert_eq!(rows[0].state, MachineState::Stopped);
        // The same change twice (replayed): nothing more to do.
        assert!(!apply_to_machines(&mut rows, &changed));
        assert!(apply_to_machines(
            &mut rows,
            &event(EventKind::MachineGone, json!({"backend": "b1", "id": "n"}))
        ));
        assert_eq!(rows.len(), 1);
        assert!(!apply_to_machines(
            &mut rows,
            &event(EventKind::MachineGone, json!({"backend": "b2", "id": "a"}))
        ));
    }

    #[test]
    fn backends_rename_and_take_their_machines_with_them() {
        let mut rows = vec![
            machine("b1", "a", MachineState::Running),
            machine("b2", "a", MachineState::Running),
        ];
        assert!(apply_to_machines(
            &mut rows,
            &event(
                EventKind::BackendChanged,
                json!({"id": "b2", "title": "Lab"})
            )
        ));
        assert_eq!(rows[1].backend_title, "Lab");
        assert_eq!(rows[0].backend_title, "b1 title");
        assert!(apply_to_machines(
            &mut rows,
            &event(EventKind::BackendGone, json!({"id": "b1"}))
        ));
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].backend, "b2");
        // Other topics leave machines alone.
        assert!(!apply_to_machines(
            &mut rows,
            &event(EventKind::ScriptEnded, json!({"run": "r"}))
        ));
    }
}
