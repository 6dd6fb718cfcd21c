//! Starting and stopping a server: used by `overcast serve`, the
//! integration tests and the benchmarks alike.

use std::{
    net::SocketAddr,
    time::{Duration, Instant},
};

use axum::serve::ListenerExt;
use leptos::config::LeptosOptions;
use service::{jobs::InstanceId, Services};
use tokio::{sync::oneshot, task::JoinHandle};

use crate::{build_router, config::Settings, jobs, secret_key, AppState};

/// A server listening on `addr`.
pub struct Running {
    /// Where it listens (the real port, when 0 was asked for).
    pub addr: SocketAddr,
    /// Its state.
    pub state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    /// The HTTP server's task, until it was waited for.
    server: Option<JoinHandle<std::io::Result<()>>>,
    jobs: jobs::Supervisor,
    grace: Duration,
}

/// How a shutdown went, for the log (and the tests).
#[derive(Debug, Clone)]
pub struct Stopped {
    /// From the start of the shutdown to the database closed.
    pub took: Duration,
    /// Whether everything under way finished within the grace.
    pub finished_in_grace: bool,
    /// Tracked tasks (polls, script runs) still running when the grace
    /// was over, aborted.
    pub aborted_tasks: usize,
    /// Leases released for other instances to take over.
    pub released_leases: u64,
}

/// Opens the database (creating and migrating it), binds, and serves.
pub async fn start(settings: Settings) -> Result<Running, String> {
    let trusted = crate::client_address::TrustedProxies::parse(&settings.trusted_proxies)?;
    let services = connect(&settings).await?;

    let leptos_options = LeptosOptions::builder()
        .output_name("overcast")
        .site_root(settings.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(settings.bind)
        .build();
    let (router, state) = build_router(services.clone(), leptos_options);
    state
        .page_cache
        .keep_for(std::time::Duration::from_millis(settings.page_cache_ms));
    let router = router.layer(axum::Extension(std::sync::Arc::new(trusted)));

    let listener = tokio::net::TcpListener::bind(settings.bind)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", settings.bind))?;
    let addr = listener
        .local_addr()
        .map_err(|e| format!("cannot read the bound address: {e}"))?;
    // Pages stream in chunks: without TCP_NODELAY a later chunk waits on the
    // client's delayed ACK (about 40 ms).
    let listener = listener.tap_io(|tcp| {
        if let Err(e) = tcp.set_nodelay(true) {
            tracing::debug!(error = %e, "could not set TCP_NODELAY");
        }
    });
    let (tx, rx) = oneshot::channel::<()>();
    let server = tokio::spawn(async move {
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async {
            let _ = rx.await;
        })
        .await
    });
    tracing::info!(instance = %services.background.instance(), "instance started");
    let jobs = jobs::Supervisor::start(&services);
    Ok(Running {
        addr,
        state,
        shutdown: Some(tx),
        server: Some(server),
        jobs,
        grace: std::time::Duration::from_secs(settings.shutdown_grace),
    })
}

/// Opens the database named by the settings and bundles the operations.
pub async fn connect(settings: &Settings) -> Result<Services, String> {
    let url = settings.database_url();
    let db = store::Db::connect(&url)
        .await
        .map_err(|e| format!("cannot open the database {}: {e}", store::redact_url(&url)))?;
    let key_file = settings.secret_key_file();
    let secret = secret_key::load_or_create(&key_file)?;
    let vault = service::vault::Vault::new(&secret.0)?;
    let now = time::OffsetDateTime::now_utc().unix_timestamp() * 1000;
    if let Err(message) = secret_key::verify(&db, &vault, &key_file, now).await {
        db.close().await;
        return Err(message);
    }
    let public_url = settings.public_url();
    Ok(Services::new(
        db,
        service::Settings {
            secure_cookies: public_url.starts_with("https://"),
            public_url,
            max_shell_sessions: settings.max_shell_sessions,
            script_wait: std::time::Duration::from_secs(settings.script_wait),
            provider_timeout: std::time::Duration::from_secs(settings.provider_timeout),
        },
        vault,
    ))
}

impl Running {
    /// This instance's id.
    pub fn instance(&self) -> &InstanceId {
        self.state.services.background.instance()
    }

    /// [`Running::shutdown`] with the configured grace (`--shutdown-grace`).
    pub async fn stop(self) -> Stopped {
        let grace = self.grace;
        self.shutdown(grace).await
    }

    /// Stops the instance: accepts no more connections and claims no more
    /// work at once; lets requests, job steps and tracked tasks (polls,
    /// script runs) under way finish for up to `grace`; then aborts what is
    /// left, releases this instance's leases (so another instance's reaper
    /// ends, or its poller takes over, at once instead of at expiry),
    /// removes its `instances` row and closes the database.
    pub async fn shutdown(mut self, grace: Duration) -> Stopped {
        let started = Instant::now();
        let deadline = tokio::time::Instant::now() + grace;
        let services = self.state.services.clone();
        let background = &services.background;
        let instance = background.instance().clone();
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        background.stop_claiming();
        tracing::info!(
            instance = %instance,
            grace_s = grace.as_secs_f64(),
            tasks = background.running(),
            "stopping: no new work; waiting for the work under way"
        );
        let server = &mut self.server;
        let workers = &mut self.jobs;
        let under_way = async {
            tokio::join!(workers.join(), background.wait(), async {
                if let Some(handle) = server.as_mut() {
                    match handle.await {
                        Ok(Err(e)) => tracing::warn!(error = %e, "server stopped with an error"),
                        Err(e) => tracing::warn!(error = %e, "server task failed"),
                        Ok(Ok(())) => {}
                    }
                    *server = None;
                }
            });
        };
        let finished_in_grace = tokio::time::timeout_at(deadline, under_way).await.is_ok();
        let mut aborted_tasks = 0;
        if !finished_in_grace {
            aborted_tasks = background.running();
            tracing::warn!(
                instance = %instance,
                tasks = aborted_tasks,
                "the grace is over: ending the work still under way"
            );
            background.abort();
            self.jobs.abort();
            if let Some(handle) = self.server.take() {
                handle.abort();
            }
            let _ = tokio::time::timeout(jobs::ABORT_WAIT, background.wait()).await;
            self.jobs.join().await;
        }
        let released_leases = match services.db.release_leases_of(instance.as_str()).await {
            Ok(n) => n,
            Err(e) => {
                tracing::warn!(error = %e, "cannot release this instance's leases: they expire");
                0
            }
        };
        if let Err(e) = services.db.forget_instance(instance.as_str()).await {
            tracing::warn!(error = %e, "cannot remove this instance's row");
        }
        services.db.close().await;
        let stopped = Stopped {
            took: started.elapsed(),
            finished_in_grace,
            aborted_tasks,
            released_leases,
        };
        tracing::info!(
            instance = %instance,
            took_ms = stopped.took.as_millis() as u64,
            finished_in_grace,
            aborted_tasks,
            released_leases,
            "stopped"
        );
        stopped
    }

    /// Waits until the server ends by itself, then stops the rest as
    /// [`Running::stop`] does.
    pub async fn wait(mut self) -> Result<(), String> {
        let result = match self.server.take() {
            Some(handle) => handle.await,
            None => Ok(Ok(())),
        };
        self.stop().await;
        match result {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(e) => Err(e.to_string()),
        }
    }
}
