//! The SoftLayer driver reading Libcloud's recorded XML-RPC answers, served
//! by `softlayer_peer`: parsing, the calls sent (service, method, headers,
//! escaping), action methods, and the stateless conformance suite (faults
//! and errors: `softlayer_recorded_faults`).

use std::sync::Arc;

use cloud::conformance::{self, Abilities};
use cloud::softlayer::SoftLayer;
use cloud::{Action, CloudDriver, CreateMachine, DriverError, MachineState, PublicKey, Secret};
use serde_json::json;

use crate::fast_config;
use crate::softlayer_peer::{SoftLayerPeer, KNOWN};

pub(crate) fn softlayer(endpoint: &str, key: &str) -> SoftLayer {
    SoftLayer::with_config("sammy", Secret::new(key), &fast_config(endpoint)).unwrap()
}

const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOvercast ops@laptop";
/// Markup, quotes and a carriage return: all must arrive as written.
const USER_DATA: &str = "#!/bin/sh\necho '<ok>' \"&\" done > /ok\r\n";

pub(crate) fn request(key: bool) -> CreateMachine {
    CreateMachine {
        name: "web1.overcast.test".into(),
        size: "1cpu-2gb-100gb".into(),
        image: "DEBIAN_7_64".into(),
        location: "dal05".into(),
        key: key.then(|| PublicKey {
            name: "ops & <admins>".into(),
            openssh: KEY.into(),
        }),
        user_data: key.then(|| USER_DATA.into()),
    }
}

#[tokio::test]
async fn guests_are_read_with_states_addresses_and_places() {
    let peer = SoftLayerPeer::start().await;
    let machines = softlayer(&peer.url, "good").list_machines().await.unwrap();
    let summary: Vec<_> = machines
        .iter()
        .map(|m| (m.id.as_str(), m.name.as_str(), m.state))
        .collect();
    assert_eq!(
        summary,
        [
            ("2875152", "libcloud-testing1", MachineState::Running),
            ("2875213", "libcloud-testing2", MachineState::Pending),
            ("2875273", "libcloud-testing", MachineState::Running),
        ]
    );
    let m = &machines[0];
    assert_eq!(m.public_ips, ["50.23.95.202"]);
    assert_eq!(m.private_ips, ["10.55.43.130"]);
    assert_eq!(machines[2].public_ips, ["50.23.95.204"]);
    assert_eq!(
        (m.image.as_deref(), m.location.as_deref(), m.size.as_deref()),
        (Some("DEBIAN_7_64"), Some("sjc01"), None)
    );
    assert_eq!(m.extra["fqdn"], "libcloud-testing1.example.com");
    assert_eq!(m.extra["datacenter"], "San Jose 1");
    assert_eq!(m.extra["power_state"], "RUNNING");
    assert_eq!(m.extra["memory_mb"], json!(2048.0));
    assert_eq!(m.extra["price_hourly"], json!(0.056));
    assert_eq!(
        m.extra["image"],
        "Debian / Debian / 7.0.0-64 Minimal for CCI"
    );
    assert_eq!(machines[1].extra["power_state"], "INITIATING");
    let shown = serde_json::to_string(&machines).unwrap();
    assert!(!shown.contains("L3TJVubf"), "a root password shows");

    let seen = peer.seen();
    assert_eq!(peer.calls(), ["SoftLayer_Account.getVirtualGuests"]);
    let call = seen[0].call.as_ref().unwrap();
    let mask = call.headers["SoftLayer_AccountObjectMask"]["mask"]
        .as_str()
        .unwrap();
    assert!(mask.starts_with("mask[id,hostname,") && mask.contains("powerState"));
    assert!(!mask.contains("passwords"));
    assert!(call.params.is_empty());
}

