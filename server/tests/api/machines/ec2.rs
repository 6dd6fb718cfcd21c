//! An EC2 backend end to end through the REST API against moto: credentials
//! checked, images, sizes and zones listed, a machine created, rebooted and
//! destroyed. Without moto, `testkit::peer_missing`: skipped, saying how to
//! get it, under a plain `cargo test`; failed under `OVERCAST_REQUIRE_PEERS`.

use std::{
    process::{Child, Command, Stdio},
    time::Duration,
};

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

pub(crate) struct Moto {
    child: Child,
    pub(crate) url: String,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const INSTALL_MOTO: &str = "source scripts/peers.sh && ensure_moto";

/// moto on a free loopback port; `None` when it is missing and the test
/// may skip (see `testkit::peer_missing`).
pub(crate) async fn moto() -> Option<Moto> {
    let bin = std::env::var("OVERCAST_MOTO").ok().or_else(|| {
        let local = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../.tools/moto/bin/moto_server"
        );
        std::path::Path::new(local)
            .exists()
            .then(|| local.to_owned())
    });
    let Some(bin) = bin else {
        testkit::peer_missing("moto", INSTALL_MOTO);
        return None;
    };
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let spawned = Command::new(&bin)
        .args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .env("MOTO_ENABLE_AMI_VALIDATION", "true")
        .env("MOTO_EC2_ENABLE_INSTANCE_TYPE_VALIDATION", "true")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn();
    let child = match spawned {
        Ok(child) => child,
        Err(e) => {
            testkit::peer_missing(&format!("moto at {bin} ({e})"), INSTALL_MOTO);
            return None;
        }
    };
    let moto = Moto {
        child,
        url: format!("http://127.0.0.1:{port}"),
    };
    for _ in 0..100 {
        if reqwest::get(format!("{}/moto-api/", moto.url))
            .await
            .is_ok()
        {
            return Some(moto);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("moto did not start"); // `moto` is dropped: the process is killed and reaped
}

#[tokio::test]
async fn an_ec2_backend_creates_reboots_and_destroys_a_machine() {
    let Some(moto) = moto().await else { return };
    let app = TestApp::signed_in().await;
    let res = app
        .api(
            Method::POST,
            "/backends",
            Some(json!({
                "title": "sydney", "provider": "ec2_ap_southeast_2",
                "apikey": "AKIDEXAMPLE", "apisecret": "secret-for-moto", "apiurl": moto.url,
            })),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let backend: Value = res.json().await.unwrap();
    assert_eq!(
        backend["apikey"], "AKIDEXAMPLE",
        "the access key id is shown"
    );
    assert!(!backend.to_string().contains("secret-for-moto"));
    let b = backend["id"].as_str().unwrap().to_owned();

    let get = |path: String| {
        let app = &app;
        async move { app.get_json(&path).await.json::<Value>().await.unwrap() }
    };
    let images = get(format!("/backends/{b}/images?search=amzn")).await;
    let image = images[0]["id"].as_str().unwrap().to_owned();
    let sizes = get(format!("/backends/{b}/sizes")).await;
    assert!(sizes
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["id"] == "t2.micro"));
    let zones = get(format!("/backends/{b}/locations")).await;
    let zone = zones[0]["id"].as_str().unwrap().to_owned();
    assert!(zone.starts_with("ap-southeast-2"), "{zones}");

    let res = app
        .api(
            Method::POST,
            &format!("/backends/{b}/machines"),
            Some(json!({"name": "web-1", "image": image, "size": "t2.micro", "location": zone})),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let machine: Value = res.json().await.unwrap();
    assert_eq!(machine["name"], "web-1");
    let m = machine["id"].as_str().unwrap().to_owned();
    let listed = get(format!("/backends/{b}/machines")).await;
    assert!(listed
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"] == m.as_str()));

    // Tags: the whole set replaced, shown in the list.
    let res = app
        .api(
            Method::PUT,
            &format!("/backends/{b}/machines/{m}/tags"),
            Some(json!({"tags": ["env=prod", "web", "web"]})),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert_eq!(
        res.json::<Value>().await.unwrap()["tags"],
        json!(["env=prod", "web"])
    );
    let listed = get(format!("/backends/{b}/machines")).await;
    let tagged = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == m.as_str())
        .unwrap();
    assert_eq!(tagged["tags"], json!(["env=prod", "web"]));

    // One tag at a time, in mist.io's shape; moto holds what was set.
    let metadata = format!("/backends/{b}/machines/{m}/metadata");
    let res = app
        .api(Method::POST, &metadata, Some(json!({"tag": "team=ops"})))
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert_eq!(
        res.json::<Value>().await.unwrap()["tags"],
        json!(["env=prod", "web", "team=ops"])
    );
    let res = app
        .api(Method::DELETE, &format!("{metadata}/web"), None)
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert_eq!(
        res.json::<Value>().await.unwrap()["tags"],
        json!(["env=prod", "team=ops"])
    );
    let res = app
        .api(Method::DELETE, &format!("{metadata}/web"), None)
        .await;
    assert_eq!(res.status(), 404, "a tag the machine lacks");
    // mist.io's client names the tag in the body instead.
    let res = app
        .api(Method::DELETE, &metadata, Some(json!({"tag": "team=ops"})))
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert_eq!(
        res.json::<Value>().await.unwrap()["tags"],
        json!(["env=prod"])
    );
    let res = app.api(Method::DELETE, &metadata, Some(json!({}))).await;
    assert_eq!(res.status(), 400, "no tag named");
    let res = app
        .api(Method::POST, &metadata, Some(json!({"tag": "team=ops"})))
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .api(Method::POST, &metadata, Some(json!({"tag": " "})))
        .await;
    assert_eq!(res.status(), 400);

    let path = format!("/backends/{b}/machines/{m}");
    for action in ["reboot", "stop", "start", "destroy"] {
        let res = app
            .api(Method::POST, &path, Some(json!({"action": action})))
            .await;
        assert_eq!(res.status(), 200, "{action}: {}", res.text().await.unwrap());
    }
    // Destroyed: the answer offers nothing more (mist.io's `can_*` follow
    // the state as well as the provider).
    let detail: Value = app.get_json(&path).await.json().await.unwrap();
    let shown = &detail["machine"];
    assert_eq!(shown["state"], "terminated", "{detail}");
    for flag in [
        "can_reboot",
        "can_stop",
        "can_start",
        "can_destroy",
        "can_tag",
    ] {
        assert_eq!(
            shown[flag], false,
            "{flag} on a terminated machine: {detail}"
        );
    }
    let res = app
        .api(
            Method::POST,
            &format!("/backends/{b}/machines/i-0123456789abcdef0"),
            Some(json!({"action": "reboot"})),
        )
        .await;
    assert_eq!(res.status(), 404, "an unknown machine");

    // A bad AMI is EC2's own refusal, quoted.
    let res = app
        .api(
            Method::POST,
            &format!("/backends/{b}/machines"),
            Some(
                json!({"name": "x", "image": "ami-00000000", "size": "t2.micro", "location": zone}),
            ),
        )
        .await;
    assert_eq!(res.status(), 400);
    assert!(res.text().await.unwrap().contains("InvalidAMIID"));

    // Every create was recorded before EC2 was asked, and its answer after:
    // the machine made, and the refusal with EC2's reason.
    let provisions = app.services().db.provisions_of(&b).await.unwrap();
    let created: Vec<_> = provisions.iter().filter(|p| p.state == "created").collect();
    assert!(
        created
            .iter()
            .any(|p| p.machine_id.as_deref() == Some(m.as_str())),
        "{provisions:?}"
    );
    let failed = provisions
        .iter()
        .find(|p| p.state == "failed")
        .expect("the refused create is recorded");
    assert_eq!(failed.image, "ami-00000000");
    assert!(failed
        .detail
        .as_deref()
        .unwrap_or_default()
        .contains("InvalidAMIID"));
    assert!(
        provisions.iter().all(|p| p.state != "requested"),
        "{provisions:?}"
    );
}
