//! Keeping each enabled backend's state and machines fresh. The polls job
//! (`jobs::polls`) finds the backends due a poll, claims each one's poll by
//! lease and runs it in its own task; this module polls one backend, within
//! the provider timeout, so a slow or dead provider never holds up another
//! and lists always answer from the database.

use std::time::Duration;

use domain::{compute::BackendState, providers::Provider};
use store::backends::StoredBackend;

use crate::{backends, drivers, events, jobs::seconds, Services};

/// Polls one backend within `settings.provider_timeout`, every request of
/// the poll included: a provider that gives no answer in that time leaves
/// the backend `error` ("no answer within 30 s"; a bare-metal host
/// `offline`: `ProviderKind::unanswered`) at once, and the HTTP client
/// starts no retry that would end past the same deadline. Returns the
/// backend's state and, when it is not online, why.
pub async fn poll_within(
    services: &Services,
    backend: &StoredBackend,
) -> (BackendState, Option<String>) {
    let limit = services.settings.provider_timeout;
    let deadline = tokio::time::Instant::now() + limit;
    let polled = cloud::http::within(limit, poll(services, backend));
    // The deadline first: a request timing out at the same moment is the
    // same missing answer, said once, the same way.
    tokio::select! {
        biased;
        () = tokio::time::sleep_until(deadline) => (unanswered(backend), Some(no_answer(limit))),
        outcome = polled => match outcome {
            Ok(()) => (BackendState::Online, None),
            Err((state, reason)) => (state, Some(reason)),
        },
    }
}

/// What a backend whose provider said nothing in time is in error for.
pub fn no_answer(limit: Duration) -> String {
    format!("no answer within {}", seconds(limit))
}

/// The state of `backend` when its provider failed or said nothing.
fn unanswered(backend: &StoredBackend) -> BackendState {
    Provider::parse(&backend.provider).map_or(BackendState::Error, |p| p.kind.unanswered())
}

/// Polls one backend through its driver (no time limit of its own: see
/// [`poll_within`]): its machines replaced by what the driver lists, or
/// `Err((state, reason))` when it is not online (its machines then stay as
/// last seen).
pub async fn poll(
    services: &Services,
    backend: &StoredBackend,
) -> Result<(), (BackendState, String)> {
    if !drivers::is_driven(&backend.provider) {
        return Err((
            BackendState::Error,
            "this build of Overcast has no driver for this provider".into(),
        ));
    }
    match backends::cloud_machines(services, backend).await {
        Ok(machines) => {
            let at = services.now();
            let describe = |diff: &store::machines::MachineDiff| {
                events::rows(at, events::machine_changes(backend, diff))
            };
            let diff = services
                .db
                .replace_machines_with_events(&backend.id, &machines, describe)
                .await
                .map_err(|e| {
                    (
                        BackendState::Error,
                        format!("cannot store the machines: {e}"),
                    )
                })?;
            if !diff.is_empty() {
                events::appended(services);
            }
            Ok(())
        }
        // A provider that fails, answers garbage or cannot be reached.
        Err(e) => Err((unanswered(backend), e.to_string())),
    }
}
