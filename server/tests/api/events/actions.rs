//! The product's own changes reach a subscriber as events: adding,
//! renaming, disabling and deleting a backend, an action on a machine, a
//! poll that finds a host gone quiet.

use reqwest::Method;
use serde_json::{json, Value};

use super::stream::SseReader;
use crate::machines::Lab;

#[tokio::test]
async fn backend_and_machine_changes_made_through_the_api_are_pushed_as_events() {
    let Some(lab) = Lab::new().await else { return };
    let app = &lab.app;
    let mut events = SseReader::open(&app.client, &app.url("/events"), None).await;

    // Adding a backend: the backend, then its machine.
    let (b, m) = lab.bare_metal("rack").await;
    let added = events.next_event().await;
    assert_eq!(added.event, "backend.changed");
    let body: Value = serde_json::from_str(&added.data).unwrap();
    assert_eq!(body["resource"], format!("backend/{b}"));
    assert_eq!(body["data"]["title"], "rack");
    let appeared = events.next_event().await;
    assert_eq!(appeared.event, "machine.appeared");
    let body: Value = serde_json::from_str(&appeared.data).unwrap();
    assert_eq!(body["resource"], format!("backend/{b}/machine/{m}"));
    assert_eq!(body["data"]["state"], "running", "{body}");
    assert_eq!(body["data"]["can_reboot"], true, "{body}");

    // Rebooting the host: its row says so, with what it now offers.
    let res = app
        .api(
            Method::POST,
            &format!("/backends/{b}/machines/{m}"),
            Some(json!({"action": "reboot"})),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    // (The host's record of the reboot command changes first.)
    loop {
        let changed = next_of(&mut events, "machine.changed").await;
        assert_eq!(changed["resource"], format!("backend/{b}/machine/{m}"));
        if changed["data"]["state"] == "rebooting" {
            break;
        }
        assert_eq!(changed["data"]["state"], "running", "{changed}");
    }

    // Renamed, then deleted.
    let res = app
        .api(
            Method::PUT,
            &format!("/backends/{b}"),
            Some(json!({"new_name": "rack two"})),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let renamed = next_of(&mut events, "backend.changed").await;
    assert_eq!(renamed["data"]["title"], "rack two");
    let res = app
        .api(Method::DELETE, &format!("/backends/{b}"), None)
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let gone = next_of(&mut events, "backend.gone").await;
    assert_eq!(gone["data"]["id"], b.as_str());
}

#[tokio::test]
async fn a_poll_that_finds_the_host_silent_pushes_its_new_state() {
    let Some(lab) = Lab::new().await else { return };
    let (b, m) = lab.bare_metal("box").await;
    let Lab { app, sshd, .. } = lab;
    let mut events = SseReader::open(&app.client, &app.url("/events"), None).await;
    let services = app.services().clone();
    let backend = services.db.backend(&b).await.unwrap().unwrap();
    drop(sshd);
    let (state, _) = service::polling::poll_within(&services, &backend).await;
    assert_eq!(state.as_str(), "offline");
    let changed = next_of(&mut events, "machine.changed").await;
    assert_eq!(changed["resource"], format!("backend/{b}/machine/{m}"));
    assert_eq!(changed["data"]["state"], "unknown", "{changed}");
}

/// The next event of `kind` (others passed over), as JSON.
async fn next_of(events: &mut SseReader, kind: &str) -> Value {
    loop {
        let e = events.next_event().await;
        if e.event == kind {
            return serde_json::from_str(&e.data).unwrap();
        }
    }
}
