//! The OpenStack driver's Keystone side on Libcloud's recorded answers:
//! v2 and v3 tokens, the catalogue and the endpoint it chooses, refused
//! credentials, and renewing a token Nova refuses.

use cloud::openstack::KeystoneVersion::{V2, V3};
use cloud::{CloudDriver, DriverError};
use serde_json::json;

use crate::openstack_peer::{plain, rackspace, OpenStackPeer, V2_TOKEN};

#[tokio::test]
async fn a_v2_password_token_opens_nova_in_the_configured_region() {
    let peer = OpenStackPeer::start().await;
    let d = plain(
        &format!("{}/v2.0/", peer.url),
        V2,
        "ops",
        Some("RegionOne"),
        None,
    );
    d.list_sizes().await.unwrap();
    d.list_sizes().await.unwrap();
    assert_eq!(
        peer.requests(),
        [
            "POST /v2.0/tokens",
            "GET /test_endpoint.com/v2/1337/flavors/detail",
            "GET /test_endpoint.com/v2/1337/flavors/detail",
        ],
        "one token serves both calls"
    );
    let seen = peer.seen();
    assert_eq!(
        seen[0].body,
        Some(
            json!({ "auth": { "passwordCredentials": { "username": "ops", "password": "s3cret" }, "tenantName": "demo" } })
        )
    );
    assert_eq!(seen[1].token.as_deref(), Some(V2_TOKEN));
}

#[tokio::test]
async fn rackspace_presets_send_the_api_key_and_reach_their_regions_nova() {
    let peer = OpenStackPeer::start().await;
    let us = format!("{}/v2.0", peer.url);
    for (provider, host) in [
        ("rackspace:dfw", "dfw"),
        ("rackspace:ord", "ord"),
        ("rackspace:iad", "iad"),
        ("rackspace:syd", "syd"),
    ] {
        let d = rackspace(provider, &us, "ops");
        let machines = d.list_machines().await.unwrap();
        let path = format!("GET /{host}.servers.api.rackspacecloud.com/v2/1337/servers/detail");
        assert_eq!(peer.requests().last(), Some(&path), "{provider}");
        assert_eq!(
            machines[0].location.as_deref(),
            Some(host.to_uppercase().as_str())
        );
    }
    let auth = &peer.seen()[0];
    assert_eq!(
        auth.body,
        Some(
            json!({ "auth": { "RAX-KSKEY:apiKeyCredentials": { "username": "ops", "apiKey": "0123456789abcdef" } } })
        )
    );
    // London has its own identity host and catalogue.
    let lon = rackspace("rackspace:lon", &format!("{}/lon/v2.0", peer.url), "ops");
    lon.list_sizes().await.unwrap();
    let tail = &peer.requests()[peer.requests().len() - 2..];
    assert_eq!(
        tail,
        [
            "POST /lon/v2.0/tokens",
            "GET /lon.servers.api.rackspacecloud.com/v2/1337/flavors/detail"
        ]
    );
}

#[tokio::test]
async fn a_v3_token_comes_in_its_header_and_lasts_as_keystone_dated_it() {
    let peer = OpenStackPeer::start().await;
    // No region: the recorded cloud has one (regionOne); its public endpoint wins
    // over the internal `controller` one.
    let d = plain(&format!("{}/v3", peer.url), V3, "admin", None, None);
    d.list_sizes().await.unwrap();
    // The recording was issued and expired in 2014; an hour long on
    // Keystone's clock, so the second call reuses it.
    d.list_images(None).await.unwrap();
    let seen = peer.seen();
    let requests: Vec<_> = seen.iter().map(|s| s.request.as_str()).collect();
    assert_eq!(
        requests,
        [
            "POST /v3/auth/tokens",
            "GET /192.168.18.100:8774/v2/9c4693dce56b493b9b83197d900f7fba/flavors/detail",
            "GET /192.168.18.100:8774/v2/9c4693dce56b493b9b83197d900f7fba/images/detail",
        ]
    );
    let default = json!({ "id": "default" });
    let expected = json!({ "auth": {
        "identity": { "methods": ["password"], "password": { "user": { "name": "admin", "domain": default, "password": "s3cret" } } },
        "scope": { "project": { "name": "demo", "domain": default } },
    } });
    assert_eq!(seen[0].body, Some(expected));
    assert_eq!(seen[1].token.as_deref(), Some("v3-token-1"));
    let zones = d.list_locations().await.unwrap();
    let summary: Vec<_> = zones.iter().map(|l| (l.id.as_str(), l.available)).collect();
    assert_eq!(summary, [("nova", true), ("az2", false)]);
    assert_eq!(zones[0].extra["region"], "regionOne");
}

