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
async fn the_mist_io_client_header_carries_the_owners_email_and_token() {
    let app = TestApp::with_master().await;
    let anon = app.anonymous_client();
    let body: Value = anon
        .post(app.url("/auth"))
        .json(&json!({"email": MASTER_EMAIL, "password": MASTER_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = body["mist_api_token"].as_str().unwrap().to_owned();
    let get = |authorization: String| {
        let anon = anon.clone();
        let url = app.url("/keys");
        async move {
            let res = anon
                .get(url)
                .header(header::ACCEPT, "application/json")
                .header(header::AUTHORIZATION, authorization)
                .send()
                .await
                .unwrap();
            let status = res.status().as_u16();
            let challenge = res
                .headers()
                .get(header::WWW_AUTHENTICATE)
                .map(|v| v.to_str().unwrap().to_owned());
            (status, challenge, res.json::<Value>().await.unwrap())
        }
    };

    // As mistclient sends it after `POST /auth`.
    let (status, _, keys) = get(format!("mist_1 {MASTER_EMAIL}:{token}")).await;
    assert_eq!(status, 200, "{keys}");
    assert!(keys.is_array());

    // The email must be the token owner's; a wrong token or a malformed
    // pair is refused too, never ignored.
    let refusals = [
        format!("mist_1 someone@example.com:{token}"),
        format!("mist_1 {MASTER_EMAIL}:oc_{}", "0".repeat(64)),
        format!("mist_1 {token}"),
        format!("mist_1 {MASTER_EMAIL}:"),
        "mist_1".to_owned(),
    ];
    for authorization in refusals {
        let (status, challenge, body) = get(authorization.clone()).await;
        assert_eq!(status, 401, "{authorization}: {body}");
        assert_eq!(body["error"], "credentials_refused", "{authorization}");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains("mist_1"), "{authorization}: {message}");
        assert!(!message.contains(&token), "the token is never echoed");
        assert!(challenge.unwrap().contains("mist_1"));
    }

    // A scheme Overcast does not know is named in the refusal, with the
    // schemes it does know.
    let (status, challenge, body) = get("Digest username=\"master\"".into()).await;
    assert_eq!(status, 401);
    assert_eq!(body["error"], "credentials_refused");
    let message = body["message"].as_str().unwrap();
    assert!(message.contains("\"Digest\""), "{message}");
    assert!(!message.contains("sign-in required"), "{message}");
    for scheme in ["Token", "Bearer", "Basic", "mist_1"] {
        assert!(message.contains(scheme), "{message}");
        assert!(challenge.as_deref().unwrap().contains(scheme));
    }
    // A header with no scheme at all: refused without echoing it.
    let (status, _, body) = get(token.clone()).await;
    assert_eq!(status, 401);
    assert!(
        !body["message"].as_str().unwrap().contains(&token),
        "{body}"
    );
    // No credentials at all: still "sign-in required".
    let res = anon
        .get(app.url("/keys"))
        .header(header::ACCEPT, "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(
        res.json::<Value>().await.unwrap()["error"],
        "unauthenticated"
    );
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

#[tokio::test]
async fn a_token_made_with_an_oauth_access_token_does_not_outlive_it() {
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
    let bearer = format!(
        "Bearer {}",
        res.json::<Value>().await.unwrap()["access_token"]
            .as_str()
            .unwrap()
    );
    for body in [
        json!({"name": "no lifetime"}),
        json!({"name": "a month", "ttl_days": 30}),
    ] {
        let res = app
            .as_caller(Method::POST, "/tokens", &bearer, Some(body))
            .await;
        assert_eq!(res.status(), 201);
    }
    let listed: Vec<Value> = app
        .api(Method::GET, "/tokens", None)
        .await
        .json()
        .await
        .unwrap();
    let expiry_of = |name: &str| {
        listed
            .iter()
            .find(|t| t["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {listed:?}"))["expires_at"]
            .as_i64()
    };
    let access = expiry_of("oauth:stack-agent").unwrap();
    for name in ["no lifetime", "a month"] {
        let expiry = expiry_of(name);
        assert!(
            expiry.is_some_and(|e| e <= access),
            "{name} expires at {expiry:?}, the access token at {access}"
        );
    }
}
