//! The contract's promises beyond the document: path and query parameters
//! that do not parse, and bodies too large, are refused in the JSON error
//! shape; a caller no role lets call a route is refused (403) before its
//! body is judged (400).

use reqwest::{header, Method};
use serde_json::{json, Value};

use crate::helpers::*;

async fn json_error(res: reqwest::Response) -> (u16, Value) {
    let status = res.status().as_u16();
    let kind = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    assert!(kind.starts_with("application/json"), "{status}: {kind}");
    (status, res.json().await.unwrap())
}

#[tokio::test]
async fn parameters_that_do_not_parse_are_refused_in_the_json_error_shape() {
    let app = TestApp::signed_in().await;
    let (status, body) = json_error(app.get_json("/v3/audit?since=abc").await).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_input");
    assert_eq!(body["field"], "since");
    assert!(
        body["message"].as_str().is_some_and(|m| !m.is_empty()),
        "{body}"
    );

    let (status, body) = json_error(app.get_json("/keys/%ff%fe/public").await).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_input");
    assert_eq!(body["field"], "key_id");

    let (status, body) = json_error(
        app.get_json("/backends/b/machines/m/terminal?cols=many")
            .await,
    )
    .await;
    assert_eq!((status, &body["field"]), (400, &json!("cols")), "{body}");
}

/// A document the operation parses itself (a stack template) that is not
/// even UTF-8: a 400 in the JSON shape, as Schemathesis first found it
/// answered in axum's plain text.
#[tokio::test]
async fn a_template_body_that_is_not_text_is_refused_in_the_json_error_shape() {
    let app = TestApp::signed_in().await;
    let res = app
        .client
        .post(app.url("/v3/alm/template"))
        .header("X-CSRFToken", app.csrf())
        .header(header::CONTENT_TYPE, "application/json")
        .body(vec![0xff_u8, 0xfe])
        .send()
        .await
        .unwrap();
    let (status, body) = json_error(res).await;
    assert_eq!(status, 400, "{body}");
    assert_eq!(body["error"], "invalid_input");
    assert_eq!(body["field"], "body");
}

#[tokio::test]
async fn a_body_over_the_limit_is_a_413_in_the_json_error_shape() {
    let app = TestApp::signed_in().await;
    let limit = server::middleware::body::LIMIT as usize;
    let big = format!("{{\"id\": \"{}\"}}", "x".repeat(limit));
    let res = app
        .client
        .put(app.url("/keys"))
        .header("X-CSRFToken", app.csrf())
        .header(header::CONTENT_TYPE, "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    let (status, body) = json_error(res).await;
    assert_eq!(status, 413, "{body}");
    assert_eq!(body["error"], "too_large");
    assert_eq!(body["limit_bytes"], limit as u64);
    // The server goes on answering (the connection that carried the body
    // was closed, saying so: see keep_alive).
    let res = app.get_json("/keys").await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_caller_no_role_allows_is_refused_before_the_body_is_judged() {
    let app = TestApp::signed_in().await;
    let res = app
        .api(
            Method::POST,
            "/v3/user",
            Some(json!({"username": "nobody", "email": "nobody@example.com", "password": MASTER_PASSWORD})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let nobody = basic("nobody@example.com", MASTER_PASSWORD);
    let bad_json = "{\"id\": ";
    for (method, path, action) in [
        (Method::PUT, "/keys", "create:key"),
        (Method::POST, "/keys/generate", "create:key"),
        (Method::PUT, "/keys/some", "edit:key"),
        (Method::POST, "/backends", "create:backend"),
        (Method::PUT, "/backends/b", "edit:backend"),
        (Method::POST, "/backends/b", "edit:backend"),
        (Method::POST, "/backends/b/machines", "create:machine"),
        (Method::POST, "/backends/b/machines/m", "reboot:machine"),
        (Method::PUT, "/backends/b/machines/m/tags", "tag:machine"),
        (
            Method::POST,
            "/backends/b/machines/m/metadata",
            "tag:machine",
        ),
        (
            Method::POST,
            "/backends/b/machines/m/host_key",
            "edit:machine",
        ),
        (Method::POST, "/backends/b/machines/m/probe", "view:machine"),
        (
            Method::POST,
            "/backends/b/machines/m/scripts",
            "shell:machine",
        ),
        (Method::PUT, "/backends/b/machines/m/keys/k", "edit:key"),
        (Method::POST, "/backends/b/images", "view:backend"),
    ] {
        let res = app
            .anonymous_client()
            .request(method.clone(), app.url(path))
            .header(header::AUTHORIZATION, &nobody)
            .header(header::CONTENT_TYPE, "application/json")
            .body(bad_json)
            .send()
            .await
            .unwrap();
        let (status, body) = json_error(res).await;
        assert_eq!(status, 403, "{method} {path}: {body}");
        assert_eq!(body["action"], action, "{method} {path}");
    }
    // The master, with the same body, hears what is wrong with it.
    let res = app
        .client
        .put(app.url("/keys"))
        .header("X-CSRFToken", app.csrf())
        .header(header::CONTENT_TYPE, "application/json")
        .body(bad_json)
        .send()
        .await
        .unwrap();
    let (status, body) = json_error(res).await;
    assert_eq!((status, &body["field"]), (400, &json!("body")), "{body}");
    // A bad query is judged after the caller too.
    let res = app
        .as_caller(Method::GET, "/v3/audit?since=abc", &nobody, None)
        .await;
    assert_eq!(json_error(res).await.0, 403);
}

#[tokio::test]
async fn the_right_is_checked_on_the_resource_the_path_names_before_the_body() {
    let app = TestApp::signed_in().await;
    let scope = json!({"Version": "2017-05-05", "Statement": [
        {"Effect": "Allow", "Action": ["edit:backend", "tag:machine"], "Resource": ["backend/mine", "backend/mine/machine/*"]}
    ]});
    let role: Value = app
        .api(
            Method::POST,
            "/v3/role",
            Some(json!({"name": "mine", "scope": scope})),
        )
        .await
        .json()
        .await
        .unwrap();
    for body in [
        json!({"username": "someone", "email": "someone@example.com", "password": MASTER_PASSWORD}),
        json!({"username": "someone", "role_id": role["role_id"]}),
    ] {
        let path = if body.get("role_id").is_some() {
            "/v3/user/role"
        } else {
            "/v3/user"
        };
        assert_eq!(app.api(Method::POST, path, Some(body)).await.status(), 200);
    }
    let someone = basic("someone@example.com", MASTER_PASSWORD);
    for (path, method, status) in [
        ("/backends/mine", Method::PUT, 400),
        ("/backends/theirs", Method::PUT, 403),
        ("/backends/mine/machines/m/tags", Method::PUT, 400),
        ("/backends/theirs/machines/m/tags", Method::PUT, 403),
    ] {
        let res = app
            .anonymous_client()
            .request(method.clone(), app.url(path))
            .header(header::AUTHORIZATION, &someone)
            .header(header::CONTENT_TYPE, "application/json")
            .body("[1, 2")
            .send()
            .await
            .unwrap();
        let (got, body) = json_error(res).await;
        assert_eq!(got, status, "{method} {path}: {body}");
    }
}
