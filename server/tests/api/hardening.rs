//! Sign-in and sessions hardened: where `next` may lead, the headers every
//! page and every secret carries, `Retry-After` on every 429, sign-in posts
//! from other sites, names that hide characters, and the request id an
//! internal error's log line shares with its answer.

use std::collections::HashMap;

use reqwest::{header, Method};
use serde_json::{json, Value};

use crate::helpers::*;

// ---- where `next` may lead ----

/// Values of `next` that would leave the site once a browser has cleaned
/// them up (it drops tabs and line breaks, and reads `\` as `/`).
const LEAVING: [&str; 9] = [
    "/\t/evil.example",
    "/\n/evil.example",
    "/\r\n/evil.example",
    "//evil.example",
    "/\\evil.example",
    "\t//evil.example",
    "https://evil.example/",
    "/ /evil.example",
    "/caf\u{e9}",
];

#[tokio::test]
async fn signing_in_never_sends_the_browser_to_another_site() {
    let app = TestApp::with_master().await;
    // Without JavaScript (a plain form post: a 302) and from the page's
    // script (the Location the client follows), each from a fresh client.
    for next in LEAVING {
        for plain in [true, false] {
            let mut req = app.anonymous_client().post(app.url("/api/sign_in")).form(&[
                ("email", MASTER_EMAIL),
                ("password", MASTER_PASSWORD),
                ("next", next),
            ]);
            if plain {
                req = req.header(header::ACCEPT, "text/html");
            }
            let res = req.send().await.unwrap();
            assert!(
                res.status().is_success() || res.status().is_redirection(),
                "{next:?}: {}",
                res.status()
            );
            assert_eq!(location(&res), "/", "{next:?} (plain form: {plain})");
        }
    }
    // A path on this site is where it goes.
    let res = app
        .anonymous_client()
        .post(app.url("/api/sign_in"))
        .header(header::ACCEPT, "text/html")
        .form(&[
            ("email", MASTER_EMAIL),
            ("password", MASTER_PASSWORD),
            ("next", "/machines/b-1/m%2F1?tab=shell"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    assert_eq!(location(&res), "/machines/b-1/m%2F1?tab=shell");
}

#[tokio::test]
async fn the_sign_in_redirect_carries_only_a_path_sign_in_would_follow() {
    let app = TestApp::with_master().await;
    let res = app.get_page("/machines").await;
    assert_eq!(location(&res), "/signin?next=/machines");
    // `//evil.example` as a page address: signing in must not lead there,
    // so it is not carried at all.
    let res = app.get_page("//evil.example").await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(location(&res), "/signin");
}

// ---- headers ----

/// A `<script>` element's attributes, by name (a bare attribute maps to "").
fn script_tags(html: &str) -> Vec<HashMap<String, String>> {
    let mut tags = Vec::new();
    let lower = html.to_ascii_lowercase();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<script") {
        let start = at + start + "<script".len();
        let end = start + lower[start..].find('>').expect("a closed <script> tag");
        tags.push(attributes(&html[start..end]));
        at = end;
    }
    tags
}

fn attributes(text: &str) -> HashMap<String, String> {
    let mut attrs = HashMap::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let name_end = rest
            .find(|c: char| c.is_whitespace() || c == '=' || c == '/')
            .unwrap_or(rest.len());
        let name = rest[..name_end].to_ascii_lowercase();
        rest = &rest[name_end..];
        let mut value = String::new();
        if let Some(after) = rest.strip_prefix('=') {
            let (v, tail) = match after.chars().next() {
                Some(q @ ('"' | '\'')) => {
                    let close = after[1..].find(q).expect("a closed quote") + 1;
                    (&after[1..close], &after[close + 1..])
                }
                _ => {
                    let end = after.find(char::is_whitespace).unwrap_or(after.len());
                    (&after[..end], &after[end..])
                }
            };
            value = v.replace("&amp;", "&").replace("&quot;", "\"");
            rest = tail;
        }
        if !name.is_empty() {
            attrs.insert(name, value);
        }
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
    }
    attrs
}

/// The sources a policy's `script-src` (else `default-src`) allows.
fn script_sources(policy: &str) -> Vec<String> {
    let directives: HashMap<&str, Vec<String>> = policy
        .split(';')
        .filter_map(|d| {
            let mut words = d.split_whitespace();
            let name = words.next()?;
            Some((name, words.map(str::to_owned).collect()))
        })
        .collect();
    directives
        .get("script-src")
        .or_else(|| directives.get("default-src"))
        .cloned()
        .unwrap_or_default()
}

/// Asserts that the page at `path` sends the security headers and that its
/// policy lets every `<script>` in it run: a `src` on this site under
/// `'self'`, an inline script with a nonce the policy names. Returns the
/// nonce.
async fn assert_scripts_allowed(app: &TestApp, path: &str) -> String {
    let res = app.get_page(path).await;
    assert!(
        res.status() == 200 || res.status() == 404,
        "{path}: {}",
        res.status()
    );
    let headers = res.headers().clone();
    let header = |name: &str| {
        headers
            .get(name)
            .unwrap_or_else(|| panic!("{path}: no {name}"))
            .to_str()
            .unwrap()
            .to_owned()
    };
    assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
    assert_eq!(header("referrer-policy"), "same-origin", "{path}");
    let policy = header("content-security-policy");
    assert!(
        policy.contains("frame-ancestors 'none'"),
        "{path}: {policy}"
    );
    let sources = script_sources(&policy);
    assert!(
        sources.iter().any(|s| s == "'wasm-unsafe-eval'"),
        "{path}: the module must compile: {policy}"
    );
    assert!(
        !sources.iter().any(|s| s == "'unsafe-inline'" || s == "*"),
        "{path}: {policy}"
    );
    assert!(
        policy.contains("connect-src 'self'"),
        "{path}: the module and the terminal's websocket: {policy}"
    );
    let nonces: Vec<&str> = sources
        .iter()
        .filter_map(|s| s.strip_prefix("'nonce-")?.strip_suffix('\''))
        .collect();
    assert_eq!(nonces.len(), 1, "{path}: {policy}");
    let nonce = nonces[0].to_owned();

    let html = res.text().await.unwrap();
    let scripts = script_tags(&html);
    assert!(
        scripts.iter().any(|s| s.contains_key("nonce")),
        "{path}: no hydration script found in {html}"
    );
    let own = app.url("/");
    for script in &scripts {
        match script.get("src") {
            Some(src) => {
                let on_this_site =
                    (src.starts_with('/') && !src.starts_with("//")) || src.starts_with(&own);
                assert!(on_this_site, "{path}: script from {src}");
                assert!(sources.iter().any(|s| s == "'self'"), "{path}: {policy}");
            }
            None => assert_eq!(
                script.get("nonce"),
                Some(&nonce),
                "{path}: an inline script the policy blocks: {script:?}"
            ),
        }
    }
    // Nothing else runs script without a <script> element: no inline
    // event handlers, no javascript: addresses.
    let lower = html.to_ascii_lowercase();
    assert!(!lower.contains("javascript:"), "{path}");
    for handler in [
        " onclick=",
        " onload=",
        " onerror=",
        " onsubmit=",
        " onchange=",
    ] {
        assert!(!lower.contains(handler), "{path}: {handler}");
    }
    nonce
}

#[tokio::test]
async fn every_script_on_a_page_is_allowed_by_its_content_security_policy() {
    let app = TestApp::with_master().await;
    let first = assert_scripts_allowed(&app, "/signin").await;
    let second = assert_scripts_allowed(&app, "/signin").await;
    assert_ne!(first, second, "a nonce is used once");

    let res = app.sign_in(MASTER_EMAIL, MASTER_PASSWORD).await;
    assert!(res.status().is_success(), "{}", res.status());
    for path in [
        "/",
        "/machines",
        "/keys",
        "/backends",
        "/admin",
        "/account",
        "/stacks",
        // The machine page loads the terminal (xterm.js, terminal.js).
        "/machines/b-1/m-1",
        "/no/such/page",
    ] {
        assert_scripts_allowed(&app, path).await;
    }
    let html = app
        .get_page("/machines/b-1/m-1")
        .await
        .text()
        .await
        .unwrap();
    let srcs: Vec<String> = script_tags(&html)
        .into_iter()
        .filter_map(|s| s.get("src").cloned())
        .collect();
    for wanted in ["/vendor/xterm/xterm.js", "/terminal.js"] {
        assert!(srcs.iter().any(|s| s == wanted), "{wanted}: {srcs:?}");
    }
}

#[tokio::test]
async fn api_answers_carry_the_same_headers() {
    let app = TestApp::signed_in().await;
    for path in ["/healthz", "/keys", "/api/session_info"] {
        let res = app.get_json(path).await;
        assert_eq!(res.status(), 200, "{path}");
        let h = res.headers();
        assert_eq!(h["x-content-type-options"], "nosniff", "{path}");
        assert_eq!(h["referrer-policy"], "same-origin", "{path}");
        let policy = h["content-security-policy"].to_str().unwrap();
        assert!(policy.contains("frame-ancestors 'none'"), "{path}");
    }
}

#[tokio::test]
async fn secrets_are_answered_with_no_store() {
    let app = TestApp::signed_in().await;
    let csrf = app.csrf();
    let no_store = |res: &reqwest::Response, what: &str| {
        assert!(res.status().is_success(), "{what}: {}", res.status());
        assert_eq!(
            res.headers()
                .get(header::CACHE_CONTROL)
                .map(|v| v.to_str().unwrap()),
            Some("no-store"),
            "{what}"
        );
    };
    // REST: a new token, a generated key, a private key, a password link.
    let res = app
        .api(Method::POST, "/tokens", Some(json!({"name": "cached?"})))
        .await;
    no_store(&res, "POST /tokens");
    let res = app
        .api(Method::POST, "/keys/generate", Some(json!({"id": "gen"})))
        .await;
    no_store(&res, "POST /keys/generate");
    let res = app.api(Method::GET, "/keys/gen/private", None).await;
    no_store(&res, "GET /keys/{id}/private");
    let res = app
        .api(
            Method::POST,
            "/v3/user",
            Some(json!({"username": "linked", "email": "linked@example.com"})),
        )
        .await;
    no_store(&res, "POST /v3/user (with its password link)");
    let res = app
        .api(Method::POST, "/v3/user/linked/password_link", None)
        .await;
    no_store(&res, "POST /v3/user/{username}/password_link");
    // The pages' doors.
    let res = app
        .server_fn(
            "account/create_token",
            &[("name", "page token")],
            Some(&csrf),
        )
        .await;
    no_store(&res, "account/create_token");
    let res = app
        .server_fn("keys/generate", &[("id", "gen2")], Some(&csrf))
        .await;
    no_store(&res, "keys/generate");
    let res = app
        .server_fn("keys/private", &[("id", "gen2")], Some(&csrf))
        .await;
    no_store(&res, "keys/private");
    let res = app
        .server_fn(
            "admin/password_link",
            &[("username", "linked")],
            Some(&csrf),
        )
        .await;
    no_store(&res, "admin/password_link");
}

// ---- 429 ----

#[tokio::test]
async fn every_429_says_when_to_try_again() {
    let app = TestApp::with_master().await;
    for _ in 0..service::throttle::MAX_PER_PAIR {
        assert_eq!(app.sign_in(MASTER_EMAIL, "guess").await.status(), 401);
    }
    // The sign-in server function, and Basic credentials on the API.
    let res = app.sign_in(MASTER_EMAIL, MASTER_PASSWORD).await;
    assert_eq!(res.status(), 429);
    let after: u64 = res.headers()[header::RETRY_AFTER]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "throttled");
    assert_eq!(Some(after), body["retry_after_secs"].as_u64());
    let res = app
        .as_caller(
            Method::GET,
            "/keys",
            &basic(MASTER_EMAIL, MASTER_PASSWORD),
            None,
        )
        .await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key(header::RETRY_AFTER));
}

