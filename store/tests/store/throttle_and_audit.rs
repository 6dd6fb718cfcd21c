use store::{
    audit::{AuditEntry, AuditFilter},
    Db,
};

use crate::on_each_engine;

#[tokio::test]
async fn failures_are_counted_per_scope_within_the_window_and_cleared() {
    on_each_engine!(|db: &Db, engine: &str| {
        let db = db.clone();
        let engine = engine.to_owned();
        async move {
            db.record_login_failure(&["account:a", "address:1"], 100, None)
                .await
                .unwrap();
            db.record_login_failure(&["account:a", "address:1"], 200, None)
                .await
                .unwrap();
            db.record_login_failure(&["account:b", "address:1"], 300, None)
                .await
                .unwrap();
            assert_eq!(
                db.login_failures_since("account:a", 0).await.unwrap(),
                (2, Some(100)),
                "{engine}"
            );
            assert_eq!(
                db.login_failures_since("account:a", 150).await.unwrap(),
                (1, Some(200))
            );
            assert_eq!(db.login_failures_since("address:1", 0).await.unwrap().0, 3);
            db.clear_login_failures("account:a").await.unwrap();
            assert_eq!(
                db.login_failures_since("account:a", 0).await.unwrap(),
                (0, None)
            );
            assert_eq!(db.prune_login_failures(250).await.unwrap(), 2);
            let entry = AuditEntry {
                at: 400,
                actor: "c@example.com".into(),
                address: "1".into(),
                action: "sign_in".into(),
                resource: "account/c@example.com".into(),
                outcome: "failure".into(),
                detail: String::new(),
            };
            db.record_login_failure(&["account:c"], 400, Some(&entry))
                .await
                .unwrap();
            assert_eq!(db.login_failures_since("account:c", 0).await.unwrap().0, 1);
            assert_eq!(
                db.recent_audit(1).await.unwrap()[0],
                entry,
                "{engine}: written together"
            );
        }
    });
}

#[tokio::test]
async fn audit_entries_come_back_newest_first() {
    on_each_engine!(|db: &Db, _engine: &str| {
        let db = db.clone();
        async move {
            for (i, action) in ["sign_in", "sign_out"].iter().enumerate() {
                db.record_audit(&AuditEntry {
                    at: i as i64,
                    actor: "m@example.com".into(),
                    address: "127.0.0.1".into(),
                    action: (*action).into(),
                    resource: "account/m@example.com".into(),
                    outcome: "success".into(),
                    detail: String::new(),
                })
                .await
                .unwrap();
            }
            let entries = db.recent_audit(10).await.unwrap();
            assert_eq!(entries.len(), 2);
            assert_eq!(entries[0].action, "sign_out");
        }
    });
}

#[tokio::test]
async fn audit_filters_combine_and_treat_wildcards_literally() {
    on_each_engine!(|db: &Db, engine: &str| {
        let db = db.clone();
        let engine = engine.to_owned();
        async move {
            for (at, actor, action, outcome) in [
                (1, "a@example.com", "sign_in", "failure"),
                (2, "a@example.com", "sign_in", "success"),
                (3, "b_x@example.com", "create:role", "success"),
            ] {
                db.record_audit(&AuditEntry {
                    at,
                    actor: actor.into(),
                    address: "127.0.0.1".into(),
                    action: action.into(),
                    resource: "r".into(),
                    outcome: outcome.into(),
                    detail: String::new(),
                })
                .await
                .unwrap();
            }
            let all = AuditFilter {
                limit: 10,
                ..AuditFilter::default()
            };
            assert_eq!(db.audit_entries(&all).await.unwrap().len(), 3, "{engine}");
            let f = AuditFilter {
                action: Some("sign".into()),
                outcome: Some("failure".into()),
                limit: 10,
                ..AuditFilter::default()
            };
            assert_eq!(db.audit_entries(&f).await.unwrap().len(), 1, "{engine}");
            let f = AuditFilter {
                actor: Some("_".into()),
                limit: 10,
                ..AuditFilter::default()
            };
            assert_eq!(
                db.audit_entries(&f).await.unwrap().len(),
                1,
                "{engine}: `_` is literal"
            );
            let f = AuditFilter {
                since: Some(2),
                limit: 1,
                ..AuditFilter::default()
            };
            assert_eq!(db.audit_entries(&f).await.unwrap()[0].at, 3);
        }
    });
}

