//! The OpenStack driver's Nova side on Libcloud's recorded answers:
//! servers (states, addresses, pages), flavours, images, create with key
//! pairs and user data, actions, metadata as tags.

use std::sync::Arc;

use cloud::conformance;
use cloud::openstack::KeystoneVersion::V2;
use cloud::{Action, CloudDriver, CreateMachine, DriverError, MachineState, PublicKey};
use serde_json::json;

use crate::openstack_peer::{plain, rackspace, OpenStackPeer};

const ORD: &str = "GET /ord.servers.api.rackspacecloud.com/v2/1337";

/// A create in ORD of flavour 2 with `image`, `key` and a script.
pub fn request(image: &str, key: Option<&str>) -> CreateMachine {
    CreateMachine {
        name: "web-1".into(),
        size: "2".into(),
        image: image.into(),
        location: "ORD".into(),
        key: key.map(|k| PublicKey {
            name: "ops key".into(),
            openssh: k.into(),
        }),
        user_data: Some("#!/bin/sh\n".into()),
    }
}

#[tokio::test]
async fn servers_are_read_with_states_and_addresses_across_pages() {
    let peer = OpenStackPeer::start().await;
    peer.paginate();
    let d = rackspace("rackspace:ord", &format!("{}/v2.0", peer.url), "ops");
    let machines = d.list_machines().await.unwrap();
    // The next link names Nova's internal host: only its query is followed.
    let gets: Vec<_> = peer
        .requests()
        .into_iter()
        .filter(|r| r.starts_with("GET"))
        .collect();
    assert_eq!(
        gets,
        [
            format!("{ORD}/servers/detail"),
            format!("{ORD}/servers/detail?limit=2&marker=12064")
        ]
    );
    let summary: Vec<_> = machines
        .iter()
        .map(|m| (m.id.as_str(), m.name.as_str(), m.state))
        .collect();
    assert_eq!(
        summary,
        [
            ("12065", "lc-test-2", MachineState::Pending),
            ("12064", "lc-test", MachineState::Running),
            (
                "2d05bd68-3fbb-4b47-9f38-c690a5d93e45",
                "test_vm",
                MachineState::Error
            ),
        ]
    );
    let m = &machines[0];
    assert_eq!(
        m.public_ips,
        [
            "12.16.18.28",
            "192.168.3.3",
            "172.16.1.1",
            "50.57.94.35",
            "1.1.1.1",
            "2.2.2.2",
            "2001:4801:7808:52:16:3eff:fe47:788a"
        ],
        "routable or floating, IPv4 first, by network name"
    );
    assert_eq!(
        m.private_ips,
        [
            "10.3.3.3",
            "10.182.64.34",
            "fec0:4801:7808:52:16:3eff:fe60:187d"
        ]
    );
    assert_eq!(
        (m.size.as_deref(), m.image.as_deref(), m.location.as_deref()),
        (Some("2"), Some("7"), Some("ORD"))
    );
    assert_eq!(m.extra["task_state"], "spawning");
    assert_eq!(m.extra["fault"], "test message");
    assert!(m.tags.is_empty());
    assert_eq!(machines[2].image, None, "booted from a volume");
    conformance::machines_are_well_formed(&d).await;
}

#[tokio::test]
async fn flavours_images_and_the_region_are_read_from_the_recordings() {
    let peer = OpenStackPeer::start().await;
    let d = rackspace("rackspace:ord", &format!("{}/v2.0", peer.url), "ops");
    let sizes = d.list_sizes().await.unwrap();
    assert_eq!(sizes.len(), 8);
    let s = &sizes[0];
    assert_eq!((s.id.as_str(), s.name.as_str()), ("7", "15.5GB slice"));
    assert_eq!(
        (s.ram_mb, s.disk_gb, s.cpus, s.price_hourly),
        (Some(16384), Some(620), Some(8), None)
    );

    let images = d.list_images(None).await.unwrap();
    assert_eq!(images.len(), 13);
    assert_eq!(
        (images[0].id.as_str(), images[0].os.as_deref()),
        ("13", Some("windows"))
    );
    assert!(
        !images[0].public,
        "a snapshot of a server is the account's own"
    );
    let found = d.list_images(Some("ubuntu")).await.unwrap();
    let names: Vec<_> = found.iter().map(|i| i.name.as_str()).collect();
    assert_eq!(names, ["Ubuntu Natty (11.04)", "Ubuntu Lucid (10.04)"]);

    // Rackspace has no zone API: the region is the one location.
    let locations = d.list_locations().await.unwrap();
    let [ord] = locations.as_slice() else {
        panic!("{locations:?}")
    };
    assert_eq!(
        (ord.id.as_str(), ord.country.as_deref(), ord.available),
        ("ORD", Some("US"), true)
    );
}

