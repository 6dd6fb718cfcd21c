//! The libvirt driver against libvirt's built-in test driver
//! (`test:///default`, inside the client library: no daemon). Its state
//! lives while a connection to it is open, and every `test:///default`
//! connection of the process shares it: each test keeps one driver and
//! checks only the machines it named itself (tests run in parallel).
//! Needs the `libvirt` feature (`cargo test -p cloud --features libvirt`),
//! which needs Debian's libvirt-dev (`ensure_libvirt` in scripts/peers.sh).

#![cfg(feature = "libvirt")]

#[path = "libvirt_node_files.rs"]
mod node_files;

use std::sync::Arc;
use std::time::Duration;

use cloud::conformance::{self, Abilities, Wait};
use cloud::libvirt::Libvirt;
use cloud::{Action, CloudDriver, CreateMachine, DriverError, MachineState, PublicKey};

const UNKNOWN: &str = "00000000-0000-4000-8000-000000000000";

async fn default_host() -> Libvirt {
    Libvirt::connect("test:///default").await.unwrap()
}

async fn request(d: &Libvirt, name: &str, image: &str) -> CreateMachine {
    let location = d.list_locations().await.unwrap().remove(0).id;
    CreateMachine {
        name: name.into(),
        size: "1cpu-512mb".into(),
        image: image.into(),
        location,
        key: None,
        user_data: None,
    }
}

fn wait() -> Wait {
    Wait {
        timeout: Duration::from_secs(5),
        interval: Duration::from_millis(10),
    }
}

#[tokio::test]
async fn the_test_driver_passes_the_whole_lifecycle() {
    let d = default_host().await;
    // Credentials, catalogue, lists, unknown id, create (define + start),
    // listed, reboot, stop (a real shutdown: the test driver has it),
    // start, destroy (destroy + undefine), gone.
    let request = request(&d, "conformance-1", "none").await;
    let peer_can = Abilities::stateful(request, UNKNOWN, wait());
    conformance::run(Arc::new(d.clone()), &peer_can).await;
    let left = d.list_machines().await.unwrap();
    assert!(!left.iter().any(|m| m.name == "conformance-1"), "{left:?}");
}

#[tokio::test]
async fn the_default_domain_is_listed_running_with_its_address() {
    let d = default_host().await;
    let machines = conformance::machines_are_well_formed(&d).await;
    let test = machines.iter().find(|m| m.name == "test").unwrap();
    assert_eq!(test.state, MachineState::Running);
    assert_eq!(test.id, "6695eb01-f6a4-8304-79aa-97f2502e193f");
    assert_eq!(test.private_ips, ["192.168.122.3"]);
    assert!(test.public_ips.is_empty());
    assert_eq!(test.extra["domain_id"], 1);
    assert_eq!(test.extra["vcpus"], 2);
    assert_eq!(test.size, None, "2 vCPUs and 8 GiB is not a built-in shape");
}

#[tokio::test]
async fn a_hostile_name_is_stored_literally_not_interpreted() {
    let d = default_host().await;
    let name = r#"a<b>&"c'"#;
    let created = d
        .create_machine(&request(&d, name, "none").await)
        .await
        .unwrap();
    assert_eq!(created.name, name);
    let listed = d.list_machines().await.unwrap();
    assert!(listed.iter().any(|m| m.id == created.id && m.name == name));
    let xml = d.domain_xml(&created.id).await.unwrap();
    assert!(
        xml.contains("<name>a&lt;b&gt;&amp;&quot;c&apos;</name>"),
        "{xml}"
    );
    // Markup that tries to add an element stays text too.
    let sneaky = "x<memory unit='GiB'>64<memory>";
    let other = d
        .create_machine(&request(&d, sneaky, "none").await)
        .await
        .unwrap();
    assert_eq!(other.name, sneaky);
    assert_eq!(other.extra["max_memory_mb"], 512);
    // libvirt itself refuses a '/' in a name (XML error: InvalidRequest).
    let err = d
        .create_machine(&request(&d, "x</name>", "none").await)
        .await;
    assert!(
        matches!(err, Err(DriverError::InvalidRequest(ref m)) if m.contains("'/'")),
        "{err:?}"
    );
    // What XML 1.0 cannot carry is refused before libvirt sees it.
    let err = d
        .create_machine(&request(&d, "bell\u{7}", "none").await)
        .await;
    assert!(
        matches!(err, Err(DriverError::InvalidRequest(_))),
        "{err:?}"
    );
    for id in [created.id, other.id] {
        d.machine_action(&id, Action::Destroy).await.unwrap();
    }
}

