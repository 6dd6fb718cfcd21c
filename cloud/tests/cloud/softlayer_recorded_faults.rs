//! The SoftLayer driver's faults and errors on the recorded peer: refused
//! credentials quoted, server errors retried where safe (garbage, silence
//! and refused connections: the `faults` group).

use cloud::{Action, CloudDriver, CreateMachine, DriverError};
use serde_json::json;

use crate::softlayer_peer::{Fault, SoftLayerPeer};
use crate::softlayer_recorded::{request, softlayer};

#[tokio::test]
async fn refused_credentials_quote_softlayer() {
    let peer = SoftLayerPeer::start().await;
    let err = softlayer(&peer.url, "wrong")
        .check_credentials()
        .await
        .unwrap_err();
    assert_eq!(
        err,
        DriverError::BadCredentials("Invalid API token.".into())
    );
    // Libcloud's recorded credentials fault.
    let err = softlayer(&peer.url, "libcloud-bad")
        .list_machines()
        .await
        .unwrap_err();
    assert_eq!(err, DriverError::BadCredentials("Failed Call".into()));
    assert_eq!(
        peer.calls(),
        [
            "SoftLayer_Account.getObject",
            "SoftLayer_Account.getVirtualGuests"
        ],
        "a fault is not retried"
    );
    softlayer(&peer.url, "good")
        .check_credentials()
        .await
        .unwrap();
    let call = peer.seen().last().unwrap().call.clone().unwrap();
    assert_eq!(
        call.headers["authenticate"],
        json!({ "username": "sammy", "apiKey": "good" })
    );
    assert_eq!(
        call.headers["SoftLayer_AccountObjectMask"]["mask"],
        "mask[id]"
    );
}

#[tokio::test]
async fn server_errors_are_retried_where_safe_and_faults_quoted() {
    let peer = SoftLayerPeer::start().await;
    let d = softlayer(&peer.url, "good");
    peer.fail_next([Fault::Status(500), Fault::Status(502)]);
    assert_eq!(d.list_machines().await.unwrap().len(), 3);
    assert_eq!(peer.calls().len(), 3);

    peer.fail_next(vec![Fault::Status(500); 4]);
    let err = d.check_credentials().await.unwrap_err();
    assert_eq!(
        err,
        DriverError::Unavailable("HTTP 500: Internal Server Error".into())
    );
    assert!(err.is_transient());
    assert_eq!(peer.calls().len(), 7);

    // A create (or a reboot) that may have landed is not sent again.
    peer.fail_next([Fault::Status(500)]);
    let err = d.create_machine(&request(false)).await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    peer.fail_next([Fault::Status(503)]);
    let err = d
        .machine_action("2875152", Action::Reboot)
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert_eq!(peer.calls().len(), 9);

    // Libcloud's recorded generic fault.
    let bad = CreateMachine {
        image: "NO_SUCH_OS".into(),
        ..request(false)
    };
    let err = d.create_machine(&bad).await.unwrap_err();
    assert_eq!(
        err,
        DriverError::InvalidRequest("Failed Call (fail)".into())
    );
}
