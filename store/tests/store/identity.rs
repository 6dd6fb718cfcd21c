use store::{
    accounts::{NewAccount, PasswordHash},
    tokens::NewApiToken,
    Db,
};

use crate::on_each_engine;

async fn user(db: &Db, id: &str, username: &str) {
    let h = PasswordHash("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaA".into());
    let email = format!("{username}@example.com");
    db.create_user(
        NewAccount {
            id,
            email: &email,
            name: "",
            password_hash: &h,
            now: 1,
        },
        username,
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn roles_attach_detach_and_go_with_their_user() {
    on_each_engine!(|db: &Db, engine: &str| {
        let db = db.clone();
        let engine = engine.to_owned();
        async move {
            user(&db, "u1", "alice").await;
            assert!(db
                .create_user(
                    NewAccount {
                        id: "u2",
                        email: "alice@example.com",
                        name: "",
                        password_hash: &PasswordHash(String::new()),
                        now: 1
                    },
                    "other"
                )
                .await
                .unwrap_err()
                .is_unique_violation());
            db.create_role("r1", "ops", "{}", 10).await.unwrap();
            assert!(
                db.create_role("r2", "ops", "{}", 10)
                    .await
                    .unwrap_err()
                    .is_unique_violation(),
                "{engine}"
            );
            db.attach_role("ur1", "u1", "r1", 11).await.unwrap();
            assert!(db
                .attach_role("ur2", "u1", "r1", 11)
                .await
                .unwrap_err()
                .is_unique_violation());
            assert_eq!(db.roles_of("u1").await.unwrap()[0].name, "ops");
            assert!(db.update_role("r1", "ops2", "{\"a\":1}", 12).await.unwrap());
            assert_eq!(db.role("r1").await.unwrap().unwrap().updated_at, 12);
            assert!(db.detach_role("u1", "r1").await.unwrap());
            assert!(!db.detach_role("u1", "r1").await.unwrap());
            db.attach_role("ur3", "u1", "r1", 13).await.unwrap();
            assert_eq!(
                db.account_by_username("alice").await.unwrap().unwrap().id,
                "u1"
            );
            assert!(db.set_disabled("u1", true).await.unwrap());
            assert!(db.account_by_id("u1").await.unwrap().unwrap().disabled);
            assert!(db.delete_user("u1").await.unwrap());
            assert!(
                db.roles_of("u1").await.unwrap().is_empty(),
                "{engine}: attachments cascade"
            );
            assert!(db.delete_role("r1").await.unwrap());
            assert!(db.roles().await.unwrap().is_empty());
        }
    });
}

#[tokio::test]
async fn user_roles_lists_every_attachment_in_one_query() {
    on_each_engine!(|db: &Db, engine: &str| {
        let db = db.clone();
        let engine = engine.to_owned();
        async move {
            assert!(db.user_roles().await.unwrap().is_empty(), "{engine}");
            user(&db, "u1", "alice").await;
            user(&db, "u2", "bob").await;
            user(&db, "u3", "carol").await;
            db.create_role("r1", "ops", "{}", 10).await.unwrap();
            db.create_role("r2", "audit", "{}", 10).await.unwrap();
            db.attach_role("ur1", "u2", "r1", 11).await.unwrap();
            db.attach_role("ur2", "u1", "r1", 11).await.unwrap();
            db.attach_role("ur3", "u1", "r2", 11).await.unwrap();
            let pairs: Vec<(String, String)> = db
                .user_roles()
                .await
                .unwrap()
                .into_iter()
                .map(|(account, role)| (account, role.name))
                .collect();
            assert_eq!(
                pairs,
                [("u1", "audit"), ("u1", "ops"), ("u2", "ops")]
                    .map(|(a, r)| (a.to_owned(), r.to_owned()))
                    .to_vec(),
                "{engine}: by account, then role name; users without roles absent"
            );
            // The same answer as asking each user in turn.
            for id in ["u1", "u2", "u3"] {
                let one: Vec<_> = db.roles_of(id).await.unwrap();
                let all: Vec<_> = db
                    .user_roles()
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|(a, _)| a == id)
                    .map(|(_, r)| r)
                    .collect();
                assert_eq!(one, all, "{engine}: {id}");
            }
            assert!(db.delete_user("u1").await.unwrap());
            assert_eq!(db.user_roles().await.unwrap().len(), 1, "{engine}");
        }
    });
}

#[tokio::test]
async fn tokens_keep_null_expiry_and_scope_and_are_pruned() {
    on_each_engine!(|db: &Db, engine: &str| {
        let db = db.clone();
        let engine = engine.to_owned();
        async move {
            user(&db, "u1", "bob").await;
            for (id, hash, expires, scope) in [
                ("t1", "h1", None, None),
                ("t2", "h2", Some(50), Some(r#"{"s":1}"#)),
            ] {
                db.create_token(NewApiToken {
                    id,
                    account_id: "u1",
                    name: id,
                    token_hash: hash,
                    scope,
                    now: 10,
                    expires_at: expires,
                })
                .await
                .unwrap();
            }
            let t1 = db.token_by_hash("h1").await.unwrap().unwrap();
            assert_eq!((t1.expires_at, t1.scope.clone()), (None, None), "{engine}");
            let t2 = db.token_by_hash("h2").await.unwrap().unwrap();
            assert_eq!(t2.expires_at, Some(50));
            db.touch_token("t1", 40).await.unwrap();
            assert_eq!(db.tokens_of("u1").await.unwrap().len(), 2);
            // At 60: t2 has expired; nothing unused since before 30.
            assert_eq!(db.delete_stale_tokens(60, 30).await.unwrap(), 1);
            assert!(db.token_by_hash("h2").await.unwrap().is_none());
            assert!(!db.delete_token("u1", "t2").await.unwrap());
            assert!(db.delete_token("u1", "t1").await.unwrap());
        }
    });
}

#[tokio::test]
async fn an_account_holds_a_bounded_number_of_live_tokens() {
    on_each_engine!(|db: &Db, engine: &str| {
        let db = db.clone();
        let engine = engine.to_owned();
        async move {
            user(&db, "u1", "dave").await;
            let token = |id: &'static str, now: i64, expires_at: Option<i64>| NewApiToken {
                id,
                account_id: "u1",
                name: id,
                token_hash: id,
                scope: None,
                now,
                expires_at,
            };
            // Bound 2; live: not expired at now, used at or after 50.
            assert!(db
                .create_token_within(token("t1", 100, None), 2, 50)
                .await
                .unwrap());
            assert!(db
                .create_token_within(token("t2", 100, Some(150)), 2, 50)
                .await
                .unwrap());
            assert!(
                !db.create_token_within(token("t3", 100, None), 2, 50)
                    .await
                    .unwrap(),
                "{engine}: at the bound"
            );
            assert!(db.token_by_hash("t3").await.unwrap().is_none());
            // t2 has expired by 200: room for one more.
            assert!(db
                .create_token_within(token("t4", 200, None), 2, 50)
                .await
                .unwrap());
            // Unused since before 150, t1 no longer counts either.
            assert!(db
                .create_token_within(token("t5", 200, None), 2, 150)
                .await
                .unwrap());
            assert_eq!(
                db.token_of("u1", "t4").await.unwrap().map(|t| t.name),
                Some("t4".to_owned())
            );
            assert!(db.token_of("u2", "t4").await.unwrap().is_none(), "{engine}");
        }
    });
}

#[tokio::test]
async fn disabling_a_user_ends_their_sessions_and_revokes_their_tokens() {
    on_each_engine!(|db: &Db, engine: &str| {
        let db = db.clone();
        let engine = engine.to_owned();
        async move {
            use tower_sessions::{session::Record, SessionStore};
            user(&db, "u1", "erin").await;
            db.create_token(NewApiToken {
                id: "t1",
                account_id: "u1",
                name: "t",
                token_hash: "h",
                scope: None,
                now: 1,
                expires_at: None,
            })
            .await
            .unwrap();
            let sessions = store::sessions::DbSessionStore::new(db.clone());
            let mut record = Record {
                id: tower_sessions::session::Id::default(),
                data: [("account_id".to_owned(), serde_json::json!("u1"))].into(),
                expiry_date: time::OffsetDateTime::now_utc() + time::Duration::hours(1),
            };
            sessions.create(&mut record).await.unwrap();
            assert!(db.set_disabled("u1", true).await.unwrap());
            assert!(
                sessions.load(&record.id).await.unwrap().is_none(),
                "{engine}"
            );
            assert!(db.tokens_of("u1").await.unwrap().is_empty(), "{engine}");
            assert!(db.set_disabled("u1", false).await.unwrap());
            assert!(
                db.tokens_of("u1").await.unwrap().is_empty(),
                "{engine}: not revived"
            );
        }
    });
}

#[tokio::test]
async fn a_password_link_works_once_and_only_while_live() {
    on_each_engine!(|db: &Db, engine: &str| {
        let db = db.clone();
        let engine = engine.to_owned();
        async move {
            user(&db, "u1", "carol").await;
            let new = PasswordHash("new-hash".into());
            db.put_password_link("u1", "old", 100, 1).await.unwrap();
            db.put_password_link("u1", "h", 100, 2).await.unwrap();
            assert_eq!(
                db.use_password_link("old", &new, 50).await.unwrap(),
                None,
                "{engine}: replaced"
            );
            assert_eq!(
                db.use_password_link("h", &new, 100).await.unwrap(),
                None,
                "{engine}: expired"
            );
            assert_eq!(
                db.use_password_link("h", &new, 99)
                    .await
                    .unwrap()
                    .as_deref(),
                Some("u1")
            );
            assert_eq!(
                db.account_by_id("u1")
                    .await
                    .unwrap()
                    .unwrap()
                    .password_hash
                    .0,
                "new-hash"
            );
            assert_eq!(
                db.use_password_link("h", &new, 99).await.unwrap(),
                None,
                "{engine}: used"
            );
        }
    });
}