#[tokio::test]
async fn sizes_images_and_locations_come_from_the_create_options() {
    let peer = SoftLayerPeer::start().await;
    let d = softlayer(&peer.url, "good");
    let sizes = d.list_sizes().await.unwrap();
    assert_eq!(sizes.len(), 12, "every plan of the table is offered");
    let s = &sizes[0];
    assert_eq!(
        (s.id.as_str(), s.name.as_str()),
        ("1cpu-1gb-25gb", "1 CPU, 1 GB RAM, 25 GB disk")
    );
    assert_eq!(
        (s.ram_mb, s.disk_gb, s.cpus),
        (Some(1024), Some(25), Some(1))
    );
    // 1 x 2.0 GHz Core (.07) + 1 GB (.03) + 25 GB SAN (0).
    assert_eq!((s.price_hourly, s.price_monthly), (Some(0.1), Some(50.0)));
    assert_eq!(
        s.extra["items"],
        json!(["1 x 2.0 GHz Core", "1 GB", "25 GB (SAN)"])
    );

    let images = d.list_images(None).await.unwrap();
    assert_eq!(images.len(), 43, "47 offers, four Red Hat codes twice");
    let first = &images[0];
    assert_eq!(
        (first.id.as_str(), first.name.as_str(), first.os.as_deref()),
        (
            "CENTOS_6_64",
            "CentOS 6.0 - Minimal Install (64 bit)",
            Some("CentOS")
        )
    );
    let found = d.list_images(Some("  uBuNtU LiNuX 12 ")).await.unwrap();
    let ids: Vec<_> = found.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["UBUNTU_12_64", "UBUNTU_12_32"]);
    assert!(d.list_images(Some("plan9")).await.unwrap().is_empty());

    let locations = d.list_locations().await.unwrap();
    let summary: Vec<_> = locations
        .iter()
        .map(|l| {
            (
                l.id.as_str(),
                l.name.as_str(),
                l.country.as_deref(),
                l.available,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            ("dal05", "Dallas 5", Some("US"), true),
            ("dal01", "Dallas", Some("US"), false),
            ("sea01", "Seattle", Some("US"), true),
            ("wdc01", "Washington, DC", Some("US"), true),
            ("newcity01", "New City", None, false),
        ]
    );
    assert_eq!(locations[2].extra["datacenter_id"], "18171");
}

#[tokio::test]
async fn create_adds_the_key_and_sends_an_escaped_template() {
    let peer = SoftLayerPeer::start().await;
    let d = softlayer(&peer.url, "good");
    let m = d.create_machine(&request(true)).await.unwrap();
    assert_eq!(
        (m.id.as_str(), m.name.as_str(), m.state),
        ("123456", "hostname", MachineState::Pending)
    );
    assert_eq!(m.extra["power_state"], "HALTED");
    assert_eq!(
        peer.calls(),
        [
            "SoftLayer_Account.getSshKeys",
            "SoftLayer_Security_Ssh_Key.createObject",
            "SoftLayer_Virtual_Guest.createObject",
        ]
    );
    let seen = peer.seen();
    let key = seen[1].call.as_ref().unwrap();
    assert_eq!(key.params[0]["key"], KEY);
    assert_eq!(key.params[0]["label"], "ops & <admins>");
    assert!(seen[1]
        .body
        .contains("<string>ops &amp; &lt;admins&gt;</string>"));

    let create = seen[2].call.as_ref().unwrap();
    assert_eq!(
        create.params,
        [json!({
            "hostname": "web1",
            "domain": "overcast.test",
            "startCpus": 1,
            "maxMemory": 2048,
            "hourlyBillingFlag": true,
            "localDiskFlag": false,
            "blockDevices": [{ "device": "0", "diskImage": { "capacity": 100 } }],
            "operatingSystemReferenceCode": "DEBIAN_7_64",
            "datacenter": { "name": "dal05" },
            "networkComponents": [{ "maxSpeed": 100 }],
            "sshKeys": [{ "id": 1 }],
            "userData": [{ "value": USER_DATA }],
        })]
    );
    assert!(create.init_id("SoftLayer_Virtual_Guest").is_none());

    // Without a key nothing but the create is sent; a size outside the
    // table is refused before anything is.
    d.create_machine(&request(false)).await.unwrap();
    let last = peer.seen().last().unwrap().call.clone().unwrap();
    assert!(last.params[0].get("sshKeys").is_none() && last.params[0].get("userData").is_none());
    let odd = CreateMachine {
        size: "3cpu-3gb-3gb".into(),
        ..request(false)
    };
    let err = d.create_machine(&odd).await.unwrap_err();
    assert!(matches!(err, DriverError::InvalidRequest(_)), "{err:?}");
    assert_eq!(peer.calls().len(), 4);

    // A key the account already has (the recording lists `ssh-key`, id 1)
    // is used as it is, not added again.
    let known = CreateMachine {
        key: Some(PublicKey {
            name: "test1".into(),
            openssh: " ssh-key ".into(),
        }),
        ..request(false)
    };
    d.create_machine(&known).await.unwrap();
    let calls = peer.calls();
    assert_eq!(
        calls[4..],
        [
            "SoftLayer_Account.getSshKeys",
            "SoftLayer_Virtual_Guest.createObject"
        ]
    );
    let last = peer.seen().last().unwrap().call.clone().unwrap();
    assert_eq!(last.params[0]["sshKeys"], json!([{ "id": 1 }]));
}