// ---- sign-in from another site ----

#[tokio::test]
async fn sign_in_posts_from_another_site_are_refused() {
    let app = TestApp::with_master().await;
    let post = |extra: &[(&str, String)], plain: bool| {
        let mut req = app
            .anonymous_client()
            .post(app.url("/api/sign_in"))
            .form(&[("email", MASTER_EMAIL), ("password", MASTER_PASSWORD)]);
        for (name, value) in extra {
            req = req.header(*name, value);
        }
        if plain {
            req = req.header(header::ACCEPT, "text/html");
        }
        req.send()
    };
    let foreign = [
        vec![("sec-fetch-site", "cross-site".to_owned())],
        vec![("origin", "https://evil.example".to_owned())],
        vec![("origin", "null".to_owned())],
        vec![
            ("origin", "http://evil.example".to_owned()),
            ("sec-fetch-site", "same-site".to_owned()),
        ],
    ];
    for headers in &foreign {
        for plain in [false, true] {
            let res = post(headers, plain).await.unwrap();
            assert_eq!(res.status(), 403, "{headers:?}");
            assert!(
                !res.headers().contains_key(header::SET_COOKIE),
                "{headers:?}: no session"
            );
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["error"], "csrf", "{headers:?}");
            assert!(body["message"].as_str().is_some(), "{body}");
        }
    }
    // From this installation's own page, or from no browser at all.
    let own = format!("http://{}", app.addr);
    for headers in [
        vec![
            ("origin", own.clone()),
            ("sec-fetch-site", "same-origin".to_owned()),
        ],
        vec![("sec-fetch-site", "same-origin".to_owned())],
        vec![("sec-fetch-site", "none".to_owned())],
        vec![],
    ] {
        let res = post(&headers, false).await.unwrap();
        assert_eq!(res.status(), 200, "{headers:?}");
    }
}

