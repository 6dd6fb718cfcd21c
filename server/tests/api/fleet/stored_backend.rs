//! A backend as stored, written straight into the database by the fleet's
//! tests, its benchmark (`benches/fleet.rs`) and the cluster's abandoned
//! pages (`tests/cluster/abandoned_pages.rs`), which include this file.

use store::backends::StoredBackend;

/// A DigitalOcean backend `id` as stored, enabled (`online`) or not
/// (`disabled`); its address answers nothing.
pub fn do_backend(id: &str, title: &str, enabled: bool) -> StoredBackend {
    StoredBackend {
        id: id.to_owned(),
        title: title.to_owned(),
        provider: "digitalocean".into(),
        region: None,
        apikey: None,
        apiurl: Some("http://127.0.0.1:9".into()),
        config: "{}".into(),
        secret_sealed: None,
        enabled,
        state: if enabled { "online" } else { "disabled" }.into(),
        state_reason: None,
        poll_interval: 3_600_000,
        polled_at: None,
        created_at: 1_700_000_000_000,
    }
}
