//! The Rackspace first generation driver on Libcloud's recorded v1.1
//! authentication and Cloud Servers v1.0 answers: the conformance suite's
//! stateless group, the recorded values, refused credentials, the XML a
//! create and a reboot send, renewing a refused token, and faults.

use std::sync::Arc;

use base64::Engine;
use cloud::conformance::{self, Abilities};
use cloud::rackspace_first_gen::{authorized_keys, Region};
use cloud::{Action, CloudDriver, CreateMachine, DriverError, MachineState, PublicKey};

use crate::rackspace_first_gen_peer::{Fault, FirstGenPeer, SERVERS, SERVER_ID, TOKEN};

const KEY: &str = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFirstGenKey ops@overcast";

fn request() -> CreateMachine {
    CreateMachine {
        name: "racktest".into(),
        size: "1".into(),
        image: "11".into(),
        location: "us".into(),
        key: Some(PublicKey {
            name: "ops".into(),
            openssh: KEY.into(),
        }),
        user_data: None,
    }
}

fn servers(path: &str) -> String {
    format!("{SERVERS}{path}")
}

#[tokio::test]
async fn the_stateless_suite_passes_on_the_recordings() {
    let peer = FirstGenPeer::start().await;
    let d = peer.driver(Region::Us, "ops");
    let peer_can = Abilities {
        act_on: Some(SERVER_ID.into()),
        ..Abilities::stateless(request())
    };
    conformance::run(Arc::new(d.clone()), &peer_can).await;
    let caps = d.capabilities();
    assert!(caps.reboot && caps.destroy && caps.create && caps.key_pairs);
    assert!(!caps.start && !caps.stop && !caps.tag && !caps.user_data && !caps.image_search);
    peer.empty();
    assert!(conformance::machines_are_well_formed(&d).await.is_empty());
}

#[tokio::test]
async fn listings_carry_the_recorded_values_under_one_token() {
    let peer = FirstGenPeer::start().await;
    let d = peer.driver(Region::Us, "ops");
    assert_eq!(d.provider(), "rackspace_first_gen:us");

    let machines = d.list_machines().await.unwrap();
    assert_eq!(machines.len(), 1);
    let m = &machines[0];
    assert_eq!((m.id.as_str(), m.name.as_str()), (SERVER_ID, "racktest"));
    assert_eq!(m.state, MachineState::Running);
    assert_eq!(m.public_ips, ["67.23.21.33"]);
    assert_eq!(m.private_ips, ["10.176.168.218"]);
    assert_eq!(m.size.as_deref(), Some("1"));
    assert_eq!(m.image.as_deref(), Some("11"));
    assert_eq!(m.location.as_deref(), Some("us"));
    assert_eq!(m.extra["host_id"], "9dd380940fcbe39cb30255ed4664f1f3");
    assert_eq!(m.extra["progress"], 100);

    let sizes = d.list_sizes().await.unwrap();
    assert_eq!(sizes.len(), 7);
    assert_eq!(sizes[0].id, "1");
    assert_eq!(sizes[0].name, "256 slice");
    assert_eq!((sizes[0].ram_mb, sizes[0].disk_gb), (Some(256), Some(10)));
    assert_eq!(sizes[6].ram_mb, Some(15872));

    let images = d.list_images(None).await.unwrap();
    assert_eq!(images.len(), 12);
    let ubuntu = images.iter().find(|i| i.id == "8").unwrap();
    assert_eq!(ubuntu.name, "Ubuntu 9.04 (jaunty)");
    assert_eq!(ubuntu.os.as_deref(), Some("Ubuntu"));
    assert!(ubuntu.public);
    let backup = images.iter().find(|i| i.id == "191234").unwrap();
    assert!(
        !backup.public,
        "an image with a serverId is the account's own"
    );
    assert_eq!(backup.extra["min_ram"], 256);

    let found = d.list_images(Some("UBUNTU")).await.unwrap();
    let ids: Vec<_> = found.iter().map(|i| i.id.as_str()).collect();
    assert_eq!(ids, ["8", "10", "11"]);
    let found = d.list_images(Some("centos 5")).await.unwrap();
    assert_eq!(found.len(), 2);

    let locations = d.list_locations().await.unwrap();
    assert_eq!(locations.len(), 1);
    assert_eq!(locations[0].id, "us");
    assert_eq!(locations[0].country.as_deref(), Some("US"));

    let seen = peer.seen();
    let auths: Vec<_> = seen
        .iter()
        .filter(|s| s.request == "POST /v1.1/auth")
        .collect();
    assert_eq!(auths.len(), 1, "one token serves every call");
    let body: serde_json::Value = serde_json::from_str(&auths[0].body).unwrap();
    assert_eq!(
        body,
        serde_json::json!({ "credentials": { "username": "ops", "key": "0123456789abcdef" } })
    );
    assert_eq!(
        seen[1].request,
        format!("GET {}", servers("/servers/detail"))
    );
    assert_eq!(seen[1].token.as_deref(), Some(TOKEN));
    assert_eq!(seen[1].accept.as_deref(), Some("application/xml"));
    // Five listings, and locations need no request.
    assert_eq!(seen.len(), 6);
}

