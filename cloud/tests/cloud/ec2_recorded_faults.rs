//! How the EC2 driver fails: EC2's error codes mapped to `DriverError`s,
//! retries on throttling and 5xx (with `RunInstances` kept idempotent and
//! each try signed anew), and the signing scope per region. Garbage,
//! silence and refused connections: the `faults` group.

use cloud::ec2::Ec2;
use cloud::{Action, CloudDriver, CreateMachine, DriverError, Secret};

use crate::ec2_recorded_peer::{driver, driver_with, fixture, Ec2Peer, Fault, SECRET};

fn create() -> CreateMachine {
    CreateMachine {
        name: "web-1".into(),
        size: "m1.small".into(),
        image: "ami-be3adfd7".into(),
        location: String::new(),
        key: None,
        user_data: None,
    }
}

#[tokio::test]
async fn refused_credentials_are_bad_credentials_quoting_aws() {
    let peer = Ec2Peer::start().await;
    let err = driver(&peer.url, "bad")
        .check_credentials()
        .await
        .unwrap_err();
    let reason = "AuthFailure: AWS was not able to validate the provided access credentials";
    assert_eq!(err, DriverError::BadCredentials(reason.into()));
    assert_eq!(peer.actions(), ["DescribeAccountAttributes"], "not retried");

    // The peer checks signatures: a wrong secret is refused as AWS does.
    let wrong = driver_with(&peer.url, "good", "not-the-secret", "us-east-1");
    let err = wrong.check_credentials().await.unwrap_err();
    assert!(
        matches!(err, DriverError::BadCredentials(ref m) if m.starts_with("SignatureDoesNotMatch: The request signature")),
        "{err:?}"
    );
    let right = driver_with(&peer.url, "good", SECRET, "us-east-1");
    right.check_credentials().await.unwrap();
    assert!(Ec2::new(String::new(), Secret::new("s"), "us-east-1").is_err());
}

#[tokio::test]
async fn every_catalogue_region_signs_for_its_own_aws_region() {
    let peer = Ec2Peer::start().await;
    for region in cloud::ec2::REGIONS {
        let d = driver_with(&peer.url, "good", SECRET, region.provider);
        assert_eq!((d.provider(), d.region()), (region.provider, region.region));
        d.check_credentials().await.unwrap();
        assert_eq!(peer.seen().pop().unwrap().region, region.region);
        let public = Ec2::new("AKID".into(), Secret::new("s"), region.provider).unwrap();
        assert_eq!(
            public.endpoint(),
            format!("https://ec2.{}.amazonaws.com/", region.region)
        );
    }
    // An AWS region outside the catalogue works too; a malformed one is refused.
    let d = driver_with(&peer.url, "good", SECRET, "af-south-1");
    assert_eq!((d.provider(), d.region()), ("ec2", "af-south-1"));
    assert_eq!(
        driver_with(&peer.url, "good", SECRET, "us-west-2").provider(),
        "ec2_us_west_oregon"
    );
    let bad = Ec2::new("AKID".into(), Secret::new("s"), "evil.example.com/x");
    assert!(
        matches!(bad, Err(DriverError::InvalidRequest(_))),
        "{bad:?}"
    );
}

#[tokio::test]
async fn unknown_instances_are_not_found_and_refusals_quote_ec2s_code() {
    let peer = Ec2Peer::start().await;
    let d = driver(&peer.url, "good");
    let err = d
        .machine_action("i-0000dead", Action::Reboot)
        .await
        .unwrap_err();
    let reason = "InvalidInstanceID.NotFound: The instance ID 'i-0000dead' does not exist";
    assert_eq!(err, DriverError::NotFound(reason.into()));
    let err = d.set_tags("i-0000dead", &["a".into()]).await.unwrap_err();
    assert!(matches!(err, DriverError::NotFound(_)), "{err:?}");

    peer.fail_next([Fault::Status(
        400,
        "InvalidInstanceID.Malformed",
        "Invalid id: \"x-1\"",
    )]);
    let err = d.machine_action("x-1", Action::Stop).await.unwrap_err();
    assert!(matches!(err, DriverError::NotFound(_)), "{err:?}");

    peer.fail_next([Fault::Status(
        400,
        "InvalidAMIID.NotFound",
        "The image id '[ami-1]' does not exist",
    )]);
    let err = d.create_machine(&create()).await.unwrap_err();
    assert!(
        matches!(err, DriverError::InvalidRequest(ref m) if m.starts_with("InvalidAMIID.NotFound")),
        "{err:?}"
    );

    // Libcloud's recorded error answer (with an XML declaration, no namespace).
    peer.fail_next([Fault::Body(
        400,
        fixture!("describe_key_pairs_doesnt_exist.xml"),
    )]);
    let err = d.create_machine(&create()).await.unwrap_err();
    let reason = "InvalidKeyPair.NotFound: The key pair 'test-key-pair' does not exist";
    assert_eq!(err, DriverError::InvalidRequest(reason.into()));

    let before = peer.seen().len();
    let err = d
        .set_tags("i-4382922a", &["Name=other".into()])
        .await
        .unwrap_err();
    assert!(matches!(err, DriverError::InvalidRequest(_)), "{err:?}");
    assert_eq!(peer.seen().len(), before, "refused before any request");
}

#[tokio::test]
async fn instance_and_vcpu_limits_are_quotas() {
    let peer = Ec2Peer::start().await;
    let d = driver(&peer.url, "good");
    for code in ["InstanceLimitExceeded", "VcpuLimitExceeded"] {
        peer.fail_next([Fault::Status(
            400,
            code,
            "You have requested more instances than your current limit allows.",
        )]);
        let err = d.create_machine(&create()).await.unwrap_err();
        assert!(
            matches!(err, DriverError::Quota(ref m) if m.starts_with(code)),
            "{err:?}"
        );
    }
}

#[tokio::test]
async fn throttling_is_retried_and_a_retried_create_keeps_its_client_token() {
    let peer = Ec2Peer::start().await;
    let d = driver(&peer.url, "good");
    peer.fail_next([
        Fault::Status(503, "RequestLimitExceeded", "Request limit exceeded."),
        Fault::Status(500, "InternalError", "An internal error has occurred"),
    ]);
    let m = d.create_machine(&create()).await.unwrap();
    assert_eq!(m.id, "i-2ba64342");
    let seen = peer.seen();
    assert_eq!(seen.len(), 3);
    let tokens: Vec<_> = seen.iter().map(|s| s.get("ClientToken").unwrap()).collect();
    assert!(tokens.iter().all(|t| *t == tokens[0]), "{tokens:?}");

    let throttled = Fault::Status(503, "RequestLimitExceeded", "Request limit exceeded.");
    peer.fail_next(vec![throttled; 4]);
    let err = d.list_machines().await.unwrap_err();
    assert_eq!(
        err,
        DriverError::Unavailable(
            "rate limited: RequestLimitExceeded: Request limit exceeded.".into()
        )
    );
    assert!(err.is_transient());
    assert_eq!(peer.seen().len(), 3 + 4, "one try and three retries");
}
