//! Background housekeeping: expired sessions, expired or long-unused API
//! tokens, and old sign-in failures.

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
