//! The Linode driver reading Libcloud's recorded linode_v4 answers, served
//! by `linode_peer`: parsing, pages, the create body, action paths, error
//! mapping, and the conformance checks the recordings can prove.

use std::sync::{Arc, Mutex};

use base64::Engine;
use cloud::conformance::{self, Abilities};
use cloud::linode::Linode;
use cloud::{Action, CloudDriver, CreateMachine, DriverError, MachineState, PublicKey, Secret};
use serde_json::json;

use crate::fast_config;

#[path = "linode_peer.rs"]
mod peer;

use peer::{Fault, LinodePeer};

fn linode(endpoint: &str, token: &str) -> Linode {
    Linode::with_config(Secret::new(token), &fast_config(endpoint)).unwrap()
}

const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOvercast ops@laptop";
const USER_DATA: &str = "#cloud-config\nruncmd: [touch /ok]\n";

fn request(key: bool) -> CreateMachine {
    CreateMachine {
        name: "TestNode".into(),
        size: "g6-nanode-1".into(),
        image: "linode/centos7".into(),
        location: "eu-west".into(),
        key: key.then(|| PublicKey {
            name: "ops".into(),
            openssh: KEY.into(),
        }),
        user_data: key.then(|| USER_DATA.into()),
    }
}

#[tokio::test]
async fn instances_are_read_with_their_addresses_split() {
    let peer = LinodePeer::start().await;
    let machines = linode(&peer.url, "good").list_machines().await.unwrap();
    assert_eq!(
        peer.requests(),
        ["GET /v4/linode/instances?page=1&page_size=500"]
    );
    let summary: Vec<_> = machines
        .iter()
        .map(|m| (m.id.as_str(), m.name.as_str(), m.state))
        .collect();
    assert_eq!(
        summary,
        [
            ("22344420", "test_2", MachineState::Running),
            ("22344421", "test_1", MachineState::Running)
        ]
    );
    let m = &machines[0];
    assert_eq!(
        m.public_ips,
        ["138.89.34.81", "2a01:7e00::f03c:92ff:fe48:dc47"]
    );
    assert_eq!(m.private_ips, ["192.168.1.230"]);
    assert_eq!(machines[1].public_ips[0], "156.12.197.243");
    assert!(machines[1].private_ips.is_empty());
    assert_eq!(m.tags, ["123", "abcdefg", "testing"]);
    assert_eq!(
        (m.size.as_deref(), m.image.as_deref(), m.location.as_deref()),
        (Some("g6-nanode-1"), Some("linode/centos7"), Some("eu-west"))
    );
    assert_eq!(m.extra["status"], "running");
    assert_eq!(m.extra["specs"]["memory"], 1024);
    assert_eq!(m.extra["backups_enabled"], false);
    assert_eq!(m.extra["group"], json!(null), "an empty group is no group");
}

#[tokio::test]
async fn instances_and_images_are_read_across_two_pages() {
    let peer = LinodePeer::start().await;
    let d = linode(&peer.url, "paged");
    let machines = d.list_machines().await.unwrap();
    let ids: Vec<_> = machines.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["22344420", "22344421", "45501392"]);
    assert_eq!(machines[2].state, MachineState::Pending, "provisioning");
    assert_eq!(
        peer.requests(),
        [
            "GET /v4/linode/instances?page=1&page_size=500",
            "GET /v4/linode/instances?page=2&page_size=500"
        ]
    );

    // 25 + 9 recorded images, 10 of them deprecated: left out by default...
    let images = d.list_images(None).await.unwrap();
    assert_eq!(images.len(), 24);
    assert!(images.iter().all(|i| i.extra["deprecated"] == false));
    // ...and found by a search, on the second page too.
    let fedora = d.list_images(Some("FEDORA")).await.unwrap();
    let ids: Vec<_> = fedora.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "linode/fedora30",
            "linode/fedora31",
            "linode/fedora32",
            "linode/fedora27",
            "linode/fedora28",
            "linode/fedora29"
        ]
    );
    assert_eq!(peer.requests().len(), 6);
}

