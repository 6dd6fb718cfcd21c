//! The DigitalOcean driver reading Libcloud's recorded answers.

use std::sync::Arc;
use std::time::Instant;

use cloud::conformance::{self, Abilities};
use cloud::{Action, CloudDriver, CreateMachine, MachineState, PublicKey};
use serde_json::json;

use crate::digitalocean;
use crate::recorded::Recorded;

fn request(key: Option<&str>) -> CreateMachine {
    CreateMachine {
        name: "web-1".into(),
        size: "512mb".into(),
        image: "119192817".into(),
        location: "nyc1".into(),
        key: key.map(|k| PublicKey {
            name: "ops".into(),
            openssh: k.into(),
        }),
        user_data: Some("#cloud-config\nruncmd: [touch /ok]\n".into()),
    }
}

#[tokio::test]
async fn droplets_are_listed_across_pages_at_our_endpoint() {
    let peer = Recorded::start().await;
    let machines = digitalocean(&peer.url, "page-one")
        .list_machines()
        .await
        .unwrap();
    // Page 1 links to https://api.digitalocean.com/v2/droplets?page=2: followed here.
    assert_eq!(
        peer.requests(),
        ["GET /v2/droplets?per_page=200", "GET /v2/droplets?page=2"]
    );
    let [m] = machines.as_slice() else {
        panic!("{machines:?}")
    };
    assert_eq!((m.id.as_str(), m.name.as_str()), ("3164444", "example.com"));
    assert_eq!(m.state, MachineState::Running);
    assert_eq!(
        m.public_ips,
        ["104.236.32.182", "2604:A880:0800:0010:0000:0000:02DD:4001"]
    );
    assert!(m.private_ips.is_empty());
    assert_eq!(m.tags, ["environment:prod", "database"]);
    assert_eq!(
        (m.size.as_deref(), m.image.as_deref()),
        (Some("512mb"), Some("6918990"))
    );
    assert_eq!(m.location.as_deref(), Some("nyc3"));
    assert_eq!(m.extra["region_name"], "New York 3");
    assert_eq!(serde_json::to_value(m.state).unwrap(), json!("running"));
}

#[tokio::test]
async fn a_droplet_on_two_pages_is_listed_once_as_the_later_page_has_it() {
    let peer = Recorded::start().await;
    let machines = digitalocean(&peer.url, "good")
        .list_machines()
        .await
        .unwrap();
    assert_eq!(peer.requests().len(), 2);
    let [m] = machines.as_slice() else {
        panic!("{machines:?}")
    };
    assert_eq!(m.name, "ubuntu-s-1vcpu-1gb-sfo3-01");
    assert_eq!(
        m.public_ips,
        ["128.199.13.158", "2604:a880:4:1d0::142:9000"]
    );
    assert_eq!(m.private_ips, ["10.124.0.2"]);
    assert_eq!(m.location.as_deref(), Some("sfo3"));
    let none = digitalocean(&peer.url, "empty")
        .list_machines()
        .await
        .unwrap();
    assert!(none.is_empty());
}

#[tokio::test]
async fn sizes_images_and_regions_are_read_from_the_recordings() {
    let peer = Recorded::start().await;
    let d = digitalocean(&peer.url, "good");
    let sizes = d.list_sizes().await.unwrap();
    let s = &sizes[0];
    assert_eq!(
        (s.id.as_str(), s.ram_mb, s.disk_gb, s.cpus),
        ("512mb", Some(512), Some(20), Some(1))
    );
    assert_eq!(
        (s.transfer_gb, s.price_hourly),
        (Some(1000.0), Some(0.00744))
    );
    assert_eq!(sizes.len(), 2);

    // Distributions and private images are two queries; the recording
    // answers both with the same file, listed once.
    let images = d.list_images(None).await.unwrap();
    let ids: Vec<_> = images.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["119192817", "449676376", "449676856"]);
    assert_eq!(images[0].name, "Ubuntu 14.04 x64");
    assert!(images[0].public && !images[2].public);
    assert_eq!(images[2].extra["slug"], json!(null));
    let found = d.list_images(Some("X32")).await.unwrap();
    assert_eq!(
        found.iter().map(|i| i.id.as_str()).collect::<Vec<_>>(),
        ["449676376"]
    );

    let regions = d.list_locations().await.unwrap();
    let summary: Vec<_> = regions
        .iter()
        .map(|l| (l.id.as_str(), l.country.as_deref(), l.available))
        .collect();
    assert_eq!(
        summary,
        [
            ("nyc1", Some("US"), true),
            ("sfo1", Some("US"), true),
            ("ams1", Some("NL"), false)
        ]
    );
}

