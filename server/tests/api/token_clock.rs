//! Token lifetimes on a controllable clock: a hard expiry, and removal
//! after 90 days unused.

use std::sync::{
    atomic::{AtomicI64, Ordering},
    Arc,
};

use service::{session::Credential, tokens, Services};

pub const DAY: i64 = 24 * 60 * 60 * 1000;

pub async fn services_on_a_clock() -> (Services, Arc<AtomicI64>, tempfile::TempDir) {
    let dir = tempfile::tempdir().unwrap();
    let db = store::Db::connect(&format!("sqlite://{}", dir.path().join("t.db").display()))
        .await
        .unwrap();
    let clock = Arc::new(AtomicI64::new(1_800_000_000_000));
    let now = clock.clone();
    let services = Services::new(
        db,
        service::Settings {
            secure_cookies: false,
            public_url: "http://127.0.0.1".into(),
            max_shell_sessions: 8,
            script_wait: std::time::Duration::from_secs(60),
            provider_timeout: std::time::Duration::from_secs(30),
        },
        service::vault::Vault::new(&[3u8; 32]).unwrap(),
    )
    .with_clock(move || now.load(Ordering::SeqCst));
    (services, clock, dir)
}

pub async fn master(services: &Services) -> service::Actor {
    let account = service::accounts::create_master(
        services,
        "m@example.com",
        "a long master password",
        "test",
    )
    .await
    .unwrap();
    service::session::actor_for(services, account, Credential::Session, "test", None)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_token_with_a_lifetime_stops_working_when_it_ends() {
    let (services, clock, _dir) = services_on_a_clock().await;
    let actor = master(&services).await;
    let t = tokens::create(
        &services,
        &actor,
        "short",
        Some(&serde_json::json!(7)),
        None,
    )
    .await
    .unwrap();
    clock.fetch_add(6 * DAY, Ordering::SeqCst);
    assert!(tokens::authenticate(&services, &t.token, "test")
        .await
        .unwrap()
        .is_some());
    clock.fetch_add(DAY + 1, Ordering::SeqCst);
    assert!(tokens::authenticate(&services, &t.token, "test")
        .await
        .unwrap()
        .is_none());
    assert_eq!(tokens::prune(&services).await.unwrap(), 1);
    assert!(tokens::list(&services, &actor).await.unwrap().is_empty());
}

#[tokio::test]
async fn a_token_unused_for_90_days_is_refused_and_removed_but_use_keeps_it_alive() {
    let (services, clock, _dir) = services_on_a_clock().await;
    let actor = master(&services).await;
    let kept = tokens::create(&services, &actor, "kept", None, None)
        .await
        .unwrap();
    let idle = tokens::create(&services, &actor, "idle", None, None)
        .await
        .unwrap();
    for _ in 0..3 {
        clock.fetch_add(60 * DAY, Ordering::SeqCst);
        assert!(tokens::authenticate(&services, &kept.token, "test")
            .await
            .unwrap()
            .is_some());
    }
    assert!(tokens::authenticate(&services, &idle.token, "test")
        .await
        .unwrap()
        .is_none());
    assert_eq!(tokens::prune(&services).await.unwrap(), 1);
    let left = tokens::list(&services, &actor).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].name, "kept");
    assert_eq!(left[0].last_used_at, clock.load(Ordering::SeqCst));
}

#[tokio::test]
async fn bad_token_requests_get_field_errors() {
    let (services, _clock, _dir) = services_on_a_clock().await;
    let actor = master(&services).await;
    for (name, ttl, scope, field) in [
        ("", None, None, "name"),
        ("t", Some(serde_json::json!(0)), None, "ttl_days"),
        ("t", Some(serde_json::json!(99_999)), None, "ttl_days"),
        ("t", Some(serde_json::json!("a week")), None, "ttl_days"),
        ("t", None, Some(serde_json::json!("{")), "scope"),
        (
            "t",
            None,
            Some(serde_json::json!({"Statement": []})),
            "scope.Statement",
        ),
    ] {
        let err = tokens::create(&services, &actor, name, ttl.as_ref(), scope.as_ref())
            .await
            .unwrap_err();
        assert_eq!(err.field(), Some(field));
    }
}

#[tokio::test]
async fn a_mist_io_auth_token_unused_for_90_days_is_refused_and_removed() {
    let (services, clock, _dir) = services_on_a_clock().await;
    let actor = master(&services).await;
    let (token, _) = service::oauth::mist_auth(
        &services,
        "m@example.com",
        "a long master password",
        None,
        "test",
    )
    .await
    .unwrap();
    clock.fetch_add(89 * DAY, Ordering::SeqCst);
    assert!(tokens::authenticate(&services, &token, "test")
        .await
        .unwrap()
        .is_some());
    clock.fetch_add(90 * DAY + 1, Ordering::SeqCst);
    assert!(tokens::authenticate(&services, &token, "test")
        .await
        .unwrap()
        .is_none());
    assert_eq!(tokens::prune(&services).await.unwrap(), 1);
    assert!(tokens::list(&services, &actor).await.unwrap().is_empty());
}
