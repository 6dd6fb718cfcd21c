//! Rows the store's tests are built from.

use store::backends::{StoredBackend, StoredMachine};

/// A bare-metal backend, enabled and online.
pub fn backend(id: &str, title: &str) -> StoredBackend {
    StoredBackend {
        id: id.into(),
        title: title.into(),
        provider: "bare_metal".into(),
        region: None,
        apikey: None,
        apiurl: None,
        config: "{}".into(),
        secret_sealed: None,
        enabled: true,
        state: "online".into(),
        state_reason: None,
        poll_interval: 10_000,
        polled_at: None,
        created_at: 1,
    }
}

/// Machine `id` of `backend_id`, running.
pub fn machine(backend_id: &str, id: &str) -> StoredMachine {
    StoredMachine {
        backend_id: backend_id.into(),
        id: id.into(),
        name: id.into(),
        state: "running".into(),
        public_ips: "[\"127.0.0.1\"]".into(),
        private_ips: "[]".into(),
        ssh_port: 22,
        extra: "{}".into(),
        seen_at: 1,
    }
}
