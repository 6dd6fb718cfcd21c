//! The OpenStack driver's whole lifecycle against mimic, a Nova that keeps
//! servers: the Rackspace preset and the plain `openstack` preset, each
//! pointed at mimic's Keystone v2 through `apiurl`. Skips (saying how to
//! install it) when mimic is absent. Bad credentials are not provable
//! here (mimic accepts any): the recordings cover them.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use cloud::conformance::{self, Wait};
use cloud::openstack::{preset, OpenStack};
use cloud::{
    Action, Capabilities, CloudDriver, CreateMachine, DriverError, Image, Location, Machine,
    PublicKey, Secret, Size,
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
    conformance::lifecycle(&d, &req, "overcast-no-such-server", WAIT).await;
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
    let without_power = WithoutPower(d);
    conformance::lifecycle(&without_power, &req, "overcast-no-such-server", WAIT).await;
    eprintln!(
        "figure: openstack lifecycle on mimic in {:?}",
        started.elapsed()
    );
    mimic.stop().await;
}

/// The driver as a cloud without `os-start`/`os-stop` would offer it.
#[derive(Debug)]
struct WithoutPower(OpenStack);

#[async_trait]
impl CloudDriver for WithoutPower {
    fn provider(&self) -> &'static str {
        self.0.provider()
    }
    fn capabilities(&self) -> Capabilities {
        Capabilities {
            start: false,
            stop: false,
            ..self.0.capabilities()
        }
    }
    async fn check_credentials(&self) -> Result<(), DriverError> {
        self.0.check_credentials().await
    }
    async fn list_machines(&self) -> Result<Vec<Machine>, DriverError> {
        self.0.list_machines().await
    }
    async fn list_sizes(&self) -> Result<Vec<Size>, DriverError> {
        self.0.list_sizes().await
    }
    async fn list_images(&self, search: Option<&str>) -> Result<Vec<Image>, DriverError> {
        self.0.list_images(search).await
    }
    async fn list_locations(&self) -> Result<Vec<Location>, DriverError> {
        self.0.list_locations().await
    }
    async fn create_machine(&self, request: &CreateMachine) -> Result<Machine, DriverError> {
        self.0.create_machine(request).await
    }
    async fn machine_action(&self, id: &str, action: Action) -> Result<(), DriverError> {
        if !self.capabilities().supports(action) {
            return Err(DriverError::unsupported_action(self.provider(), action));
        }
        self.0.machine_action(id, action).await
    }
    async fn set_tags(&self, id: &str, tags: &[String]) -> Result<(), DriverError> {
        self.0.set_tags(id, tags).await
    }
}
