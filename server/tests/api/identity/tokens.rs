//! API tokens and the credential schemes that carry them.

use reqwest::Method;
use serde_json::{json, Value};

use super::*;
use crate::helpers::*;

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
    let res = app
        .as_caller(
            Method::POST,
            "/v3/user",
            &format!("Token {token}"),
            Some(json!({"username": "u2", "email": "u2@example.com", "password": USER_PASSWORD})),
        )
        .await;
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
    let res = app
        .as_caller(
            Method::GET,
            "/v3/user/role",
            &format!("Token {token}"),
            None,
        )
        .await;
    assert_eq!(res.status(), 401, "a revoked token is refused");
    let res = app
        .as_caller(Method::GET, "/v3/user/role", "Token oc_nonsense", None)
        .await;
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn a_token_narrower_than_its_owner_is_held_to_its_scope() {
    let app = with_user(Some("machine-operator")).await;
    let auth = basic(USER_EMAIL, USER_PASSWORD);
    let res = app.as_caller(Method::POST, "/tokens", &auth, Some(json!({"name": "viewer", "scope": {"Statement": [{"Effect": "Allow", "Action": ["view:user"], "Resource": "*"}]}}))).await;
    assert_eq!(res.status(), 201);
    let token = res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    // The owner (machine operator: view:*) may list users; so may the token (view:user).
    let res = app
        .as_caller(Method::GET, "/v3/user", &format!("Token {token}"), None)
        .await;
    assert_eq!(res.status(), 200);
    // A narrowed token cannot mint a wider one.
    let res = app
        .as_caller(
            Method::POST,
            "/tokens",
            &format!("Token {token}"),
            Some(json!({"name": "wider"})),
        )
        .await;
    assert_eq!(res.status(), 403);
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
    let auth = format!("Token {token}");
    assert_eq!(
        app.as_caller(Method::GET, "/v3/user", &auth, None)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.as_caller(Method::GET, "/v3/role", &auth, None)
            .await
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

#[tokio::test]
async fn basic_authentication_is_audited_once_an_hour_on_success_and_every_time_on_failure() {
    let app = TestApp::signed_in().await;
    let anon = app.anonymous_client();
    for _ in 0..5 {
        let res = anon
            .get(app.url("/v3/user/role"))
            .header("authorization", basic(MASTER_EMAIL, MASTER_PASSWORD))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
    }
    for _ in 0..2 {
        let res = anon
            .get(app.url("/v3/user/role"))
            .header("authorization", basic(MASTER_EMAIL, "wrong password"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
    }
    let audit = app.services().db.recent_audit(100).await.unwrap();
    let basic_successes = audit
        .iter()
        .filter(|e| e.action == "sign_in" && e.outcome == "success" && e.detail == "HTTP Basic")
        .count();
    let failures = audit
        .iter()
        .filter(|e| e.action == "sign_in" && e.outcome == "failure")
        .count();
    assert_eq!(basic_successes, 1, "five Basic requests, one record");
    assert_eq!(failures, 2, "every failure is recorded");
}

#[tokio::test]
async fn a_narrowed_token_manages_no_credentials() {
    let app = TestApp::signed_in().await;
    let create = |body: Value| app.api(Method::POST, "/tokens", Some(body));
    let full: Value = create(json!({"name": "full"})).await.json().await.unwrap();
    let viewer: Value = create(json!({"name": "viewer", "scope": {"Statement": [{"Effect": "Allow", "Action": "view:*", "Resource": "*"}]}}))
        .await
        .json()
        .await
        .unwrap();
    let viewer = format!("Token {}", viewer["token"].as_str().unwrap());
    let full_id = full["id"].as_str().unwrap();
    let full = format!("Token {}", full["token"].as_str().unwrap());

    // What its scope allows, it may do.
    assert_eq!(
        app.as_caller(Method::GET, "/v3/user/role", &viewer, None)
            .await
            .status(),
        200
    );
    // Nothing else: not revoking its owner's tokens, nor listing them, nor
    // changing the password.
    for (method, path, body) in [
        (Method::DELETE, format!("/tokens/{full_id}"), None),
        (Method::GET, "/tokens".to_owned(), None),
        (
            Method::PUT,
            "/v3/user/password".to_owned(),
            Some(json!({"current_password": MASTER_PASSWORD, "password": "taken over by a token"})),
        ),
    ] {
        let res = app.as_caller(method.clone(), &path, &viewer, body).await;
        assert_eq!(res.status(), 403, "{method} {path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], "forbidden", "{body}");
        assert!(body["message"].is_string());
    }
    assert_eq!(
        app.as_caller(Method::GET, "/v3/user/role", &full, None)
            .await
            .status(),
        200,
        "the other token lives"
    );
    assert!(app
        .sign_in_fresh(MASTER_EMAIL, MASTER_PASSWORD)
        .await
        .status()
        .is_success());
    // An unscoped token may.
    assert_eq!(
        app.as_caller(Method::GET, "/tokens", &full, None)
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn an_account_holds_a_bounded_number_of_tokens() {
    let app = TestApp::signed_in().await;
    let max = service::tokens::MAX_PER_ACCOUNT;
    let mut last = String::new();
    for i in 0..max {
        let res = app
            .api(
                Method::POST,
                "/tokens",
                Some(json!({"name": format!("t{i}")})),
            )
            .await;
        assert_eq!(res.status(), 201, "token {i}");
        last = res.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
    }
    let res = app
        .api(
            Method::POST,
            "/tokens",
            Some(json!({"name": "one too many"})),
        )
        .await;
    assert_eq!(res.status(), 409);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "conflict");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains(&max.to_string()), "{message}");
    // The mist.io sign-in issues tokens too, within the same bound.
    let res = app
        .anonymous_client()
        .post(app.url("/auth"))
        .json(&json!({"email": MASTER_EMAIL, "password": MASTER_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 409);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "conflict");
    // Revoking one makes room.
    assert_eq!(
        app.api(Method::DELETE, &format!("/tokens/{last}"), None)
            .await
            .status(),
        200
    );
    let res = app
        .api(Method::POST, "/tokens", Some(json!({"name": "room again"})))
        .await;
    assert_eq!(res.status(), 201);
}