#[tokio::test]
async fn types_images_and_regions_are_read_from_the_recordings() {
    let peer = LinodePeer::start().await;
    let d = linode(&peer.url, "good");
    let sizes = d.list_sizes().await.unwrap();
    assert_eq!(sizes.len(), 28);
    let s = &sizes[0];
    assert_eq!(
        (s.id.as_str(), s.name.as_str(), s.ram_mb, s.disk_gb, s.cpus),
        ("g6-nanode-1", "Nanode 1GB", Some(1024), Some(25), Some(1))
    );
    assert_eq!(
        (s.transfer_gb, s.price_hourly, s.price_monthly),
        (Some(1000.0), Some(0.0075), Some(5.0))
    );
    assert_eq!(s.extra["class"], "nanode");
    let gpu = sizes.iter().find(|s| s.id == "g1-gpu-rtx6000-4").unwrap();
    assert_eq!(gpu.extra["gpus"], 4);

    let images = d.list_images(None).await.unwrap();
    let first = &images[0];
    assert_eq!(
        (first.id.as_str(), first.name.as_str(), first.os.as_deref()),
        ("linode/alpine3.10", "Alpine 3.10", Some("Alpine"))
    );
    assert!(first.public);
    assert!(!images.iter().any(|i| i.id == "linode/centos6.8"));
    let found = d.list_images(Some("centos")).await.unwrap();
    let ids: Vec<_> = found.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(
        ids,
        ["linode/centos7", "linode/centos8", "linode/centos6.8"]
    );

    let regions = d.list_locations().await.unwrap();
    assert_eq!(regions.len(), 10);
    let eu = regions.iter().find(|l| l.id == "eu-west").unwrap();
    assert_eq!((eu.country.as_deref(), eu.available), (Some("GB"), true));
    assert_eq!(eu.name, "eu-west", "the recording has no label");
    assert_eq!(regions[0].country.as_deref(), Some("IN"));
    assert!(eu.extra["capabilities"]
        .as_array()
        .unwrap()
        .contains(&json!("Linodes")));
}

/// Collects every tracing event's fields, as a log would show them.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<String>>>);

struct Fields<'a>(&'a mut String);

impl tracing::field::Visit for Fields<'_> {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        self.0.push_str(&format!("{}={value:?} ", field.name()));
    }
}

impl tracing::Subscriber for Capture {
    fn enabled(&self, _: &tracing::Metadata<'_>) -> bool {
        true
    }
    fn new_span(&self, span: &tracing::span::Attributes<'_>) -> tracing::span::Id {
        let mut line = format!("span {} ", span.metadata().name());
        span.record(&mut Fields(&mut line));
        self.0.lock().unwrap().push(line);
        tracing::span::Id::from_u64(1)
    }
    fn record(&self, _: &tracing::span::Id, values: &tracing::span::Record<'_>) {
        let mut line = String::new();
        values.record(&mut Fields(&mut line));
        self.0.lock().unwrap().push(line);
    }
    fn record_follows_from(&self, _: &tracing::span::Id, _: &tracing::span::Id) {}
    fn event(&self, event: &tracing::Event<'_>) {
        let mut line = format!("{} ", event.metadata().target());
        event.record(&mut Fields(&mut line));
        self.0.lock().unwrap().push(line);
    }
    fn enter(&self, _: &tracing::span::Id) {}
    fn exit(&self, _: &tracing::span::Id) {}
}

#[tokio::test]
async fn create_sends_the_key_and_user_data_and_never_shows_the_root_password() {
    let capture = Capture::default();
    let _logs = tracing::subscriber::set_default(capture.clone());
    let peer = LinodePeer::start().await;
    let d = linode(&peer.url, "good");
    let m = d.create_machine(&request(true)).await.unwrap();
    assert_eq!(
        (m.id.as_str(), m.name.as_str(), m.state),
        ("45501392", "TestNode", MachineState::Pending)
    );
    assert_eq!(m.public_ips[0], "45.32.179.25");
    assert_eq!(m.private_ips, ["192.168.206.100"]);

    let seen = peer.seen();
    let last = seen.last().unwrap();
    assert_eq!(
        (last.method.as_str(), last.uri.as_str()),
        ("POST", "/v4/linode/instances")
    );
    let sent = last.body.clone().unwrap();
    assert_eq!(sent["label"], "TestNode");
    assert_eq!(sent["type"], "g6-nanode-1");
    assert_eq!(sent["region"], "eu-west");
    assert_eq!(sent["image"], "linode/centos7");
    assert_eq!(sent["authorized_keys"], json!([KEY]));
    let encoded = sent["metadata"]["user_data"].as_str().unwrap();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded)
        .unwrap();
    assert_eq!(decoded, USER_DATA.as_bytes());
    let pass = sent["root_pass"].as_str().unwrap().to_owned();
    assert_eq!(pass.len(), 40);
    assert!(pass.chars().any(|c| c.is_ascii_uppercase()));
    assert!(pass.chars().any(|c| c.is_ascii_digit()));

    // A refused create: the error does not quote the password either.
    let bad = CreateMachine {
        image: "no-such-image".into(),
        ..request(false)
    };
    let err = d.create_machine(&bad).await.unwrap_err();
    let sent = peer.seen().last().unwrap().body.clone().unwrap();
    assert!(sent.get("authorized_keys").is_none() && sent.get("metadata").is_none());
    let second = sent["root_pass"].as_str().unwrap().to_owned();
    assert_ne!(pass, second, "every create gets its own password");

    let logs = capture.0.lock().unwrap().join("\n");
    assert!(
        logs.contains("creating a Linode"),
        "the capture saw nothing: {logs}"
    );
    for shown in [
        logs,
        format!("{d:?}"),
        format!("{m:?}"),
        format!("{err:?} {err}"),
    ] {
        assert!(
            !shown.contains(&pass) && !shown.contains(&second),
            "a root password shows: {shown}"
        );
        assert!(!shown.contains("Bearer good"), "the token shows: {shown}");
    }
}

