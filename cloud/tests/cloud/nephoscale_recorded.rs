//! The NephoScale driver reading Libcloud's recorded nephoscale answers,
//! served by `nephoscale_peer`: parsing, the create forms, action paths,
//! error mapping, retries, and the conformance suite's stateless group.

use std::sync::Arc;
use std::time::Duration;

use cloud::conformance::{self, Abilities};
use cloud::nephoscale::NephoScale;
use cloud::{Action, CloudDriver, CreateMachine, DriverError, MachineState, PublicKey, Secret};

use crate::fast_config;
use crate::nephoscale_peer::{Fault, NephoPeer, CREATED, NEW_KEY};

fn nephoscale(endpoint: &str, user: &str) -> NephoScale {
    NephoScale::with_config(user, Secret::new("password"), &fast_config(endpoint))
        .unwrap()
        .with_create_lookup(2, Duration::from_millis(10))
}

const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOvercast ops@laptop";

/// The recorded key's type and body with another comment.
fn recorded_key() -> String {
    let keys: serde_json::Value = serde_json::from_str(include_str!(
        "../fixtures/libcloud/nephoscale/list_ssh_keys.json"
    ))
    .unwrap();
    let recorded = keys["data"][0]["public_key"].as_str().unwrap();
    let body: Vec<_> = recorded.split_whitespace().take(2).collect();
    format!("{} someone@else", body.join(" "))
}

fn request(key: Option<&str>) -> CreateMachine {
    CreateMachine {
        name: "Staging Web".into(),
        size: "27".into(),
        image: "75".into(),
        location: "87729".into(),
        key: key.map(|k| PublicKey {
            name: "ops".into(),
            openssh: k.into(),
        }),
        user_data: None,
    }
}

#[tokio::test]
async fn servers_are_read_from_the_recording() {
    let peer = NephoPeer::start().await;
    let machines = nephoscale(&peer.url, "user").list_machines().await.unwrap();
    assert_eq!(peer.requests(), ["GET /server/cloud/"]);
    let summary: Vec<_> = machines
        .iter()
        .map(|m| (m.id.as_str(), m.name.as_str(), m.state))
        .collect();
    assert_eq!(
        summary,
        [
            ("88241", "mongodb-staging", MachineState::Running),
            ("88751", "backup-server2", MachineState::Running)
        ]
    );
    let m = &machines[0];
    assert_eq!(m.public_ips, ["198.89.117.16"]);
    assert!(m.private_ips.is_empty());
    assert_eq!(machines[1].public_ips, ["198.89.112.115"]);
    assert_eq!(
        (m.size.as_deref(), m.image.as_deref(), m.location.as_deref()),
        (Some("5"), Some("49"), Some("87729"))
    );
    assert_eq!(m.extra["zone"], "RIC-1");
    assert_eq!(m.extra["service_type"], "CS05 - 0.5GB, 1Core, 25GB");
    assert_eq!(m.extra["image"], "Linux Ubuntu Server 10.04 LTS 64-bit");
    assert_eq!(m.extra["power_status"], "on");
    assert_eq!(m.extra["memory"], 512);
    assert!(m.tags.is_empty());
}

#[tokio::test]
async fn sizes_images_and_zones_are_read_from_the_recordings() {
    let peer = NephoPeer::start().await;
    let d = nephoscale(&peer.url, "user");
    let sizes = d.list_sizes().await.unwrap();
    assert_eq!(sizes.len(), 13);
    let s = &sizes[0];
    assert_eq!(
        (s.id.as_str(), s.name.as_str(), s.ram_mb, s.disk_gb, s.cpus),
        (
            "1",
            "CS16.16 - 16GB, 16Core, 800GB",
            Some(16384),
            Some(800),
            Some(16)
        )
    );
    let small = sizes.iter().find(|s| s.id == "27").unwrap();
    assert_eq!((small.ram_mb, small.disk_gb), (Some(256), Some(15)));
    assert_eq!(small.extra["sku"]["name"], "CS025");
    assert_eq!(s.price_monthly, None, "the API gives no prices");

    let images = d.list_images(None).await.unwrap();
    assert_eq!(images.len(), 18);
    let first = &images[0];
    assert_eq!(
        (first.id.as_str(), first.name.as_str(), first.os.as_deref()),
        ("3", "Linux CentOS 5.5 32-bit", Some("linux"))
    );
    assert_eq!(first.extra["architecture"], "x86");
    let found = d.list_images(Some("UBUNTU")).await.unwrap();
    let ids: Vec<_> = found.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["43", "49", "75"]);
    let windows = d.list_images(Some("Windows")).await.unwrap();
    assert!(windows.iter().all(|i| i.os.as_deref() == Some("windows")));
    assert_eq!(windows.len(), 2);

    let zones = d.list_locations().await.unwrap();
    let summary: Vec<_> = zones
        .iter()
        .map(|l| (l.id.as_str(), l.name.as_str(), l.country.as_deref()))
        .collect();
    assert_eq!(
        summary,
        [
            ("86945", "SJC-1", Some("US")),
            ("87729", "RIC-1", Some("US"))
        ]
    );
    assert_eq!(zones[1].extra["airport_code"], "RIC");
}

