//! The OpenStack driver's Nova refusals on the recorded peer, and the
//! conformance checks recordings can prove.

use cloud::conformance;
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

/// The recordings do not keep state (the created id is not listed), so the
/// stateless group runs, with "unknown id is not found".
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
        let d: &dyn CloudDriver = &d;
        conformance::credentials_are_accepted(d).await;
        conformance::catalogue_is_well_formed(d).await;
        conformance::machines_are_well_formed(d).await;
        let created = conformance::create_is_accepted(d, &request("7", None))
            .await
            .unwrap();
        conformance::actions_are_accepted(d, "12064").await;
        conformance::unsupported_actions_are_refused(d, &created.id).await;
        conformance::tags_are_accepted(d, &created.id, &["overcast".to_owned()]).await;
        conformance::destroy_is_accepted(d, &created.id).await;
        conformance::unknown_machine_is_not_found(d, "999999").await;
        conformance::unknown_machine_is_not_found(d, "not a server").await;
    }
}
