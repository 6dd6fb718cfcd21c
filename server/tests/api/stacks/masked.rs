//! A template sent back as it was shown (its secrets `"****"`) keeps the
//! stack's secrets: the Update editor is prefilled so.

use reqwest::Method;
use serde_json::{json, Value};

use super::*;

#[tokio::test]
async fn an_update_of_the_masked_template_keeps_the_secrets() {
    let app = TestApp::signed_in().await;
    libvirt_backend(&app).await;
    let mut t = template("libvirt", "kvm", 1);
    t["configurations"][0]["container"] = json!({
        "image": "nginx", "registryPassword": "hunter2-secret",
        "environment_variables": {"DB_PASSWORD": "swordfish-secret"}
    });
    let id = apply(&app, t).await;
    wait_for(&app, &id, "CREATE_COMPLETE").await;

    // As shown, its count changed: a scale, no redeploy.
    let mut shown: Value = app
        .get_json(&format!("/v3/alm/template/{id}?version_id=latest"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        shown["configurations"][0]["container"]["registryPassword"],
        "****"
    );
    shown["configurations"][0]["provision"]["instance_count"] = json!(2);
    let res = app
        .api(
            Method::PUT,
            &format!("/v3/alm/template/{id}"),
            Some(shown.clone()),
        )
        .await;
    assert_eq!(res.status(), 202, "{}", res.text().await.unwrap());
    let answer: Value = res.json().await.unwrap();
    assert_eq!(answer["plan"]["layers"][0]["action"], "scale", "{answer}");
    assert!(
        answer["plan"]["layers"][0]["redeploy"].is_null(),
        "{answer}"
    );
    wait_for(&app, &id, "UPDATE_COMPLETE").await;

    // The secrets are the stack's own, not "****".
    let config: Value = app
        .get_json(&format!("/v3/alm/agent/config?stack_id={id}&flag=Web01"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        config["container_registry_password"], "hunter2-secret",
        "{config}"
    );
    assert_eq!(
        config["container_env_vars"]["DB_PASSWORD"], "swordfish-secret",
        "{config}"
    );

    // A masked secret the stack has no value for: 400 naming it.
    let mut unknown = shown;
    unknown["configurations"][0]["container"]["gitPrivateKey"] = json!("****");
    let res = app
        .api(
            Method::PUT,
            &format!("/v3/alm/template/{id}"),
            Some(unknown),
        )
        .await;
    assert_eq!(res.status(), 400);
    let error: Value = res.json().await.unwrap();
    assert_eq!(
        error["field"], "/configurations/0/container/gitPrivateKey",
        "{error}"
    );
}
