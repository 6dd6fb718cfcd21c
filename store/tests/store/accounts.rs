use store::{
    accounts::{NewAccount, PasswordHash},
    Db,
};

use crate::on_each_engine;

fn hash() -> PasswordHash {
    PasswordHash("$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA".into())
}

#[tokio::test]
async fn the_master_account_is_created_once_and_found_by_email_and_id() {
    on_each_engine!(|db: &Db, engine: &str| {
        let db = db.clone();
        let engine = engine.to_owned();
        async move {
            assert!(!db.master_exists().await.unwrap(), "{engine}");
            let h = hash();
            db.create_master(NewAccount {
                id: "a1",
                email: "m@example.com",
                name: "",
                password_hash: &h,
                now: 5,
            })
            .await
            .unwrap();
            assert!(db.master_exists().await.unwrap());
            let by_email = db.account_by_email("m@example.com").await.unwrap().unwrap();
            assert_eq!(by_email.id, "a1");
            assert!(by_email.is_master && !by_email.disabled);
            assert_eq!(by_email.created_at, 5);
            assert_eq!(
                db.account_by_id("a1").await.unwrap().unwrap().email,
                "m@example.com"
            );
            assert!(db.account_by_id("nope").await.unwrap().is_none());

            let second = db
                .create_master(NewAccount {
                    id: "a2",
                    email: "x@example.com",
                    name: "",
                    password_hash: &h,
                    now: 6,
                })
                .await
                .unwrap_err();
            assert!(second.is_unique_violation(), "{engine}: {second}");
            assert!(
                db.account_by_id("a2").await.unwrap().is_none(),
                "{engine}: nothing half-written"
            );
        }
    });
}

#[tokio::test]
async fn a_second_master_is_impossible_even_bypassing_the_check() {
    on_each_engine!(|db: &Db, _engine: &str| {
        let db = db.clone();
        async move {
            let h = hash();
            let (a, b) = tokio::join!(
                db.create_master(NewAccount {
                    id: "a",
                    email: "a@example.com",
                    name: "",
                    password_hash: &h,
                    now: 1
                }),
                db.create_master(NewAccount {
                    id: "b",
                    email: "b@example.com",
                    name: "",
                    password_hash: &h,
                    now: 1
                }),
            );
            assert!(
                a.is_ok() ^ b.is_ok(),
                "exactly one of two racing creations wins"
            );
        }
    });
}
