//! The EC2 driver against moto's server: the whole conformance lifecycle
//! in two regions. moto files resources under the region of the SigV4
//! credential scope, so machines, zones and key pairs staying apart per
//! region proves the scope is signed per region. Skips, saying how to
//! install moto, when it is absent.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cloud::conformance::{self, Abilities, Wait};
use cloud::ec2::Ec2;
use cloud::{CloudDriver, CreateMachine, PublicKey, Secret};

use crate::ec2_moto_peer::Moto;
use crate::fast_config;

const KEY: &str =
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEIQczXkVx9q ops";

const WAIT: Wait = Wait {
    timeout: Duration::from_secs(30),
    interval: Duration::from_millis(100),
};

fn driver(moto: &Moto, provider: &str) -> Ec2 {
    let secret = Secret::new("moto-checks-no-signature");
    Ec2::with_config(
        "AKIAOVERCASTTEST".into(),
        secret,
        provider,
        &fast_config(&moto.url),
    )
    .unwrap()
}

/// A request moto accepts in the driver's region: an Ubuntu AMI moto
/// lists there (found with DescribeImages), `t2.micro`, the first zone.
async fn request(d: &Ec2, name: &str) -> CreateMachine {
    let images = d.list_images(Some("ubuntu")).await.unwrap();
    let image = images
        .iter()
        .find(|i| i.name.to_lowercase().contains("ubuntu"))
        .unwrap_or_else(|| panic!("moto lists no Ubuntu AMI in {}", d.region()));
    let zones = d.list_locations().await.unwrap();
    assert!(
        zones.iter().all(|z| z.id.starts_with(d.region())),
        "{zones:?}"
    );
    let sizes = d.list_sizes().await.unwrap();
    assert!(sizes
        .iter()
        .any(|s| s.id == "t2.micro" && s.ram_mb == Some(1024)));
    CreateMachine {
        name: name.into(),
        size: "t2.micro".into(),
        image: image.id.clone(),
        location: zones[0].id.clone(),
        key: Some(PublicKey {
            name: "overcast-test".into(),
            openssh: KEY.into(),
        }),
        user_data: Some("#!/bin/sh\necho overcast\n".into()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_lifecycle_passes_on_moto_in_two_regions() {
    let Some(moto) = Moto::start().await else {
        return;
    };
    eprintln!(
        "figure: moto answered {:?} after it was started",
        moto.started_in
    );
    for provider in ["ec2_us_east", "ec2_ap_southeast_2"] {
        let d = driver(&moto, provider);
        let started = Instant::now();
        let request = request(&d, &format!("conformance-{provider}")).await;
        let catalogue = started.elapsed();
        let peer_can = Abilities::stateful(request, "i-0123456789abcdef0", WAIT);
        conformance::run(Arc::new(d.clone()), &peer_can).await;
        eprintln!(
            "figure: {} ({}): catalogue for the request {catalogue:?}, lifecycle {:?}",
            provider,
            d.region(),
            started.elapsed() - catalogue
        );
    }

    // The key pair imported by the first create is found by its tag later,
    // under the same name; and each region keeps its own machines.
    let east = driver(&moto, "ec2_us_east");
    let sydney = driver(&moto, "ec2_ap_southeast_2");
    let first = east
        .create_machine(&request(&east, "keyed-1").await)
        .await
        .unwrap();
    let second = east
        .create_machine(&request(&east, "keyed-2").await)
        .await
        .unwrap();
    assert_eq!(first.extra["key_name"], "overcast-test");
    assert_eq!(second.extra["key_name"], first.extra["key_name"]);
    assert_eq!(
        (first.name.as_str(), first.location.as_deref()),
        ("keyed-1", Some("us-east-1a"))
    );
    let listed = sydney.list_machines().await.unwrap();
    assert!(
        listed.iter().all(|m| m.id != first.id),
        "us-east-1's machine listed in ap-southeast-2"
    );
    let listed = east.list_machines().await.unwrap();
    assert!(listed
        .iter()
        .any(|m| m.id == first.id && m.name == "keyed-1"));
    moto.stop().await;
}
