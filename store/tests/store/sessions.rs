use std::collections::HashMap;

use store::{sessions::DbSessionStore, Db};
use tower_sessions::{
    session::{Id, Record},
    SessionStore,
};

use crate::on_each_engine;

fn record(expiry: time::OffsetDateTime) -> Record {
    let mut data = HashMap::new();
    data.insert("account_id".to_owned(), serde_json::json!("acc-1"));
    Record {
        id: Id::default(),
        data,
        expiry_date: expiry,
    }
}

#[tokio::test]
async fn sessions_are_saved_loaded_updated_and_deleted() {
    on_each_engine!(|db: &Db, engine: &str| {
        let db = db.clone();
        let engine = engine.to_owned();
        async move {
            let store = DbSessionStore::new(db.clone());
            let mut r = record(time::OffsetDateTime::now_utc() + time::Duration::hours(1));
            store.create(&mut r).await.unwrap();
            let loaded = store.load(&r.id).await.unwrap().unwrap();
            assert_eq!(loaded.data["account_id"], "acc-1", "{engine}");

            r.data.insert("csrf".into(), serde_json::json!("t"));
            store.save(&r).await.unwrap();
            assert_eq!(store.load(&r.id).await.unwrap().unwrap().data["csrf"], "t");

            assert_eq!(db.delete_sessions_of("acc-1").await.unwrap(), 1);
            assert!(store.load(&r.id).await.unwrap().is_none());

            let mut other = record(time::OffsetDateTime::now_utc() + time::Duration::hours(1));
            store.create(&mut other).await.unwrap();
            store.delete(&other.id).await.unwrap();
            assert!(store.load(&other.id).await.unwrap().is_none());
        }
    });
}

#[tokio::test]
async fn expired_sessions_are_neither_loaded_nor_kept() {
    on_each_engine!(|db: &Db, _engine: &str| {
        let db = db.clone();
        async move {
            let store = DbSessionStore::new(db.clone());
            let mut old = record(time::OffsetDateTime::now_utc() - time::Duration::minutes(1));
            store.create(&mut old).await.unwrap();
            assert!(store.load(&old.id).await.unwrap().is_none());
            assert_eq!(
                db.delete_expired_sessions(store::now_ms()).await.unwrap(),
                1
            );
        }
    });
}