#[tokio::test]
async fn create_files_a_new_key_then_sends_the_server_form() {
    let peer = NephoPeer::start().await;
    let d = nephoscale(&peer.url, "user");
    let m = d.create_machine(&request(Some(KEY))).await.unwrap();
    assert_eq!(
        (m.id.as_str(), m.name.as_str(), m.state),
        (CREATED, "Staging Web", MachineState::Pending)
    );
    assert_eq!(m.extra["job"], 141229);
    assert_eq!(
        peer.requests(),
        [
            "GET /server/cloud/",
            "GET /key/sshrsa/",
            "POST /key/sshrsa/",
            "POST /server/cloud/",
            "GET /server/cloud/",
        ]
    );
    let seen = peer.seen();
    let key = &seen[2];
    assert_eq!(key.field("name"), Some("ops"));
    assert_eq!(key.field("public_key"), Some(KEY));
    assert_eq!(key.field("key_group"), Some("1"));
    let server = &seen[3];
    let fields: Vec<_> = server.body.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        fields,
        [
            "name",
            "hostname",
            "service_type",
            "image",
            "zone",
            "server_key"
        ]
    );
    assert_eq!(server.field("name"), Some("Staging Web"));
    assert_eq!(server.field("hostname"), Some("staging-web"));
    assert_eq!(server.field("service_type"), Some("27"));
    assert_eq!(server.field("image"), Some("75"));
    assert_eq!(server.field("zone"), Some("87729"));
    assert_eq!(server.field("server_key"), Some(NEW_KEY));
}

#[tokio::test]
async fn create_reuses_a_recorded_key_and_refuses_what_nephoscale_lacks() {
    let peer = NephoPeer::start().await;
    let d = nephoscale(&peer.url, "user");
    d.create_machine(&request(Some(&recorded_key())))
        .await
        .unwrap();
    let seen = peer.seen();
    assert!(!peer.requests().contains(&"POST /key/sshrsa/".to_owned()));
    let server = seen.iter().find(|s| s.method == "POST").unwrap();
    assert_eq!(server.field("server_key"), Some("72209"));

    // Without a key: no key field, no key request.
    let before = peer.requests().len();
    d.create_machine(&request(None)).await.unwrap();
    let seen = peer.seen();
    assert_eq!(seen.len(), before + 3);
    assert_eq!(seen[before + 1].field("server_key"), None);

    // Refused before anything is sent (user data by the capability guard).
    let before = peer.requests().len();
    let script = CreateMachine {
        user_data: Some("#!/bin/sh\ntouch /ok\n".into()),
        ..request(None)
    };
    let err = cloud::guarded(Arc::new(d.clone()))
        .create_machine(&script)
        .await
        .unwrap_err();
    assert!(matches!(err, DriverError::Unsupported { .. }), "{err:?}");
    assert!(!d.capabilities().user_data && !d.capabilities().tag);
    let bad = CreateMachine {
        size: "CS05".into(),
        ..request(None)
    };
    let err = d.create_machine(&bad).await.unwrap_err();
    assert!(matches!(err, DriverError::InvalidRequest(_)), "{err:?}");
    assert_eq!(peer.requests().len(), before);

    // A 200 whose envelope refuses is an error quoting NephoScale.
    let refused = CreateMachine {
        image: "404".into(),
        ..request(None)
    };
    let err = d.create_machine(&refused).await.unwrap_err();
    assert_eq!(err, DriverError::InvalidRequest("Invalid image".into()));
}

