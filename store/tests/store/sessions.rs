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

#[tokio::test]
async fn a_password_change_ends_the_other_sessions_and_may_revoke_tokens() {
    use store::{
        accounts::{Ended, Ending, NewAccount, PasswordHash},
        tokens::NewApiToken,
    };
    on_each_engine!(|db: &Db, engine: &str| {
        let db = db.clone();
        let engine = engine.to_owned();
        async move {
            let old = PasswordHash("old".into());
            let new = NewAccount {
                id: "acc-1",
                email: "a@example.com",
                name: "",
                password_hash: &old,
                now: 1,
            };
            db.create_user(new, "a").await.unwrap();
            let store = DbSessionStore::new(db.clone());
            let in_an_hour = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
            let mut ids = Vec::new();
            for _ in 0..3 {
                let mut r = record(in_an_hour);
                store.create(&mut r).await.unwrap();
                ids.push(r.id);
            }
            let mut someone_else = record(in_an_hour);
            someone_else
                .data
                .insert("account_id".into(), serde_json::json!("acc-2"));
            store.create(&mut someone_else).await.unwrap();
            db.create_token(NewApiToken {
                id: "t1",
                account_id: "acc-1",
                name: "t",
                token_hash: "h1",
                scope: None,
                now: 1,
                expires_at: None,
            })
            .await
            .unwrap();

            let keep = ids[0].to_string();
            let ending = Ending {
                keep_session: Some(&keep),
                revoke_tokens: false,
            };
            let ended = db
                .set_password("acc-1", &PasswordHash("new".into()), ending)
                .await
                .unwrap();
            assert_eq!(
                ended,
                Some(Ended {
                    sessions: 2,
                    tokens: 0
                }),
                "{engine}"
            );
            assert!(
                store.load(&ids[0]).await.unwrap().is_some(),
                "{engine}: kept"
            );
            assert!(store.load(&ids[1]).await.unwrap().is_none());
            assert!(store.load(&someone_else.id).await.unwrap().is_some());
            assert_eq!(db.tokens_of("acc-1").await.unwrap().len(), 1);
            let account = db.account_by_id("acc-1").await.unwrap().unwrap();
            assert_eq!(account.password_hash.0, "new");

            let ending = Ending {
                keep_session: None,
                revoke_tokens: true,
            };
            let ended = db
                .set_password("acc-1", &PasswordHash("newer".into()), ending)
                .await
                .unwrap();
            assert_eq!(
                ended,
                Some(Ended {
                    sessions: 1,
                    tokens: 1
                }),
                "{engine}"
            );
            assert!(db.tokens_of("acc-1").await.unwrap().is_empty());
            assert_eq!(
                db.set_password("nobody", &old, Ending::default())
                    .await
                    .unwrap(),
                None
            );
        }
    });
}

/// A session's id (the cookie's value) is kept only as its SHA-256: neither
/// the id column nor the record holds it.
#[tokio::test]
async fn session_ids_are_stored_hashed() {
    for t in [
        Some(crate::harness::TestDb::sqlite().await),
        crate::harness::TestDb::postgres().await,
    ]
    .into_iter()
    .flatten()
    {
        let store = DbSessionStore::new(t.db.clone());
        let mut r = record(time::OffsetDateTime::now_utc() + time::Duration::hours(1));
        store.create(&mut r).await.unwrap();
        store.save(&r).await.unwrap();
        let cookie = r.id.to_string();
        let raw = sqlx::AnyPool::connect(&t.url).await.unwrap();
        let rows = sqlx::query("SELECT id, record FROM sessions")
            .fetch_all(&raw)
            .await
            .unwrap();
        assert_eq!(rows.len(), 1, "{}", t.engine);
        let id: String = sqlx::Row::get(&rows[0], "id");
        let kept: String = sqlx::Row::get(&rows[0], "record");
        assert_eq!(id, store::sessions::stored_id(&cookie), "{}", t.engine);
        assert_ne!(id, cookie);
        assert!(!kept.contains(&cookie), "{}: {kept}", t.engine);
        // Found by the cookie's id all the same, answering to it.
        let loaded = store.load(&r.id).await.unwrap().unwrap();
        assert_eq!(loaded.id, r.id);
        raw.close().await;
        t.finish().await;
    }
}

#[tokio::test]
async fn a_signed_in_session_loads_with_its_account_and_never_with_what_its_record_claims() {
    use store::sessions::{SignedIn, SIGNED_IN_KEY};
    on_each_engine!(|db: &Db, engine: &str| {
        let db = db.clone();
        let engine = engine.to_owned();
        async move {
            crate::harness::account(&db, "acc-1", "a@example.com").await;
            crate::harness::account(&db, "acc-2", "b@example.com").await;
            let store = DbSessionStore::new(db.clone());
            let in_an_hour = time::OffsetDateTime::now_utc() + time::Duration::hours(1);
            // A record claiming more than the account has.
            let forged = serde_json::json!({
                "id": "acc-1", "email": "a@example.com", "is_master": true,
                "disabled": false, "rights_generation": 999_999,
            });
            let mut r = record(in_an_hour);
            r.data.insert(SIGNED_IN_KEY.into(), forged.clone());
            store.create(&mut r).await.unwrap();
            let signed_in = |r: &Record| -> Option<SignedIn> {
                r.data
                    .get(SIGNED_IN_KEY)
                    .map(|v| serde_json::from_value(v.clone()).unwrap())
            };
            let generation = db.rights_generation().await.unwrap();
            let loaded = store.load(&r.id).await.unwrap().unwrap();
            let expected = SignedIn {
                id: "acc-1".into(),
                email: "a@example.com".into(),
                is_master: false,
                disabled: false,
                rights_generation: generation,
            };
            assert_eq!(signed_in(&loaded), Some(expected.clone()), "{engine}");

            // Saved as loaded, then loaded again after the rights moved.
            store.save(&loaded).await.unwrap();
            assert!(db.set_disabled("acc-2", true).await.unwrap());
            let again = store.load(&r.id).await.unwrap().unwrap();
            let moved = db.rights_generation().await.unwrap();
            assert!(moved > generation, "{engine}");
            assert_eq!(
                signed_in(&again),
                Some(SignedIn {
                    rights_generation: moved,
                    ..expected
                }),
                "{engine}"
            );

            // Signed in to no account there is: nothing joined, nothing
            // claimed kept.
            let mut nobody = record(in_an_hour);
            nobody
                .data
                .insert("account_id".into(), serde_json::json!("acc-9"));
            nobody.data.insert(SIGNED_IN_KEY.into(), forged);
            store.create(&mut nobody).await.unwrap();
            let loaded = store.load(&nobody.id).await.unwrap().unwrap();
            assert_eq!(signed_in(&loaded), None, "{engine}");
            assert_eq!(loaded.data["account_id"], "acc-9", "{engine}");
        }
    });
}