#[tokio::test]
async fn refused_credentials_quote_keystone_in_either_version() {
    let peer = OpenStackPeer::start().await;
    let v2 = rackspace("rackspace:ord", &format!("{}/v2.0", peer.url), "bad");
    assert_eq!(
        v2.check_credentials().await.unwrap_err(),
        DriverError::BadCredentials("Username or api key is invalid".into())
    );
    let v3 = plain(&format!("{}/v3", peer.url), V3, "bad", None, None);
    assert_eq!(
        v3.list_machines().await.unwrap_err(),
        DriverError::BadCredentials("The request you have made requires authentication.".into())
    );
    assert_eq!(
        peer.requests(),
        ["POST /v2.0/tokens", "POST /v3/auth/tokens"],
        "a 401 is not retried"
    );
    let lost = plain(&format!("{}/nowhere", peer.url), V2, "ops", None, None);
    let err = lost.check_credentials().await.unwrap_err();
    assert!(
        matches!(err, DriverError::InvalidRequest(ref m) if m.contains("no Keystone V2")),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_endpoint_choice_is_explained_when_it_cannot_be_made() {
    let peer = OpenStackPeer::start().await;
    let v2 = format!("{}/v2.0", peer.url);
    let err = plain(&v2, V2, "ops", Some("DFW"), None)
        .check_credentials()
        .await
        .unwrap_err();
    let m = err.to_string();
    assert!(
        m.contains("several compute services")
            && m.contains("cloudServersOpenStack, cloudServersPreprod"),
        "{m}"
    );
    let err = plain(&v2, V2, "ops", Some("LON"), Some("cloudServersOpenStack"))
        .check_credentials()
        .await
        .unwrap_err();
    assert!(
        err.to_string().contains("(DFW, HKG, IAD, ORD, SYD)"),
        "{err}"
    );
    let err = plain(&v2, V2, "ops", None, None)
        .check_credentials()
        .await
        .unwrap_err();
    assert!(err.to_string().contains("choose a region"), "{err}");
    // A service and region that match are taken.
    plain(&v2, V2, "ops", Some("fr1"), Some("nova"))
        .check_credentials()
        .await
        .unwrap();
}

#[tokio::test]
async fn an_expired_token_is_renewed_before_the_next_call() {
    let peer = OpenStackPeer::start().await;
    peer.expire_tokens();
    let d = plain(
        &format!("{}/v2.0", peer.url),
        V2,
        "ops",
        Some("RegionOne"),
        None,
    );
    d.list_sizes().await.unwrap();
    d.list_sizes().await.unwrap();
    let posts = peer
        .requests()
        .iter()
        .filter(|r| r.starts_with("POST"))
        .count();
    assert_eq!(posts, 2, "{:?}", peer.requests());
}

#[tokio::test]
async fn a_token_nova_refuses_is_renewed_once_then_refused_for_good() {
    let peer = OpenStackPeer::start().await;
    let d = plain(&format!("{}/v3", peer.url), V3, "admin", None, None);
    d.list_sizes().await.unwrap();
    peer.refuse_tokens(1);
    d.list_sizes().await.unwrap();
    let seen = peer.seen();
    let tokens: Vec<_> = seen
        .iter()
        .map(|s| (s.request.split(' ').next().unwrap(), s.token.clone()))
        .collect();
    let t = |n: &str| Some(format!("v3-token-{n}"));
    assert_eq!(
        tokens,
        [
            ("POST", None),
            ("GET", t("1")),
            ("GET", t("1")),
            ("POST", None),
            ("GET", t("2"))
        ]
    );

    peer.refuse_tokens(2);
    let err = d.list_machines().await.unwrap_err();
    assert!(
        matches!(err, DriverError::BadCredentials(ref m) if m == "Authentication required"),
        "{err:?}"
    );
    let after: Vec<_> = peer.requests().split_off(5);
    assert_eq!(
        after.iter().filter(|r| r.starts_with("POST")).count(),
        1,
        "{after:?}"
    );
    assert_eq!(after.len(), 3);
    // The next call uses the token renewed meanwhile.
    d.list_sizes().await.unwrap();
    assert_eq!(peer.seen().last().unwrap().token, t("3"));
}