#[tokio::test]
async fn refused_credentials_quote_the_recorded_message() {
    let peer = FirstGenPeer::start().await;
    let d = peer.driver(Region::Uk, "bad");
    assert_eq!(d.provider(), "rackspace_first_gen:uk");
    let err = d.check_credentials().await.unwrap_err();
    assert_eq!(
        err,
        DriverError::BadCredentials("Username or api key is invalid".into())
    );
    assert!(matches!(
        d.list_machines().await,
        Err(DriverError::BadCredentials(_))
    ));
    assert_eq!(peer.requests(), ["POST /v1.1/auth", "POST /v1.1/auth"]);
    // The recorded answer without a token is not a token.
    let d = peer.driver(Region::Us, "notoken");
    let err = d.check_credentials().await.unwrap_err();
    assert!(matches!(err, DriverError::Protocol(_)), "{err:?}");
}

#[tokio::test]
async fn a_create_posts_well_formed_xml_with_the_key_as_a_personality_file() {
    let peer = FirstGenPeer::start().await;
    let d = peer.driver(Region::Us, "ops");
    let m = d.create_machine(&request()).await.unwrap();
    assert_eq!(m.id, SERVER_ID);
    assert_eq!(m.state, MachineState::Pending);
    assert_eq!(m.location.as_deref(), Some("us"));
    assert_eq!(m.public_ips, ["67.23.21.33"]);
    assert!(
        !m.extra.to_string().contains("racktestvJq7d3"),
        "the root password is not kept"
    );

    let seen = peer.seen();
    let post = seen.last().unwrap();
    assert_eq!(post.request, format!("POST {}", servers("/servers")));
    assert!(post
        .content_type
        .as_deref()
        .unwrap()
        .starts_with("application/xml"));
    let doc = roxmltree::Document::parse(&post.body).unwrap();
    let server = doc.root_element();
    assert_eq!(server.tag_name().name(), "server");
    assert_eq!(
        server.tag_name().namespace(),
        Some("http://docs.rackspacecloud.com/servers/api/v1.0")
    );
    assert_eq!(server.attribute("name"), Some("racktest"));
    assert_eq!(server.attribute("imageId"), Some("11"));
    assert_eq!(server.attribute("flavorId"), Some("1"));
    let files: Vec<_> = server
        .descendants()
        .filter(|n| n.tag_name().name() == "file")
        .collect();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].attribute("path"), Some(authorized_keys().as_str()));
    let key = base64::engine::general_purpose::STANDARD
        .decode(files[0].text().unwrap().trim())
        .unwrap();
    assert_eq!(String::from_utf8(key).unwrap(), format!("{KEY}\n"));

    // Without a key, no personality; names are escaped.
    let plain = CreateMachine {
        name: "a&b <c>".into(),
        key: None,
        ..request()
    };
    d.create_machine(&plain).await.unwrap();
    let body = peer.seen().last().unwrap().body.clone();
    let doc = roxmltree::Document::parse(&body).unwrap();
    assert_eq!(doc.root_element().attribute("name"), Some("a&b <c>"));
    assert!(!body.contains("personality"));

    // Refused before a request: user data (by the capability guard),
    // another location.
    let before = peer.requests().len();
    let script = CreateMachine {
        user_data: Some("#!/bin/sh".into()),
        ..request()
    };
    assert!(matches!(
        cloud::guarded(Arc::new(d.clone()))
            .create_machine(&script)
            .await,
        Err(DriverError::Unsupported { .. })
    ));
    let elsewhere = CreateMachine {
        location: "lon".into(),
        ..request()
    };
    assert!(matches!(
        d.create_machine(&elsewhere).await,
        Err(DriverError::InvalidRequest(_))
    ));
    assert_eq!(peer.requests().len(), before);
}

