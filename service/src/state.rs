use std::sync::{
    atomic::{AtomicBool, Ordering},
    Arc,
};

use domain::ErrorKind;

use store::Db;

/// Settings the operations need (the server's CLI owns the rest).
#[derive(Debug, Clone)]
pub struct Settings {
    /// Whether cookies must be `Secure` (the public URL is HTTPS).
    pub secure_cookies: bool,
    /// The URL operators reach this installation at.
    pub public_url: String,
    /// Most shell sessions one account may have open at once.
    pub max_shell_sessions: usize,
    /// How long a script waits for its machine to answer over SSH (a
    /// machine just created takes a while to boot).
    pub script_wait: std::time::Duration,
    /// How long one request to a cloud provider may take.
    pub provider_timeout: std::time::Duration,
}

/// Everything an operation needs, cheap to clone. Provided to server
/// functions as Leptos context and to REST handlers as axum state.
#[derive(Debug, Clone)]
pub struct Services {
    /// The database.
    pub db: Db,
    /// Settings.
    pub settings: Arc<Settings>,
    /// Once a master account exists it never goes away: remembered here so
    /// pages need not ask the database each time.
    set_up: Arc<AtomicBool>,
    /// The clock, in Unix ms (tests turn it forward).
    clock: Clock,
    /// Seals and opens stored secrets.
    pub vault: crate::vault::Vault,
    /// Open shell sessions per account.
    pub shells: Arc<crate::shell::Sessions>,
    /// Cloud drivers built so far, per backend.
    pub drivers: Arc<crate::drivers::DriverCache>,
    /// This instance's id, its tracked background tasks (polls, script
    /// runs) and its stop signals.
    pub background: crate::jobs::Background,
    /// This instance's fan-out of events to its subscribers.
    pub events: Arc<crate::events::Bus>,
    /// The parsed scopes of callers' roles, kept while the database's
    /// rights generation has not moved.
    pub rights: Arc<crate::rights_cache::RightsCache>,
    /// Backends' whole machine lists as JSON, kept per caller's rights
    /// while their machines have not changed.
    pub machine_lists: Arc<crate::machines::ListCache>,
    /// The fleet's passes over the machines, kept per caller's rights,
    /// query and the machines' counters.
    pub fleet_scans: Arc<crate::machines::ScanCache>,
}

/// A source of the current time in Unix milliseconds.
#[derive(Clone)]
pub struct Clock(Arc<dyn Fn() -> i64 + Send + Sync>);

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

impl Services {
    /// Bundles a connected database with settings.
    pub fn new(db: Db, settings: Settings, vault: crate::vault::Vault) -> Self {
        Self {
            vault,
            shells: Arc::default(),
            drivers: Arc::default(),
            background: crate::jobs::Background::default(),
            events: Arc::default(),
            rights: Arc::default(),
            machine_lists: Arc::default(),
            fleet_scans: Arc::default(),
            db,
            settings: Arc::new(settings),
            set_up: Arc::new(AtomicBool::new(false)),
            clock: Clock(Arc::new(store::now_ms)),
        }
    }

    /// The same services on another clock.
    pub fn with_clock(mut self, now: impl Fn() -> i64 + Send + Sync + 'static) -> Self {
        self.clock = Clock(Arc::new(now));
        self
    }

    /// Now, Unix ms, by this installation's clock.
    pub fn now(&self) -> i64 {
        (self.clock.0)()
    }

    /// Whether the master account exists.
    pub async fn is_set_up(&self) -> Result<bool, ErrorKind> {
        if self.set_up.load(Ordering::Relaxed) {
            return Ok(true);
        }
        let exists = self.db.master_exists().await.map_err(crate::internal)?;
        if exists {
            self.set_up.store(true, Ordering::Relaxed);
        }
        Ok(exists)
    }
}
