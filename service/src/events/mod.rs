//! The event path: a change is appended to the `events` table
//! ([`publish`]), each instance's [`Pump`] reads new rows (woken by its own
//! appends, by PostgreSQL's notifications of other instances' appends, and
//! once a second whatever happens) and hands them to this instance's
//! [`Bus`], and every subscriber ([`Subscription`]) takes from the bus what
//! its caller may see.
//!
//! The table is the one order of events for the whole installation, so a
//! subscriber that reconnects with the last sequence number it saw gets
//! what it missed, from whichever instance it reaches; one whose position
//! was pruned already is told to reload.

pub mod changes;
mod pump;
mod subscription;

use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc,
};

use domain::{
    events::{Event, EventKind},
    ErrorKind,
};
use serde::Serialize;
use store::events::NewEvent;
use tokio::sync::{broadcast, Notify};

pub use pump::{Pump, KEEP_EVENTS, KEEP_FOR_MS};
pub use subscription::{may_see_any, Delivery, Subscription, RECHECK};

use crate::{internal, Services};

/// How many events a slow subscriber may fall behind the bus before it
/// reads the rest from the table.
const BUS_CAPACITY: usize = 1024;

/// This instance's fan-out of events to its subscribers.
#[derive(Debug)]
pub struct Bus {
    sender: broadcast::Sender<Arc<Event>>,
    /// Woken by this instance's appends.
    wake: Notify,
    /// The newest sequence number handed out (0 before the first).
    forwarded: AtomicI64,
}

impl Default for Bus {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(BUS_CAPACITY).0,
            wake: Notify::new(),
            forwarded: AtomicI64::new(0),
        }
    }
}

impl Bus {
    /// Events handed out from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Arc<Event>> {
        self.sender.subscribe()
    }

    /// The newest sequence number handed out so far.
    pub fn forwarded(&self) -> i64 {
        self.forwarded.load(Ordering::Acquire)
    }

    fn hand_out(&self, event: Event) {
        self.forwarded.fetch_max(event.seq, Ordering::AcqRel);
        // No subscriber is not an error.
        let _ = self.sender.send(Arc::new(event));
    }
}

/// One change to publish.
#[derive(Debug, Clone)]
pub struct Change {
    /// What happened.
    pub kind: EventKind,
    /// What it concerns (a resource path).
    pub resource: String,
    /// The details.
    pub data: serde_json::Value,
}

impl Change {
    /// A change with `data` serialised.
    pub fn new(kind: EventKind, resource: impl Into<String>, data: &impl Serialize) -> Self {
        Self {
            kind,
            resource: resource.into(),
            data: serde_json::to_value(data).unwrap_or_default(),
        }
    }
}

/// Appends `changes` as events, in order, and wakes this instance's pump.
pub async fn publish(services: &Services, changes: Vec<Change>) -> Result<(), ErrorKind> {
    if changes.is_empty() {
        return Ok(());
    }
    let rows = rows(services.now(), changes);
    services.db.append_events(&rows).await.map_err(internal)?;
    appended(services);
    Ok(())
}

/// Tells this instance's pump that events were appended (by a store
/// function that wrote them with the change they describe).
pub fn appended(services: &Services) {
    services.events.wake.notify_one();
}

/// Rows for `changes` at `at`, for a store function that appends them in
/// its own transaction.
pub fn rows(at: i64, changes: Vec<Change>) -> Vec<NewEvent> {
    changes
        .into_iter()
        .map(|c| NewEvent {
            at,
            kind: c.kind.as_str().to_owned(),
            resource: c.resource,
            data: c.data.to_string(),
        })
        .collect()
}

/// The events of a poll's changes to `backend`'s machines: appeared and
/// changed ones carry the machine as the Machines page shows it, gone ones
/// its backend and id.
pub fn machine_changes(
    backend: &store::backends::StoredBackend,
    diff: &store::machines::MachineDiff,
) -> Vec<Change> {
    let summary = |m| crate::machines::summary(m, backend);
    let resource =
        |m: &store::machines::StoredMachine| domain::resource::machine(&m.backend_id, &m.id);
    let appeared = diff
        .appeared
        .iter()
        .map(|m| Change::new(EventKind::MachineAppeared, resource(m), &summary(m)));
    let changed = diff
        .changed
        .iter()
        .map(|m| Change::new(EventKind::MachineChanged, resource(m), &summary(m)));
    let gone = diff.gone.iter().map(|m| {
        Change::new(
            EventKind::MachineGone,
            resource(m),
            &serde_json::json!({"backend": m.backend_id, "id": m.id}),
        )
    });
    appeared.chain(changed).chain(gone).collect()
}

/// [`publish`] for work whose own outcome must not depend on it (a poll, a
/// finished action): a failure is logged, and subscribers that missed the
/// event see the change at their next reload.
pub async fn publish_or_log(services: &Services, changes: Vec<Change>) {
    if let Err(e) = publish(services, changes).await {
        tracing::warn!(error = %e, "an event could not be recorded");
    }
}

/// An event as stored, read back; `None` for a kind this version does not
/// know (written by a newer instance).
fn from_row(row: store::events::StoredEvent) -> Option<Event> {
    Some(Event {
        seq: row.seq,
        at: row.at,
        kind: EventKind::parse(&row.kind)?,
        resource: row.resource,
        data: serde_json::from_str(&row.data).unwrap_or_default(),
    })
}
