//! Two-factor enrolments, recovery codes and installation settings.

use store::{two_factor::TWO_FACTOR_REQUIRED, Db};

use crate::{concurrency::users, on_each_engine};

#[tokio::test]
async fn an_enrolment_is_begun_confirmed_used_once_and_removed() {
    on_each_engine!(|db: &Db, _engine: &str| {
        let db = db.clone();
        async move {
            users(&db, 1).await;
            assert_eq!(db.two_factor("u0").await.unwrap(), None);
            assert!(db.begin_two_factor("u0", "sealed-1", 10).await.unwrap());
            // Begun again before confirming: the new secret replaces it.
            assert!(db.begin_two_factor("u0", "sealed-2", 11).await.unwrap());
            let e = db.two_factor("u0").await.unwrap().unwrap();
            assert_eq!(
                (e.secret.as_str(), e.confirmed_at, e.last_step),
                ("sealed-2", None, -1)
            );
            // Not in force yet: no step is accepted.
            assert!(!db.accept_two_factor_step("u0", 5).await.unwrap());
            let hashes = vec!["h1".to_owned(), "h2".to_owned()];
            // The secret replaced since: not confirmed.
            assert!(!db
                .confirm_two_factor("u0", "sealed-1", 5, &hashes, 20)
                .await
                .unwrap());
            assert!(db
                .confirm_two_factor("u0", "sealed-2", 5, &hashes, 20)
                .await
                .unwrap());
            assert!(!db
                .confirm_two_factor("u0", "sealed-2", 6, &hashes, 21)
                .await
                .unwrap());
            assert!(!db.begin_two_factor("u0", "sealed-3", 22).await.unwrap());
            let e = db.two_factor("u0").await.unwrap().unwrap();
            assert_eq!(
                (e.secret.as_str(), e.confirmed_at, e.last_step),
                ("sealed-2", Some(20), 5)
            );
            assert_eq!(
                db.two_factor_accounts().await.unwrap(),
                vec!["u0".to_owned()]
            );
            // The confirming step and earlier ones are used; later ones once.
            assert!(!db.accept_two_factor_step("u0", 5).await.unwrap());
            assert!(!db.accept_two_factor_step("u0", 4).await.unwrap());
            assert!(db.accept_two_factor_step("u0", 6).await.unwrap());
            assert!(!db.accept_two_factor_step("u0", 6).await.unwrap());
            // Recovery codes: each once.
            assert_eq!(db.recovery_codes_left("u0").await.unwrap(), 2);
            assert!(db.use_recovery_code("u0", "h1", 30).await.unwrap());
            assert!(!db.use_recovery_code("u0", "h1", 31).await.unwrap());
            assert!(!db.use_recovery_code("u0", "nope", 31).await.unwrap());
            assert_eq!(db.recovery_codes_left("u0").await.unwrap(), 1);
            // Removed: nothing left, and the codes are gone with it.
            assert!(db.remove_two_factor("u0").await.unwrap());
            assert!(!db.remove_two_factor("u0").await.unwrap());
            assert_eq!(db.two_factor("u0").await.unwrap(), None);
            assert!(!db.use_recovery_code("u0", "h2", 40).await.unwrap());
            assert_eq!(db.recovery_codes_left("u0").await.unwrap(), 0);
            assert!(db.two_factor_accounts().await.unwrap().is_empty());
        }
    });
}

#[tokio::test]
async fn settings_are_set_and_replaced() {
    on_each_engine!(|db: &Db, _engine: &str| {
        let db = db.clone();
        async move {
            assert_eq!(db.setting(TWO_FACTOR_REQUIRED).await.unwrap(), None);
            db.set_setting(TWO_FACTOR_REQUIRED, "true", 1)
                .await
                .unwrap();
            db.set_setting(TWO_FACTOR_REQUIRED, "false", 2)
                .await
                .unwrap();
            assert_eq!(
                db.setting(TWO_FACTOR_REQUIRED).await.unwrap().as_deref(),
                Some("false")
            );
        }
    });
}
