//! Background work: housekeeping (expired sessions, expired or long-unused
//! API tokens, old sign-in failures) and the backend pollers.

use std::time::Duration;

use service::{throttle, Services};

/// How often housekeeping runs.
pub const INTERVAL: Duration = Duration::from_secs(600);

/// Runs housekeeping forever (until the task is aborted).
pub async fn housekeeping(services: Services) {
    let mut tick = tokio::time::interval(INTERVAL);
    loop {
        tick.tick().await;
        let now = store::now_ms();
        match services.db.delete_expired_sessions(now).await {
            Ok(n) if n > 0 => tracing::info!(sessions = n, "removed expired sessions"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not remove expired sessions"),
        }
        match service::tokens::prune(&services).await {
            Ok(n) if n > 0 => {
                tracing::info!(tokens = n, "removed expired or long-unused API tokens")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not prune API tokens"),
        }
        if let Err(e) = services
            .db
            .prune_login_failures(now - throttle::WINDOW_MS)
            .await
        {
            tracing::warn!(error = %e, "could not prune sign-in failures");
        }
    }
}

/// How often the poller looks for backends due a poll.
pub const POLL_TICK: Duration = Duration::from_secs(1);

/// How many poller ticks between two looks for script runs whose instance
/// stopped carrying them.
const REAP_EVERY: u64 = 15;

/// Polls each enabled backend every `poll_interval`, each in its own task
/// (until the task is aborted); every few ticks, ends the script runs left
/// by an instance that is gone.
pub async fn pollers(services: Services) {
    let in_flight = service::polling::InFlight::default();
    let mut tick = tokio::time::interval(POLL_TICK);
    let mut ticks: u64 = 0;
    loop {
        tick.tick().await;
        service::polling::poll_due(&services, &in_flight).await;
        ticks += 1;
        if ticks.is_multiple_of(REAP_EVERY) {
            match service::scripts::abandon_unfinished(&services).await {
                Ok(0) => {}
                Ok(n) => tracing::warn!(runs = n, "ended script runs whose instance is gone"),
                Err(e) => tracing::warn!(error = %e, "could not look for abandoned script runs"),
            }
        }
    }
}
