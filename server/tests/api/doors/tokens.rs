//! API tokens.

use super::*;

#[tokio::test]
async fn creating_a_token_answers_alike_at_both_doors() {
    let app = TestApp::signed_in().await;
    let long = "n".repeat(101);
    // (name, ttl_days, scope), each as the page's form sends it.
    for (name, ttl, scope) in [
        ("", "", ""),
        ("   ", "", ""),
        (long.as_str(), "", ""),
        ("t", "0", ""),
        ("t", "99999", ""),
        ("t", "-1", ""),
        ("t", "a week", ""),
        ("t", "1.5", ""),
        ("t", "", "{"),
        ("t", "", "5"),
        ("t", "", r#"{"allow": "everything"}"#),
        ("t", "", r#"{"Statement": []}"#),
        ("t", "", r#"[{"action": "fly", "resource": "*"}]"#),
    ] {
        let what = format!("{name:?} {ttl:?} {scope:?}");
        let page = answer(
            app.server_fn(
                "account/create_token",
                &[("name", name), ("ttl_days", ttl), ("scope", scope)],
                Some(&app.csrf()),
            )
            .await,
        )
        .await;
        assert_eq!(page.0, 400, "{what}: {page:?}");
        // The REST door takes the lifetime as a number or as its text, and
        // the scope as a JSON document or as its text.
        let mut bodies = vec![json!({"name": name, "ttl_days": ttl, "scope": scope})];
        if let Ok(days) = ttl.parse::<i64>() {
            bodies.push(json!({"name": name, "ttl_days": days, "scope": scope}));
        }
        if let Ok(document) = serde_json::from_str::<Value>(scope) {
            bodies.push(json!({"name": name, "ttl_days": ttl, "scope": document}));
        }
        for body in bodies {
            let api = answer(app.api(Method::POST, "/tokens", Some(body.clone())).await).await;
            assert_eq!(page, api, "{what}: {body}");
        }
    }
    // Nothing given at all: the service's complaint, not the codec's.
    let (page, api) = both(
        &app,
        "account/create_token",
        &[],
        (Method::POST, "/tokens", json!({})),
    )
    .await;
    assert_eq!(page.0, 400, "{page:?}");
    assert_eq!(page.1["field"], "name", "{page:?}");
    assert_eq!(page, api);
    // Well formed at both doors: a token each, no expiry, no scope.
    for (door, name) in [("page", "by-page"), ("api", "by-api")] {
        let status = if door == "page" {
            app.server_fn(
                "account/create_token",
                &[("name", name), ("ttl_days", " "), ("scope", " ")],
                Some(&app.csrf()),
            )
            .await
            .status()
        } else {
            app.api(
                Method::POST,
                "/tokens",
                Some(json!({"name": name, "ttl_days": " ", "scope": " "})),
            )
            .await
            .status()
        };
        assert!(status.is_success(), "{door}: {status}");
    }
}

#[tokio::test]
async fn a_narrowed_token_is_refused_a_token_before_its_input_is_read_at_both_doors() {
    let app = TestApp::signed_in().await;
    let created: Value = app
        .api(
            Method::POST,
            "/tokens",
            Some(json!({"name": "narrow", "scope": {"Statement": [
                {"Effect": "Allow", "Action": "view:key", "Resource": "*"}
            ]}})),
        )
        .await
        .json()
        .await
        .unwrap();
    let auth = format!("Token {}", created["token"].as_str().unwrap());
    for (name, ttl, scope) in [("", "", ""), ("t", "a week", ""), ("t", "", "{")] {
        let what = format!("{name:?} {ttl:?} {scope:?}");
        let page = page_as(
            &app,
            &auth,
            "account/create_token",
            &[("name", name), ("ttl_days", ttl), ("scope", scope)],
        )
        .await;
        let api = answer(
            app.as_caller(
                Method::POST,
                "/tokens",
                &auth,
                Some(json!({"name": name, "ttl_days": ttl, "scope": scope})),
            )
            .await,
        )
        .await;
        assert_eq!(page.0, 403, "{what}: {page:?}");
        assert_eq!(page, api, "{what}");
    }
}

#[tokio::test]
async fn revoking_an_unknown_token_answers_alike_at_both_doors() {
    let app = TestApp::signed_in().await;
    for (id, path) in [
        ("no-such-token", "/tokens/no-such-token"),
        (" x ", "/tokens/%20x%20"),
    ] {
        let (page, api) = both(
            &app,
            "account/revoke_token",
            &[("id", id)],
            (Method::DELETE, path, json!({})),
        )
        .await;
        assert_eq!(page.0, 404, "{id:?}: {page:?}");
        assert_eq!(page, api, "{id:?}");
    }
    let (page, _) = both(
        &app,
        "account/revoke_token",
        &[],
        (Method::DELETE, "/tokens/x", json!({})),
    )
    .await;
    assert_eq!(page.0, 404, "{page:?}");
}
