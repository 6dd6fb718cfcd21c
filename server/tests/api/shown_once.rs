//! Secrets shown only once, posted by a browser without JavaScript: the
//! form's answer is a redirect back to the page, which shows the secret on
//! that load and never again.

use reqwest::{header, Method, Response};
use serde_json::{json, Value};
use ssh::KeyPair;

use crate::helpers::{location, TestApp};

/// Posts a form to a server function as a browser without JavaScript does:
/// a form body with the CSRF field, asking for a page, from `page`.
async fn post_plain(app: &TestApp, endpoint: &str, page: &str, form: &[(&str, &str)]) -> Response {
    let csrf = app.csrf();
    let mut fields = form.to_vec();
    fields.push(("csrf_token", &csrf));
    app.client
        .post(app.url(&format!("/api/{endpoint}")))
        .header(
            header::ACCEPT,
            "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        )
        .header(header::REFERER, app.url(page))
        .form(&fields)
        .send()
        .await
        .unwrap()
}

/// Posts the form, checks that the answer sends the browser back to
/// `page`, and returns that page as the browser then loads it.
async fn post_and_follow(
    app: &TestApp,
    endpoint: &str,
    page: &str,
    form: &[(&str, &str)],
) -> String {
    let res = post_plain(app, endpoint, page, form).await;
    assert!(
        res.status().is_redirection(),
        "{endpoint}: {} {}",
        res.status(),
        res.text().await.unwrap_or_default()
    );
    // The Referer, with what server_fn leaves of its (empty) error query.
    let to = location(&res);
    let back = to.strip_prefix(&app.url("")).unwrap_or(&to);
    assert_eq!(
        back.trim_end_matches('?'),
        page,
        "{endpoint} sends the browser back"
    );
    load(app, page).await
}

/// A page, loaded as a browser navigating to it.
async fn load(app: &TestApp, page: &str) -> String {
    let res = app.get_page(page).await;
    assert_eq!(res.status(), 200, "{page}");
    res.text().await.unwrap()
}

/// The text of the first `<open ...>...</close>` after `data-testid="id"`,
/// without Leptos's hydration markers, entities decoded.
fn shown(html: &str, testid: &str, open: &str, close: &str) -> String {
    let at = html
        .find(&format!("data-testid=\"{testid}\""))
        .unwrap_or_else(|| panic!("no {testid} on the page"));
    let rest = &html[at..];
    let start = rest
        .find(open)
        .unwrap_or_else(|| panic!("no {open} in {testid}"));
    let rest = &rest[start..];
    let body = &rest[rest.find('>').unwrap() + 1..];
    let body = &body[..body.find(close).unwrap()];
    body.replace("<!>", "")
        .replace("<!---->", "")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#x27;", "'")
        .replace("&#39;", "'")
        .replace("&amp;", "&")
}

#[tokio::test]
async fn a_token_created_without_javascript_is_shown_once() {
    let app = TestApp::signed_in().await;
    let html = post_and_follow(
        &app,
        "account/create_token",
        "/account",
        &[("name", "no-js")],
    )
    .await;
    let token = shown(&html, "new-token", "<code", "</code>");
    assert!(!token.trim().is_empty(), "an empty token");
    let res = app
        .as_caller(Method::GET, "/v3/user", &format!("Token {token}"), None)
        .await;
    assert_eq!(res.status(), 200, "the token shown is the one created");

    let again = load(&app, "/account").await;
    assert!(!again.contains("data-testid=\"new-token\""), "shown twice");
    assert!(!again.contains(&token), "the token is still on the page");
}

#[tokio::test]
async fn a_key_generated_without_javascript_is_shown_once() {
    let app = TestApp::signed_in().await;
    let html = post_and_follow(
        &app,
        "keys/generate",
        "/keys",
        &[("id", "no-js"), ("algorithm", "ed25519")],
    )
    .await;
    let private = shown(&html, "generated-key", "<textarea", "</textarea>");
    assert!(private.starts_with("-----BEGIN"), "{private}");
    let pair = KeyPair::parse(&private, None).unwrap();
    assert!(
        html.contains(&pair.public_openssh()),
        "its public part is shown"
    );
    assert!(
        !html.contains("no-secrets-without-js"),
        "the old notice is gone"
    );
    // The key shown is the one stored.
    let stored: Value = app
        .api(Method::GET, "/keys/no-js/private", None)
        .await
        .json()
        .await
        .unwrap();
    let stored = KeyPair::parse(stored.as_str().unwrap(), None).unwrap();
    assert_eq!(stored.public_openssh(), pair.public_openssh());

    let again = load(&app, "/keys").await;
    assert!(
        !again.contains("data-testid=\"generated-key\""),
        "shown twice"
    );
    assert!(
        !again.contains("-----BEGIN"),
        "a private key is still on the page"
    );
}

#[tokio::test]
async fn a_private_key_revealed_without_javascript_is_shown_once() {
    let app = TestApp::signed_in().await;
    let res = app
        .api(Method::POST, "/keys/generate", Some(json!({"id": "ops"})))
        .await;
    assert_eq!(res.status(), 200);
    let generated: Value = res.json().await.unwrap();
    let public = KeyPair::parse(generated["priv"].as_str().unwrap(), None)
        .unwrap()
        .public_openssh();

    // Revealed by the hydrated page's script: the answer carries it, and the
    // session keeps nothing for a later page.
    let res = app
        .server_fn("keys/private", &[("id", "ops")], Some(&app.csrf()))
        .await;
    assert_eq!(res.status(), 200);
    let page = load(&app, "/keys").await;
    assert!(
        !page.contains("data-testid=\"private-key\""),
        "kept for a script"
    );

    // Kept in the session until the page shows it, sealed like every stored
    // private key: no file of the data directory holds it in clear.
    let res = post_plain(&app, "keys/private", "/keys", &[("id", "ops")]).await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let body: String = generated["priv"]
        .as_str()
        .unwrap()
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let mut files = Vec::new();
    for entry in std::fs::read_dir(app.data_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            files.extend(std::fs::read(&path).unwrap());
        }
    }
    let files = String::from_utf8_lossy(&files);
    assert!(!files.contains("PRIVATE KEY"), "a private key in clear");
    assert!(
        !files.contains(&body[..40]),
        "a private key's body in clear"
    );

    let html = post_and_follow(&app, "keys/private", "/keys", &[("id", "ops")]).await;
    let private = shown(&html, "private-key", "<textarea", "</textarea>");
    assert!(private.starts_with("-----BEGIN"), "{private}");
    let pair = KeyPair::parse(&private, None).unwrap();
    assert_eq!(pair.public_openssh(), public, "the key asked for");

    let again = load(&app, "/keys").await;
    assert!(
        !again.contains("data-testid=\"private-key\""),
        "shown twice"
    );
    assert!(
        !again.contains("-----BEGIN"),
        "a private key is still on the page"
    );
}

