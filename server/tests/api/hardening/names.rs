//! Names that hide characters.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::*;

#[tokio::test]
async fn names_that_hide_characters_are_refused_naming_the_field() {
    let app = TestApp::signed_in().await;
    let scope = json!({"Statement": [{"Effect": "Allow", "Action": "view:*", "Resource": "*"}]});
    for bad in [
        "evil\u{202E}gpj.exe",
        "x\u{2066}y",
        "line\nbreak",
        "nul\0",
        "esc\u{1b}[2J",
    ] {
        let cases = [
            (Method::POST, "/tokens", json!({"name": bad}), "name"),
            (
                Method::POST,
                "/v3/role",
                json!({"name": bad, "scope": scope}),
                "name",
            ),
            (
                Method::POST,
                "/v3/user",
                json!({"username": bad, "email": "x@example.com"}),
                "username",
            ),
            (
                Method::POST,
                "/backends",
                json!({"title": bad, "provider": "bare_metal", "machine_ip": "127.0.0.1"}),
                "title",
            ),
            (Method::POST, "/keys/generate", json!({"id": bad}), "id"),
            (
                Method::POST,
                "/v3/oauth/clients",
                json!({"name": bad}),
                "name",
            ),
        ];
        for (method, path, body, field) in cases {
            let res = app.api(method.clone(), path, Some(body)).await;
            assert_eq!(res.status(), 400, "{method} {path} {bad:?}");
            let error: Value = res.json().await.unwrap();
            assert_eq!(error["error"], "invalid_input", "{path} {bad:?}");
            assert_eq!(error["field"], field, "{path} {bad:?}: {error}");
            assert!(error["message"].as_str().is_some(), "{error}");
        }
    }
    // The page's door says the same.
    let res = app
        .server_fn(
            "account/create_token",
            &[("name", "evil\u{202E}gpj.exe")],
            Some(&app.csrf()),
        )
        .await;
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["field"], "name");
    // Nothing was made.
    let tokens: Value = app.get_json("/tokens").await.json().await.unwrap();
    assert_eq!(tokens.as_array().unwrap().len(), 0, "{tokens}");
}

// ---- request ids ----
