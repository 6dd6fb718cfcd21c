//! Users: disabling, and setting a password through a one-time link.

use reqwest::Method;
use serde_json::{json, Value};

use super::*;
use crate::helpers::*;

#[tokio::test]
async fn disabling_a_user_stops_their_session_and_tokens_for_good() {
    let app = with_user(Some("read-only")).await;
    let res = app
        .as_caller(
            Method::POST,
            "/tokens",
            &basic(USER_EMAIL, USER_PASSWORD),
            Some(json!({"name": "t"})),
        )
        .await;
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
    let res = app
        .as_caller(
            Method::GET,
            "/v3/user/role",
            &format!("Token {token}"),
            None,
        )
        .await;
    assert_eq!(res.status(), 401);
    let res = app
        .as_caller(
            Method::GET,
            "/v3/user/role",
            &basic(USER_EMAIL, USER_PASSWORD),
            None,
        )
        .await;
    assert_eq!(res.status(), 401);

    let res = app
        .api(
            Method::PUT,
            &format!("/v3/user/{USER}"),
            Some(json!({"disabled": "false"})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .as_caller(
            Method::GET,
            "/v3/user/role",
            &format!("Token {token}"),
            None,
        )
        .await;
    assert_eq!(
        res.status(),
        401,
        "re-enabling does not revive a token from before the disable"
    );
    // The user signs in again and makes new ones.
    assert_eq!(
        app.as_caller(
            Method::GET,
            "/v3/user/role",
            &basic(USER_EMAIL, USER_PASSWORD),
            None
        )
        .await
        .status(),
        200
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

/// The user signed in on a client of their own: the client, and its CSRF
/// token.
async fn user_session(app: &TestApp, password: &str) -> (reqwest::Client, String) {
    let client = TestApp::client_with_cookies();
    let res = client
        .post(app.url("/api/sign_in"))
        .form(&[("email", USER_EMAIL), ("password", password)])
        .send()
        .await
        .unwrap();
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
async fn session_status(app: &TestApp, client: &reqwest::Client) -> u16 {
    client
        .get(app.url("/v3/user/role"))
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

/// A token of the user's, made with Basic credentials.
async fn user_token(app: &TestApp, password: &str) -> String {
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

async fn token_status(app: &TestApp, token: &str) -> u16 {
    app.as_caller(Method::GET, "/v3/user/role", token, None)
        .await
        .status()
        .as_u16()
}

#[tokio::test]
async fn changing_ones_password_ends_ones_other_sessions_and_can_revoke_ones_tokens() {
    let app = with_user(Some("read-only")).await;
    let token = user_token(&app, USER_PASSWORD).await;
    let (here, csrf) = user_session(&app, USER_PASSWORD).await;
    let (elsewhere, _) = user_session(&app, USER_PASSWORD).await;

    // The page's form, tokens kept.
    let res = here
        .post(app.url("/api/account/change_password"))
        .header("X-CSRFToken", &csrf)
        .form(&[
            ("current_password", USER_PASSWORD),
            ("password", "a second long password"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert_eq!(session_status(&app, &here).await, 200, "this session stays");
    assert_eq!(
        session_status(&app, &elsewhere).await,
        401,
        "the other ends"
    );
    assert_eq!(token_status(&app, &token).await, 200, "tokens kept");

    // The API, tokens revoked.
    let (elsewhere, _) = user_session(&app, "a second long password").await;
    let res = here
        .put(app.url("/v3/user/password"))
        .header("X-CSRFToken", &csrf)
        .json(&json!({
            "current_password": "a second long password",
            "password": "a third long password",
            "revoke_tokens": true,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert_eq!(session_status(&app, &here).await, 200);
    assert_eq!(session_status(&app, &elsewhere).await, 401);
    assert_eq!(token_status(&app, &token).await, 401, "tokens revoked");

    // The form's checkbox does the same.
    let token = user_token(&app, "a third long password").await;
    let res = here
        .post(app.url("/api/account/change_password"))
        .header("X-CSRFToken", &csrf)
        .form(&[
            ("current_password", "a third long password"),
            ("password", "a fourth long password"),
            ("revoke_tokens", "on"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert_eq!(token_status(&app, &token).await, 401);
    assert_eq!(session_status(&app, &here).await, 200);
}

#[tokio::test]
async fn the_masters_reset_ends_the_users_sessions_and_revokes_their_tokens() {
    let app = with_user(Some("read-only")).await;
    let token = user_token(&app, USER_PASSWORD).await;
    let (session, _) = user_session(&app, USER_PASSWORD).await;
    let res = app
        .api(
            Method::PUT,
            &format!("/v3/user/{USER}"),
            Some(json!({"password": "a reset long password"})),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(session_status(&app, &session).await, 401);
    assert_eq!(token_status(&app, &token).await, 401);
    assert_eq!(
        app.as_caller(
            Method::GET,
            "/v3/user/role",
            &basic(USER_EMAIL, "a reset long password"),
            None
        )
        .await
        .status(),
        200
    );

    // A password set through the master's one-time link likewise.
    let token = user_token(&app, "a reset long password").await;
    let (session, _) = user_session(&app, "a reset long password").await;
    let link: Value = app
        .api(
            Method::POST,
            &format!("/v3/user/{USER}/password_link"),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    let link_token = link["password_link"]
        .as_str()
        .unwrap()
        .rsplit_once("token=")
        .unwrap()
        .1
        .to_owned();
    let res = app
        .anonymous_client()
        .post(app.url("/api/set_password"))
        .form(&[
            ("token", link_token.as_str()),
            ("password", "a linked long password"),
            ("password_confirm", "a linked long password"),
        ])
        .send()
        .await
        .unwrap();
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(session_status(&app, &session).await, 401);
    assert_eq!(token_status(&app, &token).await, 401);
}

#[tokio::test]
async fn the_admin_page_says_disabling_revokes_tokens() {
    let app = with_user(None).await;
    let page = app.get_page("/admin").await.text().await.unwrap();
    assert!(
        page.contains("revokes their API tokens"),
        "the disable confirmation says what it does"
    );
}
