//! Accounts, sessions, sign-in throttling and the audit log.

use std::collections::HashMap;

use store::{
    accounts::{Ending, NewAccount, PasswordHash},
    audit::AuditEntry,
    sessions::DbSessionStore,
    throttle::{AttemptRule, Reservation},
    Db, StoreError,
};
use tower_sessions::{
    session::{Id, Record},
    SessionStore,
};

use super::{Races, N};
use crate::on_each_engine;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn accounts() {
    on_each_engine!(|db: &Db, engine: &str| {
        let mut r = Races::new(db, engine);
        let db = db.clone();
        async move {
            // Racing masters: one wins, the others are told it exists.
            let won = r
                .run("create_master", |db, i| async move {
                    let new = NewAccount {
                        id: &format!("m{i}"),
                        email: &format!("m{i}@example.com"),
                        name: "",
                        password_hash: &PasswordHash("h".into()),
                        now: 1,
                    };
                    match db.create_master(new).await {
                        Ok(()) => Ok(true),
                        Err(StoreError::Conflict(_)) => Ok(false),
                        Err(e) => Err(e),
                    }
                })
                .await;
            r.check_eq(
                "create_master: winners",
                won.iter().filter(|w| **w).count(),
                1,
            );
            let masters = db.accounts().await.unwrap();
            r.check_eq("create_master: masters stored", masters.len(), 1);

            r.run("create_user", |db, i| async move {
                let new = NewAccount {
                    id: &format!("u{i}"),
                    email: &format!("user{i}@example.com"),
                    name: "",
                    password_hash: &PasswordHash("h".into()),
                    now: 1,
                };
                db.create_user(new, &format!("user{i}")).await
            })
            .await;
            let accounts = db.accounts().await.unwrap();
            r.check_eq("create_user: accounts", accounts.len(), N + 1);

            for i in 0..N {
                token_of(&db, &format!("u{i}"), &format!("pw{i}")).await;
            }
            let set = r
                .run("set_password", |db, i| async move {
                    let hash = PasswordHash(format!("h{i}"));
                    let ending = Ending {
                        keep_session: None,
                        revoke_tokens: true,
                    };
                    let ended = db.set_password(&format!("u{i}"), &hash, ending).await?;
                    Ok::<_, StoreError>(ended.is_some_and(|e| e.tokens == 1))
                })
                .await;
            r.check_all("set_password", &set);
            let mut right = 0;
            for i in 0..N {
                let a = db.account_by_id(&format!("u{i}")).await.unwrap();
                right += usize::from(a.is_some_and(|a| a.password_hash.0 == format!("h{i}")));
            }
            r.check_eq("set_password: hashes stored", right, N);

            for i in 0..N {
                token_of(&db, &format!("u{i}"), &format!("dis{i}")).await;
            }
            let set = r
                .run("set_disabled", |db, i| async move {
                    db.set_disabled(&format!("u{i}"), true).await
                })
                .await;
            r.check_all("set_disabled", &set);
            let disabled = db.accounts().await.unwrap();
            let disabled = disabled.iter().filter(|a| a.disabled).count();
            r.check_eq("set_disabled: disabled accounts", disabled, N);
            let mut tokens_left = 0;
            for i in 0..N {
                tokens_left += db.tokens_of(&format!("u{i}")).await.unwrap().len();
            }
            r.check_eq("set_disabled: tokens revoked", tokens_left, 0);

            let gone = r
                .run("delete_user", |db, i| async move {
                    db.delete_user(&format!("u{i}")).await
                })
                .await;
            r.check_all("delete_user", &gone);
            let left = db.accounts().await.unwrap();
            r.check_eq("delete_user: accounts left", left.len(), 1);
            r.finish();
        }
    });
}

/// A token of `account`, id and hash `id`.
async fn token_of(db: &Db, account: &str, id: &str) {
    db.create_token(store::tokens::NewApiToken {
        id,
        account_id: account,
        name: id,
        token_hash: id,
        scope: None,
        now: 1,
        expires_at: None,
    })
    .await
    .unwrap();
}

