//! The supervisor of background work: it registers the jobs
//! (`service::jobs`) and runs each one's steps, `every()` apart, in a
//! `JoinSet`, until the instance stops claiming work. Shutdown itself
//! (waiting up to the grace, releasing leases) is `startup::Running::shutdown`.

use std::time::Duration;

use service::{
    jobs::{EventPump, Heartbeat, Housekeeping, Job, JobContext, Polls, Reaper, StackResume},
    Services,
};
use tokio::{task::JoinSet, time::MissedTickBehavior};

/// The workers of one instance, one a job.
pub struct Supervisor {
    workers: JoinSet<()>,
    ctx: JobContext,
}

impl Supervisor {
    /// Starts every job of the server: each runs its first step at once.
    pub fn start(services: &Services) -> Self {
        let mut supervisor = Self {
            workers: JoinSet::new(),
            ctx: JobContext::new(services),
        };
        // One line a job.
        supervisor.register(Heartbeat);
        supervisor.register(Reaper);
        supervisor.register(Polls);
        supervisor.register(StackResume);
        supervisor.register(Housekeeping);
        supervisor.register(EventPump::default());
        supervisor
    }

    /// Runs `job`'s steps until the instance stops claiming work.
    pub fn register<J: Job>(&mut self, job: J) {
        self.workers.spawn(work(job, self.ctx.clone()));
    }

    /// Waits until every worker has ended (each ends once the instance is
    /// stopping and its current step is done).
    pub async fn join(&mut self) {
        while self.workers.join_next().await.is_some() {}
    }

    /// Ends the workers where they are.
    pub fn abort(&mut self) {
        self.workers.abort_all();
    }
}

/// One job's worker: a step, then the next `every()` after the start of
/// this one (later when a step overran), until the instance stops.
async fn work<J: Job>(job: J, ctx: JobContext) {
    let mut tick = tokio::time::interval(job.every());
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            biased;
            () = ctx.stopping.cancelled() => return,
            _ = tick.tick() => {}
        }
        if let Err(e) = job.run(&ctx).await {
            tracing::warn!(job = job.name(), instance = %ctx.instance, error = %e, "a background step failed");
        }
    }
}

/// How long the tasks still running when the grace is over get to notice
/// they are aborted (they stop at their next await).
pub const ABORT_WAIT: Duration = Duration::from_secs(2);