#[tokio::test]
async fn actions_and_tags_go_to_linode_paths() {
    let peer = LinodePeer::start().await;
    let d = linode(&peer.url, "good");
    for action in Action::ALL {
        d.machine_action("22344420", action).await.unwrap();
    }
    d.set_tags("22344420", &["overcast".into(), "web".into()])
        .await
        .unwrap();
    assert_eq!(
        peer.requests(),
        [
            "POST /v4/linode/instances/22344420/reboot",
            "POST /v4/linode/instances/22344420/shutdown",
            "POST /v4/linode/instances/22344420/boot",
            "DELETE /v4/linode/instances/22344420",
            "PUT /v4/linode/instances/22344420",
        ]
    );
    let sent = peer.seen().last().unwrap().body.clone().unwrap();
    assert_eq!(sent, json!({ "tags": ["overcast", "web"] }));

    // Refused before anything is sent.
    let err = d.machine_action("../profile", Action::Reboot).await;
    assert!(matches!(err, Err(DriverError::NotFound(_))), "{err:?}");
    let err = d.set_tags("22344420", &["x".into()]).await;
    assert!(
        matches!(err, Err(DriverError::InvalidRequest(_))),
        "{err:?}"
    );
    assert_eq!(peer.requests().len(), 5);
}

#[tokio::test]
async fn linode_errors_map_to_driver_errors() {
    let peer = LinodePeer::start().await;
    let err = linode(&peer.url, "bad")
        .check_credentials()
        .await
        .unwrap_err();
    assert_eq!(err, DriverError::BadCredentials("Invalid Token".into()));
    assert_eq!(peer.requests(), ["GET /v4/profile"], "a 401 is not retried");

    let d = linode(&peer.url, "good");
    d.check_credentials().await.unwrap();
    let err = d.machine_action("4242", Action::Reboot).await.unwrap_err();
    assert_eq!(err, DriverError::NotFound("Not found".into()));
    let bad = CreateMachine {
        image: "no-such-image".into(),
        ..request(false)
    };
    let err = d.create_machine(&bad).await.unwrap_err();
    assert_eq!(
        err,
        DriverError::InvalidRequest("image: image is not valid".into())
    );

    peer.fail_next([Fault::Status(
        400,
        "Account limit reached. Please open a support ticket.",
        None,
    )]);
    let err = d.create_machine(&request(false)).await.unwrap_err();
    assert!(matches!(err, DriverError::Quota(_)), "{err:?}");
}

#[tokio::test]
async fn a_429_and_5xx_are_retried_then_transient() {
    let peer = LinodePeer::start().await;
    let d = linode(&peer.url, "good");
    peer.fail_next([
        Fault::Status(429, "Too Many Requests", Some("0")),
        Fault::Status(502, "Bad Gateway", None),
    ]);
    assert_eq!(d.list_locations().await.unwrap().len(), 10);
    assert_eq!(peer.requests().len(), 3);

    peer.fail_next(vec![Fault::Status(503, "Service Unavailable", None); 4]);
    let err = d.list_sizes().await.unwrap_err();
    assert_eq!(
        err,
        DriverError::Unavailable("HTTP 503: Service Unavailable".into())
    );
    assert!(err.is_transient());
    assert_eq!(peer.requests().len(), 7);

    peer.fail_next(vec![Fault::Status(429, "Too Many Requests", None); 4]);
    let err = d.list_machines().await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");

    // A create that may have landed is not sent again.
    let before = peer.requests().len();
    peer.fail_next([Fault::Status(500, "Internal Server Error", None)]);
    let err = d.create_machine(&request(false)).await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert_eq!(peer.requests().len(), before + 1);
}

/// The recordings list the id a create returns (on the second page of the
/// `paged` scenario) and 404 unknown ids, but do not change state: the
/// stateless group plus "listed" and "not found".
#[tokio::test]
async fn the_conformance_suite_passes_on_what_the_recordings_can_prove() {
    let peer = LinodePeer::start().await;
    let peer_can = Abilities {
        lists_created: true,
        unknown_ids: vec!["999999".into(), "not-a-linode".into()],
        ..Abilities::stateless(request(true))
    };
    let ran = conformance::run(Arc::new(linode(&peer.url, "paged")), &peer_can).await;
    assert!(peer::KNOWN.contains(&ran.created.unwrap().id.as_str()));
}
