//! Keys on machines: deployed through a key that works, and associated in
//! mist.io's shapes.

use reqwest::Method;
use serde_json::{json, Value};

use super::Lab;

#[tokio::test]
async fn a_key_is_deployed_through_one_that_works_and_then_opens_the_machine() {
    let Some(lab) = super::Lab::new().await else {
        return;
    };
    let (b, m) = lab.bare_metal("box").await;
    let res = lab
        .app
        .api(
            Method::POST,
            "/keys/generate",
            Some(json!({"id": "second"})),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let generated: Value = res.json().await.unwrap();
    let second = ssh::KeyPair::parse(generated["priv"].as_str().unwrap(), None).unwrap();
    let public = second.public_openssh();
    let authorized = lab.sshd.home().join(".ssh/authorized_keys");
    assert!(!authorized.exists());
    // The new key alone does not open the machine yet.
    let target = ssh::Target {
        host: "127.0.0.1".into(),
        port: lab.sshd.port,
        user: lab.sshd.user.clone(),
    };
    let refused = ssh::connect(&target, &second, None, std::time::Duration::from_secs(5)).await;
    assert!(matches!(
        refused,
        Err(ssh::ConnectError::AuthRefused { .. })
    ));

    let path = format!("/backends/{b}/machines/{m}/keys/second/deploy");
    for _ in 0..2 {
        let res = lab.app.api(Method::POST, &path, None).await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let deployed: Value = res.json().await.unwrap();
        assert_eq!(deployed["key"], "second");
        assert_eq!(deployed["ssh_user"], lab.sshd.user.as_str());
    }
    let lines = std::fs::read_to_string(&authorized).unwrap();
    assert_eq!(
        lines.lines().filter(|l| l.trim() == public.trim()).count(),
        1,
        "added once, however often deployed: {lines}"
    );
    let (connection, _) = ssh::connect(&target, &second, None, std::time::Duration::from_secs(5))
        .await
        .expect("the deployed key opens the machine");
    connection.close().await;

    let keys: Value = lab.app.get_json("/keys").await.json().await.unwrap();
    let entry = keys
        .as_array()
        .unwrap()
        .iter()
        .find(|k| k["id"] == "second")
        .unwrap();
    assert_eq!(entry["machines"][0][0], b.as_str(), "associated: {entry}");
    assert_eq!(entry["machines"][0][3], lab.sshd.user.as_str());

    let res = lab
        .app
        .api(
            Method::POST,
            &format!("/backends/{b}/machines/{m}/keys/nosuch/deploy"),
            None,
        )
        .await;
    assert_eq!(res.status(), 404);
}

/// mist.io's association body (`user`, `host`, `port`) and answer: the
/// machines the key opens, after the change.
#[tokio::test]
async fn a_key_is_associated_in_mist_io_shapes_and_answers_its_machines() {
    let Some(lab) = Lab::new().await else { return };
    let (b, m) = lab.bare_metal("box").await;
    let res = lab
        .app
        .api(Method::POST, "/keys/generate", Some(json!({"id": "other"})))
        .await;
    assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    let path = format!("/backends/{b}/machines/{m}/keys/other");

    for (body, field) in [
        (json!({"user": "ops", "host": "10.1.2.3"}), "host"),
        (json!({"user": "ops", "port": 1}), "port"),
        (json!({"user": "two words"}), "ssh_user"),
        (json!({"user": "ops", "sudo": "maybe"}), "sudo"),
    ] {
        let res = lab.app.api(Method::PUT, &path, Some(body.clone())).await;
        assert_eq!(res.status(), 400, "{body}");
        assert_eq!(res.json::<Value>().await.unwrap()["field"], field, "{body}");
    }

    let res = lab
        .app
        .api(
            Method::PUT,
            &path,
            Some(json!({"user": "ops", "host": "127.0.0.1", "port": lab.sshd.port})),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let opens: Value = res.json().await.unwrap();
    assert_eq!(opens.as_array().unwrap().len(), 1, "{opens}");
    // mist.io's shape: [backend, machine, last used, user, sudo].
    assert_eq!(opens[0][0], b.as_str(), "{opens}");
    assert_eq!(opens[0][1], m.as_str(), "{opens}");
    assert_eq!(opens[0][3], "ops", "{opens}");

    let res = lab.app.api(Method::DELETE, &path, None).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap(), json!([]));
    let res = lab.app.api(Method::DELETE, &path, None).await;
    assert_eq!(res.status(), 404);
}
