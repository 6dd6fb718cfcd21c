//! Two-factor sign-in at the other doors (HTTP Basic, `/auth`, the OAuth
//! password grant) and the master's part: requiring it of every account,
//! resetting a user's.

use reqwest::{header, Client, Method};
use serde_json::{json, Value};

use super::{
    two_factor::{enrol_master, Authenticator},
    user_session, with_user, USER, USER_EMAIL, USER_PASSWORD,
};
use crate::helpers::*;

#[tokio::test]
async fn basic_is_refused_and_auth_and_the_password_grant_take_the_code() {
    let app = TestApp::signed_in().await;
    let client: Value = app
        .api(
            Method::POST,
            "/v3/oauth/clients",
            Some(json!({"name": "ci"})),
        )
        .await
        .json()
        .await
        .unwrap();
    let token = app
        .api(Method::POST, "/tokens", Some(json!({"name": "before"})))
        .await
        .json::<Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let (mut authenticator, codes) = enrol_master(&app).await;

    // Basic cannot carry a code: refused, saying to use a token.
    let res = app
        .as_caller(
            Method::GET,
            "/tokens",
            &basic(MASTER_EMAIL, MASTER_PASSWORD),
            None,
        )
        .await;
    assert_eq!(res.status(), 401);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "credentials_refused");
    assert!(
        body["message"].as_str().unwrap().contains("API token"),
        "{body}"
    );
    let audit: Value = app
        .api(Method::GET, "/v3/audit?action=sign_in", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit[0]["outcome"], "failure");
    assert_eq!(
        audit[0]["detail"],
        "HTTP Basic refused: two-factor sign-in is on"
    );
    // A token made before still works.
    let res = app
        .as_caller(Method::GET, "/tokens", &format!("Token {token}"), None)
        .await;
    assert_eq!(res.status(), 200);

    // `/auth`: without the code, wrong, right.
    let auth = |body: Value| {
        let app = &app;
        async move {
            app.anonymous_client()
                .post(app.url("/auth"))
                .json(&body)
                .send()
                .await
                .unwrap()
        }
    };
    let res = auth(json!({"email": MASTER_EMAIL, "password": MASTER_PASSWORD})).await;
    assert_eq!(res.status(), 401);
    let body: Value = res.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("`code`"),
        "{body}"
    );
    let wrong = authenticator.wrong();
    let res =
        auth(json!({"email": MASTER_EMAIL, "password": MASTER_PASSWORD, "code": wrong})).await;
    assert_eq!(res.status(), 401);
    let code = authenticator.next(&app).await;
    let res = auth(json!({"email": MASTER_EMAIL, "password": MASTER_PASSWORD, "code": code})).await;
    assert_eq!(res.status(), 200);
    assert!(res.json::<Value>().await.unwrap()["mist_api_token"].is_string());
    // The same code again: refused.
    let res = auth(json!({"email": MASTER_EMAIL, "password": MASTER_PASSWORD, "code": code})).await;
    assert_eq!(res.status(), 401);

    // The OAuth password grant, as a form; client_credentials unaffected.
    let grant = |extra: Vec<(&'static str, String)>| {
        let app = &app;
        let mut form = vec![
            ("grant_type", "password".to_owned()),
            (
                "client_id",
                client["client_id"].as_str().unwrap().to_owned(),
            ),
            (
                "client_secret",
                client["client_secret"].as_str().unwrap().to_owned(),
            ),
            ("username", MASTER_EMAIL.to_owned()),
            ("password", MASTER_PASSWORD.to_owned()),
        ];
        form.extend(extra);
        async move {
            app.anonymous_client()
                .post(app.url("/v3/access_token"))
                .form(&form)
                .send()
                .await
                .unwrap()
        }
    };
    assert_eq!(grant(vec![]).await.status(), 401);
    let res = grant(vec![("code", codes[0].clone())]).await;
    assert_eq!(res.status(), 200);
    assert!(res.json::<Value>().await.unwrap()["access_token"].is_string());
    assert_eq!(grant(vec![("code", codes[0].clone())]).await.status(), 401);
    let res = app
        .anonymous_client()
        .post(app.url("/v3/access_token"))
        .form(&[
            ("grant_type", "client_credentials"),
            ("client_id", client["client_id"].as_str().unwrap()),
            ("client_secret", client["client_secret"].as_str().unwrap()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

/// The user's session begins and confirms an enrolment through the REST
/// routes: their authenticator.
async fn enrol_user(app: &TestApp, client: &Client, csrf: &str) -> Authenticator {
    let res = client
        .post(app.url("/v3/user/two-factor"))
        .header("X-CSRFToken", csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let secret = res.json::<Value>().await.unwrap()["secret"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut authenticator = Authenticator::from_secret(&secret);
    let code = authenticator.next(app).await;
    let res = client
        .post(app.url("/v3/user/two-factor/confirm"))
        .header("X-CSRFToken", csrf)
        .json(&json!({ "code": code }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    authenticator
}

#[tokio::test]
async fn the_masters_requirement_sends_accounts_without_it_to_enrol_first() {
    let app = with_user(Some("read-only")).await;
    let res = app
        .api(
            Method::PUT,
            "/v3/settings/two-factor",
            Some(json!({"required": true})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let rule: Value = app
        .api(Method::GET, "/v3/settings/two-factor", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rule["required"], true);

    // The user signs in: sent to enrol, and nothing else is open.
    let (client, res) = app.session_of(USER_EMAIL, USER_PASSWORD).await;
    assert_eq!(location(&res), "/account#two-factor");
    let csrf = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(|c| c.strip_prefix("csrftoken="))
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    let res = client.get(app.url("/v3/user/role")).send().await.unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(
        res.json::<Value>().await.unwrap()["action"],
        "enrol:two_factor"
    );
    let page = |path: &'static str| {
        let client = &client;
        let app = &app;
        async move {
            client
                .get(app.url(path))
                .header(header::ACCEPT, "text/html")
                .send()
                .await
                .unwrap()
        }
    };
    let res = page("/machines").await;
    assert_eq!(location(&res), "/account");
    let res = page("/account").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        html.contains("requires two-factor sign-in"),
        "the account page says why"
    );
    assert!(!html.contains("new-token"), "only enrolling is offered");
    let info: Value = client
        .get(app.url("/api/session_info"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["enrol_two_factor"], true);

    // Enrolled: everything the user's roles allow is open again.
    enrol_user(&app, &client, &csrf).await;
    let res = client.get(app.url("/v3/user/role")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    // The rule went in the audit log.
    let audit: Value = app
        .api(Method::GET, "/v3/audit?action=edit:settings", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit[0]["resource"], "settings/two_factor_required");
    assert_eq!(audit[0]["detail"], "required");
}

#[tokio::test]
async fn the_master_resets_a_users_enrolment_and_it_is_audited() {
    let app = with_user(None).await;
    let (client, csrf) = user_session(&app, USER_PASSWORD).await;
    enrol_user(&app, &client, &csrf).await;
    let users_page = app.get_page("/admin").await.text().await.unwrap();
    assert!(users_page.contains("Reset two-factor sign-in of reader"));
    // With two factors the password alone leads to the code step.
    let res = app.sign_in_fresh(USER_EMAIL, USER_PASSWORD).await;
    assert!(location(&res).starts_with("/signin/code"));

    let res = app
        .api(Method::DELETE, &format!("/v3/user/{USER}/two-factor"), None)
        .await;
    assert_eq!(res.status(), 200);
    let res = app.sign_in_fresh(USER_EMAIL, USER_PASSWORD).await;
    assert_eq!(location(&res), "/");
    let audit: Value = app
        .api(Method::GET, "/v3/audit?action=reset:two_factor", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit[0]["resource"], format!("user/{USER}"));
    assert_eq!(audit[0]["actor"], MASTER_EMAIL);
    let res = app
        .api(Method::DELETE, "/v3/user/nobody/two-factor", None)
        .await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn a_user_without_roles_can_neither_require_nor_reset() {
    let app = with_user(None).await;
    let (client, csrf) = user_session(&app, USER_PASSWORD).await;
    for (method, path, body) in [
        (
            Method::PUT,
            "/v3/settings/two-factor",
            json!({"required": true}),
        ),
        (Method::GET, "/v3/settings/two-factor", json!({})),
        (Method::DELETE, "/v3/user/reader/two-factor", json!({})),
    ] {
        let res = client
            .request(method.clone(), app.url(path))
            .header("X-CSRFToken", &csrf)
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{method} {path}");
    }
    for (endpoint, form) in [
        ("admin/require_two_factor", vec![("required", "true")]),
        ("admin/reset_two_factor", vec![("username", USER)]),
    ] {
        let res = client
            .post(app.url(&format!("/api/{endpoint}")))
            .header("X-CSRFToken", &csrf)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 403, "{endpoint}");
    }
    let rule: Value = app
        .api(Method::GET, "/v3/settings/two-factor", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(rule["required"], false);
}
