//! The first page as the server hands it to the browser inside the HTML
//! (the resource the page hydrates from): each row an array rather than an
//! object, so the field names are not repeated per row (and escaped again
//! inside the page's script), its backend the index of its entry in the
//! page's `backends`, its name left out where it is its id. About 170
//! bytes a row instead of 520; the rows are in the HTML already. Later reads (`read_fleet`) and the REST
//! API keep [`FleetPage`]'s named fields.

use domain::{
    compute::MachineState,
    fleet::{Choice, FleetPage, FleetQuery, FleetRow, StateCount},
    inventory::MachineSummary,
};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A [`FleetPage`], packed on the wire.
#[derive(Debug, Clone, PartialEq)]
pub struct Packed(pub FleetPage);

/// A row's backend: the index of its entry in the page's `backends`, or,
/// for one not among them, its id and title.
#[derive(Serialize, Deserialize)]
#[serde(untagged)]
enum BackendRef {
    At(usize),
    Own(String, String),
}

/// One row: id, backend, name (`None`: the id), state (its place in
/// `MachineState::ALL`), public and private
/// addresses, the `can_*` flags (reboot 1, stop 2, start 4, destroy 8,
/// tag 16), SSH port, tags, size, image, location, first seen, price per
/// hour, stack.
#[derive(Serialize, Deserialize)]
struct Row(
    String,
    BackendRef,
    Option<String>,
    u8,
    Vec<String>,
    Vec<String>,
    u8,
    u16,
    Vec<String>,
    Option<String>,
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<f64>,
    Option<Choice>,
);

/// The page with its rows packed (read; written by `Packed`'s `Serialize`).
#[derive(Deserialize)]
struct Wire {
    query: FleetQuery,
    rows: Vec<Row>,
    matched: u64,
    total: u64,
    counts: Vec<StateCount>,
    backends: Vec<Choice>,
    stacks: Vec<Choice>,
    create_on: Vec<Choice>,
    columns: Vec<String>,
}

const FLAGS: [u8; 5] = [1, 2, 4, 8, 16];

/// `state`'s place in `MachineState::ALL`.
fn state_index(state: MachineState) -> u8 {
    let at = MachineState::ALL.iter().position(|s| *s == state);
    at.and_then(|at| u8::try_from(at).ok()).unwrap_or(u8::MAX)
}

impl Row {
    fn pack(row: FleetRow, backends: &[Choice]) -> Self {
        let m = row.machine;
        let flags = [
            m.can_reboot,
            m.can_stop,
            m.can_start,
            m.can_destroy,
            m.can_tag,
        ]
        .iter()
        .zip(FLAGS)
        .filter(|(on, _)| **on)
        .fold(0, |all, (_, bit)| all | bit);
        let backend = backends
            .iter()
            .position(|b| b.id == m.backend && b.label == m.backend_title)
            .map_or(BackendRef::Own(m.backend, m.backend_title), BackendRef::At);
        let name = (m.name != m.id).then_some(m.name);
        Row(
            m.id,
            backend,
            name,
            state_index(m.state),
            m.public_ips,
            m.private_ips,
            flags,
            m.ssh_port,
            m.tags,
            row.size,
            row.image,
            row.location,
            row.first_seen,
            row.price_hourly,
            row.stack,
        )
    }

    fn unpack(self, backends: &[Choice]) -> FleetRow {
        let row = self;
        let [reboot, stop, start, destroy, tag] = FLAGS.map(|bit| row.6 & bit != 0);
        let (backend, backend_title) = match row.1 {
            BackendRef::Own(id, title) => (id, title),
            BackendRef::At(at) => backends
                .get(at)
                .map(|b| (b.id.clone(), b.label.clone()))
                .unwrap_or_default(),
        };
        FleetRow {
            machine: MachineSummary {
                name: row.2.unwrap_or_else(|| row.0.clone()),
                id: row.0,
                backend,
                backend_title,
                state: (MachineState::ALL.get(usize::from(row.3)).copied())
                    .unwrap_or(MachineState::Unknown),
                public_ips: row.4,
                private_ips: row.5,
                can_reboot: reboot,
                can_stop: stop,
                can_start: start,
                can_destroy: destroy,
                can_tag: tag,
                ssh_port: row.7,
                tags: row.8,
            },
            size: row.9,
            image: row.10,
            location: row.11,
            first_seen: row.12,
            price_hourly: row.13,
            stack: row.14,
        }
    }
}

