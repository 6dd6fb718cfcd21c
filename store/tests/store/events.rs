//! Events: appended in order, read after a position, pruned by age and
//! count, and heard by another connection's listener on PostgreSQL.

use std::time::Duration;

use store::{
    events::{NewEvent, StoredEvent},
    Db, DbKind,
};

use crate::on_each_engine;

fn event(at: i64, kind: &str, resource: &str) -> NewEvent {
    NewEvent {
        at,
        kind: kind.into(),
        resource: resource.into(),
        data: format!("{{\"at\":{at}}}"),
    }
}

fn kinds(events: &[StoredEvent]) -> Vec<&str> {
    events.iter().map(|e| e.kind.as_str()).collect()
}

#[tokio::test]
async fn events_are_read_back_in_order_after_a_position_and_pruned() {
    on_each_engine!(|db: &Db, engine: &str| {
        let db = db.clone();
        let engine = engine.to_owned();
        async move {
            assert_eq!(db.event_bounds().await.unwrap(), None, "{engine}");
            assert_eq!(db.append_events(&[]).await.unwrap(), None);
            let first = db
                .append_events(&[event(1_000, "machine.appeared", "backend/b/machine/m")])
                .await
                .unwrap()
                .unwrap();
            let last = db
                .append_events(&[
                    event(2_000, "machine.changed", "backend/b/machine/m"),
                    event(3_000, "machine.gone", "backend/b/machine/m"),
                ])
                .await
                .unwrap()
                .unwrap();
            assert!(last > first, "{engine}: {first} then {last}");
            let all = db.events_after(0, 100).await.unwrap();
            assert_eq!(
                kinds(&all),
                ["machine.appeared", "machine.changed", "machine.gone"]
            );
            assert_eq!(all[0].data, "{\"at\":1000}");
            assert_eq!(all[0].resource, "backend/b/machine/m");
            assert!(all.windows(2).all(|w| w[0].seq < w[1].seq));
            assert_eq!(all[2].seq, last);
            assert_eq!(
                kinds(&db.events_after(first, 100).await.unwrap()),
                ["machine.changed", "machine.gone"]
            );
            assert_eq!(db.events_after(first, 1).await.unwrap().len(), 1);
            assert!(db.events_after(last, 100).await.unwrap().is_empty());
            assert_eq!(db.event_bounds().await.unwrap(), Some((first, last)));

            // By age: the one before 1.5 s goes.
            assert_eq!(db.prune_events(1_500, 100).await.unwrap(), 1);
            assert_eq!(
                kinds(&db.events_after(0, 100).await.unwrap()),
                ["machine.changed", "machine.gone"]
            );
            // By count: only the newest stays.
            assert_eq!(db.prune_events(0, 1).await.unwrap(), 1);
            assert_eq!(db.event_bounds().await.unwrap(), Some((last, last)));
            // Numbers never come back after a prune.
            let next = db
                .append_events(&[event(4_000, "backend.changed", "backend/b")])
                .await
                .unwrap()
                .unwrap();
            assert!(next > last, "{engine}");
        }
    });
}

#[tokio::test]
async fn another_connection_hears_appends_on_postgres_and_sqlite_stays_silent() {
    on_each_engine!(|db: &Db, engine: &str| {
        let db = db.clone();
        let engine = engine.to_owned();
        async move {
            let mut wakeups = db.event_wakeups().await.unwrap();
            let seq = db
                .append_events(&[event(1, "backend.changed", "backend/b")])
                .await
                .unwrap()
                .unwrap();
            let heard = tokio::time::timeout(Duration::from_secs(5), wakeups.next()).await;
            match db.kind() {
                DbKind::Postgres => assert_eq!(heard.unwrap().unwrap(), seq, "{engine}"),
                DbKind::Sqlite => assert!(heard.is_err(), "{engine}: nothing to hear"),
            }
        }
    });
}

#[tokio::test]
async fn replacing_machines_says_what_appeared_changed_and_went_and_commits_its_events_with_it() {
    use crate::rows::{backend, machine};
    on_each_engine!(|db: &Db, engine: &str| {
        let db = db.clone();
        let engine = engine.to_owned();
        async move {
            let a = machine("b", "a");
            let c = machine("b", "c");
            db.insert_backend(&backend("b", "rack"), &[a.clone(), c.clone()])
                .await
                .unwrap();
            let seen_later = store::backends::StoredMachine {
                seen_at: a.seen_at + 1,
                ..a.clone()
            };
            let stopped = store::backends::StoredMachine {
                state: "stopped".into(),
                ..c.clone()
            };
            let new = machine("b", "n");
            let diff = db
                .replace_machines_with_events(
                    "b",
                    &[seen_later, stopped.clone(), new.clone()],
                    |diff| {
                        diff.changed
                            .iter()
                            .map(|m| event(5, "machine.changed", &m.id))
                            .collect()
                    },
                )
                .await
                .unwrap();
            // Seen again unchanged is no change.
            assert_eq!(diff.appeared, vec![new], "{engine}");
            assert_eq!(diff.changed, vec![stopped], "{engine}");
            assert!(diff.gone.is_empty(), "{engine}");
            let events = db.events_after(0, 10).await.unwrap();
            assert_eq!(kinds(&events), ["machine.changed"]);
            assert_eq!(events[0].resource, "c");
            // Only what appeared or changed is written: the machine seen
            // again unchanged keeps the row it had.
            let kept = db.machine("b", "a").await.unwrap().unwrap();
            assert_eq!(
                kept.seen_at, a.seen_at,
                "{engine}: unchanged, not rewritten"
            );
            let written = db.machine("b", "c").await.unwrap().unwrap();
            assert_eq!(written.state, "stopped", "{engine}");

            let diff = db.replace_machines("b", &[]).await.unwrap();
            let mut gone: Vec<_> = diff.gone.iter().map(|m| m.id.as_str()).collect();
            gone.sort_unstable();
            assert_eq!(gone, ["a", "c", "n"], "{engine}");
            assert!(!diff.is_empty());
            assert!(db.replace_machines("b", &[]).await.unwrap().is_empty());
        }
    });
}
