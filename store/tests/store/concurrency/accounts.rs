//! Accounts: racing masters and users, passwords, disabling and deletion.

use store::{
    accounts::{Ending, NewAccount, PasswordHash},
    Db, StoreError,
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
