use reqwest::header;

use crate::helpers::*;

#[tokio::test]
async fn signing_in_shows_the_shell_with_the_user() {
    let app = TestApp::signed_in().await;
    let res = app.get_page("/").await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(body.contains(MASTER_EMAIL));
    for section in [
        "Backends", "Machines", "Keys", "Stacks", "Admin", "Sign out",
    ] {
        assert!(body.contains(section), "{section}");
    }
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = TestApp::with_master().await;
    let wrong = app.sign_in(MASTER_EMAIL, "not the password").await;
    assert_eq!(wrong.status(), 401);
    let wrong: serde_json::Value = wrong.json().await.unwrap();
    let unknown = app.sign_in("nobody@example.com", MASTER_PASSWORD).await;
    assert_eq!(unknown.status(), 401);
    let unknown: serde_json::Value = unknown.json().await.unwrap();
    assert_eq!(wrong, unknown);
    assert_eq!(wrong["error"], "invalid_credentials");
    assert!(app.cookie("csrftoken").is_none());
}

#[tokio::test]
async fn repeated_failures_throttle_the_account_even_with_the_right_password() {
    let app = TestApp::with_master().await;
    for _ in 0..service::throttle::MAX_PER_ACCOUNT {
        assert_eq!(app.sign_in(MASTER_EMAIL, "guess").await.status(), 401);
    }
    let res = app.sign_in(MASTER_EMAIL, MASTER_PASSWORD).await;
    assert_eq!(res.status(), 429);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "throttled");
    assert!(body["retry_after_secs"].as_u64().unwrap() > 0);
    let audit = app.services().db.recent_audit(20).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "sign_in" && e.outcome == "failure")
            .count(),
        service::throttle::MAX_PER_ACCOUNT as usize
    );
    assert!(audit.iter().all(|e| !e.detail.contains("guess")));
}

#[tokio::test]
async fn an_address_is_throttled_across_accounts() {
    let app = TestApp::with_master().await;
    for i in 0..service::throttle::MAX_PER_ADDRESS {
        let res = app.sign_in(&format!("user{i}@example.com"), "guess").await;
        assert_eq!(res.status(), 401);
    }
    assert_eq!(
        app.sign_in(MASTER_EMAIL, MASTER_PASSWORD).await.status(),
        429
    );
}

#[tokio::test]
async fn a_server_function_write_needs_the_csrf_header() {
    let app = TestApp::signed_in().await;
    let missing = app.server_fn("sign_out", &[], None).await;
    assert_eq!(missing.status(), 403);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["error"], "csrf");
    assert!(body["reason"].as_str().unwrap().contains("missing"));

    let wrong = app.server_fn("sign_out", &[], Some("0123")).await;
    assert_eq!(wrong.status(), 403);
    let body: serde_json::Value = wrong.json().await.unwrap();
    assert!(body["reason"].as_str().unwrap().contains("does not match"));
    // Still signed in after both refusals.
    assert_eq!(app.get_page("/").await.status(), 200);

    let right = app.server_fn("sign_out", &[], Some(&app.csrf())).await;
    assert!(right.status().is_success(), "{}", right.status());
    let res = app.get_page("/").await;
    assert_eq!(location(&res), "/signin?next=/");
}

#[tokio::test]
async fn a_form_posted_without_javascript_carries_the_token_as_a_field() {
    let app = TestApp::signed_in().await;
    let post = |token: String| {
        app.client
            .post(app.url("/api/sign_out"))
            .header(header::ACCEPT, "text/html")
            .header(header::REFERER, app.url("/"))
            .form(&[("csrf_token", token)])
            .send()
    };
    let wrong = post("nope".into()).await.unwrap();
    assert_eq!(wrong.status(), 403);
    assert_eq!(app.get_page("/").await.status(), 200);
    let right = post(app.csrf()).await.unwrap();
    assert_eq!(right.status(), 302);
    assert_eq!(location(&right), "/signin");
    assert!(app.get_page("/").await.status().is_redirection());
}

#[tokio::test]
async fn a_session_survives_a_server_restart() {
    let app = TestApp::signed_in().await;
    let app = app.restart().await;
    let res = app.get_page("/").await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains(MASTER_EMAIL));
}

#[tokio::test]
async fn anonymous_callers_are_redirected_from_pages_and_refused_by_the_api() {
    let app = TestApp::with_master().await;
    let res = app.get_page("/machines").await;
    assert_eq!(location(&res), "/signin?next=/machines");
    for path in [
        "/openapi.json",
        "/api/session_info_nonexistent",
        "/anything",
    ] {
        let res = app.get_json(path).await;
        assert_eq!(res.status(), 401, "{path}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"], "unauthenticated", "{path}");
    }
    let res = app.server_fn("sign_out", &[], None).await;
    assert_eq!(res.status(), 401);
    // The sign-in page and the public server functions stay reachable.
    assert_eq!(app.get_page("/signin").await.status(), 200);
    assert_eq!(app.get_json("/api/session_info").await.status(), 200);
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_lax() {
    let app = TestApp::with_master().await;
    let res = app.sign_in(MASTER_EMAIL, MASTER_PASSWORD).await;
    let cookies: Vec<String> = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("overcast_session="))
        .unwrap();
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Lax"), "{session}");
    let csrf = cookies
        .iter()
        .find(|c| c.starts_with("csrftoken="))
        .unwrap();
    assert!(!csrf.contains("HttpOnly"), "{csrf}");
}

#[tokio::test]
async fn the_sessions_csrf_token_reaches_its_pages_and_no_api_caller() {
    let app = TestApp::signed_in().await;
    let csrf = app.csrf();
    // The forms a page offers without JavaScript carry it.
    let res = app.get_page("/admin").await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    let fields = page.matches(&format!("value=\"{csrf}\"")).count();
    assert!(fields >= 2, "{fields} fields carry the token");
    let info: serde_json::Value = app
        .get_json("/api/session_info")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(info["csrf_token"], csrf.as_str());
    // API credentials come without a session, so without a token.
    let token = app
        .api(
            reqwest::Method::POST,
            "/tokens",
            Some(serde_json::json!({"name": "no session"})),
        )
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let info: serde_json::Value = app
        .anonymous_client()
        .get(app.url("/api/session_info"))
        .header(header::ACCEPT, "application/json")
        .header(header::AUTHORIZATION, format!("Token {token}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["email"], MASTER_EMAIL);
    assert_eq!(info["csrf_token"], "");
}