#[tokio::test]
async fn libvirt_refusals_map_to_the_drivers_errors() {
    let d = default_host().await;
    let err = d.machine_action(UNKNOWN, Action::Reboot).await.unwrap_err();
    assert!(
        matches!(err, DriverError::NotFound(ref m) if m.contains(UNKNOWN)),
        "{err:?}"
    );
    let err = d
        .machine_action("not-a-uuid", Action::Start)
        .await
        .unwrap_err();
    assert!(matches!(err, DriverError::InvalidRequest(_)), "{err:?}");
    // VIR_ERR_OPERATION_INVALID: rebooting a stopped machine. (The test
    // driver reports stopping a stopped one or starting a running one as an
    // internal error, Unavailable; QEMU's says "operation invalid".)
    let m = d
        .create_machine(&request(&d, "web-1", "none").await)
        .await
        .unwrap();
    d.machine_action(&m.id, Action::Stop).await.unwrap();
    let err = d.machine_action(&m.id, Action::Reboot).await.unwrap_err();
    assert!(
        matches!(err, DriverError::InvalidRequest(ref m) if m.contains("not running")),
        "{err:?}"
    );
    d.machine_action(&m.id, Action::Destroy).await.unwrap();
    // What the driver checks itself.
    let mut bad = request(&d, "web-2", "none").await;
    bad.size = "3cpu-1mb".into();
    let err = d.create_machine(&bad).await.unwrap_err();
    assert!(
        matches!(err, DriverError::InvalidRequest(ref m) if m.contains("size")),
        "{err:?}"
    );
    bad = request(&d, "web-2", "no-such-pool/vol").await;
    let err = d.create_machine(&bad).await.unwrap_err();
    assert!(
        matches!(err, DriverError::InvalidRequest(ref m) if m.contains("no-such-pool")),
        "{err:?}"
    );
    bad = request(&d, "web-2", "none").await;
    bad.user_data = Some("#!/bin/sh\ntouch /x\n".into());
    let guarded = cloud::guarded(Arc::new(d.clone()));
    let err = guarded.create_machine(&bad).await.unwrap_err();
    assert!(
        matches!(err, DriverError::Unsupported { ref what, .. } if what == "user data"),
        "{err:?}"
    );
    bad = request(&d, "web-2", "none").await;
    bad.location = "elsewhere".into();
    let err = d.create_machine(&bad).await.unwrap_err();
    assert!(
        matches!(err, DriverError::InvalidRequest(ref m) if m.contains("elsewhere")),
        "{err:?}"
    );
    // A key is accepted but not installed (`key_pairs` is off).
    let mut with_key = request(&d, "web-3", "none").await;
    with_key.key = Some(PublicKey {
        name: "ops".into(),
        openssh: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIK0wmN/Cr3JXqmLW7u+g9pTh+wyqDHpSQEIQczXkVx9q"
            .into(),
    });
    assert!(!d.capabilities().key_pairs);
    let m = d.create_machine(&with_key).await.unwrap();
    d.machine_action(&m.id, Action::Destroy).await.unwrap();
    let left = d.list_machines().await.unwrap();
    assert!(
        !left.iter().any(|m| m.name.starts_with("web-")),
        "left behind: {left:?}"
    );
}

#[tokio::test]
async fn bad_uris_are_unavailable_with_libvirts_reason() {
    let cases = [
        // No local driver for the scheme: libvirt tries the daemon's socket.
        ("nosuch:///system", "Failed to connect socket"),
        (
            "test:///nonexistent/overcast-node.xml",
            "failed to parse xml document",
        ),
        ("qemu+tcp://127.0.0.1:1/system", "Connection refused"),
    ];
    for (uri, reason) in cases {
        let err = Libvirt::connect(uri).await.unwrap_err();
        assert!(
            matches!(err, DriverError::Unavailable(ref m) if m.contains(reason)),
            "{uri}: {err:?}"
        );
    }
}
