//! Users, roles, API credentials and their enforcement.

use reqwest::{header, Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::*;

const USER: &str = "reader";
const USER_EMAIL: &str = "reader@example.com";
const USER_PASSWORD: &str = "a reader's long password";

/// The master (signed in) creates a user and attaches a role made from a template.
async fn with_user(template: Option<&str>) -> TestApp {
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

fn basic(email: &str, password: &str) -> String {
    use base64::Engine;
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{email}:{password}"))
    )
}

#[tokio::test]
async fn a_read_only_user_may_look_but_not_change_and_is_told_which_action() {
    let app = with_user(Some("read-only")).await;
    let anon = app.anonymous_client();
    let auth = basic(USER_EMAIL, USER_PASSWORD);
    let mine: Value = anon
        .get(app.url("/v3/user/role"))
        .header(header::AUTHORIZATION, &auth)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(mine[0]["name"], "read-only");
    let users = anon
        .get(app.url("/v3/user"))
        .header(header::AUTHORIZATION, &auth)
        .send()
        .await
        .unwrap();
    assert_eq!(users.status(), 200, "read-only has view:user");

    let res = anon
        .post(app.url("/v3/role"))
        .header(header::AUTHORIZATION, &auth)
        .json(&json!({"name": "mine", "scope": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}}))
        .send()
        .await
        .unwrap();
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
        .anonymous_client()
        .get(app.url("/v3/user"))
        .header(header::AUTHORIZATION, basic(USER_EMAIL, USER_PASSWORD))
        .send()
        .await
        .unwrap();
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
async fn token_basic_authorized_and_cookie_all_reach_the_same_endpoint_and_tokens_need_no_csrf() {
    let app = TestApp::signed_in().await;
    let res = app
        .api(Method::POST, "/tokens", Some(json!({"name": "ci"})))
        .await;
    assert_eq!(res.status(), 201);
    let created: Value = res.json().await.unwrap();
    let token = created["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("oc_"));

    let anon = app.anonymous_client();
    for (name, value) in [
        ("authorization", format!("Token {token}")),
        ("authorized", token.clone()),
        ("authorization", basic(MASTER_EMAIL, MASTER_PASSWORD)),
    ] {
        let res = anon
            .get(app.url("/v3/user/role"))
            .header(name, &value)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{name}");
    }
    assert_eq!(
        app.api(Method::GET, "/v3/user/role", None).await.status(),
        200,
        "cookie session"
    );

    // A write with a token needs no CSRF header.
    let res = anon
        .post(app.url("/v3/user"))
        .header(header::AUTHORIZATION, format!("Token {token}"))
        .json(&json!({"username": "u2", "email": "u2@example.com", "password": USER_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    let listed: Value = app
        .api(Method::GET, "/tokens", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(listed[0]["name"], "ci");
    assert!(
        listed[0].get("token").is_none(),
        "a token is shown once only"
    );
    let audit = app.services().db.recent_audit(100).await.unwrap();
    assert!(audit
        .iter()
        .all(|e| !e.detail.contains(&token) && !e.actor.contains(&token)));

    let id = created["id"].as_str().unwrap();
    assert_eq!(
        app.api(Method::DELETE, &format!("/tokens/{id}"), None)
            .await
            .status(),
        200
    );
    let res = anon
        .get(app.url("/v3/user/role"))
        .header(header::AUTHORIZATION, format!("Token {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "a revoked token is refused");
    let res = anon
        .get(app.url("/v3/user/role"))
        .header(header::AUTHORIZATION, "Token oc_nonsense")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn a_token_narrower_than_its_owner_is_held_to_its_scope() {
    let app = with_user(Some("machine-operator")).await;
    let auth = basic(USER_EMAIL, USER_PASSWORD);
    let anon = app.anonymous_client();
    let res = anon.post(app.url("/tokens")).header(header::AUTHORIZATION, &auth)
        .json(&json!({"name": "viewer", "scope": {"Statement": [{"Effect": "Allow", "Action": ["view:user"], "Resource": "*"}]}}))
        .send().await.unwrap();
    assert_eq!(res.status(), 201);
    let token = res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    // The owner (machine operator: view:*) may list users; so may the token (view:user).
    let res = anon
        .get(app.url("/v3/user"))
        .header(header::AUTHORIZATION, format!("Token {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // A narrowed token cannot mint a wider one.
    let res = anon
        .post(app.url("/tokens"))
        .header(header::AUTHORIZATION, format!("Token {token}"))
        .json(&json!({"name": "wider"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn disabling_a_user_stops_their_session_and_tokens_at_once() {
    let app = with_user(Some("read-only")).await;
    let anon = app.anonymous_client();
    let res = anon
        .post(app.url("/tokens"))
        .header(header::AUTHORIZATION, basic(USER_EMAIL, USER_PASSWORD))
        .json(&json!({"name": "t"}))
        .send()
        .await
        .unwrap();
    let token = res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let user_session = TestApp::client_with_cookies();
    let res = user_session
        .post(app.url("/api/sign_in"))
        .form(&[("email", USER_EMAIL), ("password", USER_PASSWORD)])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success());
    assert_eq!(
        user_session
            .get(app.url("/v3/user/role"))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );

    let res = app
        .api(
            Method::PUT,
            &format!("/v3/user/{USER}"),
            Some(json!({"disabled": true})),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        user_session
            .get(app.url("/v3/user/role"))
            .send()
            .await
            .unwrap()
            .status(),
        401
    );
    let res = anon
        .get(app.url("/v3/user/role"))
        .header(header::AUTHORIZATION, format!("Token {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = anon
        .get(app.url("/v3/user/role"))
        .header(header::AUTHORIZATION, basic(USER_EMAIL, USER_PASSWORD))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    let res = app
        .api(
            Method::PUT,
            &format!("/v3/user/{USER}"),
            Some(json!({"disabled": "false"})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = anon
        .get(app.url("/v3/user/role"))
        .header(header::AUTHORIZATION, format!("Token {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "re-enabled");
}

#[tokio::test]
async fn only_the_master_administers_users_and_roles() {
    let app = with_user(Some("management")).await;
    let auth = basic(USER_EMAIL, USER_PASSWORD);
    let anon = app.anonymous_client();
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
        let res = anon
            .request(method.clone(), app.url(path))
            .header(header::AUTHORIZATION, &auth)
            .json(&body)
            .send()
            .await
            .unwrap();
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
async fn a_user_created_without_a_password_sets_it_through_a_one_time_link() {
    let app = TestApp::signed_in().await;
    let res = app
        .api(
            Method::POST,
            "/v3/user",
            Some(json!({"username": USER, "email": USER_EMAIL})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let link = res.json::<Value>().await.unwrap()["password_link"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(link.contains("/set-password?token="), "{link}");
    let token = link.rsplit_once("token=").unwrap().1.to_owned();
    assert_eq!(
        app.sign_in_fresh(USER_EMAIL, "").await.status(),
        401,
        "no password yet"
    );

    let set = |token: String, password: &'static str| {
        app.anonymous_client()
            .post(app.url("/api/set_password"))
            .form(&[
                ("token", token.as_str()),
                ("password", password),
                ("password_confirm", password),
            ])
            .send()
    };
    let res = set(token.clone(), USER_PASSWORD).await.unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    assert!(app
        .sign_in_fresh(USER_EMAIL, USER_PASSWORD)
        .await
        .status()
        .is_success());
    let again = set(token, "another long password").await.unwrap();
    assert_eq!(again.status(), 400, "a link works once");
    assert_eq!(again.json::<Value>().await.unwrap()["field"], "token");

    // A new link replaces any earlier one.
    let first: Value = app
        .api(
            Method::POST,
            &format!("/v3/user/{USER}/password_link"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let second: Value = app
        .api(
            Method::POST,
            &format!("/v3/user/{USER}/password_link"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let token_of = |v: &Value| {
        v["password_link"]
            .as_str()
            .unwrap()
            .rsplit_once("token=")
            .unwrap()
            .1
            .to_owned()
    };
    assert_eq!(
        set(token_of(&first), "third long password")
            .await
            .unwrap()
            .status(),
        400
    );
    assert!(set(token_of(&second), "third long password")
        .await
        .unwrap()
        .status()
        .is_success());
    assert!(app
        .sign_in_fresh(USER_EMAIL, "third long password")
        .await
        .status()
        .is_success());
}

#[tokio::test]
async fn the_account_page_creates_a_token_with_a_narrower_scope() {
    let app = TestApp::signed_in().await;
    let scope = r#"{"Statement": [{"Effect": "Allow", "Action": "view:user", "Resource": "*"}]}"#;
    let res = app
        .server_fn(
            "account/create_token",
            &[("name", "narrow"), ("ttl_days", ""), ("scope", scope)],
            Some(&app.csrf()),
        )
        .await;
    assert_eq!(res.status(), 200);
    let token: String = res.json().await.unwrap();
    let anon = app.anonymous_client();
    let auth = format!("Token {token}");
    assert_eq!(
        anon.get(app.url("/v3/user"))
            .header(header::AUTHORIZATION, &auth)
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    assert_eq!(
        anon.get(app.url("/v3/role"))
            .header(header::AUTHORIZATION, &auth)
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let bad = app
        .server_fn(
            "account/create_token",
            &[("name", "bad"), ("scope", "{not json")],
            Some(&app.csrf()),
        )
        .await;
    assert_eq!(bad.status(), 400);
    assert_eq!(bad.json::<Value>().await.unwrap()["field"], "scope");
}
