//! Users, roles, API credentials and their enforcement: the shared setup
//! here, the tests by subject below.

mod admin_pages;
mod passwords;
mod roles;
mod tokens;
mod two_factor;
mod two_factor_admin;
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

/// The user signed in on a client of their own: the client, and its CSRF
/// token.
pub(crate) async fn user_session(app: &TestApp, password: &str) -> (reqwest::Client, String) {
    let (client, res) = app.session_of(USER_EMAIL, password).await;
    assert!(res.status().is_success(), "{}", res.status());
    let csrf = res
        .headers()
        .get_all(reqwest::header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("csrftoken="))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    (client, csrf)
}

/// What the user's session gets for a read of their own roles.
pub(crate) async fn session_status(app: &TestApp, client: &reqwest::Client) -> u16 {
    client
        .get(app.url("/v3/user/role"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A token of the user's, made with Basic credentials.
pub(crate) async fn user_token(app: &TestApp, password: &str) -> String {
    let res = app
        .as_caller(
            Method::POST,
            "/tokens",
            &basic(USER_EMAIL, password),
            Some(json!({"name": "t"})),
        )
        .await;
    assert_eq!(res.status(), 201);
    format!(
        "Token {}",
        res.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
    )
}

pub(crate) async fn token_status(app: &TestApp, token: &str) -> u16 {
    app.as_caller(Method::GET, "/v3/user/role", token, None)
        .await
        .status()
        .as_u16()
}
