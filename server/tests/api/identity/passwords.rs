//! Passwords changed and reset: the user's other sessions end, and tokens
//! go when asked (always on the master's reset).

use reqwest::Method;
use serde_json::{json, Value};

use super::*;
use crate::helpers::*;

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
