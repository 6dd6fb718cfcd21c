//! Two-factor sign-in: the same code, or the same recovery code, tried by
//! many at once is accepted exactly once; enrolments, removals and the
//! settings under many writers.

use store::{two_factor::TWO_FACTOR_REQUIRED, Db};

use super::{users, Races, N};
use crate::on_each_engine;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn codes_are_accepted_once() {
    on_each_engine!(|db: &Db, engine: &str| {
        let mut r = Races::new(db, engine);
        let db = db.clone();
        async move {
            users(&db, N + 1).await;
            r.run("begin_two_factor", |db, i| async move {
                db.begin_two_factor(&format!("u{i}"), &format!("sealed{i}"), 1)
                    .await
            })
            .await;
            let confirmed = r
                .run("confirm_two_factor", |db, i| async move {
                    let hashes = vec![format!("r{i}"), "shared".to_owned()];
                    db.confirm_two_factor(&format!("u{i}"), &format!("sealed{i}"), 10, &hashes, 2)
                        .await
                })
                .await;
            r.check_all("confirm_two_factor", &confirmed);
            // One pending enrolment, N confirmations at once: one wins.
            let last = format!("u{N}");
            db.begin_two_factor(&last, "sealed-last", 1).await.unwrap();
            let confirmed = r
                .run("confirm_two_factor (same account)", |db, i| async move {
                    let hashes = vec![format!("x{i}")];
                    db.confirm_two_factor(&format!("u{N}"), "sealed-last", 10, &hashes, 2)
                        .await
                })
                .await;
            r.check_eq(
                "confirm_two_factor (same account): confirmed",
                confirmed.iter().filter(|c| **c).count(),
                1,
            );
            r.check_eq(
                "confirm_two_factor (same account): recovery codes",
                db.recovery_codes_left(&last).await.unwrap(),
                1,
            );
            db.remove_two_factor(&last).await.unwrap();
            r.check_eq(
                "confirm_two_factor: enrolled",
                db.two_factor_accounts().await.unwrap().len(),
                N,
            );

            // One account, one code (time step 11), N attempts at once.
            let accepted = r
                .run("accept_two_factor_step (same step)", |db, _| async move {
                    db.accept_two_factor_step("u0", 11).await
                })
                .await;
            r.check_eq(
                "accept_two_factor_step: accepted",
                accepted.iter().filter(|a| **a).count(),
                1,
            );
            // Each account its own code: every one accepted.
            let accepted = r
                .run(
                    "accept_two_factor_step (each its own)",
                    |db, i| async move { db.accept_two_factor_step(&format!("u{i}"), 12).await },
                )
                .await;
            r.check_all("accept_two_factor_step (each its own)", &accepted);

            // One recovery code, N attempts at once.
            let used = r
                .run("use_recovery_code (same code)", |db, _| async move {
                    db.use_recovery_code("u0", "r0", 3).await
                })
                .await;
            r.check_eq(
                "use_recovery_code: accepted",
                used.iter().filter(|u| **u).count(),
                1,
            );
            let used = r
                .run("use_recovery_code (each its own)", |db, i| async move {
                    db.use_recovery_code(&format!("u{i}"), "shared", 4).await
                })
                .await;
            r.check_all("use_recovery_code (each its own)", &used);

            r.run("set_setting", |db, i| async move {
                db.set_setting(TWO_FACTOR_REQUIRED, &(i % 2 == 0).to_string(), 5)
                    .await
            })
            .await;
            let value = db.setting(TWO_FACTOR_REQUIRED).await.unwrap();
            r.check_eq(
                "set_setting: a value",
                value.is_some_and(|v| v == "true" || v == "false"),
                true,
            );

            let removed = r
                .run("remove_two_factor", |db, i| async move {
                    db.remove_two_factor(&format!("u{}", i / 2)).await
                })
                .await;
            r.check_eq(
                "remove_two_factor: removed",
                removed.iter().filter(|x| **x).count(),
                N / 2,
            );
            r.check_eq(
                "remove_two_factor: enrolled left",
                db.two_factor_accounts().await.unwrap().len(),
                N - N / 2,
            );
            r.finish();
        }
    });
}