#[tokio::test]
async fn create_reuses_a_known_key_and_uploads_a_new_one() {
    let peer = Recorded::start().await;
    let d = digitalocean(&peer.url, "good");
    // The recorded account key, with another comment: found, not uploaded.
    let known = "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAQQDGk5 laptop";
    let m = d.create_machine(&request(Some(known))).await.unwrap();
    assert_eq!((m.id.as_str(), m.state), ("3164444", MachineState::Running));
    let sent = peer.seen().last().unwrap().body.clone().unwrap();
    assert_eq!(sent["ssh_keys"], json!([7717]));
    assert_eq!(
        sent["image"],
        json!(119192817),
        "numeric ids go as integers"
    );
    assert_eq!(sent["region"], "nyc1");
    assert!(sent["user_data"]
        .as_str()
        .unwrap()
        .starts_with("#cloud-config"));
    assert!(!peer
        .requests()
        .contains(&"POST /v2/account/keys".to_owned()));

    d.create_machine(&request(Some("ssh-ed25519 AAAAC3Nza new")))
        .await
        .unwrap();
    let uploads: Vec<_> = peer
        .seen()
        .into_iter()
        .filter(|s| s.uri == "/v2/account/keys")
        .collect();
    let body = uploads.first().and_then(|s| s.body.clone()).unwrap();
    assert_eq!(
        body,
        json!({ "name": "ops", "public_key": "ssh-ed25519 AAAAC3Nza new" })
    );

    let by_slug = CreateMachine {
        image: "ubuntu-14-04-x64".into(),
        ..request(None)
    };
    d.create_machine(&by_slug).await.unwrap();
    let sent = peer.seen().last().unwrap().body.clone().unwrap();
    assert_eq!(sent["image"], "ubuntu-14-04-x64");
    assert!(sent.get("ssh_keys").is_none());
}

#[tokio::test]
async fn actions_are_sent_as_digitalocean_action_types() {
    let peer = Recorded::start().await;
    let d = digitalocean(&peer.url, "good");
    for action in Action::ALL {
        d.machine_action("3164444", action).await.unwrap();
    }
    let sent: Vec<_> = peer
        .seen()
        .into_iter()
        .map(|s| {
            format!(
                "{} {} {}",
                s.method,
                s.uri,
                s.body.map(|b| b["type"].to_string()).unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(
        sent,
        [
            "POST /v2/droplets/3164444/actions \"reboot\"",
            "POST /v2/droplets/3164444/actions \"shutdown\"",
            "POST /v2/droplets/3164444/actions \"power_on\"",
            "DELETE /v2/droplets/3164444 ",
        ]
    );
}

/// The recordings list the id a create returns and 404 unknown ids, but
/// neither change state nor answer tag calls: the stateless group without
/// tags, plus "listed" and "not found".
#[tokio::test]
async fn the_conformance_suite_passes_on_what_the_recordings_can_prove() {
    let peer = Recorded::start().await;
    let peer_can = Abilities {
        tags: false,
        lists_created: true,
        unknown_ids: vec!["999999".into(), "not-a-droplet".into()],
        ..Abilities::stateless(request(None))
    };
    conformance::run(Arc::new(digitalocean(&peer.url, "good")), &peer_can).await;
}

#[tokio::test]
async fn three_pages_of_two_hundred_droplets_are_listed_whole() {
    let peer = Recorded::start().await;
    let d = digitalocean(&peer.url, "many");
    d.list_machines().await.unwrap(); // warm: the peer builds its pages once
    let started = Instant::now();
    let machines = d.list_machines().await.unwrap();
    let took = started.elapsed();
    assert_eq!(machines.len(), 600);
    assert_eq!(peer.requests().len(), 6);
    assert_eq!(peer.requests()[5], "GET /v2/droplets?page=3&per_page=200");
    eprintln!("figure: 3 pages x 200 droplets listed over loopback in {took:?}");
}
