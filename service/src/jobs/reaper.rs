//! The script-run reaper: ends the runs no instance carries any more.

use std::time::Duration;

use domain::ErrorKind;

use super::{Job, JobContext};
use crate::internal;

/// The reaper's own lease: one instance sweeps at a time.
const LEASE: (&str, &str) = ("reaper", "script_runs");
const LEASE_TTL_MS: i64 = 30_000;

/// Why a run ended this way, as its detail says.
pub const REASON: &str = "the Overcast instance carrying the script stopped before it ended; \
                          its output up to then is kept";

/// Every 5 s (and at start), ends the runs still `waiting` or `running`
/// whose `("script_run", id)` lease is absent or expired: the instance
/// that started them stopped (it released the lease: ended at once) or
/// is gone (its lease expired). A run whose carrier renews in time is
/// never ended.
#[derive(Debug, Default)]
pub struct Reaper;

impl Reaper {
    /// One sweep, under the reaper's lease; returns how many runs it
    /// ended (0 when another instance sweeps now).
    pub async fn sweep(ctx: &JobContext) -> Result<u64, ErrorKind> {
        let db = &ctx.services.db;
        let me = ctx.instance.as_str();
        let (kind, key) = LEASE;
        if !db
            .claim_lease(kind, key, me, ctx.now(), LEASE_TTL_MS)
            .await
            .map_err(internal)?
        {
            return Ok(0);
        }
        let ended = db.end_unleased_script_runs_listed(REASON, ctx.now()).await;
        if let Err(e) = db.release_lease(kind, key, me).await {
            tracing::warn!(error = %e, "cannot release the reaper's lease");
        }
        let ended = ended.map_err(internal)?;
        // Followers and event subscribers learn the run ended, as when
        // its runner ends it.
        for (run, backend, machine) in &ended {
            crate::events::changes::script(
                &ctx.services,
                domain::events::EventKind::ScriptEnded,
                backend,
                machine,
                run,
                serde_json::json!({ "state": "error", "exit_code": null, "detail": REASON }),
            )
            .await;
        }
        Ok(ended.len() as u64)
    }
}

impl Job for Reaper {
    fn name(&self) -> &'static str {
        "reaper"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(5)
    }

    async fn run(&self, ctx: &JobContext) -> Result<(), ErrorKind> {
        let ended = Self::sweep(ctx).await?;
        if ended > 0 {
            tracing::warn!(
                runs = ended,
                "ended script runs no instance carries any more"
            );
        }
        Ok(())
    }
}
