//! OAuth2 grants and bearer tokens, the mist.io `/auth` flow, the audit log
//! API and changing one's own password.

use reqwest::{header, Method};
use serde_json::{json, Value};

use crate::helpers::*;

async fn client(app: &TestApp) -> (String, String, String) {
    let res = app
        .api(
            Method::POST,
            "/v3/oauth/clients",
            Some(json!({"name": "stack-agent"})),
        )
        .await;
    assert_eq!(res.status(), 201);
    let c: Value = res.json().await.unwrap();
    (
        c["client_id"].as_str().unwrap().to_owned(),
        c["client_secret"].as_str().unwrap().to_owned(),
        c["username"].as_str().unwrap().to_owned(),
    )
}

#[tokio::test]
async fn client_credentials_act_with_only_the_clients_role() {
    let app = TestApp::signed_in().await;
    let (id, secret, username) = client(&app).await;
    let anon = app.anonymous_client();
    let grant = |secret: &str| {
        anon.post(app.url("/v3/access_token"))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", id.as_str()),
                ("client_secret", secret),
            ])
            .send()
    };
    assert_eq!(grant("ocs_wrong").await.unwrap().status(), 401);
    let res = grant(&secret).await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["token_type"], "Bearer");
    assert_eq!(body["expires_in"], 43200);
    let bearer = format!("Bearer {}", body["access_token"].as_str().unwrap());

    // No role yet: default deny.
    let res = anon
        .get(app.url("/v3/user"))
        .header(header::AUTHORIZATION, &bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    // Give the client a read-only role, through its username.
    let res = app.api(Method::POST, "/v3/role", Some(json!({"name": "viewer", "scope": {"Statement": [{"Effect": "Allow", "Action": "view:*", "Resource": "*"}]}}))).await;
    let role_id = res.json::<Value>().await.unwrap()["role_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        app.api(
            Method::POST,
            "/v3/user/role",
            Some(json!({"username": username, "role_id": role_id}))
        )
        .await
        .status(),
        200
    );
    let res = anon
        .get(app.url("/v3/user"))
        .header(header::AUTHORIZATION, &bearer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // A client account cannot sign in with a password.
    assert_eq!(
        app.sign_in_fresh(&format!("{id}@oauth.invalid"), "!")
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn the_password_grant_acts_as_the_user_and_bearer_joins_the_other_schemes() {
    let app = TestApp::signed_in().await;
    let (id, secret, _) = client(&app).await;
    let anon = app.anonymous_client();
    let res = anon
        .post(app.url("/v3/access_token"))
        .json(&json!({"grant_type": "password", "client_id": id, "client_secret": secret, "username": MASTER_EMAIL, "password": MASTER_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let token = res.json::<Value>().await.unwrap()["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = anon
        .get(app.url("/v3/role"))
        .header(header::AUTHORIZATION, format!("Bearer {token}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the master's rights");
    let res = anon
        .post(app.url("/v3/access_token"))
        .json(&json!({"grant_type": "password", "client_id": id, "client_secret": secret, "username": MASTER_EMAIL, "password": "wrong"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = anon
        .post(app.url("/v3/access_token"))
        .json(&json!({"grant_type": "implicit", "client_id": id, "client_secret": secret}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["field"], "grant_type");
}

#[tokio::test]
async fn mist_auth_returns_a_token_that_the_authorized_header_accepts() {
    let app = TestApp::with_master().await;
    let anon = app.anonymous_client();
    let res = anon
        .post(app.url("/auth"))
        .json(&json!({"email": MASTER_EMAIL, "password": MASTER_PASSWORD}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["user_details"]["email"], MASTER_EMAIL);
    let token = body["mist_api_token"].as_str().unwrap();
    let res = anon
        .get(app.url("/v3/user/role"))
        .header("Authorized", token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = anon
        .post(app.url("/auth"))
        .json(&json!({"email": MASTER_EMAIL, "password": "nope"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn the_audit_log_filters_and_never_holds_secrets() {
    let app = TestApp::signed_in().await;
    let _ = app.sign_in_fresh(MASTER_EMAIL, "a wrong password").await;
    let res = app
        .api(Method::POST, "/tokens", Some(json!({"name": "audited"})))
        .await;
    let token = res.json::<Value>().await.unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let all: Vec<Value> = app
        .api(Method::GET, "/v3/audit", None)
        .await
        .json()
        .await
        .unwrap();
    assert!(all.len() >= 3);
    let failures: Vec<Value> = app
        .api(
            Method::GET,
            "/v3/audit?action=sign_in&outcome=failure",
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(failures.len(), 1);
    assert_eq!(failures[0]["address"], "127.0.0.1");
    let text = serde_json::to_string(&all).unwrap();
    assert!(
        !text.contains(&token)
            && !text.contains(MASTER_PASSWORD)
            && !text.contains("a wrong password")
    );
    let res = app.api(Method::GET, "/v3/audit?limit=0", None).await;
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn a_user_changes_their_own_password_by_proving_the_current_one() {
    let app = TestApp::signed_in().await;
    let res = app
        .api(
            Method::PUT,
            "/v3/user/password",
            Some(json!({"current_password": "not it", "password": "a brand new password"})),
        )
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(
        res.json::<Value>().await.unwrap()["field"],
        "current_password"
    );
    let res = app
        .api(
            Method::PUT,
            "/v3/user/password",
            Some(json!({"current_password": MASTER_PASSWORD, "password": "a brand new password"})),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        app.sign_in_fresh(MASTER_EMAIL, MASTER_PASSWORD)
            .await
            .status(),
        401
    );
    assert!(app
        .sign_in_fresh(MASTER_EMAIL, "a brand new password")
        .await
        .status()
        .is_success());
}
