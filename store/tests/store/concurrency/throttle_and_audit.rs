//! Sign-in throttling (failures, reservations, releases) and the audit log.

use store::{
    audit::AuditEntry,
    throttle::{AttemptRule, Reservation},
    Db, StoreError,
};

use super::{Races, N};
use crate::on_each_engine;

fn audit(i: usize, action: &str) -> AuditEntry {
    AuditEntry {
        at: i as i64,
        actor: format!("a{i}@example.com"),
        address: "10.0.0.1".into(),
        action: action.into(),
        resource: format!("account/a{i}@example.com"),
        outcome: "failure".into(),
        detail: String::new(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn throttle_and_audit() {
    on_each_engine!(|db: &Db, engine: &str| {
        let mut r = Races::new(db, engine);
        let db = db.clone();
        async move {
            r.run("record_login_failure", |db, i| async move {
                let scope = format!("account:a{i}");
                let entry = audit(i, "sign_in");
                db.record_login_failure(&[&scope, "address:10.0.0.1"], i as i64 + 1, Some(&entry))
                    .await
            })
            .await;
            let by_address = db
                .login_failures_since("address:10.0.0.1", 0)
                .await
                .unwrap();
            r.check_eq("record_login_failure: per address", by_address.0, N as i64);
            let mut counted = 0;
            for i in 0..N {
                let (n, _) = db
                    .login_failures_since(&format!("account:a{i}"), 0)
                    .await
                    .unwrap();
                counted += usize::from(n == 1);
            }
            r.check_eq(
                "record_login_failure: accounts with one failure",
                counted,
                N,
            );
            let entries = db.recent_audit(1000).await.unwrap();
            r.check_eq("record_login_failure: audit entries", entries.len(), N);

            r.run("record_audit", |db, i| async move {
                db.record_audit(&audit(i, "sign_out")).await
            })
            .await;
            let entries = db.recent_audit(1000).await.unwrap();
            let mut ats: Vec<_> = entries
                .iter()
                .filter(|e| e.action == "sign_out")
                .map(|e| e.at)
                .collect();
            ats.sort_unstable();
            r.check_eq("record_audit: entries", ats, (0..N as i64).collect());

            r.run("clear_login_failures", |db, i| async move {
                db.clear_login_failures(&format!("account:a{i}")).await
            })
            .await;
            let mut cleared = 0;
            for i in 0..N {
                let (n, _) = db
                    .login_failures_since(&format!("account:a{i}"), 0)
                    .await
                    .unwrap();
                cleared += usize::from(n == 0);
            }
            r.check_eq("clear_login_failures: cleared", cleared, N);

            let pruned = r
                .run("prune_login_failures", |db, _| async move {
                    db.prune_login_failures(i64::MAX).await
                })
                .await;
            r.check_eq(
                "prune_login_failures: pruned",
                pruned.iter().sum::<u64>(),
                N as u64,
            );
            let left = db
                .login_failures_since("address:10.0.0.1", 0)
                .await
                .unwrap();
            r.check_eq("prune_login_failures: left", left, (0, None));

            // Racing attempts on one limit: exactly the limit is reserved.
            let limit = |db: Db, i: usize| async move {
                let rules = [
                    AttemptRule::Limit {
                        scope: "pair:10.0.0.2/m@example.com",
                        max: 5,
                    },
                    AttemptRule::Count {
                        scope: "account:m@example.com",
                    },
                ];
                let r = db
                    .reserve_login_attempt(&format!("l{i}"), &rules, 1000, 0)
                    .await?;
                Ok::<_, StoreError>(r == Reservation::Reserved)
            };
            let reserved = r.run("reserve_login_attempt (limit)", limit).await;
            r.check_eq(
                "reserve_login_attempt (limit): reserved",
                reserved.iter().filter(|x| **x).count(),
                5,
            );
            let (rows, _) = db
                .login_failures_since("pair:10.0.0.2/m@example.com", 0)
                .await
                .unwrap();
            r.check_eq("reserve_login_attempt (limit): rows", rows, 5);
            let (rows, _) = db
                .login_failures_since("account:m@example.com", 0)
                .await
                .unwrap();
            r.check_eq("reserve_login_attempt (limit): counted", rows, 5);

            // Racing attempts on one pace: the free ones, then none at once.
            let reserved = r
                .run("reserve_login_attempt (pace)", |db, i| async move {
                    let rules = [AttemptRule::Pace {
                        scope: "account:p@example.com",
                        free: 3,
                        first_ms: 1000,
                        max_ms: 60_000,
                    }];
                    let r = db
                        .reserve_login_attempt(&format!("p{i}"), &rules, 1000, 0)
                        .await?;
                    Ok::<_, StoreError>(r == Reservation::Reserved)
                })
                .await;
            r.check_eq(
                "reserve_login_attempt (pace): reserved",
                reserved.iter().filter(|x| **x).count(),
                3,
            );

            // Each of N accounts signs in: its reservation goes, its
            // address is remembered.
            super::users(&db, N).await;
            r.run("reserve_login_attempt (per account)", |db, i| async move {
                let pair = format!("pair:10.0.0.3/user{i}@example.com");
                let rules = [AttemptRule::Limit {
                    scope: &pair,
                    max: 5,
                }];
                db.reserve_login_attempt(&format!("s{i}"), &rules, 2000, 0)
                    .await
            })
            .await;
            r.run("release_login_attempt", |db, i| async move {
                let pair = format!("pair:10.0.0.3/user{i}@example.com");
                db.release_login_attempt(
                    &format!("s{i}"),
                    &pair,
                    &format!("u{i}"),
                    "10.0.0.3",
                    2001,
                )
                .await
            })
            .await;
            let mut released = 0;
            let mut known = 0;
            for i in 0..N {
                let pair = format!("pair:10.0.0.3/user{i}@example.com");
                let (n, _) = db.login_failures_since(&pair, 0).await.unwrap();
                released += usize::from(n == 0);
                let email = format!("user{i}@example.com");
                known += usize::from(db.signed_in_before(&email, "10.0.0.3").await.unwrap());
            }
            r.check_eq("release_login_attempt: released", released, N);
            r.check_eq("release_login_attempt: addresses remembered", known, N);
            // One account signing in from one address many times at once.
            r.run("release_login_attempt (one pair)", |db, i| async move {
                db.release_login_attempt(
                    &format!("z{i}"),
                    "pair:10.0.0.4/user0@example.com",
                    "u0",
                    "10.0.0.4",
                    3000 + i as i64,
                )
                .await
            })
            .await;
            let known = db
                .signed_in_before("user0@example.com", "10.0.0.4")
                .await
                .unwrap();
            r.check_eq("release_login_attempt (one pair): remembered", known, true);
            r.finish();
        }
    });
}
