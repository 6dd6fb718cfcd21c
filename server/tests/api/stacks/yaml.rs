//! Template bodies in YAML (`application/x-yaml`, as Mobingi's SDK sends).

use reqwest::Method;
use serde_json::Value;

use super::*;

const YAML: &str = "version: \"2017-03-03\"
label: from yaml
vendor:
  libvirt:
    cred: kvm
configurations:
  - role: web
    flag: Web01
    provision:
      image: none
      instance_type: 1cpu-512mb
      instance_count: 2
      keypair: false
";

#[tokio::test]
async fn a_yaml_template_applies_and_updates_like_its_json() {
    let app = TestApp::signed_in().await;
    let b = libvirt_backend(&app).await;
    let res = app
        .api_text(Method::POST, "/v3/alm/template", "application/x-yaml", YAML)
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let id = res.json::<Value>().await.unwrap()["stack_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let stack = wait_for(&app, &id, "CREATE_COMPLETE").await;
    let nick = stack["nickname"].as_str().unwrap();
    assert_eq!(stack["configuration"]["label"], "from yaml");
    assert_eq!(layer_on_provider(&app, &b, nick, "Web01").await.len(), 2);

    let scaled = YAML.replace("instance_count: 2", "instance_count: 3");
    let res = app
        .api_text(
            Method::PUT,
            &format!("/v3/alm/template/{id}"),
            "text/yaml; charset=utf-8",
            &scaled,
        )
        .await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    wait_for(&app, &id, "UPDATE_COMPLETE").await;
    assert_eq!(layer_on_provider(&app, &b, nick, "Web01").await.len(), 3);

    // Broken YAML: 400 with its line and column; a fault of the template
    // itself: 400 with its pointer, as for JSON.
    let res = app
        .api_text(
            Method::POST,
            "/v3/alm/template",
            "application/x-yaml",
            "version: [\"2017-03-03\"\nlabel: x\n",
        )
        .await;
    assert_eq!(res.status(), 400);
    let message = res.json::<Value>().await.unwrap()["message"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        message.contains("line") && message.contains("column"),
        "{message}"
    );
    let res = app
        .api_text(
            Method::POST,
            "/v3/alm/template",
            "application/x-yaml",
            &YAML.replace("instance_count: 2", "instance_count: 101"),
        )
        .await;
    assert_eq!(res.status(), 400);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("/configurations/0/provision/instance_count"));
}
