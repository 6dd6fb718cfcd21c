//! The EC2 driver creating, acting and tagging against Libcloud's recorded
//! answers, and the conformance checks the recordings can prove.

use std::sync::Arc;

use base64::Engine as _;
use cloud::conformance::{self, Abilities};
use cloud::{Action, CloudDriver, CreateMachine, MachineState, PublicKey};

use crate::ec2_recorded_peer::{driver, Ec2Peer};

fn request(key: Option<&str>) -> CreateMachine {
    CreateMachine {
        name: "web-1".into(),
        size: "m1.small".into(),
        image: "ami-be3adfd7".into(),
        location: "us-east-1b".into(),
        key: key.map(|k| PublicKey {
            name: "gsg-keypair".into(),
            openssh: k.into(),
        }),
        user_data: Some("#cloud-config\nruncmd: [touch /ok]\n".into()),
    }
}

#[tokio::test]
async fn create_imports_the_key_under_a_free_name_and_sends_every_field() {
    let peer = Ec2Peer::start().await;
    let d = driver(&peer.url, "good");
    let key =
        "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEIQczXkVx9q ops";
    let m = d.create_machine(&request(Some(key))).await.unwrap();
    assert_eq!(
        (m.id.as_str(), m.state),
        ("i-2ba64342", MachineState::Pending)
    );
    assert_eq!(
        m.name, "web-1",
        "RunInstances' answer has no tags: the asked name"
    );
    assert_eq!(m.location.as_deref(), Some("us-east-1b"));
    assert_eq!(
        peer.actions(),
        ["DescribeKeyPairs", "ImportKeyPair", "RunInstances"]
    );

    let seen = peer.seen();
    // `gsg-keypair` exists without Overcast's tag: the key goes in beside it.
    let import = &seen[1];
    let digest = cloud::ec2::key_digest(key).unwrap();
    assert_eq!(
        import.get("KeyName"),
        Some(format!("gsg-keypair-{}", &digest[..8]).as_str())
    );
    assert_eq!(
        import.get("TagSpecification.1.Tag.1.Key"),
        Some("overcast:key-sha256")
    );
    assert_eq!(
        import.get("TagSpecification.1.Tag.1.Value"),
        Some(digest.as_str())
    );
    let material = import.get("PublicKeyMaterial").unwrap();
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(material)
        .unwrap();
    assert_eq!(decoded, key.as_bytes());

    let run = &seen[2];
    for (field, value) in [
        ("ImageId", "ami-be3adfd7"),
        ("InstanceType", "m1.small"),
        ("MinCount", "1"),
        ("MaxCount", "1"),
        ("Placement.AvailabilityZone", "us-east-1b"),
        // The name the import answer gave (Libcloud's recording says `keypair`).
        ("KeyName", "keypair"),
        ("TagSpecification.1.ResourceType", "instance"),
        ("TagSpecification.1.Tag.1.Key", "Name"),
        ("TagSpecification.1.Tag.1.Value", "web-1"),
        (
            "UserData",
            "I2Nsb3VkLWNvbmZpZwpydW5jbWQ6IFt0b3VjaCAvb2tdCg==",
        ),
    ] {
        assert_eq!(run.get(field), Some(value), "{field}");
    }
    assert!(run.get("ClientToken").unwrap().starts_with("overcast-"));

    let bare = CreateMachine {
        location: String::new(),
        user_data: None,
        ..request(None)
    };
    d.create_machine(&bare).await.unwrap();
    let run = peer.seen().pop().unwrap();
    assert_eq!(
        (
            run.get("KeyName"),
            run.get("UserData"),
            run.get("Placement.AvailabilityZone")
        ),
        (None, None, None)
    );
}

#[tokio::test]
async fn actions_and_tags_are_sent_as_ec2_calls() {
    let peer = Ec2Peer::start().await;
    let d = driver(&peer.url, "good");
    for action in Action::ALL {
        d.machine_action("i-4382922a", action).await.unwrap();
    }
    assert_eq!(
        peer.actions(),
        [
            "RebootInstances",
            "StopInstances",
            "StartInstances",
            "TerminateInstances"
        ]
    );
    assert!(peer
        .seen()
        .iter()
        .all(|s| s.get("InstanceId.1") == Some("i-4382922a")));

    // Recorded tags: Name=Test Server 2, Group=VPC Test.
    d.set_tags("i-8474834a", &["env=prod".into(), "overcast".into()])
        .await
        .unwrap();
    let seen = peer.seen();
    let calls: Vec<_> = seen[4..]
        .iter()
        .map(|s| {
            let fields: Vec<_> = s
                .params
                .iter()
                .filter(|(k, _)| k != "Version")
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            fields.join("&")
        })
        .collect();
    assert_eq!(calls, [
        "Action=DescribeInstances&InstanceId.1=i-8474834a",
        "Action=CreateTags&ResourceId.1=i-8474834a&Tag.1.Key=env&Tag.1.Value=prod&Tag.2.Key=overcast&Tag.2.Value=",
        "Action=DeleteTags&ResourceId.1=i-8474834a&Tag.1.Key=Group",
    ]);
}

/// The recordings list neither the created instance nor state changes,
/// and describe (for tags) a recorded instance only: the stateless group
/// on that instance, plus "unknown is not found".
#[tokio::test]
async fn the_conformance_suite_passes_on_what_the_recordings_can_prove() {
    let peer = Ec2Peer::start().await;
    let peer_can = Abilities {
        act_on: Some("i-4382922a".into()),
        unknown_ids: vec!["i-0123456789abcdef0".into(), "not an id".into()],
        ..Abilities::stateless(request(None))
    };
    conformance::run(Arc::new(driver(&peer.url, "good")), &peer_can).await;
}
