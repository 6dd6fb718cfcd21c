//! A libvirt backend through the REST API, on libvirt's built-in test
//! driver (`test:///default`): added, its domains listed, one created,
//! stopped, started and destroyed.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn a_libvirt_backend_defines_runs_and_destroys_domains() {
    let app = TestApp::signed_in().await;
    let res = app
        .api(
            Method::POST,
            "/backends",
            Some(json!({"title": "kvm", "provider": "libvirt", "apiurl": "test:///default"})),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let b = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let machines: Value = app
        .get_json(&format!("/backends/{b}/machines"))
        .await
        .json()
        .await
        .unwrap();
    assert!(
        machines
            .as_array()
            .unwrap()
            .iter()
            .any(|m| m["name"] == "test" && m["state"] == "running"),
        "the test driver's own domain: {machines}"
    );
    // libvirt has power actions but no tags: a running domain offers
    // reboot, stop and destroy, not start, and never tags.
    let test = machines
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "test")
        .unwrap();
    assert_eq!(
        [
            &test["can_reboot"],
            &test["can_stop"],
            &test["can_start"],
            &test["can_destroy"],
            &test["can_tag"]
        ],
        [true, true, false, true, false],
        "{test}"
    );
    let location = app
        .get_json(&format!("/backends/{b}/locations"))
        .await
        .json::<Value>()
        .await
        .unwrap()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .api(
            Method::POST,
            &format!("/backends/{b}/machines"),
            Some(json!({"name": "vm-overcast", "size": "1cpu-512mb", "image": "none", "location": location})),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let m = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/backends/{b}/machines/{m}");
    for action in ["stop", "start", "reboot", "destroy"] {
        let res = app
            .api(Method::POST, &path, Some(json!({"action": action})))
            .await;
        assert_eq!(res.status(), 200, "{action}: {}", res.text().await.unwrap());
    }

    let res = app
        .api(
            Method::POST,
            "/backends",
            Some(json!({"title": "nowhere", "provider": "libvirt", "apiurl": "nosuch:///system"})),
        )
        .await;
    assert_eq!(res.status(), 502, "an unreachable hypervisor says why");
}
