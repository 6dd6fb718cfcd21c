//! The OpenStack driver's Nova refusals on the recorded peer, and the
//! conformance checks recordings can prove.

use std::sync::Arc;

use cloud::conformance::{self, Abilities};
use cloud::openstack::KeystoneVersion::V2;
use cloud::{Action, CloudDriver, CreateMachine, DriverError};

use crate::openstack_peer::{plain, rackspace, OpenStackPeer};
use crate::openstack_recorded_nova::request;

#[tokio::test]
async fn nova_refusals_map_to_not_found_invalid_request_and_quota() {
    let peer = OpenStackPeer::start().await;
    let d = rackspace("rackspace:ord", &format!("{}/v2.0", peer.url), "ops");
    let err = d.machine_action("4242", Action::Reboot).await.unwrap_err();
    assert_eq!(
        err,
        DriverError::NotFound("The resource could not be found.".into())
    );
    let err = d
        .machine_action("../flavors", Action::Destroy)
        .await
        .unwrap_err();
    assert!(matches!(err, DriverError::NotFound(_)), "{err:?}");
    let err = d
        .create_machine(&request("no-such-image", None))
        .await
        .unwrap_err();
    assert_eq!(
        err,
        DriverError::InvalidRequest("Can not find requested image".into())
    );
    let too_many = CreateMachine {
        name: "one-too-many".into(),
        ..request("7", None)
    };
    let err = d.create_machine(&too_many).await.unwrap_err();
    assert!(
        matches!(err, DriverError::Quota(ref m) if m.contains("10 of 10 instances")),
        "{err:?}"
    );
}

/// The recordings do not keep state (the created id is not listed) and
/// answer actions for a recorded server only, so the stateless group runs
/// on that server, with "unknown id is not found".
#[tokio::test]
async fn the_conformance_suite_passes_on_what_the_recordings_can_prove() {
    let peer = OpenStackPeer::start().await;
    for d in [
        rackspace("rackspace:ord", &format!("{}/v2.0", peer.url), "ops"),
        plain(
            &format!("{}/v2.0", peer.url),
            V2,
            "ops",
            Some("RegionOne"),
            None,
        ),
    ] {
        let peer_can = Abilities {
            act_on: Some("12064".into()),
            unknown_ids: vec!["999999".into(), "not a server".into()],
            ..Abilities::stateless(request("7", None))
        };
        conformance::run(Arc::new(d), &peer_can).await;
    }
}
