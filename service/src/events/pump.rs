//! The pump: reads the events appended since it last looked and hands them
//! to this instance's bus, oldest first.

use std::time::Duration;

use domain::ErrorKind;
use store::events::EventWakeups;
use tokio::sync::Mutex;

use super::from_row;
use crate::{
    internal,
    jobs::{Job, JobContext},
    Services,
};

/// How long the pump waits for a wake-up before it looks anyway (a
/// notification lost while the listener reconnected).
const LOOK_ANYWAY: Duration = Duration::from_secs(1);

/// Rows read at a time.
const BATCH: i64 = 500;

/// Events are kept this long (Unix ms) ...
pub const KEEP_FOR_MS: i64 = 10 * 60 * 1000;
/// ... and at most this many (the housekeeping job prunes the rest).
pub const KEEP_EVENTS: i64 = 50_000;

/// How often the pump removes events older than [`KEEP_FOR_MS`].
const PRUNE_EVERY_MS: i64 = 60_000;

/// The job that feeds the bus, and keeps the table bounded.
#[derive(Debug, Default)]
pub struct Pump {
    wakeups: Mutex<Option<EventWakeups>>,
    pruned_at: std::sync::atomic::AtomicI64,
}

impl Job for Pump {
    fn name(&self) -> &'static str {
        "events"
    }

    fn every(&self) -> Duration {
        Duration::from_millis(1)
    }

    /// Waits for a wake-up (at most [`LOOK_ANYWAY`]), then forwards every
    /// new event.
    async fn run(&self, ctx: &JobContext) -> Result<(), ErrorKind> {
        let services = &ctx.services;
        let mut wakeups = self.wakeups.lock().await;
        if wakeups.is_none() {
            if services.events.forwarded() == 0 {
                // Start at the newest event: subscribers that want older
                // ones read them from the table.
                let newest = services.db.event_bounds().await.map_err(internal)?;
                let start = newest.map_or(0, |(_, hi)| hi);
                services
                    .events
                    .forwarded
                    .fetch_max(start, std::sync::atomic::Ordering::AcqRel);
            }
            let connected = services.db.event_wakeups().await;
            *wakeups = Some(connected.map_err(internal)?);
        }
        let lost = {
            let Some(listening) = wakeups.as_mut() else {
                return Ok(());
            };
            tokio::select! {
                () = services.events.wake.notified() => false,
                heard = listening.next() => heard.is_err(),
                () = tokio::time::sleep(LOOK_ANYWAY) => false,
                () = ctx.stopping.cancelled() => false,
            }
        };
        if lost {
            // Listen again at the next step; look now for what was missed.
            *wakeups = None;
        }
        drop(wakeups);
        forward(services).await?;
        let now = ctx.now();
        let pruned_at = self.pruned_at.load(std::sync::atomic::Ordering::Relaxed);
        if now - pruned_at >= PRUNE_EVERY_MS {
            self.pruned_at
                .store(now, std::sync::atomic::Ordering::Relaxed);
            let gone = services
                .db
                .prune_events(now - KEEP_FOR_MS, KEEP_EVENTS)
                .await
                .map_err(internal)?;
            if gone > 0 {
                tracing::debug!(events = gone, "removed old events");
            }
        }
        Ok(())
    }
}

/// Hands every event after the bus's position to the bus.
pub async fn forward(services: &Services) -> Result<(), ErrorKind> {
    loop {
        let after = services.events.forwarded();
        let rows = services
            .db
            .events_after(after, BATCH)
            .await
            .map_err(internal)?;
        let full = rows.len() as i64 == BATCH;
        for row in rows {
            let seq = row.seq;
            match from_row(row) {
                Some(event) => services.events.hand_out(event),
                // A kind this version does not know: passed over.
                None => {
                    services
                        .events
                        .forwarded
                        .fetch_max(seq, std::sync::atomic::Ordering::AcqRel);
                }
            }
        }
        if !full {
            return Ok(());
        }
    }
}
