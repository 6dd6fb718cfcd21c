//! Settings written once: of racing writers, every one reads the first's
//! value (the secret key's check value, stored by the first instance).

use std::sync::Arc;

use store::Db;
use tokio::sync::Barrier;

use crate::on_each_engine;

#[tokio::test]
async fn of_racing_first_writers_every_one_gets_the_one_value_stored() {
    on_each_engine!(|db: &Db, _engine: &str| {
        let db = db.clone();
        async move {
            let barrier = Arc::new(Barrier::new(20));
            let mut racers = tokio::task::JoinSet::new();
            for i in 0..20 {
                let (db, barrier) = (db.clone(), barrier.clone());
                racers.spawn(async move {
                    barrier.wait().await;
                    db.insert_setting_if_absent("check", &format!("v{i}"), i)
                        .await
                        .unwrap()
                });
            }
            let got: Vec<String> = racers.join_all().await;
            let stored = db.setting("check").await.unwrap().unwrap();
            assert!(got.iter().all(|v| *v == stored), "{got:?} vs {stored}");
            // Later writers leave it alone.
            let again = db
                .insert_setting_if_absent("check", "late", 99)
                .await
                .unwrap();
            assert_eq!(again, stored);
        }
    });
}
