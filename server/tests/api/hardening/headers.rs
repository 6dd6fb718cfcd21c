//! The headers every answer and every secret carries, `Retry-After` on every 429, and the request id an internal error's log line shares with its answer.

use reqwest::{header, Method};
use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn api_answers_carry_the_same_headers() {
    let app = TestApp::signed_in().await;
    for path in ["/healthz", "/keys", "/api/session_info"] {
        let res = app.get_json(path).await;
        assert_eq!(res.status(), 200, "{path}");
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        let policy = h["content-security-policy"].to_str().unwrap();
        assert!(policy.contains("frame-ancestors 'none'"), "{path}");
    }
}

#[tokio::test]
async fn secrets_are_answered_with_no_store() {
    let app = TestApp::signed_in().await;
    let csrf = app.csrf();
    let no_store = |res: &reqwest::Response, what: &str| {
        assert!(res.status().is_success(), "{what}: {}", res.status());
        assert_eq!(
            res.headers()
                .get(header::CACHE_CONTROL)
                .map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{what}"
        );
    };
    // REST: a new token, a generated key, a private key, a password link.
    let res = app
        .api(Method::POST, "/tokens", Some(json!({"name": "cached?"})))
        .await;
    no_store(&res, "POST /tokens");
    let res = app
        .api(Method::POST, "/keys/generate", Some(json!({"id": "gen"})))
        .await;
    no_store(&res, "POST /keys/generate");
    let res = app.api(Method::GET, "/keys/gen/private", None).await;
    no_store(&res, "GET /keys/{id}/private");
    let res = app
        .api(
            Method::POST,
            "/v3/user",
            Some(json!({"username": "linked", "email": "linked@example.com"})),
        )
        .await;
    no_store(&res, "POST /v3/user (with its password link)");
    let res = app
        .api(Method::POST, "/v3/user/linked/password_link", None)
        .await;
    no_store(&res, "POST /v3/user/{username}/password_link");
    // The pages' doors.
    let res = app
        .server_fn(
            "account/create_token",
            &[("name", "page token")],
            Some(&csrf),
        )
        .await;
    no_store(&res, "account/create_token");
    let res = app
        .server_fn("keys/generate", &[("id", "gen2")], Some(&csrf))
        .await;
    no_store(&res, "keys/generate");
    let res = app
        .server_fn("keys/private", &[("id", "gen2")], Some(&csrf))
        .await;
    no_store(&res, "keys/private");
    let res = app
        .server_fn(
            "admin/password_link",
            &[("username", "linked")],
            Some(&csrf),
        )
        .await;
    no_store(&res, "admin/password_link");
}

// ---- 429 ----

#[tokio::test]
async fn every_429_says_when_to_try_again() {
    let app = TestApp::with_master().await;
    for _ in 0..service::throttle::MAX_PER_PAIR {
        assert_eq!(app.sign_in(MASTER_EMAIL, "guess").await.status(), 401);
    }
    // The sign-in server function, and Basic credentials on the API.
    let res = app.sign_in(MASTER_EMAIL, MASTER_PASSWORD).await;
    assert_eq!(res.status(), 429);
    let after: u64 = res.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "throttled");
    assert_eq!(Some(after), body["retry_after_secs"].as_u64());
    let res = app
        .as_caller(
            Method::GET,
            "/keys",
            &basic(MASTER_EMAIL, MASTER_PASSWORD),
            None,
        )
        .await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key(header::RETRY_AFTER));
}

// ---- sign-in from another site ----

#[tokio::test]
async fn every_answer_has_a_request_id_and_an_internal_error_logs_it() {
    let app = TestApp::signed_in().await;
    let id = |res: &reqwest::Response| {
        res.headers()
            .get("x-request-id")
            .expect("x-request-id")
            .to_str()
            .unwrap()
            .to_owned()
    };
    let (a, b) = (
        id(&app.get_json("/healthz").await),
        id(&app.get_json("/healthz").await),
    );
    assert_ne!(a, b);
    assert!(!a.is_empty() && a.len() <= 64, "{a}");

    // A private key sealed under another installation key cannot be
    // opened: an internal error.
    let res = app
        .api(
            Method::POST,
            "/keys/generate",
            Some(json!({"id": "sealed"})),
        )
        .await;
    assert_eq!(res.status(), 200);
    // (The database is made to accept the other key, as a database from
    // before the key check would: otherwise the instance refuses to start.)
    std::fs::write(app.data_dir().join("secret.key"), [7u8; 32]).unwrap();
    let other = service::vault::Vault::new(&[7u8; 32]).unwrap();
    let check = server::secret_key::check_value(&other).unwrap();
    app.services()
        .db
        .set_setting(server::secret_key::CHECK_SETTING, &check, 0)
        .await
        .unwrap();
    let app = app.restart().await;
    let res = app.api(Method::GET, "/keys/sealed/private", None).await;
    assert_eq!(res.status(), 500);
    let request = id(&res);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "internal", "{body}");
    let logs = logged();
    let line = logs
        .lines()
        .find(|l| l.contains(&request))
        .unwrap_or_else(|| panic!("no log line names {request}: {logs}"));
    assert!(line.contains("internal error"), "{line}");
    assert!(line.contains("GET"), "{line}");
    assert!(line.contains("/keys/sealed/private"), "{line}");
}
