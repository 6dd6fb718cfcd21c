//! Starting and stopping a server: used by `overcast serve`, the
//! integration tests and the benchmarks alike.

use std::net::SocketAddr;

use axum::serve::ListenerExt;
use leptos::config::LeptosOptions;
use service::Services;
use tokio::{sync::oneshot, task::JoinHandle};

use crate::{build_router, config::Settings, jobs, secret_key, AppState};

/// A server listening on `addr`.
pub struct Running {
    /// Where it listens (the real port, when 0 was asked for).
    pub addr: SocketAddr,
    /// Its state.
    pub state: AppState,
    shutdown: Option<oneshot::Sender<()>>,
    server: JoinHandle<std::io::Result<()>>,
    housekeeping: JoinHandle<()>,
    pollers: JoinHandle<()>,
}

/// Opens the database (creating and migrating it), binds, and serves.
pub async fn start(settings: Settings) -> Result<Running, String> {
    let services = connect(&settings).await?;

    let leptos_options = LeptosOptions::builder()
        .output_name("overcast")
        .site_root(settings.site_root.display().to_string())
        .site_pkg_dir("pkg")
        .site_addr(settings.bind)
        .build();
    let (router, state) = build_router(services.clone(), leptos_options);

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
    match service::scripts::abandon_unfinished(&services).await {
        Ok(0) | Err(_) => {}
        Ok(n) => tracing::warn!(
            runs = n,
            "script runs left unfinished by the previous process"
        ),
    }
    let housekeeping = tokio::spawn(jobs::housekeeping(services.clone()));
    let pollers = tokio::spawn(jobs::pollers(services));
    Ok(Running {
        addr,
        state,
        shutdown: Some(tx),
        server,
        housekeeping,
        pollers,
    })
}

/// Opens the database named by the settings and bundles the operations.
pub async fn connect(settings: &Settings) -> Result<Services, String> {
    let url = settings.database_url();
    let db = store::Db::connect(&url)
        .await
        .map_err(|e| format!("cannot open the database {}: {e}", store::redact_url(&url)))?;
    let secret = secret_key::load_or_create(&settings.secret_key_file())?;
    let vault = service::vault::Vault::new(&secret.0)?;
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
    /// Stops accepting, finishes requests under way, and closes the database.
    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        self.housekeeping.abort();
        self.pollers.abort();
        match (&mut self.server).await {
            Ok(Err(e)) => tracing::warn!(error = %e, "server stopped with an error"),
            Err(e) => tracing::warn!(error = %e, "server task failed"),
            Ok(Ok(())) => {}
        }
        self.state.services.db.close().await;
    }

    /// Waits until the server ends by itself.
    pub async fn wait(mut self) -> Result<(), String> {
        let result = (&mut self.server).await;
        self.housekeeping.abort();
        self.pollers.abort();
        match result {
            Ok(Ok(())) => Ok(()),
            Ok(Err(e)) => Err(e.to_string()),
            Err(e) => Err(e.to_string()),
        }
    }
}
