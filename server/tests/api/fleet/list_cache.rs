//! The whole list of a backend's machines is kept per caller's rights
//! (`service::machines::list_cache`) and never outlives a change: every
//! write to the machines, made here or by another instance sharing the
//! database (a second `store::Db` stands for it), a rename of the backend
//! and a change of the caller's role are in the very next answer. A poll
//! that changes nothing keeps the list; dozens of writers at once each
//! move the counter once. On SQLite, then on PostgreSQL.

use serde_json::json;

use super::stream::{actor, expected, served};
use super::*;

/// The list served to the master is the list as it stands.
async fn fresh(app: &TestApp, engine: &str, what: &str) {
    let master = actor(true, Vec::new());
    let body = served(app, "/backends/do-a/machines", None).await;
    assert_eq!(
        body,
        expected(app, &master, "do-a").await,
        "{engine}: {what}"
    );
}

#[tokio::test]
async fn a_kept_list_follows_every_change_wherever_it_is_made() {
    on_each_engine_at(|app, url, engine| async move {
        let seeds: Vec<Seed> = (0..5).map(Seed::nth).collect();
        seed_backend(&app, "do-a", "Alpha", &seeds).await;
        let kept = || app.services().machine_lists.bytes();
        assert_eq!(kept(), 0, "{engine}");
        fresh(&app, engine, "first").await;
        let first = kept();
        assert!(first > 0, "{engine}: the list read whole is kept");
        fresh(&app, engine, "from the kept bytes").await;
        assert_eq!(kept(), first, "{engine}: answered from what was kept");

        let other = store::Db::connect(&url).await.unwrap();
        let db = &app.services().db;
        let version = || async { db.machines_version("do-a").await.unwrap().unwrap() };

        // A poll that finds the same machines (seen again later) keeps it.
        let before = version().await;
        let mut again = other.machines_of("do-a").await.unwrap();
        for m in &mut again {
            m.seen_at += 60_000;
        }
        other.replace_machines("do-a", &again).await.unwrap();
        assert_eq!(version().await, before, "{engine}: nothing changed");

        other
            .set_machine_state("do-a", "do-a-m0001", "terminated")
            .await
            .unwrap();
        fresh(&app, engine, "a state set elsewhere").await;
        let mut new = again[0].clone();
        new.id = "do-a-new".into();
        new.name = "zz-new".into();
        other.upsert_machine(&new).await.unwrap();
        fresh(&app, engine, "a machine added elsewhere").await;
        assert!(other.delete_machine("do-a", "do-a-m0002").await.unwrap());
        fresh(&app, engine, "a machine removed elsewhere").await;
        again.truncate(2);
        again[1].public_ips = json!(["192.0.2.7"]).to_string();
        other.replace_machines("do-a", &again).await.unwrap();
        fresh(&app, engine, "a poll elsewhere").await;
        assert!(other.rename_backend("do-a", "Alpha prime").await.unwrap());
        fresh(&app, engine, "a rename elsewhere").await;
        let body = served(&app, "/backends/do-a/machines", None).await;
        assert!(body.contains("Alpha prime"), "{engine}: {body}");

        // Per caller's rights: one who may not see m0000 never gets the
        // master's kept list, and sees it once their role allows it.
        let hidden = json!({"version": "2017-05-05", "Statement": [
            {"Effect": "Allow", "Action": ["view:machine"], "Resource": ["*"]},
            {"Effect": "Deny", "Action": ["view:machine"], "Resource": ["backend/do-a/machine/do-a-m0000"]},
        ]});
        let some = user_with_scope(&app, "some", Some(hidden)).await;
        for _ in 0..2 {
            let body = served(&app, "/backends/do-a/machines", Some(&some)).await;
            assert!(!body.contains("\"do-a-m0000\""), "{engine}: {body}");
        }
        let account = other.account_by_email("some@example.com").await.unwrap().unwrap();
        let role = other.roles_of(&account.id).await.unwrap().remove(0);
        let all = json!({"version": "2017-05-05", "Statement": [
            {"Effect": "Allow", "Action": ["view:machine"], "Resource": ["*"]},
        ]});
        assert!(other
            .update_role(&role.id, &role.name, &all.to_string(), store::now_ms())
            .await
            .unwrap());
        let body = served(&app, "/backends/do-a/machines", Some(&some)).await;
        assert!(body.contains("\"do-a-m0000\""), "{engine}: {body}");
        fresh(&app, engine, "the master's list after the others").await;
    })
    .await;
}

#[tokio::test]
async fn dozens_of_writers_each_move_the_counter_once() {
    on_each_engine(|app, engine| async move {
        let seeds: Vec<Seed> = (0..30).map(Seed::nth).collect();
        seed_backend(&app, "do-a", "Alpha", &seeds).await;
        let db = app.services().db.clone();
        let before = db.machines_version("do-a").await.unwrap().unwrap();
        let writers = (0..30).map(|n| {
            let db = db.clone();
            tokio::spawn(async move {
                let id = format!("do-a-m{n:04}");
                db.set_machine_state("do-a", &id, "rebooting")
                    .await
                    .unwrap();
            })
        });
        let readers = (0..10).map(|_| {
            let client = app.client.clone();
            let url = app.url("/backends/do-a/machines");
            tokio::spawn(async move {
                let res = client
                    .get(url)
                    .header("accept", "application/json")
                    .send()
                    .await;
                assert_eq!(res.unwrap().status(), 200);
            })
        });
        let all: Vec<_> = writers.chain(readers).collect();
        for task in all {
            task.await.unwrap();
        }
        let after = db.machines_version("do-a").await.unwrap().unwrap();
        assert_eq!(after - before, 30, "{engine}: one move per write");
        fresh(&app, engine, "after the writers").await;
        let body = served(&app, "/backends/do-a/machines", None).await;
        assert_eq!(body.matches("\"rebooting\"").count(), 30, "{engine}");
    })
    .await;
}
