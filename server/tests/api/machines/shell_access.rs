//! Who may run the shell: a per-account cap on open sessions, and
//! cross-site or tokenless requests refused.

use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use super::{
    shell::{body, shell},
    Lab,
};
use crate::helpers::*;

#[tokio::test]
async fn an_account_may_hold_only_so_many_shell_sessions_at_once() {
    let Some(sshd) = ssh::testing::Sshd::start() else {
        return;
    };
    let key = ssh::KeyPair::generate(ssh::KeyAlgorithm::Ed25519).unwrap();
    sshd.authorize(&key.public_openssh());
    let app = TestApp::with_settings(|s| s.max_shell_sessions = 1).await;
    service::accounts::create_master(app.services(), MASTER_EMAIL, MASTER_PASSWORD, "test")
        .await
        .unwrap();
    app.sign_in(MASTER_EMAIL, MASTER_PASSWORD).await;
    let lab = Lab { app, sshd, key };
    let (b, m) = lab.bare_metal("box").await;
    // One long command holds the only slot...
    let long = lab
        .app
        .client
        .get(lab.app.url(&format!("/backends/{b}/machines/{m}/shell")))
        .query(&[
            ("command", "sleep 2; echo done"),
            ("csrf_token", &lab.app.csrf()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(long.status(), 200);
    // ...so a second is refused, with the reason.
    let (status, chunks) = shell(&lab, &b, &m, "true").await;
    assert_eq!(status, 409);
    assert!(body(&chunks).contains("shell sessions open already"));
    assert!(long.text().await.unwrap().contains("done"));
    // Once it ended, the slot is free again.
    let mut status = 0;
    for _ in 0..20 {
        status = shell(&lab, &b, &m, "true").await.0;
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(status, 200);
}

/// A link on another site to the shell route, followed by a signed-in
/// browser (`SameSite=Lax` sends the cookie on a top-level navigation):
/// nothing runs. The route acts, so a cookie alone is not enough.
#[tokio::test]
async fn a_cross_site_link_or_a_tokenless_request_runs_nothing() {
    let Some(lab) = Lab::new().await else { return };
    let (b, m) = lab.bare_metal("box").await;
    let marker = lab.sshd.home().join("csrf-touched");
    let command = format!("touch {}", marker.display());
    let url = lab.app.url(&format!("/backends/{b}/machines/{m}/shell"));
    let navigate = |extra: &[(&str, &str)]| {
        let mut query = vec![("command", command.as_str())];
        query.extend_from_slice(extra);
        lab.app
            .client
            .get(&url)
            .query(&query)
            .header(reqwest::header::ACCEPT, "text/html,application/xhtml+xml")
            .header("sec-fetch-mode", "navigate")
    };
    let csrf = lab.app.csrf();

    // From another site, even with the token in the address.
    let res = navigate(&[("csrf_token", &csrf)])
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "csrf", "{body}");
    // Same site, but no token; then a wrong one.
    let res = navigate(&[]).send().await.unwrap();
    assert_eq!(res.status(), 403);
    let res = navigate(&[("csrf_token", "forged")]).send().await.unwrap();
    assert_eq!(res.status(), 403);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert!(!marker.exists(), "a refused request ran the command");

    // With the session's token it runs.
    let res = navigate(&[("csrf_token", &csrf)]).send().await.unwrap();
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("completeShell(0)"));
    assert!(marker.exists());

    // Reading a private key is a GET that acts too (it is audited).
    let res = lab.app.get_json("/keys/lab/private").await;
    assert_eq!(res.status(), 403, "a private key without the token");
    let res = lab.app.api(Method::GET, "/keys/lab/private", None).await;
    assert_eq!(res.status(), 200);

    // Another site may still link to a page, and nothing else.
    let page = lab
        .app
        .client
        .get(lab.app.url("/machines"))
        .header(reqwest::header::ACCEPT, "text/html")
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200, "a page view from a link elsewhere");
    let listing = lab
        .app
        .client
        .get(lab.app.url("/backends"))
        .header(reqwest::header::ACCEPT, "application/json")
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(
        listing.status(),
        403,
        "a cross-site API read with the cookie"
    );
    let write = lab
        .app
        .client
        .post(lab.app.url("/api/account/create_token"))
        .header("X-CSRFToken", &csrf)
        .header("sec-fetch-site", "cross-site")
        .form(&[("name", "stolen")])
        .send()
        .await
        .unwrap();
    assert_eq!(
        write.status(),
        403,
        "a cross-site write, even with the token"
    );
}
