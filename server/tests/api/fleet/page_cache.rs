//! The Machines page kept rendered (`server::middleware::page_cache`): a
//! session's view is answered again from the kept page, with that answer's
//! own CSP nonce, until something it shows may have changed: a write
//! through this instance, an event this instance has seen, the caller's
//! rights in the database. These run with pages kept for a minute, so a
//! page that should have been rendered again but was not shows as stale.

use super::*;

/// Long enough that only the rules, never the clock, end a kept page.
const MINUTE_MS: u64 = 60_000;

async fn app_keeping_pages(database_url: Option<String>) -> TestApp {
    TestApp::signed_in_with(move |s| {
        s.page_cache_ms = MINUTE_MS;
        s.database_url = database_url;
    })
    .await
}

/// Runs `test` on a server keeping pages for a minute, over SQLite, then
/// over PostgreSQL; with the database's URL.
async fn on_each_engine_keeping<F, Fut>(test: F)
where
    F: Fn(TestApp, String, &'static str) -> Fut,
    Fut: Future<Output = ()>,
{
    let app = app_keeping_pages(None).await;
    let url = format!("sqlite://{}", app.data_dir().join("overcast.db").display());
    test(app, url, "sqlite").await;
    if let Some(pg) = Pg::create().await {
        let app = app_keeping_pages(Some(pg.url.clone())).await;
        test(app, pg.url.clone(), "postgres").await;
        pg.drop_database().await;
    }
}

/// A page as `client` gets it: its body and the nonce its policy names.
async fn view(client: &reqwest::Client, url: &str) -> (String, String) {
    let res = client
        .get(url)
        .header("accept", "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{url}");
    let policy = res.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    let nonce = policy
        .split_whitespace()
        .find_map(|s| s.strip_prefix("'nonce-")?.strip_suffix('\''))
        .expect("a nonce in the policy")
        .to_owned();
    (res.text().await.unwrap(), nonce)
}

/// How many views the server answered with a kept page.
async fn hits(app: &TestApp) -> u64 {
    let text = app.get_page("/metrics").await.text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("overcast_page_cache_hits_total "))
        .expect("the hits counter")
        .parse()
        .unwrap()
}

fn state_of(html: &str, machine: &str) -> String {
    let start = html.find(&format!("data-machine=\"{machine}\"")).unwrap();
    let badge = &html[start..][html[start..].find("class=\"badge ").unwrap() + 13..];
    badge[..badge.find('"').unwrap()].to_owned()
}

