//! Roles: who may look, who may change, and what a refusal says.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use super::*;
use crate::helpers::*;

#[tokio::test]
async fn a_read_only_user_may_look_but_not_change_and_is_told_which_action() {
    let app = with_user(Some("read-only")).await;
    let auth = basic(USER_EMAIL, USER_PASSWORD);
    let mine: Value = app
        .as_caller(Method::GET, "/v3/user/role", &auth, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["name"], "read-only");
    let users = app.as_caller(Method::GET, "/v3/user", &auth, None).await;
    assert_eq!(users.status(), 200, "read-only has view:user");

    let res = app.as_caller(Method::POST, "/v3/role", &auth, Some(json!({"name": "mine", "scope": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}))).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["RBAC"], "Action not allowed");
    assert_eq!(body["action"], "create:role");
    let roles: Value = app
        .api(Method::GET, "/v3/role", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(roles.as_array().unwrap().len(), 1, "nothing changed");
    let audit = app.services().db.recent_audit(50).await.unwrap();
    let denied = audit
        .iter()
        .find(|e| e.outcome == "denied")
        .expect("the refusal is audited");
    assert_eq!(
        (denied.actor.as_str(), denied.action.as_str()),
        (USER_EMAIL, "create:role")
    );
    assert_eq!(denied.resource, "POST /v3/role");
}

#[tokio::test]
async fn a_user_without_roles_is_denied_by_default() {
    let app = with_user(None).await;
    let res = app
        .as_caller(
            Method::GET,
            "/v3/user",
            &basic(USER_EMAIL, USER_PASSWORD),
            None,
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(res.json::<Value>().await.unwrap()["action"], "view:user");
}

#[tokio::test]
async fn roles_take_form_bodies_and_lower_case_keys_and_refuse_bad_scopes_precisely() {
    let app = TestApp::signed_in().await;
    let res = app
        .client
        .post(app.url("/v3/role"))
        .header("X-CSRFToken", app.csrf())
        .form(&[
            ("name", "ops"),
            (
                "scope",
                r#"{"statement":[{"effect":"allow","action":["view:*"],"resource":["*"]}]}"#,
            ),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .api(
            Method::POST,
            "/v3/role",
            Some(json!({"name": "bad", "scope": {"Statement": [
                {"Effect": "Allow", "Action": "*", "Resource": "*"},
                {"Effect": "Allow", "Action": ["teleport:machine"], "Resource": "*"}
            ]}})),
        )
        .await;
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["field"], "scope.Statement[1].Action[0]");
    let res = app.api(Method::POST, "/v3/role", Some(json!({"name": "ops", "scope": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}))).await;
    assert_eq!(res.status(), 409, "names are unique");
}

#[tokio::test]
async fn only_the_master_administers_users_and_roles() {
    let app = with_user(Some("management")).await;
    let auth = basic(USER_EMAIL, USER_PASSWORD);
    // Even "allow everything" does not reach administration.
    for (method, path, body) in [
        (
            Method::POST,
            "/v3/user",
            json!({"username": "x", "email": "x@example.com", "password": USER_PASSWORD}),
        ),
        (Method::DELETE, "/v3/user/reader", json!({})),
        (Method::GET, "/v3/role", json!({})),
    ] {
        let res = app.as_caller(method.clone(), path, &auth, Some(body)).await;
        assert_eq!(res.status(), 403, "{method} {path}");
    }
    assert_eq!(
        app.api(Method::DELETE, &format!("/v3/user/{USER}"), None)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.api(Method::DELETE, &format!("/v3/user/{USER}"), None)
            .await
            .status(),
        404
    );
}

#[tokio::test]
async fn the_admin_page_lists_each_users_roles_as_the_api_does() {
    let app = with_user(Some("read-only")).await;
    // A second role on the user, and a user with none.
    let role: Value = app
        .api(
            Method::POST,
            "/v3/role",
            Some(json!({"name": "aardvarks", "scope": {"Statement": [{"Effect": "Allow", "Action": "view:backend", "Resource": "*"}]}})),
        )
        .await
        .json()
        .await
        .unwrap();
    let res = app
        .api(
            Method::POST,
            "/v3/user/role",
            Some(json!({"username": USER, "role_id": role["role_id"]})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .api(
            Method::POST,
            "/v3/user",
            Some(json!({"username": "lonely", "email": "lonely@example.com"})),
        )
        .await;
    assert_eq!(res.status(), 200);

    let rows: Value = app.get_json("/api/admin/users").await.json().await.unwrap();
    let rows = rows.as_array().unwrap();
    assert_eq!(rows.len(), 3, "{rows:?}");
    for row in rows {
        let username = row["username"].as_str().unwrap();
        let expected: Vec<Value> = if row["is_master"] == true {
            Vec::new()
        } else {
            let roles: Value = app
                .api(Method::GET, &format!("/v3/user/{username}/role"), None)
                .await
                .json()
                .await
                .unwrap();
            roles
                .as_array()
                .unwrap()
                .iter()
                .map(|r| json!([r["id"], r["name"]]))
                .collect()
        };
        assert_eq!(row["roles"].as_array().unwrap(), &expected, "{username}");
    }
    let user = rows.iter().find(|r| r["username"] == USER).unwrap();
    let names: Vec<&str> = user["roles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r[1].as_str().unwrap())
        .collect();
    assert_eq!(names, ["aardvarks", "read-only"], "by name");
}