#[tokio::test]
async fn reboot_and_destroy_reach_the_servers_paths() {
    let peer = FirstGenPeer::start().await;
    let d = peer.driver(Region::Us, "ops");
    d.machine_action(SERVER_ID, Action::Reboot).await.unwrap();
    let reboot = peer.seen().last().unwrap().clone();
    assert_eq!(
        reboot.request,
        format!("POST {}", servers("/servers/72258/action"))
    );
    let doc = roxmltree::Document::parse(&reboot.body).unwrap();
    assert_eq!(doc.root_element().tag_name().name(), "reboot");
    assert_eq!(doc.root_element().attribute("type"), Some("SOFT"));

    d.machine_action(SERVER_ID, Action::Destroy).await.unwrap();
    assert_eq!(
        peer.requests().last().unwrap(),
        &format!("DELETE {}", servers("/servers/72258"))
    );

    let before = peer.requests().len();
    for action in [Action::Start, Action::Stop] {
        let err = d.machine_action(SERVER_ID, action).await.unwrap_err();
        assert!(matches!(err, DriverError::Unsupported { .. }), "{err:?}");
    }
    assert!(matches!(
        d.set_tags(SERVER_ID, &["web".into()]).await,
        Err(DriverError::Unsupported { .. })
    ));
    assert!(matches!(
        d.machine_action("../flavors", Action::Destroy).await,
        Err(DriverError::NotFound(_))
    ));
    assert_eq!(peer.requests().len(), before, "nothing sent for those");

    let err = d.machine_action("99999", Action::Reboot).await.unwrap_err();
    assert_eq!(err, DriverError::NotFound("Server not found".into()));
}

#[tokio::test]
async fn a_refused_token_is_renewed_once() {
    let peer = FirstGenPeer::start().await;
    let d = peer.driver(Region::Us, "ops");
    d.check_credentials().await.unwrap();
    peer.fail_next([Fault::Expired]);
    assert_eq!(d.list_sizes().await.unwrap().len(), 7);
    let flavors = format!("GET {}", servers("/flavors/detail"));
    assert_eq!(
        peer.requests(),
        [
            "POST /v1.1/auth",
            flavors.as_str(),
            "POST /v1.1/auth",
            flavors.as_str()
        ]
    );

    // Refused again after the renewal: the credentials are the problem.
    peer.fail_next([Fault::Expired, Fault::Expired]);
    let err = d.list_sizes().await.unwrap_err();
    assert_eq!(err, DriverError::BadCredentials("Token expired".into()));
    let auths = peer
        .requests()
        .iter()
        .filter(|r| *r == "POST /v1.1/auth")
        .count();
    assert_eq!(auths, 3, "one renewal per refused call");
}

#[tokio::test]
async fn a_token_past_its_expiry_is_renewed_before_the_next_call() {
    let peer = FirstGenPeer::start().await;
    peer.expire_tokens();
    let d = peer.driver(Region::Us, "ops");
    d.list_sizes().await.unwrap();
    d.list_sizes().await.unwrap();
    let flavors = format!("GET {}", servers("/flavors/detail"));
    assert_eq!(
        peer.requests(),
        [
            "POST /v1.1/auth",
            flavors.as_str(),
            "POST /v1.1/auth",
            flavors.as_str()
        ],
        "an expired token is not sent"
    );
}

#[tokio::test]
async fn server_errors_are_retried_then_surfaced() {
    let peer = FirstGenPeer::start().await;
    let d = peer.driver(Region::Us, "ops");
    peer.fail_next([Fault::Status(500), Fault::Status(503)]);
    assert_eq!(d.list_machines().await.unwrap().len(), 1);
    assert_eq!(peer.requests().len(), 4, "auth, two failures, the answer");

    peer.fail_next([Fault::Status(500); 4]);
    let err = d.list_images(None).await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert!(err.to_string().contains("The server has failed"), "{err}");
    assert_eq!(peer.requests().len(), 8, "four tries");

    // A create is not repeated after a 5xx: it may have been acted on.
    peer.fail_next([Fault::Status(500)]);
    let err = d.create_machine(&request()).await.unwrap_err();
    assert!(err.is_transient(), "{err:?}");
    assert_eq!(peer.requests().len(), 9);

    peer.fail_next([Fault::Status(413)]);
    let err = d.list_sizes().await.unwrap_err();
    assert!(matches!(err, DriverError::InvalidRequest(_)), "{err:?}");
}

#[tokio::test]
async fn garbage_is_a_protocol_error() {
    let peer = FirstGenPeer::start().await;
    let d = peer.driver(Region::Us, "ops");
    for _ in 0..3 {
        peer.fail_next([Fault::Garbage]);
    }
    for result in [
        d.list_machines().await.map(|_| ()),
        d.list_sizes().await.map(|_| ()),
        d.list_images(None).await.map(|_| ()),
    ] {
        assert!(
            matches!(result, Err(DriverError::Protocol(_))),
            "{result:?}"
        );
    }
}

#[test]
fn each_region_has_its_own_authentication() {
    assert_eq!(Region::Us.auth_url(), "https://auth.api.rackspacecloud.com");
    assert_eq!(
        Region::Uk.auth_url(),
        "https://lon.auth.api.rackspacecloud.com"
    );
    assert_eq!(
        Region::from_provider("rackspace_first_gen:uk"),
        Some(Region::Uk)
    );
    assert_eq!(Region::from_provider("rackspace:lon"), None);
}
