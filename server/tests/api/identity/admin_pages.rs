//! The Admin pages: one per section with a section nav, the master's alone
//! (403 for anyone else), the audit log paged and naming what it can.

use reqwest::Method;
use serde_json::{json, Value};

use super::*;
use crate::helpers::*;

/// Each Admin page and what only that page shows.
const PAGES: [(&str, &str); 6] = [
    ("/admin", "data-testid=\"users\""),
    ("/admin/users", "data-testid=\"users\""),
    ("/admin/roles", "id=\"new-role\""),
    ("/admin/oauth", "id=\"new-client\""),
    ("/admin/two-factor", "data-testid=\"two-factor-required\""),
    ("/admin/audit", "data-testid=\"audit\""),
];

async fn page(app: &TestApp, client: &reqwest::Client, path: &str) -> (u16, String) {
    let res = client
        .get(app.url(path))
        .header(reqwest::header::ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

#[tokio::test]
async fn every_admin_section_is_its_own_page_with_the_nav() {
    let app = TestApp::signed_in().await;
    for (path, marker) in PAGES {
        let res = app.get_page(path).await;
        assert_eq!(res.status(), 200, "{path}");
        let html = res.text().await.unwrap();
        assert!(html.contains("data-testid=\"admin-nav\""), "{path}: no nav");
        assert!(
            html.contains("href=\"/admin/audit\""),
            "{path}: no audit link"
        );
        assert!(html.contains(marker), "{path}: no {marker}");
        // Only its own section.
        for (other, other_marker) in PAGES {
            if other_marker != marker {
                assert!(
                    !html.contains(other_marker),
                    "{path} shows {other}'s section"
                );
            }
        }
    }
}

#[tokio::test]
async fn a_user_without_the_master_account_gets_403_on_every_admin_page() {
    let app = with_user(Some("read-only")).await;
    let (client, _) = user_session(&app, USER_PASSWORD).await;
    for (path, marker) in PAGES {
        let (status, html) = page(&app, &client, path).await;
        assert_eq!(status, 403, "{path}");
        assert!(html.contains("data-testid=\"admin-refused\""), "{path}");
        assert!(!html.contains(marker), "{path} shows its section");
    }
}

#[tokio::test]
async fn the_audit_page_names_roles_and_people_not_ids() {
    let app = with_user(Some("read-only")).await;
    let roles: Value = app
        .api(Method::GET, "/v3/role", None)
        .await
        .json()
        .await
        .unwrap();
    let role_id = roles
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "read-only")
        .map(|r| r["id"].as_str().unwrap().to_owned())
        .unwrap_or_else(|| panic!("{roles}"));
    let html = app
        .get_page("/admin/audit?action=attach")
        .await
        .text()
        .await
        .unwrap();
    let named = [
        "role \"read-only\" of user reader",
        "role &quot;read-only&quot; of user reader",
    ];
    assert!(named.iter().any(|n| html.contains(n)), "{html}");
    assert!(html.contains(MASTER_EMAIL), "the actor is named by email");
    // The id is kept only as the cell's title, never as its text.
    assert!(
        !html.contains(&format!(">user/reader/role/{role_id}<")),
        "{html}"
    );
}

#[tokio::test]
async fn the_audit_page_pages_on_the_server_keeping_the_filter() {
    let app = TestApp::signed_in().await;
    let scope =
        json!({"Statement": [{"Effect": "Allow", "Action": ["view:*"], "Resource": ["*"]}]});
    for i in 0..55 {
        let res = app
            .api(
                Method::POST,
                "/v3/role",
                Some(json!({"name": format!("r{i}"), "scope": scope})),
            )
            .await;
        assert_eq!(res.status(), 200);
    }
    let rows = |html: &str| html.matches("<tr class=\"success\"").count();
    let first = app.get_page("/admin/audit?action=create:role").await;
    assert_eq!(first.status(), 200);
    let first = first.text().await.unwrap();
    assert_eq!(rows(&first), 50);
    assert!(
        first.contains("href=\"/admin/audit?action=create%3Arole&amp;page=1\"")
            || first.contains("href=\"/admin/audit?action=create%3Arole&page=1\""),
        "no older link"
    );
    assert!(!first.contains("data-testid=\"newer\""));
    // The newest first: the last role made is on the first page.
    assert!(first.contains("r54"));

    let second = app
        .get_page("/admin/audit?action=create:role&page=1")
        .await
        .text()
        .await
        .unwrap();
    assert_eq!(rows(&second), 5);
    assert!(second.contains("data-testid=\"newer\""));
    assert!(!second.contains("data-testid=\"older\""));
    assert!(second.contains(">r0<") || second.contains("r0"));
}

/// A role named `name` of `view:*` on everything, made by the master.
async fn create_read_only_role(app: &TestApp, name: &str) {
    let scope =
        json!({"Statement": [{"Effect": "Allow", "Action": ["view:*"], "Resource": ["*"]}]});
    let res = app
        .api(
            Method::POST,
            "/v3/role",
            Some(json!({"name": name, "scope": scope})),
        )
        .await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_role_is_attachable_from_the_users_row() {
    let app = with_user(Some("read-only")).await;
    create_read_only_role(&app, "second").await;
    let html = app.get_page("/admin/users").await.text().await.unwrap();
    let form = html
        .split("data-testid=\"attach-role\"")
        .skip(1)
        .find(|f| f.contains("value=\"reader\""))
        .unwrap_or_else(|| panic!("no attach form for reader: {html}"));
    let form = &form[..form.find("</form>").unwrap()];
    assert!(form.contains(">second<"), "{form}");
    // A role the user already has is not offered again.
    assert!(!form.contains(">read-only<"), "{form}");
}

#[tokio::test]
async fn the_roles_page_offers_attaching_only_once_there_is_a_role() {
    let app = TestApp::signed_in().await;
    let html = app.get_page("/admin/roles").await.text().await.unwrap();
    assert!(html.contains("data-testid=\"no-roles\""), "{html}");
    assert!(!html.contains("id=\"attach-role\""), "{html}");
    create_read_only_role(&app, "first").await;
    let html = app.get_page("/admin/roles").await.text().await.unwrap();
    assert!(!html.contains("data-testid=\"no-roles\""), "{html}");
    let form = &html[html
        .find("id=\"attach-role\"")
        .unwrap_or_else(|| panic!("{html}"))..];
    assert!(
        form[..form.find("</form>").unwrap()].contains(">first<"),
        "{form}"
    );
}

#[tokio::test]
async fn revoking_a_token_asks_first() {
    let app = TestApp::signed_in().await;
    let res = app
        .api(Method::POST, "/tokens", Some(json!({"name": "ci"})))
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    let html = app.get_page("/account").await.text().await.unwrap();
    assert!(html.contains("<summary>Revoke</summary>"), "{html}");
    assert!(html.contains("Revoke ci"), "{html}");
}
