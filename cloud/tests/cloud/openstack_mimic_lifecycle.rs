//! The OpenStack driver's whole lifecycle against mimic, a Nova that keeps
//! servers: the Rackspace preset and the plain `openstack` preset, each
//! pointed at mimic's Keystone v2 through `apiurl`. Skips (saying how to
//! install it) when mimic is absent. Bad credentials are not provable
//! here (mimic accepts any): the recordings cover them.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cloud::conformance::{self, Abilities, Wait};
use cloud::openstack::{preset, OpenStack};
use cloud::{
    Action, Capabilities, CloudDriver, CreateMachine, DriverError, Guarded, PublicKey, Secret,
};

use crate::fast_config;
use crate::openstack_mimic::Mimic;
use crate::openstack_peer::quick;

const WAIT: Wait = Wait {
    timeout: Duration::from_secs(30),
    interval: Duration::from_millis(200),
};

/// A create request from what the driver lists: the smallest flavour and
/// an Ubuntu image, in the region's one location.
async fn request(d: &dyn CloudDriver, name: &str) -> CreateMachine {
    let sizes = d.list_sizes().await.unwrap();
    let size = sizes.iter().min_by_key(|s| s.ram_mb).unwrap();
    let ubuntu = d.list_images(Some("ubuntu")).await.unwrap();
    let location = d.list_locations().await.unwrap();
    CreateMachine {
        name: name.into(),
        size: size.id.clone(),
        image: ubuntu.first().expect("mimic lists Ubuntu images").id.clone(),
        location: location[0].id.clone(),
        key: Some(PublicKey {
            name: "overcast test".into(),
            openssh: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEIQczXkVx9q ops".into(),
        }),
        user_data: Some("#cloud-config\nruncmd:\n  - touch /overcast\n".into()),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rackspace_preset_runs_the_whole_lifecycle_on_mimic() {
    let Some(mimic) = Mimic::start().await else {
        return;
    };
    let http = fast_config(&mimic.identity());
    let d = OpenStack::from_preset(
        "rackspace:ord",
        "overcast",
        Secret::new("0123456789abcdef"),
        None,
        None,
        &http,
    )
    .unwrap();
    let req = request(&d, "overcast-rax-1").await;
    assert_eq!(
        req.location, "ORD",
        "Rackspace's one location is its region"
    );

    let started = Instant::now();
    let peer_can = Abilities::stateful(req.clone(), "overcast-no-such-server", WAIT);
    conformance::run(Arc::new(d.clone()), &peer_can).await;
    eprintln!(
        "figure: rackspace:ord lifecycle on mimic in {:?}",
        started.elapsed()
    );

    // The key was imported once under its Nova-safe name and is reused.
    let again = d.create_machine(&req).await.unwrap();
    let listed = conformance::wait_until(&d, &again.id, WAIT, "listed", |m| m.is_some())
        .await
        .unwrap();
    assert_eq!(listed.extra["key_name"], "overcast-test");
    assert!(
        !listed.public_ips.is_empty() && !listed.private_ips.is_empty(),
        "{listed:?}"
    );
    d.machine_action(&again.id, Action::Destroy).await.unwrap();
    mimic.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_plain_openstack_preset_runs_the_lifecycle_on_mimic() {
    let Some(mimic) = Mimic::start().await else {
        return;
    };
    let openstack = preset("openstack").unwrap();
    let config = |service: Option<&str>| {
        let secret = Secret::new("s3cret");
        let mut c = openstack
            .config(
                "demo",
                secret,
                Some("demo".into()),
                Some("ORD".into()),
                Some(&mimic.identity()),
            )
            .unwrap();
        c.service_name = service.map(str::to_owned);
        c
    };
    // mimic's catalogue has two compute services in ORD: the choice is named.
    let vague = OpenStack::with_config(config(None), &quick()).unwrap();
    let err = vague.check_credentials().await.unwrap_err();
    assert!(
        err.to_string()
            .contains("cloudServersBehavior, cloudServersOpenStack"),
        "{err}"
    );

    let d = OpenStack::with_config(config(Some("cloudServersOpenStack")), &quick()).unwrap();
    // mimic has no os-start/os-stop (like Rackspace): the driver sends them
    // and quotes the refusal; the lifecycle runs without them.
    let req = request(&d, "overcast-os-1").await;
    let m = d.create_machine(&req).await.unwrap();
    let err = d.machine_action(&m.id, Action::Stop).await.unwrap_err();
    assert_eq!(
        err,
        DriverError::InvalidRequest("There is no such action currently supported".into())
    );
    d.machine_action(&m.id, Action::Destroy).await.unwrap();

    let started = Instant::now();
    // The driver as a cloud without `os-start`/`os-stop` would offer it.
    let without_power = Capabilities {
        start: false,
        stop: false,
        ..Capabilities::ALL
    };
    let without_power = Guarded::narrowed(Arc::new(d), without_power);
    let peer_can = Abilities::stateful(req, "overcast-no-such-server", WAIT);
    conformance::run(Arc::new(without_power), &peer_can).await;
    eprintln!(
        "figure: openstack lifecycle on mimic in {:?}",
        started.elapsed()
    );
    mimic.stop().await;
}