#[tokio::test]
async fn a_create_whose_server_is_not_listed_names_the_job() {
    let peer = NephoPeer::start().await;
    let d = nephoscale(&peer.url, "slow");
    let err = d.create_machine(&request(None)).await.unwrap_err();
    assert!(
        matches!(err, DriverError::Unavailable(ref m) if m.contains("141229") && m.contains("Staging Web")),
        "{err:?}"
    );
    let gets = peer
        .requests()
        .iter()
        .filter(|r| r.starts_with("GET"))
        .count();
    assert_eq!(gets, 3, "one listing before, two looks after");
}

#[tokio::test]
async fn actions_go_to_nephoscale_paths() {
    let peer = NephoPeer::start().await;
    let d = nephoscale(&peer.url, "user");
    for action in Action::ALL {
        d.machine_action("88241", action).await.unwrap();
    }
    assert_eq!(
        peer.requests(),
        [
            "POST /server/cloud/88241/initiator/restart/",
            "POST /server/cloud/88241/initiator/stop/",
            "POST /server/cloud/88241/initiator/start/",
            "DELETE /server/cloud/88241/",
        ]
    );
    let err = d.machine_action("../key", Action::Reboot).await;
    assert!(matches!(err, Err(DriverError::NotFound(_))), "{err:?}");
    assert_eq!(peer.requests().len(), 4, "a malformed id is not sent");
    let err = d.machine_action("4242", Action::Stop).await.unwrap_err();
    assert_eq!(
        err,
        DriverError::NotFound("The resource you are looking for is not found.".into())
    );
    let err = d.set_tags("88241", &["web".into()]).await.unwrap_err();
    assert!(matches!(err, DriverError::Unsupported { .. }), "{err:?}");
}

#[tokio::test]
async fn bad_credentials_are_refused_with_nephoscale_message() {
    let peer = NephoPeer::start().await;
    let d = NephoScale::with_config("user", Secret::new("wrong"), &fast_config(&peer.url)).unwrap();
    let err = d.check_credentials().await.unwrap_err();
    assert_eq!(
        err,
        DriverError::BadCredentials("Authentication failed: bad username or password".into())
    );
    assert_eq!(peer.requests(), ["GET /datacenter/zone/"], "not retried");
    assert!(!format!("{d:?}").contains("wrong"));
    nephoscale(&peer.url, "user")
        .check_credentials()
        .await
        .unwrap();
}

#[tokio::test]
async fn faults_are_retried_then_surfaced() {
    let peer = NephoPeer::start().await;
    let d = nephoscale(&peer.url, "user");
    peer.fail_next([
        Fault::Status(429, "Too many requests", Some("0")),
        Fault::Status(500, "Internal error", None),
        Fault::Delay(Duration::from_millis(50)),
    ]);
    assert_eq!(d.list_locations().await.unwrap().len(), 2);
    assert_eq!(peer.requests().len(), 3);

    peer.fail_next(vec![Fault::Status(500, "Internal error", None); 4]);
    let err = d.list_sizes().await.unwrap_err();
    assert_eq!(
        err,
        DriverError::Unavailable("HTTP 500: Internal error".into())
    );
    assert_eq!(peer.requests().len(), 7, "three retries");

    // An action (a POST) that may have landed is not sent again.
    peer.fail_next([Fault::Status(500, "Internal error", None)]);
    let err = d.machine_action("88241", Action::Reboot).await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert_eq!(peer.requests().len(), 8);
}

/// The peer lists a created server and 404s unknown ids, but keeps no
/// other state: the stateless group plus "listed" and "not found".
#[tokio::test]
async fn the_conformance_suite_passes_on_what_the_recordings_can_prove() {
    let peer = NephoPeer::start().await;
    let d = nephoscale(&peer.url, "user");
    let peer_can = Abilities {
        lists_created: true,
        unknown_ids: vec!["999999".into(), "not-a-server".into()],
        ..Abilities::stateless(request(Some(KEY)))
    };
    let ran = conformance::run(Arc::new(d), &peer_can).await;
    assert_eq!(ran.created.unwrap().id, CREATED);
}