fn record(account: &str, expiry: time::OffsetDateTime) -> Record {
    let data = HashMap::from([("account_id".to_owned(), serde_json::json!(account))]);
    Record {
        id: Id::default(),
        data,
        expiry_date: expiry,
    }
}

fn in_an_hour() -> time::OffsetDateTime {
    time::OffsetDateTime::now_utc() + time::Duration::hours(1)
}

/// The sessions of `ids` that load, by index.
async fn load(db: &Db, ids: &[Id]) -> Vec<Option<Record>> {
    let store = DbSessionStore::new(db.clone());
    let mut records = Vec::new();
    for id in ids {
        records.push(store.load(id).await.unwrap());
    }
    records
}

fn found(records: &[Option<Record>]) -> usize {
    records.iter().flatten().count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn sessions() {
    on_each_engine!(|db: &Db, engine: &str| {
        let mut r = Races::new(db, engine);
        let db = db.clone();
        async move {
            let created = r
                .run("SessionStore::create", |db, i| async move {
                    let mut rec = record(&format!("a{i}"), in_an_hour());
                    DbSessionStore::new(db)
                        .create(&mut rec)
                        .await
                        .map(|()| rec.id)
                })
                .await;
            r.check_eq(
                "create: sessions loaded",
                found(&load(&db, &created).await),
                N,
            );

            // Saving existing sessions updates them.
            r.run("SessionStore::save (update)", |db, i| {
                let mut rec = record(&format!("a{i}"), in_an_hour());
                rec.id = created.get(i).copied().unwrap_or_default();
                rec.data.insert("n".into(), serde_json::json!(i));
                async move { DbSessionStore::new(db).save(&rec).await }
            })
            .await;
            let updated = load(&db, &created).await;
            let updated = updated.iter().enumerate().filter(|(i, rec)| {
                rec.as_ref().and_then(|rec| rec.data.get("n")) == Some(&serde_json::json!(i))
            });
            r.check_eq("save (update): sessions updated", updated.count(), N);

            // Saving unknown sessions inserts them.
            let saved = r
                .run("SessionStore::save (insert)", |db, i| async move {
                    let rec = record(&format!("b{i}"), in_an_hour());
                    DbSessionStore::new(db).save(&rec).await.map(|()| rec.id)
                })
                .await;
            r.check_eq(
                "save (insert): sessions loaded",
                found(&load(&db, &saved).await),
                N,
            );

            r.run("SessionStore::delete", |db, i| {
                let id = created.get(i).copied().unwrap_or_default();
                async move { DbSessionStore::new(db).delete(&id).await }
            })
            .await;
            r.check_eq(
                "delete: sessions left",
                found(&load(&db, &created).await),
                0,
            );

            let ended = r
                .run("delete_sessions_of", |db, i| async move {
                    db.delete_sessions_of(&format!("b{i}")).await
                })
                .await;
            r.check_eq(
                "delete_sessions_of: deleted",
                ended.iter().sum::<u64>(),
                N as u64,
            );
            r.check_eq(
                "delete_sessions_of: left",
                found(&load(&db, &saved).await),
                0,
            );

            let past = time::OffsetDateTime::now_utc() - time::Duration::minutes(1);
            r.run("SessionStore::create (expired)", |db, i| async move {
                let mut rec = record(&format!("c{i}"), past);
                DbSessionStore::new(db).create(&mut rec).await
            })
            .await;
            let now = store::now_ms();
            let removed = r
                .run("delete_expired_sessions", |db, _| async move {
                    db.delete_expired_sessions(now).await
                })
                .await;
            r.check_eq(
                "delete_expired_sessions: removed",
                removed.iter().sum::<u64>(),
                N as u64,
            );
            r.check_eq(
                "delete_expired_sessions: left",
                db.delete_expired_sessions(now).await.unwrap(),
                0,
            );
            r.finish();
        }
    });
}

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
