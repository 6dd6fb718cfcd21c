//! `GET /events`: what a subscriber gets, what it may see, what it missed.

mod actions;
mod stream;

use std::time::Duration;

use domain::events::EventKind;
use reqwest::Method;
use serde_json::{json, Value};
use service::events::{publish, Change};

use crate::{helpers::*, identity};
use stream::{Frame, SseReader};

async fn publish_one(app: &TestApp, kind: EventKind, resource: &str, data: Value) {
    publish(app.services(), vec![Change::new(kind, resource, &data)])
        .await
        .unwrap();
}

fn machine(b: &str, m: &str) -> String {
    domain::resource::machine(b, m)
}

#[tokio::test]
async fn a_subscriber_gets_what_happens_with_ids_kinds_and_data() {
    let app = TestApp::signed_in().await;
    let mut events = SseReader::open(&app.client, &app.url("/events"), None).await;
    publish_one(
        &app,
        EventKind::MachineChanged,
        &machine("b1", "m1"),
        json!({"state": "stopped"}),
    )
    .await;
    publish_one(
        &app,
        EventKind::BackendChanged,
        "backend/b1",
        json!({"state": "online"}),
    )
    .await;
    let first = events.next_event().await;
    assert_eq!(first.event, "machine.changed");
    let body: Value = serde_json::from_str(&first.data).unwrap();
    assert_eq!(body["kind"], "machine.changed");
    assert_eq!(body["resource"], "backend/b1/machine/m1");
    assert_eq!(body["data"], json!({"state": "stopped"}));
    assert_eq!(first.id, body["seq"].as_i64().unwrap().to_string());
    let second = events.next_event().await;
    assert_eq!(second.event, "backend.changed");
    assert!(second.id.parse::<i64>().unwrap() > first.id.parse::<i64>().unwrap());
}

#[tokio::test]
async fn a_reconnecting_subscriber_gets_what_it_missed_and_one_too_far_behind_is_told_to_reload() {
    let app = TestApp::signed_in().await;
    let mut events = SseReader::open(&app.client, &app.url("/events"), None).await;
    publish_one(
        &app,
        EventKind::MachineAppeared,
        &machine("b", "a"),
        json!({}),
    )
    .await;
    let seen = events.next_event().await;
    drop(events);
    // Missed while away.
    publish_one(
        &app,
        EventKind::MachineChanged,
        &machine("b", "a"),
        json!({"n": 1}),
    )
    .await;
    publish_one(
        &app,
        EventKind::MachineGone,
        &machine("b", "a"),
        json!({"n": 2}),
    )
    .await;
    let mut back = SseReader::open(&app.client, &app.url("/events"), Some(&seen.id)).await;
    assert_eq!(back.next_event().await.event, "machine.changed");
    assert_eq!(back.next_event().await.event, "machine.gone");
    // `since` in the address does the same.
    let mut again = SseReader::open(
        &app.client,
        &app.url(&format!("/events?since={}", seen.id)),
        None,
    )
    .await;
    assert_eq!(again.next_event().await.event, "machine.changed");

    // What it missed is no longer kept: reload, then events from there.
    app.services().db.prune_events(i64::MAX, 0).await.unwrap();
    let mut stale = SseReader::open(&app.client, &app.url("/events"), Some(&seen.id)).await;
    let reload = stale.next_event().await;
    assert_eq!(reload.event, "reload");
    publish_one(&app, EventKind::BackendChanged, "backend/b", json!({})).await;
    let after = stale.next_event().await;
    assert_eq!(after.event, "backend.changed");
    assert!(after.id.parse::<i64>().unwrap() > reload.id.parse::<i64>().unwrap());
}

#[tokio::test]
async fn a_subscriber_sees_only_what_its_roles_let_it_view_and_stops_when_they_no_longer_do() {
    let app = TestApp::signed_in().await;
    identity::create_user_with_scope(
        &app,
        json!({"Statement": [{"Effect": "Allow", "Action": ["view:machine"], "Resource": ["backend/b1/*"]}]}),
    )
    .await;
    let (client, _csrf) = identity::user_session(&app, identity::USER_PASSWORD).await;
    let mut events = SseReader::open(&client, &app.url("/events"), None).await;
    publish_one(
        &app,
        EventKind::MachineChanged,
        &machine("b2", "hidden"),
        json!({}),
    )
    .await;
    publish_one(&app, EventKind::BackendChanged, "backend/b1", json!({})).await;
    publish_one(
        &app,
        EventKind::MachineChanged,
        &machine("b1", "shown"),
        json!({}),
    )
    .await;
    let only = events.next_event().await;
    let body: Value = serde_json::from_str(&only.data).unwrap();
    assert_eq!(body["resource"], "backend/b1/machine/shown", "{body}");

    // The master detaches the user's roles: the stream ends within the
    // re-check (5 s), and nothing more is delivered.
    let roles: Value = app
        .api(
            Method::GET,
            &format!("/v3/user/{}/role", identity::USER),
            None,
        )
        .await
        .json()
        .await
        .unwrap();
    for role in roles.as_array().unwrap() {
        let id = role["id"].as_str().unwrap();
        let res = app
            .api(
                Method::DELETE,
                &format!("/v3/user/role/{id}"),
                Some(json!({"username": identity::USER})),
            )
            .await;
        assert!(res.status().is_success(), "{}", res.text().await.unwrap());
    }
    let detached = std::time::Instant::now();
    let end = events.next_frame(Duration::from_secs(8)).await;
    assert!(
        matches!(end, Frame::Ended),
        "the stream goes on after the role was detached: {end:?}"
    );
    assert!(
        detached.elapsed() < Duration::from_secs(6),
        "{:?}",
        detached.elapsed()
    );
    // Subscribing again is refused: there is nothing left to see.
    let again = client.get(app.url("/events")).send().await.unwrap();
    assert_eq!(again.status(), 403);
    let body: Value = again.json().await.unwrap();
    assert_eq!(body["error"], "forbidden", "{body}");
}

#[tokio::test]
async fn topics_narrow_the_stream_and_bad_parameters_are_refused_in_json() {
    let app = TestApp::signed_in().await;
    let mut events = SseReader::open(&app.client, &app.url("/events?topics=backend"), None).await;
    publish_one(
        &app,
        EventKind::MachineChanged,
        &machine("b", "m"),
        json!({}),
    )
    .await;
    publish_one(&app, EventKind::BackendGone, "backend/b", json!({})).await;
    assert_eq!(events.next_event().await.event, "backend.gone");

    for (path, last_id, field) in [
        ("/events?topics=weather", None, "topics"),
        ("/events?since=abc", None, "since"),
        ("/events", Some("yesterday"), "Last-Event-ID"),
    ] {
        let mut req = app.client.get(app.url(path));
        if let Some(id) = last_id {
            req = req.header("last-event-id", id);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 400, "{path}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], "invalid_input", "{body}");
        assert_eq!(body["field"], field, "{body}");
    }
    let anonymous = app
        .anonymous_client()
        .get(app.url("/events"))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), 401);
}
