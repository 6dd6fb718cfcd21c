//! The DigitalOcean driver against Prism serving DigitalOcean's own OpenAPI
//! description: every request the driver makes must pass the description's
//! validation (Prism answers 422 otherwise, 401 without a bearer token).
//! Prism keeps no state, so only the suite's stateless group runs here.

use std::sync::Arc;

use cloud::conformance::{self, Abilities};
use cloud::{Action, CloudDriver, CreateMachine, DriverError, PublicKey};

use crate::digitalocean;
use crate::prism::Prism;

fn request(name: &str) -> CreateMachine {
    CreateMachine {
        name: name.into(),
        size: "s-1vcpu-1gb".into(),
        image: "ubuntu-20-04-x64".into(),
        location: "nyc3".into(),
        key: Some(PublicKey {
            name: "overcast-test".into(),
            openssh: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEIQczXkVx9q ops".into(),
        }),
        user_data: Some("#cloud-config\nruncmd:\n  - touch /overcast\n".into()),
    }
}

/// One Prism for every check (it takes seconds to start and ~280 MB).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_driver_speaks_digitaloceans_published_api() {
    let Some(prism) = Prism::start().await else {
        return;
    };
    let d = digitalocean(&prism.url, "prism-takes-any-token");

    // The stateless group: credentials, catalogue, lists, a create (with a
    // key uploaded and user data), every action, tags, destroy: all accepted
    // by the description's request validation.
    let peer_can = Abilities::stateless(request("web-1.example.com"));
    conformance::run(Arc::new(d.clone()), &peer_can).await;

    // Prism's examples link to page 2 (of 64 sizes) on api.digitalocean.com,
    // and page 2 links to itself: followed on our endpoint, then stopped.
    let sizes = d.list_sizes().await.unwrap();
    assert_eq!(
        sizes.iter().map(|s| s.id.as_str()).collect::<Vec<_>>(),
        ["s-1vcpu-1gb"]
    );

    // Adding and removing tags against the example droplet's tags.
    d.set_tags("3164444", &["web".into(), "db".into()])
        .await
        .unwrap();

    // No token: Prism enforces the bearer scheme.
    let anonymous = digitalocean(&prism.url, "");
    let err = anonymous.check_credentials().await.unwrap_err();
    assert!(
        matches!(err, DriverError::BadCredentials(ref m) if m.contains("authenticate")),
        "{err:?}"
    );

    // A name outside the description's pattern: Prism refuses the body.
    let err = d
        .create_machine(&request("not a hostname!"))
        .await
        .unwrap_err();
    assert!(matches!(err, DriverError::InvalidRequest(_)), "{err:?}");

    // Every action type the driver sends is in the description's enum.
    for action in [Action::Reboot, Action::Start, Action::Stop] {
        d.machine_action("3164444", action).await.unwrap();
    }
    prism.stop().await;
}