#[tokio::test]
async fn create_reuses_a_known_key_imports_a_new_one_and_encodes_user_data() {
    let peer = OpenStackPeer::start().await;
    let d = rackspace("rackspace:ord", &format!("{}/v2.0", peer.url), "ops");
    // The recorded key1, with another comment: found, not imported.
    let known = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC/ePvJuMEOc90gidxWN+8lYekv+S6j8SJhcQRBjE5DVs/M+3VXyJTQc6fguUS9c7o8GZXpP/0dwbVa9y76HeZs6In+XE1egoUyz4zLHQ5jUepFeekChpSlo6yQWI2SHUxJOshqPLOEU1XlrwvN0h5FcXGVV0x6DJgLZuCRS7oIxQ== me@laptop";
    let m = d.create_machine(&request("7", Some(known))).await.unwrap();
    assert_eq!(
        (m.id.as_str(), m.state),
        (
            "26f7fbee-8ce1-4c28-887a-bfe8e4bb10fe",
            MachineState::Pending
        )
    );
    assert_eq!(m.location.as_deref(), Some("ORD"));
    assert_eq!(
        peer.last_body(),
        json!({ "server": { "name": "web-1", "imageRef": "7", "flavorRef": "2", "key_name": "key1", "user_data": "IyEvYmluL3NoCg==" } }),
        "the region is no zone: no availability_zone"
    );
    assert!(!peer
        .requests()
        .iter()
        .any(|r| r.starts_with("POST") && r.ends_with("/os-keypairs")));

    d.create_machine(&request(
        "7",
        Some("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN new"),
    ))
    .await
    .unwrap();
    let import = peer
        .seen()
        .into_iter()
        .find(|s| s.request.starts_with("POST") && s.request.ends_with("/os-keypairs"));
    assert_eq!(
        import.and_then(|s| s.body),
        Some(
            json!({ "keypair": { "name": "ops-key", "public_key": "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN new" } })
        )
    );
    assert_eq!(peer.last_body()["server"]["key_name"], "ops-key");

    // A zone of a plain cloud is sent as one.
    let plain = plain(
        &format!("{}/v2.0", peer.url),
        V2,
        "ops",
        Some("RegionOne"),
        None,
    );
    let in_zone = CreateMachine {
        location: "az2".into(),
        key: None,
        user_data: None,
        ..request("7", None)
    };
    plain.create_machine(&in_zone).await.unwrap();
    assert_eq!(peer.last_body()["server"]["availability_zone"], "az2");
}

#[tokio::test]
async fn actions_and_tags_are_sent_as_nova_expects() {
    let peer = OpenStackPeer::start().await;
    let d = plain(
        &format!("{}/v2.0", peer.url),
        V2,
        "ops",
        Some("RegionOne"),
        None,
    );
    for action in Action::ALL {
        d.machine_action("12064", action).await.unwrap();
    }
    d.set_tags("12064", &["web".into(), "env=prod".into()])
        .await
        .unwrap();
    let sent: Vec<_> = peer
        .seen()
        .into_iter()
        .skip(1)
        .map(|s| {
            format!(
                "{} {}",
                s.request,
                s.body.map(|b| b.to_string()).unwrap_or_default()
            )
        })
        .collect();
    let at = "/test_endpoint.com/v2/1337/servers/12064";
    assert_eq!(
        sent,
        [
            format!("POST {at}/action {{\"reboot\":{{\"type\":\"SOFT\"}}}}"),
            format!("POST {at}/action {{\"os-stop\":null}}"),
            format!("POST {at}/action {{\"os-start\":null}}"),
            format!("DELETE {at} "),
            format!("PUT {at}/metadata {{\"metadata\":{{\"env\":\"prod\",\"web\":\"\"}}}}"),
        ]
    );
    let err = d.set_tags("12064", &["=orphan".into()]).await.unwrap_err();
    assert!(matches!(err, DriverError::InvalidRequest(_)), "{err:?}");

    // Rackspace has no os-stop: refused by the capability guard, nothing sent.
    let rax = cloud::guarded(Arc::new(rackspace(
        "rackspace:ord",
        &format!("{}/v2.0", peer.url),
        "ops",
    )));
    let before = peer.requests().len();
    let err = rax.machine_action("12064", Action::Stop).await.unwrap_err();
    assert!(
        matches!(
            err,
            DriverError::Unsupported {
                provider: "rackspace:ord",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(peer.requests().len(), before);
}