#[tokio::test]
async fn actions_and_tags_call_the_guest_methods() {
    let peer = SoftLayerPeer::start().await;
    let d = softlayer(&peer.url, "good");
    for action in Action::ALL {
        d.machine_action("2875152", action).await.unwrap();
    }
    d.set_tags("2875152", &["overcast".into(), "web".into()])
        .await
        .unwrap();
    assert_eq!(
        peer.calls(),
        [
            "SoftLayer_Virtual_Guest.rebootSoft",
            "SoftLayer_Virtual_Guest.powerOff",
            "SoftLayer_Virtual_Guest.powerOn",
            "SoftLayer_Virtual_Guest.deleteObject",
            "SoftLayer_Virtual_Guest.setTags",
        ]
    );
    for seen in peer.seen() {
        let call = seen.call.unwrap();
        assert_eq!(call.init_id("SoftLayer_Virtual_Guest"), Some(2875152));
    }
    let tags = peer.seen().last().unwrap().call.clone().unwrap();
    assert_eq!(tags.params, [json!("overcast,web")]);

    let err = d.machine_action("2875152; drop", Action::Reboot).await;
    assert!(matches!(err, Err(DriverError::NotFound(_))), "{err:?}");
    let err = d.set_tags("2875152", &["a,b".into()]).await;
    assert!(
        matches!(err, Err(DriverError::InvalidRequest(_))),
        "{err:?}"
    );
    assert_eq!(peer.calls().len(), 5, "refused before anything is sent");
    let err = d.machine_action("999", Action::Stop).await.unwrap_err();
    assert_eq!(
        err,
        DriverError::NotFound("Unable to find object with id of '999'.".into())
    );
}

/// The recordings do not change state, so the stateless group; then every
/// call the suite made is checked as the peer read it.
#[tokio::test]
async fn the_conformance_suite_passes_and_every_call_is_well_formed() {
    let peer = SoftLayerPeer::start().await;
    let peer_can = Abilities::stateless(request(true));
    let ran = conformance::run(Arc::new(softlayer(&peer.url, "good")), &peer_can).await;
    assert!(KNOWN.contains(&ran.created.unwrap().id.parse().unwrap()));
    let seen = peer.seen();
    assert!(seen.len() >= 12, "{:?}", peer.calls());
    for s in &seen {
        let call = s
            .call
            .as_ref()
            .unwrap_or_else(|| panic!("not XML-RPC: {}", s.body));
        assert!(s
            .body
            .starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<methodCall>"));
        assert!(s.content_type.starts_with("text/xml"), "{}", s.content_type);
        assert!(s.service.starts_with("SoftLayer_"), "{}", s.service);
        assert_eq!(
            call.headers["authenticate"],
            json!({ "username": "sammy", "apiKey": "good" })
        );
    }
    let methods = peer.calls();
    for expected in [
        "SoftLayer_Account.getObject",
        "SoftLayer_Virtual_Guest.getCreateObjectOptions",
        "SoftLayer_Location_Datacenter.getDatacenters",
        "SoftLayer_Virtual_Guest.createObject",
        "SoftLayer_Virtual_Guest.setTags",
        "SoftLayer_Virtual_Guest.deleteObject",
    ] {
        assert!(
            methods.iter().any(|m| m == expected),
            "{expected} not in {methods:?}"
        );
    }
}
