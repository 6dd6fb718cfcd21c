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
