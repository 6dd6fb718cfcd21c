//! Housekeeping: expired sessions, expired or long-unused API tokens, old
//! sign-in failures, expired leases and the rows of instances long gone.

use std::time::Duration;

use domain::ErrorKind;

use super::{Job, JobContext};
use crate::{throttle, tokens};

/// An expired lease is kept this long before it is deleted (an expired
/// lease and an absent one claim alike; this only keeps the table small).
const EXPIRED_LEASES_KEPT_MS: i64 = 3_600_000;

/// An instance not seen for this long is forgotten.
const GONE_INSTANCES_KEPT_MS: i64 = 86_400_000;

/// Removes what has expired, every 10 minutes (and at start).
#[derive(Debug, Default)]
pub struct Housekeeping;

impl Job for Housekeeping {
    fn name(&self) -> &'static str {
        "housekeeping"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(600)
    }

    async fn run(&self, ctx: &JobContext) -> Result<(), ErrorKind> {
        let services = &ctx.services;
        let db = &services.db;
        let now = ctx.now();
        match db.delete_expired_sessions(now).await {
            Ok(n) if n > 0 => tracing::info!(sessions = n, "removed expired sessions"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not remove expired sessions"),
        }
        match tokens::prune(services).await {
            Ok(n) if n > 0 => {
                tracing::info!(tokens = n, "removed expired or long-unused API tokens")
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not prune API tokens"),
        }
        if let Err(e) = db.prune_login_failures(now - throttle::WINDOW_MS).await {
            tracing::warn!(error = %e, "could not prune sign-in failures");
        }
        if let Err(e) = db.prune_expired_leases(now - EXPIRED_LEASES_KEPT_MS).await {
            tracing::warn!(error = %e, "could not prune expired leases");
        }
        match db
            .forget_instances_older_than(now - GONE_INSTANCES_KEPT_MS)
            .await
        {
            Ok(n) if n > 0 => tracing::info!(instances = n, "forgot instances gone for a day"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not forget gone instances"),
        }
        Ok(())
    }
}
