//! Keeping each enabled backend's state and machines fresh: every
//! `poll_interval`, each backend is polled in its own task with its own
//! time limit, so a slow or dead provider never holds up another, and lists
//! always answer from the database.

use std::{
    collections::HashSet,
    sync::{Arc, Mutex},
    time::Duration,
};

use store::backends::StoredBackend;

use crate::{backends, drivers, Services};

/// Longest a single poll may take.
pub const POLL_TIMEOUT: Duration = Duration::from_secs(60);

/// Backends being polled right now (one poll per backend at a time).
#[derive(Debug, Default, Clone)]
pub struct InFlight(Arc<Mutex<HashSet<String>>>);

impl InFlight {
    fn start(&self, id: &str) -> bool {
        self.0
            .lock()
            .map(|mut s| s.insert(id.to_owned()))
            .unwrap_or(false)
    }

    fn end(&self, id: &str) {
        if let Ok(mut s) = self.0.lock() {
            s.remove(id);
        }
    }
}

/// Starts a poll of every enabled backend that is due and not already
/// being polled; returns how many were started.
pub async fn poll_due(services: &Services, in_flight: &InFlight) -> usize {
    let backends = match services.db.backends().await {
        Ok(b) => b,
        Err(e) => {
            tracing::warn!(error = %e, "cannot read backends to poll");
            return 0;
        }
    };
    let now = services.now();
    let mut started = 0;
    for backend in backends {
        let due = backend.polled_at.unwrap_or(0) + backend.poll_interval <= now;
        if !backend.enabled || !due || !in_flight.start(&backend.id) {
            continue;
        }
        // Several instances on one database: only the one that claims the
        // poll makes it.
        match services
            .db
            .claim_poll(&backend.id, backend.polled_at, now)
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                in_flight.end(&backend.id);
                continue;
            }
            Err(e) => {
                tracing::warn!(backend = %backend.id, error = %e, "cannot claim a poll");
                in_flight.end(&backend.id);
                continue;
            }
        }
        started += 1;
        let services = services.clone();
        let in_flight = in_flight.clone();
        tokio::spawn(async move {
            let id = backend.id.clone();
            let outcome = tokio::time::timeout(POLL_TIMEOUT, poll(&services, &backend)).await;
            let (state, reason) = match outcome {
                Ok(Ok(())) => ("online", None),
                Ok(Err((state, reason))) => (state, Some(reason)),
                Err(_) => (
                    "error",
                    Some(format!("no answer within {} s", POLL_TIMEOUT.as_secs())),
                ),
            };
            if let Err(e) = services
                .db
                .set_backend_state(&id, state, reason.as_deref(), services.now())
                .await
            {
                tracing::warn!(backend = %id, error = %e, "cannot record a poll");
            }
            in_flight.end(&id);
        });
    }
    started
}

/// Polls one backend: `Err((state, reason))` when it is not online.
pub async fn poll(
    services: &Services,
    backend: &StoredBackend,
) -> Result<(), (&'static str, String)> {
    if backend.provider == "bare_metal" {
        return reachable(backend).await;
    }
    if !drivers::is_driven(&backend.provider) {
        return Err(("error", "no driver for this provider yet".into()));
    }
    match backends::cloud_machines(services, backend).await {
        Ok(machines) => services
            .db
            .replace_machines(&backend.id, &machines)
            .await
            .map_err(|e| ("error", format!("cannot store the machines: {e}"))),
        // A provider that fails, answers garbage or cannot be reached: the
        // backend is in error, saying why (a bare-metal host that does not
        // answer is `offline`: it is the machine itself).
        Err(e) => Err(("error", e.to_string())),
    }
}

/// A bare-metal host is online when its SSH port accepts connections.
async fn reachable(backend: &StoredBackend) -> Result<(), (&'static str, String)> {
    let config: serde_json::Value = serde_json::from_str(&backend.config).unwrap_or_default();
    let host = config["machine_ip"].as_str().unwrap_or_default();
    let port = config["machine_port"].as_u64().unwrap_or(22);
    let addr = format!("{host}:{port}");
    match tokio::time::timeout(
        Duration::from_secs(5),
        tokio::net::TcpStream::connect(&addr),
    )
    .await
    {
        Ok(Ok(_)) => Ok(()),
        Ok(Err(e)) => Err(("offline", format!("cannot reach {addr}: {e}"))),
        Err(_) => Err(("offline", format!("{addr} did not answer within 5 s"))),
    }
}
