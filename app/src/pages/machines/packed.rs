//! The first page as the server hands it to the browser inside the HTML
//! (the resource the page hydrates from): each row an array rather than an
//! object, so the field names are not repeated per row (and escaped again
//! inside the page's script). About 200 bytes a row instead of 520; the
//! rows are in the HTML already. Later reads (`read_fleet`) and the REST
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

/// One row: id, backend, backend's title, name, state, public and private
/// addresses, the `can_*` flags (reboot 1, stop 2, start 4, destroy 8,
/// tag 16), SSH port, tags, size, image, location, first seen, price per
/// hour, stack.
#[derive(Serialize, Deserialize)]
struct Row(
    String,
    String,
    String,
    String,
    MachineState,
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
    columns: Vec<String>,
}

const FLAGS: [u8; 5] = [1, 2, 4, 8, 16];

impl From<FleetRow> for Row {
    fn from(row: FleetRow) -> Self {
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
        Row(
            m.id,
            m.backend,
            m.backend_title,
            m.name,
            m.state,
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
}

impl From<Row> for FleetRow {
    fn from(row: Row) -> Self {
        let [reboot, stop, start, destroy, tag] = FLAGS.map(|bit| row.7 & bit != 0);
        FleetRow {
            machine: MachineSummary {
                id: row.0,
                backend: row.1,
                backend_title: row.2,
                name: row.3,
                state: row.4,
                public_ips: row.5,
                private_ips: row.6,
                can_reboot: reboot,
                can_stop: stop,
                can_start: start,
                can_destroy: destroy,
                can_tag: tag,
                ssh_port: row.8,
                tags: row.9,
            },
            size: row.10,
            image: row.11,
            location: row.12,
            first_seen: row.13,
            price_hourly: row.14,
            stack: row.15,
        }
    }
}

impl Serialize for Packed {
    /// As [`Wire`] (the same field names, in its order).
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let page = &self.0;
        let rows: Vec<Row> = page.rows.iter().cloned().map(Row::from).collect();
        let mut wire = serializer.serialize_struct("Wire", 8)?;
        wire.serialize_field("query", &page.query)?;
        wire.serialize_field("rows", &rows)?;
        wire.serialize_field("matched", &page.matched)?;
        wire.serialize_field("total", &page.total)?;
        wire.serialize_field("counts", &page.counts)?;
        wire.serialize_field("backends", &page.backends)?;
        wire.serialize_field("stacks", &page.stacks)?;
        wire.serialize_field("columns", &page.columns)?;
        wire.end()
    }
}

impl<'de> Deserialize<'de> for Packed {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let wire = Wire::deserialize(deserializer)?;
        Ok(Packed(FleetPage {
            rows: wire.rows.into_iter().map(FleetRow::from).collect(),
            query: wire.query,
            matched: wire.matched,
            total: wire.total,
            counts: wire.counts,
            backends: wire.backends,
            stacks: wire.stacks,
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
                backend: "b1".into(),
                backend_title: "Bench \"EC2\"".into(),
                name: format!("web-{n}"),
                state: MachineState::Stopped,
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
            backends: vec![],
            stacks: vec![],
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