#[tokio::test]
async fn setting_up_from_another_site_is_refused() {
    let app = TestApp::new().await;
    let res = app
        .anonymous_client()
        .post(app.url("/api/create_master"))
        .header("origin", "https://evil.example")
        .form(&[
            ("email", MASTER_EMAIL),
            ("password", MASTER_PASSWORD),
            ("password_confirm", MASTER_PASSWORD),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "csrf");
    assert!(!app.services().is_set_up().await.unwrap());
}

// ---- names ----

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

#[tokio::test]
async fn every_answer_has_a_request_id_and_an_internal_error_logs_it() {
    let app = TestApp::signed_in().await;
    let id = |res: &reqwest::Response| {
        res.headers()
            .get("x-request-id")
            .expect("x-request-id")
            .to_str()
            .unwrap()
            .to_owned()
    };
    let (a, b) = (
        id(&app.get_json("/healthz").await),
        id(&app.get_json("/healthz").await),
    );
    assert_ne!(a, b);
    assert!(!a.is_empty() && a.len() <= 64, "{a}");

    // A private key sealed under another installation key cannot be
    // opened: an internal error.
    let res = app
        .api(
            Method::POST,
            "/keys/generate",
            Some(json!({"id": "sealed"})),
        )
        .await;
    assert_eq!(res.status(), 200);
    std::fs::write(app.data_dir().join("secret.key"), [7u8; 32]).unwrap();
    let app = app.restart().await;
    let res = app.api(Method::GET, "/keys/sealed/private", None).await;
    assert_eq!(res.status(), 500);
    let request = id(&res);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "internal", "{body}");
    let logs = logged();
    let line = logs
        .lines()
        .find(|l| l.contains(&request))
        .unwrap_or_else(|| panic!("no log line names {request}: {logs}"));
    assert!(line.contains("internal error"), "{line}");
    assert!(line.contains("GET"), "{line}");
    assert!(line.contains("/keys/sealed/private"), "{line}");
}
