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

    let (user_session, res) = app.session_of(USER_EMAIL, USER_PASSWORD).await;
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

#[tokio::test]
async fn the_admin_page_says_disabling_revokes_tokens() {
    let app = with_user(None).await;
    let page = app.get_page("/admin").await.text().await.unwrap();
    assert!(
        page.contains("revokes their API tokens"),
        "the disable confirmation says what it does"
    );
}
