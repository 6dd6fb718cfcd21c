//! Resuming stack operations whose runner stopped (its instance stopped or
//! died): a stack in operation whose `("stack", id)` lease is free is
//! claimed and carried on from its unfinished steps. Each step reconciles
//! with the provider first, so nothing is made twice.

use std::time::Duration;

use domain::ErrorKind;

use super::{Job, JobContext};
use crate::{internal, stacks::runner};

/// Every 10 s (and at start), resumes the stack operations nobody carries.
#[derive(Debug, Default)]
pub struct StackResume;

impl StackResume {
    /// One sweep: returns how many operations this instance took up.
    pub async fn sweep(ctx: &JobContext) -> Result<u64, ErrorKind> {
        let stacks = ctx
            .services
            .db
            .stacks_in_operation()
            .await
            .map_err(internal)?;
        let mut resumed = 0;
        for stack in stacks {
            if ctx.is_stopping() {
                break;
            }
            if runner::start(&ctx.services, &stack.id).await? {
                tracing::info!(stack = %stack.id, status = %stack.status, "resuming a stack's operation");
                resumed += 1;
            }
        }
        Ok(resumed)
    }
}

impl Job for StackResume {
    fn name(&self) -> &'static str {
        "stack_resume"
    }

    fn every(&self) -> Duration {
        Duration::from_secs(10)
    }

    async fn run(&self, ctx: &JobContext) -> Result<(), ErrorKind> {
        Self::sweep(ctx).await.map(|_| ())
    }
}