#[tokio::test]
async fn a_password_link_made_without_javascript_is_shown_once() {
    let app = TestApp::signed_in().await;
    let res = app
        .server_fn(
            "admin/create_user",
            &[
                ("username", "alice"),
                ("email", "alice@example.com"),
                ("password", "a long enough password"),
            ],
            Some(&app.csrf()),
        )
        .await;
    assert_eq!(
        res.status(),
        200,
        "{}",
        res.text().await.unwrap_or_default()
    );

    link_shown_once(&app, "admin/password_link", &[("username", "alice")]).await;
}

/// Posts `form` to the admin server function `endpoint` as a plain form and
/// sees the one-time link on the page it returns to, and not on a reload.
async fn link_shown_once(app: &TestApp, endpoint: &str, form: &[(&str, &str)]) {
    let html = post_and_follow(app, endpoint, "/admin", form).await;
    let link = shown(&html, "password-link", "<code", "</code>");
    assert!(link.contains("/set-password?token="), "{link}");

    let again = load(app, "/admin").await;
    assert!(
        !again.contains("data-testid=\"password-link\""),
        "shown twice"
    );
    assert!(!again.contains(&link), "the link is still on the page");
}

#[tokio::test]
async fn the_link_of_a_user_created_without_javascript_is_shown_once() {
    let app = TestApp::signed_in().await;
    link_shown_once(
        &app,
        "admin/create_user",
        &[
            ("username", "bob"),
            ("email", "bob@example.com"),
            ("password", ""),
        ],
    )
    .await;
}

/// A secret kept for a page never reached does not outlive its session.
#[tokio::test]
async fn a_kept_secret_is_not_shown_after_signing_out() {
    let app = TestApp::signed_in().await;
    let res = post_plain(
        &app,
        "account/create_token",
        "/account",
        &[("name", "left")],
    )
    .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let res = app.server_fn("sign_out", &[], Some(&app.csrf())).await;
    assert!(res.status().is_success(), "{}", res.status());
    let res = app
        .sign_in(
            crate::helpers::MASTER_EMAIL,
            crate::helpers::MASTER_PASSWORD,
        )
        .await;
    assert!(res.status().is_success() || res.status().is_redirection());
    let page = load(&app, "/account").await;
    assert!(
        !page.contains("data-testid=\"new-token\""),
        "a secret outlived its session"
    );
}
