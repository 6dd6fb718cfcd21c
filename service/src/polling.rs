//! Keeping each enabled backend's state and machines fresh. The polls job
//! (`jobs::polls`) finds the backends due a poll, claims each one's poll by
//! lease and runs it in its own task; this module polls one backend, within
//! the provider timeout, so a slow or dead provider never holds up another
//! and lists always answer from the database.

use std::time::Duration;

use store::backends::StoredBackend;

use crate::{backends, drivers, jobs::seconds, Services};

/// Polls one backend within `settings.provider_timeout`, every request of
/// the poll included: a provider that gives no answer in that time leaves
/// the backend `error` ("no answer within 30 s"; a bare-metal host
/// `offline`) at once, and the HTTP
/// client starts no retry that would end past the same deadline. Returns
/// the backend's state and, when it is not online, why.
pub async fn poll_within(
    services: &Services,
    backend: &StoredBackend,
) -> (&'static str, Option<String>) {
    let limit = services.settings.provider_timeout;
    let deadline = tokio::time::Instant::now() + limit;
    let polled = cloud::http::within(limit, poll(services, backend));
    // The deadline first: a request timing out at the same moment is the
    // same missing answer, said once, the same way.
    // A bare-metal host that says nothing is itself down (`offline`); a
    // cloud provider that says nothing is in error.
    let silent = if backend.provider == "bare_metal" {
        "offline"
    } else {
        "error"
    };
    tokio::select! {
        biased;
        () = tokio::time::sleep_until(deadline) => (silent, Some(no_answer(limit))),
        outcome = polled => match outcome {
            Ok(()) => ("online", None),
            Err((state, reason)) => (state, Some(reason)),
        },
    }
}

/// What a backend whose provider said nothing in time is in error for.
pub fn no_answer(limit: Duration) -> String {
    format!("no answer within {}", seconds(limit))
}

/// Polls one backend (no time limit of its own: see [`poll_within`]):
/// `Err((state, reason))` when it is not online.
pub async fn poll(
    services: &Services,
    backend: &StoredBackend,
) -> Result<(), (&'static str, String)> {
    if backend.provider == "bare_metal" {
        return backends::bare_metal::poll(services, backend).await;
    }
    if !drivers::is_driven(&backend.provider) {
        return Err(("error", "no driver for this provider yet".into()));
    }
    match backends::cloud_machines(services, backend).await {
        Ok(machines) => services
            .db
            .replace_machines(&backend.id, &machines)
            .await
            .map_err(|e| ("error", format!("cannot store the machines: {e}"))),
        // A provider that fails, answers garbage or cannot be reached: the
        // backend is in error, saying why (a bare-metal host that does not
        // answer is `offline`: it is the machine itself).
        Err(e) => Err(("error", e.to_string())),
    }
}
