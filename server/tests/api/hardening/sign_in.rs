//! Where `next` may lead, and sign-in and setup posts from other sites.

use reqwest::header;
use serde_json::Value;

use crate::helpers::*;

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
