//! Users the tests make through the master's REST API.

use crate::helpers::{basic, TestApp, MASTER_PASSWORD};

/// The master (signed in) makes user `name` (`<name>@example.com`,
/// [`MASTER_PASSWORD`]), with one role of `scope` when one is given; their
/// Basic credentials.
pub async fn user_with_scope(
    app: &TestApp,
    name: &str,
    scope: Option<serde_json::Value>,
) -> String {
    use reqwest::Method;
    use serde_json::json;
    let email = format!("{name}@example.com");
    let res = app
        .api(
            Method::POST,
            "/v3/user",
            Some(json!({"username": name, "email": email, "password": MASTER_PASSWORD})),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    if let Some(scope) = scope {
        let res = app
            .api(
                Method::POST,
                "/v3/role",
                Some(json!({"name": format!("{name}-role"), "scope": scope})),
            )
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let role_id = res.json::<serde_json::Value>().await.unwrap()["role_id"]
            .as_str()
            .unwrap()
            .to_owned();
        let res = app
            .api(
                Method::POST,
                "/v3/user/role",
                Some(json!({"username": name, "role_id": role_id})),
            )
            .await;
        assert_eq!(res.status(), 200);
    }
    basic(&email, MASTER_PASSWORD)
}
