//! A stack's own key: generated for `"keypair": true`, removed with the
//! stack.

use reqwest::Method;
use serde_json::Value;

use super::*;

async fn key_names(app: &TestApp) -> Vec<String> {
    let keys: Value = app.get_json("/keys").await.json().await.unwrap();
    keys.as_array()
        .unwrap()
        .iter()
        .map(|k| k["name"].as_str().or(k["id"].as_str()).unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_stack_with_keypair_gets_its_own_key_removed_when_it_is_deleted() {
    let app = TestApp::signed_in().await;
    libvirt_backend(&app).await;
    let mut t = template("libvirt", "kvm", 2);
    t["configurations"][0]["provision"]["keypair"] = true.into();
    let id = apply(&app, t).await;
    let stack = wait_for(&app, &id, "CREATE_COMPLETE").await;
    let key = format!("stack-{}", stack["nickname"].as_str().unwrap());
    assert!(key_names(&app).await.contains(&key), "{key}");
    let stored = app.services().db.key_by_name(&key).await.unwrap().unwrap();
    assert_eq!(stored.algorithm, "ssh-ed25519");

    let res = app
        .api(Method::DELETE, &format!("/v3/alm/stack/{id}"), None)
        .await;
    assert_eq!(res.status(), 202);
    wait_for(&app, &id, "DELETE_COMPLETE").await;
    assert!(!key_names(&app).await.contains(&key));
}
