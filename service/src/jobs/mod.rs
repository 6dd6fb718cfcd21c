//! Background work, in one shape: a [`Job`] has a name, says how often it
//! runs, and does one step at a time in [`Job::run`]; the server's
//! supervisor (`server::jobs`) runs each registered job's steps one after
//! another, `every()` apart, until the instance stops.
//!
//! Work that several instances sharing a database could each do is claimed
//! by lease first (`store::leases`): a backend's poll (`("poll", id)`),
//! a script run (`("script_run", id)`), the reaper's sweep. Each instance
//! has an [`InstanceId`], the owner its leases name, and a row in
//! `instances` renewed by [`Heartbeat`].
//!
//! Long work started by a step or by a request (a poll, a script run) is
//! spawned through [`Background::spawn`], so shutdown can wait for it:
//! [`Background::stop_claiming`] tells everything to start no new work,
//! [`Background::wait`] waits for what runs, and [`Background::abort`]
//! ends what is left when the grace is over.

mod heartbeat;
mod housekeeping;
pub mod polls;
mod reaper;
mod stacks;

use std::{future::Future, sync::Arc, time::Duration};

use domain::ErrorKind;
use tokio_util::{sync::CancellationToken, task::TaskTracker};

pub use crate::events::Pump as EventPump;
pub use heartbeat::Heartbeat;
pub use housekeeping::Housekeeping;
pub use polls::Polls;
pub use reaper::Reaper;
pub use stacks::StackResume;

use crate::Services;

/// One kind of background work.
///
/// In the spirit of crates.io's `BackgroundJob`: a name for the logs, and
/// one step of work in `run`. A step that claims work checks
/// [`JobContext::is_stopping`] between claims; a step is never interrupted
/// while the grace of a shutdown lasts. Adding one: a file in
/// `service/src/jobs/`, and one line registering it in `server::jobs`.
pub trait Job: Send + Sync + 'static {
    /// The job's name, in the logs.
    fn name(&self) -> &'static str;

    /// How long from the start of one step to the start of the next.
    fn every(&self) -> Duration;

    /// One step. An error is logged by the supervisor and the next step
    /// runs on time.
    fn run(&self, ctx: &JobContext) -> impl Future<Output = Result<(), ErrorKind>> + Send;
}

/// What a step gets: the services, which instance it runs in, and whether
/// the instance is stopping.
#[derive(Debug, Clone)]
pub struct JobContext {
    /// The operations (database, settings, clock).
    pub services: Services,
    /// This instance: the owner of the leases the step claims.
    pub instance: InstanceId,
    /// Cancelled when the instance starts stopping: claim nothing more.
    pub stopping: CancellationToken,
}

impl JobContext {
    /// The context of jobs running in `services`' instance.
    pub fn new(services: &Services) -> Self {
        Self {
            instance: services.background.instance().clone(),
            stopping: services.background.stopping().clone(),
            services: services.clone(),
        }
    }

    /// The context of a step run as if by instance `instance` on
    /// `services`' database (tests standing in for another instance),
    /// never stopping.
    pub fn for_instance(services: &Services, instance: InstanceId) -> Self {
        Self {
            instance,
            stopping: CancellationToken::new(),
            services: services.clone(),
        }
    }

    /// Whether the instance is stopping (no new work may be claimed).
    pub fn is_stopping(&self) -> bool {
        self.stopping.is_cancelled()
    }

    /// Now, Unix ms, by the services' clock.
    pub fn now(&self) -> i64 {
        self.services.now()
    }
}

/// This instance's id: the owner named by its leases, its row in
/// `instances`, a label in `/metrics` and a field in the logs. The host's
/// name and random hex (`web-1-3f9a0c2e`), new at every start.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct InstanceId(Arc<str>);

impl InstanceId {
    /// A new id for an instance starting on this host.
    pub fn generate() -> Self {
        let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .or_else(|| std::env::var("HOSTNAME").ok())
            .unwrap_or_default();
        let host: String = host
            .trim()
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_'))
            .take(40)
            .collect();
        let host = if host.is_empty() {
            "overcast".to_owned()
        } else {
            host
        };
        let random = uuid::Uuid::new_v4().simple().to_string();
        Self(format!("{host}-{}", &random[..8]).into())
    }

    /// An id given by the caller (tests standing in for another instance).
    pub fn named(id: &str) -> Self {
        Self(id.into())
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for InstanceId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The background side of an instance, held by [`Services`]: its id, the
/// tasks it carries (polls, script runs), and its two stop signals.
#[derive(Debug, Clone)]
pub struct Background {
    instance: InstanceId,
    tasks: TaskTracker,
    stopping: CancellationToken,
    aborting: CancellationToken,
}

impl Default for Background {
    fn default() -> Self {
        Self::new(InstanceId::generate())
    }
}

impl Background {
    /// The background of instance `instance`.
    pub fn new(instance: InstanceId) -> Self {
        Self {
            instance,
            tasks: TaskTracker::new(),
            stopping: CancellationToken::new(),
            aborting: CancellationToken::new(),
        }
    }

    /// This instance's id.
    pub fn instance(&self) -> &InstanceId {
        &self.instance
    }

    /// Cancelled when the instance starts stopping: claim no more work.
    pub fn stopping(&self) -> &CancellationToken {
        &self.stopping
    }

    /// Cancelled when the shutdown's grace is over: what still runs stops
    /// where it is (its leases are released, so another instance takes
    /// over or ends it).
    pub fn aborting(&self) -> &CancellationToken {
        &self.aborting
    }

    /// Whether the instance is stopping.
    pub fn is_stopping(&self) -> bool {
        self.stopping.is_cancelled()
    }

    /// Runs `task` on the runtime, tracked: shutdown waits for it (up to
    /// the grace). It should watch [`Background::aborting`].
    pub fn spawn<F>(&self, task: F) -> tokio::task::JoinHandle<F::Output>
    where
        F: Future + Send + 'static,
        F::Output: Send + 'static,
    {
        self.tasks.spawn(task)
    }

    /// How many tracked tasks run now.
    pub fn running(&self) -> usize {
        self.tasks.len()
    }

    /// The start of a shutdown: steps claim nothing more, requests start
    /// no new background work.
    pub fn stop_claiming(&self) {
        self.stopping.cancel();
        self.tasks.close();
    }

    /// Waits until every tracked task has ended (only returns once
    /// [`Background::stop_claiming`] was called).
    pub async fn wait(&self) {
        self.tasks.wait().await;
    }

    /// The end of the grace: tracked tasks stop where they are.
    pub fn abort(&self) {
        self.stopping.cancel();
        self.aborting.cancel();
    }
}

/// `d` in whole seconds when it is whole (`30 s`), else with a decimal
/// (`1.5 s`), as reasons shown to operators say it.
pub fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 {
        format!("{} s", d.as_secs())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instance_ids_are_unique_and_fit_a_metrics_label() {
        let (a, b) = (InstanceId::generate(), InstanceId::generate());
        assert_ne!(a, b);
        for id in [a, b] {
            assert!(
                id.as_str()
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')),
                "{id}"
            );
        }
        assert_eq!(seconds(Duration::from_secs(30)), "30 s");
        assert_eq!(seconds(Duration::from_millis(1500)), "1.5 s");
    }
}
