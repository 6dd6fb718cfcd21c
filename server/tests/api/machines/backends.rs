//! `/providers` and `/backends` with the bare-metal provider against sshd.

use reqwest::Method;
use serde_json::{json, Value};
use ssh::{KeyAlgorithm, KeyPair};

use super::Lab;
use crate::{helpers::*, identity};

#[tokio::test]
async fn the_catalogue_lists_the_mist_io_providers() {
    let app = TestApp::signed_in().await;
    let body: Value = app.get_json("/providers").await.json().await.unwrap();
    let list = body["supported_providers"].as_array().unwrap();
    let has = |id: &str, title: &str| {
        list.iter()
            .any(|p| p["provider"] == id && p["title"] == title)
    };
    assert!(has("bare_metal", "Bare Metal Server"));
    assert!(has("ec2_ap_southeast_2", "EC2 AP Sydney"));
    assert!(has("rackspace:dfw", "Rackspace DFW"));
    assert!(has(
        "openstack:az-1.region-a.geo-1",
        "HP Cloud US West AZ 1"
    ));
    assert!(list.len() >= 25);
}

#[tokio::test]
async fn a_bare_metal_backend_is_checked_over_ssh_then_listed_with_its_machine_and_key() {
    let Some(lab) = Lab::new().await else { return };
    let (backend_id, machine_id) = lab.bare_metal("rack 1").await;
    let app = &lab.app;

    let backends: Value = app.get_json("/backends").await.json().await.unwrap();
    assert_eq!(backends[0]["id"], backend_id.as_str());
    assert_eq!(backends[0]["title"], "rack 1");
    assert_eq!(backends[0]["provider"], "bare_metal");
    assert_eq!(backends[0]["state"], "online");
    assert_eq!(backends[0]["enabled"], true);

    let machines: Value = app
        .get_json(&format!("/backends/{backend_id}/machines"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(machines.as_array().unwrap().len(), 1);
    assert_eq!(machines[0]["public_ips"], json!(["127.0.0.1"]));
    assert_eq!(machines[0]["state"], "running");
    assert_eq!(machines[0]["can_reboot"], true, "through SSH");
    assert_eq!(machines[0]["can_destroy"], false);

    // The key now says which machine it opens, as whom, with or without sudo.
    let keys: Value = app.get_json("/keys").await.json().await.unwrap();
    let opened = &keys[0]["machines"][0];
    assert_eq!(opened[0], backend_id.as_str());
    assert_eq!(opened[1], machine_id.as_str());
    assert!(opened[2].as_i64().unwrap() > 0);
    assert_eq!(opened[3], lab.sshd.user.as_str());
    assert_eq!(opened[4], lab.sshd.user == "root", "{opened}");

    // The host key was pinned on the first connection.
    let detail: Value = app
        .get_json(&format!("/backends/{backend_id}/machines/{machine_id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(detail["host_key"], lab.sshd.host_key().fingerprint);

    // Rename, disable, enable, delete.
    let path = format!("/backends/{backend_id}");
    assert_eq!(
        app.api(Method::PUT, &path, Some(json!({"new_name": "rack one"})))
            .await
            .status(),
        200
    );
    assert_eq!(
        app.api(Method::POST, &path, Some(json!({"newState": "False"})))
            .await
            .status(),
        200
    );
    let backends: Value = app.get_json("/backends").await.json().await.unwrap();
    assert_eq!(backends[0]["title"], "rack one");
    assert_eq!(backends[0]["state"], "disabled");
    assert_eq!(
        app.api(Method::POST, &path, Some(json!({"newState": "maybe"})))
            .await
            .status(),
        400
    );
    assert_eq!(
        app.api(Method::POST, &path, Some(json!({"newState": "True"})))
            .await
            .status(),
        200
    );
    assert_eq!(app.api(Method::DELETE, &path, None).await.status(), 200);
    assert_eq!(app.api(Method::DELETE, &path, None).await.status(), 404);
    let keys: Value = app.get_json("/keys").await.json().await.unwrap();
    assert_eq!(
        keys[0]["machines"],
        json!([]),
        "associations go with the backend"
    );
}

#[tokio::test]
async fn a_backend_is_enabled_and_disabled_as_the_mist_io_client_and_server_ask() {
    let Some(lab) = Lab::new().await else { return };
    let (backend_id, _) = lab.bare_metal("rack 2").await;
    let app = &lab.app;
    let path = format!("/backends/{backend_id}");
    let enabled = || async {
        let backends: Value = app.get_json("/backends").await.json().await.unwrap();
        backends[0]["enabled"].as_bool().unwrap()
    };
    // The client's `new_state` and the server's `newState`, each value as
    // either sends it.
    for (body, want) in [
        (json!({"new_state": "0"}), false),
        (json!({"new_state": "1"}), true),
        (json!({"newState": "False"}), false),
        (json!({"newState": "True"}), true),
        (json!({"new_state": false}), false),
        (json!({"new_state": true}), true),
        (json!({"newState": "0"}), false),
        (json!({"newState": true}), true),
        (json!({"new_state": "False"}), false),
        (json!({"newState": "1"}), true),
    ] {
        let res = app.api(Method::POST, &path, Some(body.clone())).await;
        assert_eq!(res.status(), 200, "{body}: {}", res.text().await.unwrap());
        assert_eq!(enabled().await, want, "{body}");
    }
    // Anything else is a 400 naming the field, and changes nothing.
    for body in [
        json!({"new_state": "maybe"}),
        json!({"newState": "2"}),
        json!({"new_state": null}),
        json!({"new_state": []}),
        json!({}),
    ] {
        let res = app.api(Method::POST, &path, Some(body.clone())).await;
        assert_eq!(res.status(), 400, "{body}");
        let error: Value = res.json().await.unwrap();
        assert_eq!(error["error"], "invalid_input", "{body}");
        assert_eq!(error["field"], "new_state", "{body}");
        assert!(enabled().await, "{body}");
    }
}

#[tokio::test]
async fn adding_a_backend_that_cannot_be_reached_or_opened_stores_nothing() {
    let Some(lab) = Lab::new().await else { return };
    lab.import_key("lab").await;
    let stranger = KeyPair::generate(KeyAlgorithm::Ed25519).unwrap();
    lab.app
        .api(
            Method::PUT,
            "/keys",
            Some(json!({"id": "stranger", "priv": stranger.private_openssh()})),
        )
        .await;
    let closed_port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let base = json!({
        "title": "t", "provider": "bare_metal", "machine_ip": "127.0.0.1",
        "machine_key": "lab", "machine_user": lab.sshd.user, "machine_port": lab.sshd.port,
    });
    let with = |patch: Value| {
        let mut body = base.clone();
        for (k, v) in patch.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    let cases = [
        (
            with(json!({"machine_key": "stranger"})),
            "machine_ip",
            "refused the key",
        ),
        (
            with(json!({"machine_port": closed_port})),
            "machine_ip",
            "cannot reach",
        ),
        (
            with(json!({"machine_key": "nope"})),
            "machine_key",
            "no key is named",
        ),
        (
            with(json!({"machine_port": "99999"})),
            "machine_port",
            "port number",
        ),
        (with(json!({"machine_ip": ""})), "machine_ip", "address"),
        (with(json!({"title": ""})), "title", "title"),
        (
            with(json!({"provider": "gopher"})),
            "provider",
            "not in the catalogue",
        ),
        (
            with(json!({"provider": "softlayer"})),
            "apisecret",
            "give the SoftLayer secret",
        ),
    ];
    for (body, field, says) in cases {
        let res = lab
            .app
            .api(Method::POST, "/backends", Some(body.clone()))
            .await;
        assert_eq!(res.status(), 400, "{body}");
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["field"], field, "{body}: {err}");
        assert!(
            err["message"].as_str().unwrap().contains(says),
            "{body}: {err}"
        );
    }
    let backends: Value = lab.app.get_json("/backends").await.json().await.unwrap();
    assert_eq!(backends, json!([]));

    // The same title twice: 409.
    lab.app
        .api(Method::POST, "/backends", Some(base.clone()))
        .await;
    let res = lab.app.api(Method::POST, "/backends", Some(base)).await;
    assert_eq!(res.status(), 409);
}

#[tokio::test]
async fn a_user_allowed_one_backend_sees_only_its_machines() {
    let Some(lab) = Lab::new().await else { return };
    let (b1, _) = lab.bare_metal("one").await;
    let res = lab
        .app
        .api(
            Method::POST,
            "/backends",
            Some(json!({
                "title": "two", "provider": "bare_metal", "machine_ip": "127.0.0.1",
                "machine_key": "lab", "machine_user": lab.sshd.user, "machine_port": lab.sshd.port,
            })),
        )
        .await;
    assert_eq!(res.status(), 201);
    let b2 = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // A user whose role allows view:machine on backend one only.
    identity::create_user_with_scope(
        &lab.app,
        json!({"version": "2017-05-05", "Statement": [
            {"Effect": "Allow", "Action": ["view:machine", "view:backend"], "Resource": [format!("backend/{b1}"), format!("backend/{b1}/machine/*")]}
        ]}),
    )
    .await;
    let user = basic(identity::USER_EMAIL, identity::USER_PASSWORD);
    let backends: Value = lab
        .app
        .as_caller(Method::GET, "/backends", &user, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(backends.as_array().unwrap().len(), 1);
    assert_eq!(backends[0]["id"], b1.as_str());
    let mine = lab
        .app
        .as_caller(
            Method::GET,
            &format!("/backends/{b1}/machines"),
            &user,
            None,
        )
        .await;
    assert_eq!(mine.status(), 200);
    assert_eq!(
        mine.json::<Value>()
            .await
            .unwrap()
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let theirs: Value = lab
        .app
        .as_caller(
            Method::GET,
            &format!("/backends/{b2}/machines"),
            &user,
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        theirs,
        json!([]),
        "machines of another backend are filtered out"
    );
    // Seeing is not running: no shell:machine.
    let res = lab
        .app
        .as_caller(
            Method::GET,
            &format!("/backends/{b1}/machines/x/shell?command=true"),
            &user,
            None,
        )
        .await;
    assert_eq!(res.status(), 403);
}
