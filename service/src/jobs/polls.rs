//! The polls job: each enabled backend is polled when `poll_interval` has
//! passed since its last poll started, by exactly one of the instances
//! sharing the database, in its own task. A step starts the polls that are
//! due, then waits for the next one due within the step's second, so a
//! poll starts on time rather than on the next tick.

use std::time::Duration;

use domain::ErrorKind;
use store::backends::StoredBackend;

use super::{Job, JobContext};
use crate::polling;

/// How often the job reads the backends afresh (and how far ahead a step
/// waits for the next poll due).
pub const EVERY: Duration = Duration::from_secs(1);

/// How long a poll's lease outlives the poll's deadline (the provider
/// timeout), for recording its outcome.
const LEASE_MARGIN_MS: i64 = 10_000;

/// Polls the backends that are due.
#[derive(Debug, Default)]
pub struct Polls;

impl Job for Polls {
    fn name(&self) -> &'static str {
        "polls"
    }

    fn every(&self) -> Duration {
        EVERY
    }

    async fn run(&self, ctx: &JobContext) -> Result<(), ErrorKind> {
        let step_ends = tokio::time::Instant::now() + EVERY;
        loop {
            let (_, next) = pass(ctx).await;
            let Some(next) = next else { return Ok(()) };
            let wait = Duration::from_millis(u64::try_from(next - ctx.now()).unwrap_or(0));
            let at = tokio::time::Instant::now() + wait;
            if at >= step_ends {
                return Ok(());
            }
            tokio::select! {
                () = tokio::time::sleep_until(at) => {}
                () = ctx.stopping.cancelled() => return Ok(()),
            }
        }
    }
}

/// When `b` is due its next poll, Unix ms (`None` when disabled).
fn due_at(b: &StoredBackend) -> Option<i64> {
    b.enabled
        .then(|| b.polled_at.unwrap_or(0).saturating_add(b.poll_interval))
}

fn due(b: &StoredBackend, now: i64) -> bool {
    due_at(b).is_some_and(|at| at <= now)
}

/// Starts a poll of every enabled backend that is due and whose
/// `("poll", id)` lease this instance claims (absent or expired: nobody
/// polls it now); returns how many were started. Each poll runs in a
/// tracked task within the provider timeout, records the backend's state,
/// then releases the lease.
pub async fn poll_due(ctx: &JobContext) -> usize {
    pass(ctx).await.0
}

/// [`poll_due`], also returning when the next backend not yet due will
/// be, Unix ms.
async fn pass(ctx: &JobContext) -> (usize, Option<i64>) {
    let services = &ctx.services;
    let backends = match services.db.backends().await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read backends to poll");
            return (0, None);
        }
    };
    let start = ctx.now();
    let next = backends
        .iter()
        .filter_map(due_at)
        .filter(|at| *at > start)
        .min();
    let me = ctx.instance.as_str();
    let ttl = i64::try_from(services.settings.provider_timeout.as_millis())
        .unwrap_or(i64::MAX / 2)
        .saturating_add(LEASE_MARGIN_MS);
    let mut started = 0;
    for backend in backends {
        if ctx.is_stopping() {
            break;
        }
        let now = ctx.now();
        if !due(&backend, now) {
            continue;
        }
        match services
            .db
            .claim_lease("poll", &backend.id, me, now, ttl)
            .await
        {
            Ok(true) => {}
            Ok(false) => continue,
            Err(e) => {
                tracing::warn!(backend = %backend.id, error = %e, "cannot claim a poll");
                continue;
            }
        }
        // Read again under the lease: another instance may have polled it
        // between our list and our claim.
        let fresh = match services.db.backend(&backend.id).await {
            Ok(Some(fresh)) if due(&fresh, now) => Some(fresh),
            Ok(_) => None,
            Err(e) => {
                tracing::warn!(backend = %backend.id, error = %e, "cannot read a backend to poll");
                None
            }
        };
        let Some(backend) = fresh else {
            release(ctx, &backend.id).await;
            continue;
        };
        if let Err(e) = services.db.poll_started(&backend.id, now).await {
            tracing::warn!(backend = %backend.id, error = %e, "cannot stamp a poll");
        }
        started += 1;
        let ctx = ctx.clone();
        let aborting = services.background.aborting().clone();
        services.background.spawn(async move {
            let services = &ctx.services;
            let (state, reason) = tokio::select! {
                outcome = polling::poll_within(services, &backend) => outcome,
                // The shutdown's grace is over: the lease is released with
                // the instance's others, and another instance polls.
                () = aborting.cancelled() => return,
            };
            // `polled_at` stays the poll's start: the next is due one
            // interval after it, however long this one took.
            if let Err(e) = services
                .db
                .set_backend_state(&backend.id, state.as_str(), reason.as_deref(), now)
                .await
            {
                tracing::warn!(backend = %backend.id, error = %e, "cannot record a poll");
            } else if backend.state != state.as_str() || backend.state_reason != reason {
                crate::events::changes::backend(services, &backend.id).await;
            }
            release(&ctx, &backend.id).await;
        });
    }
    (started, next)
}

async fn release(ctx: &JobContext, backend_id: &str) {
    if let Err(e) = ctx
        .services
        .db
        .release_lease("poll", backend_id, ctx.instance.as_str())
        .await
    {
        tracing::warn!(backend = %backend_id, error = %e, "cannot release a poll's lease");
    }
}
