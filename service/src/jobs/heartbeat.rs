//! The instance's row in `instances`, renewed: the sign that it is alive.

use std::time::Duration;

use domain::ErrorKind;

use super::{Job, JobContext};
use crate::internal;

/// Says this instance is alive, every 10 s (and at start).
#[derive(Debug, Default)]
pub struct Heartbeat;

/// How often an instance renews its row.
pub const EVERY: Duration = Duration::from_secs(10);

impl Job for Heartbeat {
    fn name(&self) -> &'static str {
        "heartbeat"
    }

    fn every(&self) -> Duration {
        EVERY
    }

    async fn run(&self, ctx: &JobContext) -> Result<(), ErrorKind> {
        ctx.services
            .db
            .instance_alive(ctx.instance.as_str(), ctx.now())
            .await
            .map_err(internal)
    }
}
