//! Users, roles, API credentials and their enforcement: the shared setup
//! here, the tests by subject below.

mod roles;
mod tokens;
mod users;

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

pub const USER: &str = "reader";
pub const USER_EMAIL: &str = "reader@example.com";
pub const USER_PASSWORD: &str = "a reader's long password";

/// The master (signed in) creates a user and attaches a role made from a template.
pub async fn with_user(template: Option<&str>) -> TestApp {
    let app = TestApp::signed_in().await;
    let res = app
        .api(
            Method::POST,
            "/v3/user",
            Some(json!({"username": USER, "email": USER_EMAIL, "password": USER_PASSWORD})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["status"], "success");
    assert!(body["user_id"].is_string());
    if let Some(template) = template {
        let templates: Value = app
            .api(Method::GET, "/v3/role/templates", None)
            .await
            .json()
            .await
            .unwrap();
        let scope = templates
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["id"] == template)
            .unwrap()["scope"]
            .clone();
        let res = app
            .api(
                Method::POST,
                "/v3/role",
                Some(json!({"name": template, "scope": scope})),
            )
            .await;
        assert_eq!(res.status(), 200);
        let role_id = res.json::<Value>().await.unwrap()["role_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let res = app
            .api(
                Method::POST,
                "/v3/user/role",
                Some(json!({"username": USER, "role_id": role_id})),
            )
            .await;
        assert_eq!(res.status(), 200);
        assert!(res.json::<Value>().await.unwrap()["user_role_id"].is_string());
    }
    app
}

/// The master (signed in) creates the user [`USER`] with one role of the given scope.
pub async fn create_user_with_scope(app: &TestApp, scope: Value) {
    let res = app
        .api(
            Method::POST,
            "/v3/user",
            Some(json!({"username": USER, "email": USER_EMAIL, "password": USER_PASSWORD})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .api(
            Method::POST,
            "/v3/role",
            Some(json!({"name": "custom", "scope": scope})),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let role_id = res.json::<Value>().await.unwrap()["role_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .api(
            Method::POST,
            "/v3/user/role",
            Some(json!({"username": USER, "role_id": role_id})),
        )
        .await;
    assert_eq!(res.status(), 200);
}
