//! Sessions: created, saved, deleted, ended per account and expired.

use std::collections::HashMap;

use store::{sessions::DbSessionStore, Db};
use tower_sessions::{
    session::{Id, Record},
    SessionStore,
};

use super::{Races, N};
use crate::on_each_engine;

fn record(account: &str, expiry: time::OffsetDateTime) -> Record {
    let data = HashMap::from([("account_id".to_owned(), serde_json::json!(account))]);
    Record {
        id: Id::default(),
        data,
        expiry_date: expiry,
    }
}

fn in_an_hour() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::hours(1)
}

/// The sessions of `ids` that load, by index.
async fn load(db: &Db, ids: &[Id]) -> Vec<Option<Record>> {
    let store = DbSessionStore::new(db.clone());
    let mut records = Vec::new();
    for id in ids {
        records.push(store.load(id).await.unwrap());
    }
    records
}

fn found(records: &[Option<Record>]) -> usize {
    records.iter().flatten().count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sessions() {
    on_each_engine!(|db: &Db, engine: &str| {
        let mut r = Races::new(db, engine);
        let db = db.clone();
        async move {
            let created = r
                .run("SessionStore::create", |db, i| async move {
                    let mut rec = record(&format!("a{i}"), in_an_hour());
                    DbSessionStore::new(db)
                        .create(&mut rec)
                        .await
                        .map(|()| rec.id)
                })
                .await;
            r.check_eq(
                "create: sessions loaded",
                found(&load(&db, &created).await),
                N,
            );

            // Saving existing sessions updates them.
            r.run("SessionStore::save (update)", |db, i| {
                let mut rec = record(&format!("a{i}"), in_an_hour());
                rec.id = created.get(i).copied().unwrap_or_default();
                rec.data.insert("n".into(), serde_json::json!(i));
                async move { DbSessionStore::new(db).save(&rec).await }
            })
            .await;
            let updated = load(&db, &created).await;
            let updated = updated.iter().enumerate().filter(|(i, rec)| {
                rec.as_ref().and_then(|rec| rec.data.get("n")) == Some(&serde_json::json!(i))
            });
            r.check_eq("save (update): sessions updated", updated.count(), N);

            // Saving unknown sessions inserts them.
            let saved = r
                .run("SessionStore::save (insert)", |db, i| async move {
                    let rec = record(&format!("b{i}"), in_an_hour());
                    DbSessionStore::new(db).save(&rec).await.map(|()| rec.id)
                })
                .await;
            r.check_eq(
                "save (insert): sessions loaded",
                found(&load(&db, &saved).await),
                N,
            );

            r.run("SessionStore::delete", |db, i| {
                let id = created.get(i).copied().unwrap_or_default();
                async move { DbSessionStore::new(db).delete(&id).await }
            })
            .await;
            r.check_eq(
                "delete: sessions left",
                found(&load(&db, &created).await),
                0,
            );

            let ended = r
                .run("delete_sessions_of", |db, i| async move {
                    db.delete_sessions_of(&format!("b{i}")).await
                })
                .await;
            r.check_eq(
                "delete_sessions_of: deleted",
                ended.iter().sum::<u64>(),
                N as u64,
            );
            r.check_eq(
                "delete_sessions_of: left",
                found(&load(&db, &saved).await),
                0,
            );

            let past = time::OffsetDateTime::now_utc() - time::Duration::minutes(1);
            r.run("SessionStore::create (expired)", |db, i| async move {
                let mut rec = record(&format!("c{i}"), past);
                DbSessionStore::new(db).create(&mut rec).await
            })
            .await;
            let now = store::now_ms();
            let removed = r
                .run("delete_expired_sessions", |db, _| async move {
                    db.delete_expired_sessions(now).await
                })
                .await;
            r.check_eq(
                "delete_expired_sessions: removed",
                removed.iter().sum::<u64>(),
                N as u64,
            );
            r.check_eq(
                "delete_expired_sessions: left",
                db.delete_expired_sessions(now).await.unwrap(),
                0,
            );
            r.finish();
        }
    });
}