impl Serialize for Packed {
    /// As [`Wire`] (the same field names, in its order).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let page = &self.0;
        let rows: Vec<Row> = (page.rows.iter().cloned())
            .map(|row| Row::pack(row, &page.backends))
            .collect();
        let mut wire = serializer.serialize_struct("Wire", 9)?;
        wire.serialize_field("query", &page.query)?;
        wire.serialize_field("rows", &rows)?;
        wire.serialize_field("matched", &page.matched)?;
        wire.serialize_field("total", &page.total)?;
        wire.serialize_field("counts", &page.counts)?;
        wire.serialize_field("backends", &page.backends)?;
        wire.serialize_field("stacks", &page.stacks)?;
        wire.serialize_field("create_on", &page.create_on)?;
        wire.serialize_field("columns", &page.columns)?;
        wire.end()
    }
}

impl<'de> Deserialize<'de> for Packed {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = Wire::deserialize(deserializer)?;
        Ok(Packed(FleetPage {
            rows: (wire.rows.into_iter())
                .map(|row| row.unpack(&wire.backends))
                .collect(),
            query: wire.query,
            matched: wire.matched,
            total: wire.total,
            counts: wire.counts,
            backends: wire.backends,
            stacks: wire.stacks,
            create_on: wire.create_on,
            columns: wire.columns,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(n: u8) -> FleetRow {
        let on = |bit: u8| n & bit != 0;
        FleetRow {
            machine: MachineSummary {
                id: format!("i-{n}"),
                // Listed in the page's backends; not listed; listed
                // under another title.
                backend: ["b1", "b2", "b3"][usize::from(n % 3)].into(),
                backend_title: "Bench \"EC2\"".into(),
                // A name of its own, or none but the id.
                name: if n.is_multiple_of(2) {
                    format!("web-{n}")
                } else {
                    format!("i-{n}")
                },
                state: MachineState::ALL[usize::from(n) % MachineState::ALL.len()],
                public_ips: vec!["192.0.2.1".into()],
                private_ips: vec![],
                can_reboot: on(1),
                can_stop: on(2),
                can_start: on(4),
                can_destroy: on(8),
                can_tag: on(16),
                ssh_port: 2222,
                tags: vec!["env=prod".into()],
            },
            size: Some("t2.micro".into()),
            image: None,
            location: Some("us-east-1a".into()),
            first_seen: Some(1_700_000_000),
            price_hourly: Some(0.0116),
            stack: Some(Choice {
                id: "s1".into(),
                label: "web".into(),
            }),
        }
    }

    #[test]
    fn a_packed_page_reads_back_as_it_was_and_is_smaller() {
        let page = FleetPage {
            query: FleetQuery::default(),
            rows: (0..32).map(row).collect(),
            matched: 32,
            total: 40,
            counts: vec![StateCount {
                state: MachineState::Stopped,
                count: 32,
            }],
            backends: vec![
                Choice {
                    id: "b3".into(),
                    label: "renamed".into(),
                },
                Choice {
                    id: "b1".into(),
                    label: "Bench \"EC2\"".into(),
                },
            ],
            stacks: vec![],
            create_on: vec![Choice {
                id: "b1".into(),
                label: "Bench \"EC2\"".into(),
            }],
            columns: vec!["state".into()],
        };
        let packed = serde_json::to_string(&Packed(page.clone())).unwrap();
        let back: Packed = serde_json::from_str(&packed).unwrap();
        assert_eq!(back.0, page, "every flag combination and field");
        let named = serde_json::to_string(&page).unwrap();
        assert!(
            packed.len() * 10 < named.len() * 6,
            "{} bytes packed, {} named",
            packed.len(),
            named.len()
        );
    }
}