#[tokio::test]
async fn an_attempt_is_reserved_under_limits_and_a_pace_and_released_on_success() {
    use store::throttle::{AttemptRule, Reservation};
    on_each_engine!(|db: &Db, engine: &str| {
        let db = db.clone();
        let engine = engine.to_owned();
        async move {
            let window = 1000;
            let limit = [AttemptRule::Limit {
                scope: "pair:a",
                max: 2,
            }];
            for (i, at) in [(0, 100), (1, 200)] {
                let r = db
                    .reserve_login_attempt(&format!("x{i}"), &limit, at, at - window)
                    .await
                    .unwrap();
                assert_eq!(r, Reservation::Reserved, "{engine}");
            }
            // Refused until the oldest leaves the window; nothing written.
            let r = db
                .reserve_login_attempt("x2", &limit, 300, 300 - window)
                .await
                .unwrap();
            assert_eq!(r, Reservation::Refused { until: 1101 }, "{engine}");
            assert_eq!(db.login_failures_since("pair:a", 0).await.unwrap().0, 2);
            let r = db
                .reserve_login_attempt("x3", &limit, 1100, 100)
                .await
                .unwrap();
            assert_eq!(r, Reservation::Refused { until: 1101 }, "{engine}");
            let r = db
                .reserve_login_attempt("x3", &limit, 1101, 101)
                .await
                .unwrap();
            assert_eq!(r, Reservation::Reserved);

            // A pace: two free, then a wait after the latest, doubling.
            let pace = [AttemptRule::Pace {
                scope: "account:b",
                free: 2,
                first_ms: 10,
                max_ms: 25,
            }];
            let mut at = 5000;
            let mut waits = Vec::new();
            for i in 0..6 {
                let attempt = format!("p{i}");
                match db
                    .reserve_login_attempt(&attempt, &pace, at, at - window)
                    .await
                    .unwrap()
                {
                    Reservation::Reserved => waits.push(0),
                    Reservation::Refused { until } => {
                        waits.push(until - at);
                        at = until;
                        let again = db
                            .reserve_login_attempt(&attempt, &pace, at, at - window)
                            .await
                            .unwrap();
                        assert_eq!(again, Reservation::Reserved, "{engine}");
                    }
                }
            }
            assert_eq!(waits, [0, 0, 10, 20, 25, 25], "{engine}");

            // Counted scopes never refuse.
            let count = [AttemptRule::Count { scope: "account:b" }];
            let r = db
                .reserve_login_attempt("c0", &count, at, at - window)
                .await
                .unwrap();
            assert_eq!(r, Reservation::Reserved);

            // A success releases its reservation, clears the pair's earlier
            // failures and remembers the address; other scopes keep theirs.
            crate::harness::account(&db, "u1", "u1@example.com").await;
            assert!(!db
                .signed_in_before("u1@example.com", "10.0.0.9")
                .await
                .unwrap());
            let rules = [
                AttemptRule::Limit {
                    scope: "pair:10.0.0.9/u1@example.com",
                    max: 5,
                },
                AttemptRule::Count {
                    scope: "address:10.0.0.9",
                },
            ];
            for i in 0..3 {
                let r = db
                    .reserve_login_attempt(&format!("s{i}"), &rules, 9000, 0)
                    .await
                    .unwrap();
                assert_eq!(r, Reservation::Reserved);
            }
            db.release_login_attempt("s2", "pair:10.0.0.9/u1@example.com", "u1", "10.0.0.9", 9001)
                .await
                .unwrap();
            assert_eq!(
                db.login_failures_since("pair:10.0.0.9/u1@example.com", 0)
                    .await
                    .unwrap()
                    .0,
                0,
                "{engine}"
            );
            assert_eq!(
                db.login_failures_since("address:10.0.0.9", 0)
                    .await
                    .unwrap()
                    .0,
                2,
                "{engine}: the address keeps its failures, not the success"
            );
            assert!(db
                .signed_in_before("u1@example.com", "10.0.0.9")
                .await
                .unwrap());
            assert!(!db
                .signed_in_before("u1@example.com", "10.0.0.8")
                .await
                .unwrap());
            // Again: the remembered address is refreshed, not duplicated.
            db.release_login_attempt("s9", "pair:10.0.0.9/u1@example.com", "u1", "10.0.0.9", 9002)
                .await
                .unwrap();
            assert!(db
                .signed_in_before("u1@example.com", "10.0.0.9")
                .await
                .unwrap());
            // Forgotten with the account.
            assert!(db.delete_user("u1").await.unwrap());
            assert!(!db
                .signed_in_before("u1@example.com", "10.0.0.9")
                .await
                .unwrap());
        }
    });
}