#[tokio::test]
async fn a_kept_page_is_answered_with_its_own_nonce_until_something_changes() {
    on_each_engine_keeping(|app, url, engine| async move {
        seed_backend(&app, "do-c", "Kept", &[Seed::nth(0), Seed::nth(1)]).await;
        let page = app.url("/machines");
        let (first, first_nonce) = view(&app.client, &page).await;
        let before = hits(&app).await;

        // Again: the same page, with this answer's nonce on its scripts.
        let (again, nonce) = view(&app.client, &page).await;
        assert_eq!(hits(&app).await, before + 1, "{engine}: kept");
        assert_ne!(nonce, first_nonce, "{engine}");
        assert!(again.contains(&format!("nonce=\"{nonce}\"")), "{engine}");
        assert!(!again.contains(&first_nonce), "{engine}");
        assert_eq!(again, first.replace(&first_nonce, &nonce), "{engine}");

        // Another address is another page.
        let (other, _) = view(&app.client, &app.url("/machines?state=stopped")).await;
        assert!(!other.contains("data-machine=\"do-c-m0000\""), "{engine}");

        // A change nothing announces is not seen (a minute's keeping)...
        let db = &app.services().db;
        db.set_machine_state("do-c", "do-c-m0000", "stopped")
            .await
            .unwrap();
        let (html, _) = view(&app.client, &page).await;
        assert_eq!(state_of(&html, "do-c-m0000"), "running", "{engine}");
        // ...until its event is: made by another instance on the database.
        let other_instance = store::Db::connect(&url).await.unwrap();
        let seen = app.services().events.forwarded();
        other_instance
            .append_events(&service::events::rows(
                1,
                vec![service::events::Change::new(
                    domain::events::EventKind::MachineChanged,
                    "backend/do-c/machine/do-c-m0000",
                    &json!({}),
                )],
            ))
            .await
            .unwrap();
        for _ in 0..200 {
            if app.services().events.forwarded() > seen {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        }
        assert!(
            app.services().events.forwarded() > seen,
            "{engine}: the event came"
        );
        let (html, _) = view(&app.client, &page).await;
        assert_eq!(state_of(&html, "do-c-m0000"), "stopped", "{engine}");

        // The chosen columns, saved through this instance: seen at once.
        assert!(!html.contains("<td class=\"price\""), "{engine}");
        let res = app
            .server_fn(
                "machines/columns",
                &[("columns", "price")],
                Some(&app.csrf()),
            )
            .await;
        assert!(res.status().is_success(), "{engine}: {}", res.status());
        let (html, _) = view(&app.client, &page).await;
        assert!(html.contains("<td class=\"price\""), "{engine}");

        // Another session of the same account: its own token, not this one's.
        let (second, res) = app.session_of(MASTER_EMAIL, MASTER_PASSWORD).await;
        assert!(res.status().is_success() || res.status().is_redirection());
        let (theirs, _) = view(&second, &page).await;
        assert!(
            !theirs.contains(&app.csrf()),
            "{engine}: another session's token"
        );
        other_instance.close().await;
    })
    .await;
}

#[tokio::test]
async fn a_rights_change_made_elsewhere_is_seen_at_once() {
    on_each_engine_keeping(|app, url, engine| async move {
        seed_backend(&app, "do-r", "Rights", &[Seed::nth(0)]).await;
        user_with(&app, "watcher", &["view:*"]).await;
        let (reader, res) = app.session_of("watcher@example.com", MASTER_PASSWORD).await;
        assert!(res.status().is_success() || res.status().is_redirection());
        let page = app.url("/machines");
        let (html, _) = view(&reader, &page).await;
        assert!(html.contains("data-machine=\"do-r-m0000\""), "{engine}");
        let before = hits(&app).await;
        let (html, _) = view(&reader, &page).await;
        assert!(html.contains("data-machine=\"do-r-m0000\""), "{engine}");
        assert_eq!(hits(&app).await, before + 1, "{engine}: kept");

        // Another instance narrows the role to backends only.
        let other_instance = store::Db::connect(&url).await.unwrap();
        let role = other_instance
            .roles()
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.name == "watcher-role")
            .unwrap();
        let scope = json!({"version": "2017-05-05", "Statement": [
            {"Effect": "Allow", "Action": ["view:backend"], "Resource": ["*"]}
        ]});
        assert!(other_instance
            .update_role(&role.id, &role.name, &scope.to_string(), 2)
            .await
            .unwrap());
        let (html, _) = view(&reader, &page).await;
        assert!(!html.contains("data-machine=\"do-r-m0000\""), "{engine}");
        other_instance.close().await;
    })
    .await;
}

#[tokio::test]
async fn views_during_a_write_never_keep_what_it_changed() {
    on_each_engine_keeping(|app, _url, engine| async move {
        seed_backend(&app, "do-w", "Writes", &[Seed::nth(0), Seed::nth(1)]).await;
        let page = app.url("/machines");
        for round in 0..3 {
            let column = ["price", "image", "location"][round];
            // Dozens of views race the write; the views after it see it.
            let views: Vec<_> = (0..30)
                .map(|_| {
                    let (client, page) = (app.client.clone(), page.clone());
                    tokio::spawn(async move { view(&client, &page).await.0 })
                })
                .collect();
            let res = app
                .server_fn(
                    "machines/columns",
                    &[("columns", column)],
                    Some(&app.csrf()),
                )
                .await;
            assert!(res.status().is_success(), "{engine}: {}", res.status());
            for v in views {
                v.await.unwrap();
            }
            for _ in 0..5 {
                let (html, _) = view(&app.client, &page).await;
                assert!(
                    html.contains(&format!("<td class=\"{column}\"")),
                    "{engine}: round {round}: {column}"
                );
            }
        }
    })
    .await;
}
