//! Every script a page runs is allowed by the Content-Security-Policy it is sent with.

use std::collections::HashMap;

use crate::helpers::*;

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
        // The machine page: the terminal's script (xterm.js waits for Open).
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
    let tags = script_tags(&html);
    let srcs: Vec<&String> = tags.iter().filter_map(|s| s.get("src")).collect();
    // terminal.js is a script of the page; xterm.js is only named, for
    // terminal.js to fetch (from this site, as the policy allows) on Open.
    assert!(srcs.iter().any(|s| *s == "/terminal.js"), "{srcs:?}");
    assert!(!srcs.iter().any(|s| s.contains("xterm")), "{srcs:?}");
    let terminal = tags
        .iter()
        .find(|s| s.get("src").is_some_and(|src| src == "/terminal.js"))
        .unwrap();
    assert_eq!(terminal["data-xterm"], "/vendor/xterm/xterm.js");
    assert_eq!(terminal["data-xterm-fit"], "/vendor/xterm/addon-fit.js");
}
