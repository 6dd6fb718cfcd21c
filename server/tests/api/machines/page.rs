//! A machine's page, server-rendered: its name in the title and the
//! breadcrumb, its sections, its activity (the audit entries about it), the
//! terminated view offering only removal from the list, and the not-found
//! page for a machine or backend that does not exist. On libvirt's test
//! driver (`test:///default`).

use reqwest::Method;
use serde_json::{json, Value};

use crate::{helpers::*, identity, stacks::libvirt_backend};

/// Creates the machine `name` on the libvirt backend `b`; its id.
async fn create(app: &TestApp, b: &str, name: &str) -> String {
    let location = app
        .get_json(&format!("/backends/{b}/locations"))
        .await
        .json::<Value>()
        .await
        .unwrap()[0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = app
        .api(
            Method::POST,
            &format!("/backends/{b}/machines"),
            Some(
                json!({"name": name, "size": "1cpu-512mb", "image": "none", "location": location}),
            ),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// The part of `html` from `start` to the first `end` after it.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html
        .find(start)
        .unwrap_or_else(|| panic!("no {start} in {html}"));
    let rest = &html[from..];
    &rest[..rest.find(end).unwrap_or(rest.len())]
}

#[tokio::test]
async fn a_machine_page_names_it_in_title_and_breadcrumb_and_lists_its_activity() {
    let app = TestApp::signed_in().await;
    let b = libvirt_backend(&app).await;
    let m = create(&app, &b, "vm-page").await;
    let res = app
        .api(
            Method::POST,
            &format!("/backends/{b}/machines/{m}"),
            Some(json!({"action": "reboot"})),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());

    let page = app.get_page(&format!("/machines/{b}/{m}")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("<title>vm-page · Overcast</title>"), "{html}");
    let crumbs = between(&html, "data-testid=\"breadcrumb\"", "</nav>");
    assert!(crumbs.contains("href=\"/machines\""), "{crumbs}");
    assert!(
        crumbs.contains(&format!("href=\"/machines?backend={b}\"")),
        "{crumbs}"
    );
    assert!(
        crumbs.contains(">kvm<"),
        "the backend by its title: {crumbs}"
    );
    assert!(crumbs.contains(">vm-page<"), "{crumbs}");
    let nav = between(&html, "data-testid=\"machine-sections\"", "</nav>");
    for (anchor, label) in [
        ("overview", "Overview"),
        ("console", "Console"),
        ("scripts", "Scripts"),
        ("activity", "Activity"),
    ] {
        assert!(nav.contains(&format!("href=\"#{anchor}\"")), "{nav}");
        assert!(nav.contains(label), "{nav}");
        assert!(
            html.contains(&format!("id=\"{anchor}\"")),
            "section {anchor}"
        );
    }
    assert!(html.contains("id=\"run-command\""), "the command form");
    assert!(html.contains("data-terminal-open"), "the terminal");

    // Newest first, said in words, by whom.
    let activity = between(&html, "data-testid=\"machine-activity\"", "</table>");
    let reboot = activity.find(">reboot<").expect(activity);
    let created = activity.find(">create<").expect(activity);
    assert!(reboot < created, "newest first: {activity}");
    assert!(activity.contains(MASTER_EMAIL), "{activity}");
    assert!(
        !activity.contains(&format!("backend/{b}")),
        "no ids: {activity}"
    );

    // Someone who may see the machine but not read the audit log sees the
    // page without its activity.
    identity::create_user_with_scope(
        &app,
        json!({"version": "2017-05-05", "Statement": [
            {"Effect": "Allow", "Action": ["view:machine", "view:backend"], "Resource": ["*"]}
        ]}),
    )
    .await;
    let viewer = basic(identity::USER_EMAIL, identity::USER_PASSWORD);
    let activity = app
        .as_caller(
            Method::GET,
            &format!("/api/machines/activity?backend={b}&machine={m}"),
            &viewer,
            None,
        )
        .await;
    assert_eq!(activity.status(), 403);
    let page = app
        .as_caller(Method::GET, &format!("/machines/{b}/{m}"), &viewer, None)
        .await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("data-testid=\"machine-activity-hidden\""));
    assert!(!html.contains("data-testid=\"machine-activity\""));
}

#[tokio::test]
async fn a_machine_or_backend_that_does_not_exist_is_the_not_found_page() {
    let app = TestApp::signed_in().await;
    let b = libvirt_backend(&app).await;
    for path in [
        format!("/machines/{b}/no-such-machine"),
        "/machines/no-such-backend/x".to_owned(),
    ] {
        let page = app.get_page(&path).await;
        assert_eq!(page.status(), 404, "{path}");
        let html = page.text().await.unwrap();
        assert!(
            html.contains("<title>Not found · Overcast</title>"),
            "{path}"
        );
        assert!(html.contains("data-testid=\"machine-not-found\""), "{path}");
        for tool in [
            "id=\"run-command\"",
            "data-terminal-open",
            "id=\"activity\"",
        ] {
            assert!(!html.contains(tool), "{path} offers {tool}");
        }
    }
}

#[tokio::test]
async fn a_terminated_machine_offers_only_removal_from_the_list() {
    let app = TestApp::signed_in().await;
    let b = libvirt_backend(&app).await;
    let m = create(&app, &b, "vm-gone").await;
    let record = format!("/backends/{b}/machines/{m}/record");
    let res = app.api(Method::DELETE, &record, None).await;
    assert_eq!(res.status(), 409, "a running machine stays listed");

    // No poll brings it back while the test looks (a disabled backend is
    // not polled; one already under way ends first).
    let res = app
        .api(
            Method::POST,
            &format!("/backends/{b}"),
            Some(json!({"newState": false})),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let db = &app.services().db;
    db.set_machine_state(&b, &m, "terminated").await.unwrap();

    let page = app.get_page(&format!("/machines/{b}/{m}")).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(
        html.contains("data-testid=\"machine-terminated\""),
        "{html}"
    );
    assert!(html.contains("Remove from list"));
    assert!(html.contains(">terminated<"), "the state says so");
    for offered in [
        "id=\"run-command\"",
        "data-terminal-open",
        "data-testid=\"run-script\"",
        "data-testid=\"machine-actions\"",
        "href=\"#console\"",
    ] {
        assert!(
            !html.contains(offered),
            "a terminated machine offers {offered}"
        );
    }

    // Removing it takes `destroy:machine`.
    identity::create_user_with_scope(
        &app,
        json!({"version": "2017-05-05", "Statement": [
            {"Effect": "Allow", "Action": ["view:machine", "view:backend"], "Resource": ["*"]}
        ]}),
    )
    .await;
    let viewer = basic(identity::USER_EMAIL, identity::USER_PASSWORD);
    let res = app.as_caller(Method::DELETE, &record, &viewer, None).await;
    assert_eq!(res.status(), 403);

    let res = app.api(Method::DELETE, &record, None).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    assert!(db.machine(&b, &m).await.unwrap().is_none());
    assert_eq!(
        app.get_page(&format!("/machines/{b}/{m}")).await.status(),
        404
    );
    assert_eq!(app.api(Method::DELETE, &record, None).await.status(), 404);
    let audit = db
        .audit_entries_of(&format!("backend/{b}/machine/{m}"), 5)
        .await
        .unwrap();
    assert_eq!(audit[0].action, "forget:machine", "{audit:?}");
}

/// A machine on its way to another state is not left `pending` until the
/// next poll, an hour away: reading it asks its backend to be polled now.
#[tokio::test]
async fn reading_a_pending_machine_has_its_backend_polled_soon() {
    let app = TestApp::signed_in().await;
    let b = crate::stacks::add_backend(
        &app,
        json!({"title": "kvm", "provider": "libvirt", "apiurl": "test:///default", "poll_interval": 3_600_000}),
    )
    .await;
    // The first poll (due at once) ends before the states are set by hand.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let machines: Value = app
        .get_json(&format!("/backends/{b}/machines"))
        .await
        .json()
        .await
        .unwrap();
    let m = machines
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["name"] == "test")
        .unwrap_or_else(|| panic!("the test driver's domain: {machines}"))["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let db = &app.services().db;
    let eleven_seconds_ago = app.services().now() - 11_000;
    db.set_backend_state(&b, "online", None, eleven_seconds_ago)
        .await
        .unwrap();
    db.set_machine_state(&b, &m, "pending").await.unwrap();

    let path = format!("/backends/{b}/machines/{m}");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    loop {
        let detail: Value = app.get_json(&path).await.json().await.unwrap();
        if detail["machine"]["state"] == "running" {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "still {} 10 s after its page was read",
            detail["machine"]["state"]
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
}
