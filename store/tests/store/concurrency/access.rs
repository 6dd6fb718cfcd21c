//! Roles and their attachments, API tokens, OAuth clients, password links.

use store::{accounts::PasswordHash, oauth::OAuthClient, tokens::NewApiToken, Db};

use super::{users, Races, N};
use crate::on_each_engine;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn roles_and_user_roles() {
    on_each_engine!(|db: &Db, engine: &str| {
        let mut r = Races::new(db, engine);
        let db = db.clone();
        async move {
            users(&db, 1).await;
            r.run("create_role", |db, i| async move {
                db.create_role(&format!("r{i}"), &format!("role {i}"), "{}", 1)
                    .await
            })
            .await;
            r.check_eq("create_role: roles", db.roles().await.unwrap().len(), N);

            let found = r
                .run("update_role", |db, i| async move {
                    let scope = format!("{{\"n\":{i}}}");
                    db.update_role(&format!("r{i}"), &format!("renamed {i}"), &scope, 2)
                        .await
                })
                .await;
            r.check_all("update_role", &found);
            let roles = db.roles().await.unwrap();
            let renamed = roles.iter().filter(|role| {
                let i = &role.id[1..];
                role.name == format!("renamed {i}") && role.scope == format!("{{\"n\":{i}}}")
            });
            r.check_eq("update_role: roles changed", renamed.count(), N);

            let attach = |name: &'static str| {
                move |db: Db, i: usize| async move {
                    let id = format!("ur-{name}-{i}");
                    db.attach_role(&id, "u0", &format!("r{i}"), 3).await
                }
            };
            r.run("attach_role", attach("1")).await;
            r.check_eq(
                "attach_role: attached",
                db.roles_of("u0").await.unwrap().len(),
                N,
            );

            let found = r
                .run("detach_role", |db, i| async move {
                    db.detach_role("u0", &format!("r{i}")).await
                })
                .await;
            r.check_all("detach_role", &found);
            r.check_eq(
                "detach_role: left",
                db.roles_of("u0").await.unwrap().len(),
                0,
            );

            // Deleting attached roles deletes their attachments too.
            r.run("attach_role (again)", attach("2")).await;
            let found = r
                .run("delete_role", |db, i| async move {
                    db.delete_role(&format!("r{i}")).await
                })
                .await;
            r.check_all("delete_role", &found);
            r.check_eq(
                "delete_role: roles left",
                db.roles().await.unwrap().len(),
                0,
            );
            r.check_eq(
                "delete_role: attachments left",
                db.roles_of("u0").await.unwrap().len(),
                0,
            );
            r.finish();
        }
    });
}

/// Token `t<i>` of `u0`, with this expiry.
async fn create_token(db: Db, i: usize, expires_at: Option<i64>) -> Result<(), store::StoreError> {
    db.create_token(NewApiToken {
        id: &format!("t{i}"),
        account_id: "u0",
        name: &format!("token {i}"),
        token_hash: &format!("hash{i}"),
        scope: None,
        now: 10,
        expires_at,
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tokens() {
    on_each_engine!(|db: &Db, engine: &str| {
        let mut r = Races::new(db, engine);
        let db = db.clone();
        async move {
            users(&db, 1).await;
            r.run("create_token", |db, i| create_token(db, i, None))
                .await;
            r.check_eq(
                "create_token: tokens",
                db.tokens_of("u0").await.unwrap().len(),
                N,
            );

            r.run("touch_token", |db, i| async move {
                db.touch_token(&format!("t{i}"), 100 + i as i64).await
            })
            .await;
            let tokens = db.tokens_of("u0").await.unwrap();
            let touched = tokens
                .iter()
                .filter(|t| t.last_used_at == 100 + t.id[1..].parse::<i64>().unwrap());
            r.check_eq("touch_token: touched", touched.count(), N);

            let found = r
                .run("delete_token", |db, i| async move {
                    db.delete_token("u0", &format!("t{i}")).await
                })
                .await;
            r.check_all("delete_token", &found);
            r.check_eq(
                "delete_token: left",
                db.tokens_of("u0").await.unwrap().len(),
                0,
            );

            // Racing creations within a bound: exactly the bound is stored.
            let stored = r
                .run("create_token_within", |db, i| async move {
                    db.create_token_within(
                        NewApiToken {
                            id: &format!("w{i}"),
                            account_id: "u0",
                            name: "within",
                            token_hash: &format!("within{i}"),
                            scope: None,
                            now: 10,
                            expires_at: None,
                        },
                        10,
                        0,
                    )
                    .await
                })
                .await;
            r.check_eq(
                "create_token_within: stored",
                stored.iter().filter(|s| **s).count(),
                10,
            );
            r.check_eq(
                "create_token_within: tokens",
                db.tokens_of("u0").await.unwrap().len(),
                10,
            );
            for t in db.tokens_of("u0").await.unwrap() {
                db.delete_token("u0", &t.id).await.unwrap();
            }

            r.run("create_token (expiring)", |db, i| {
                create_token(db, i, Some(20))
            })
            .await;
            let removed = r
                .run("delete_stale_tokens", |db, _| async move {
                    db.delete_stale_tokens(30, 0).await
                })
                .await;
            r.check_eq(
                "delete_stale_tokens: removed",
                removed.iter().sum::<u64>(),
                N as u64,
            );
            r.check_eq(
                "delete_stale_tokens: left",
                db.tokens_of("u0").await.unwrap().len(),
                0,
            );
            r.finish();
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn oauth_clients() {
    on_each_engine!(|db: &Db, engine: &str| {
        let mut r = Races::new(db, engine);
        let db = db.clone();
        async move {
            r.run("create_oauth_client", |db, i| async move {
                let client = OAuthClient {
                    client_id: format!("c{i}"),
                    account_id: format!("sa{i}"),
                    name: format!("client {i}"),
                    secret_hash: format!("secret{i}"),
                    created_at: 1,
                };
                let email = format!("oauth-c{i}@clients.invalid");
                db.create_oauth_client(&client, &email, &format!("oauth-c{i}"))
                    .await
            })
            .await;
            let clients = db.oauth_clients().await.unwrap();
            r.check_eq("create_oauth_client: clients", clients.len(), N);
            let accounts = db.accounts().await.unwrap();
            r.check_eq("create_oauth_client: service accounts", accounts.len(), N);

            let found = r
                .run("delete_oauth_client", |db, i| async move {
                    db.delete_oauth_client(&format!("c{i}")).await
                })
                .await;
            r.check_all("delete_oauth_client", &found);
            let clients = db.oauth_clients().await.unwrap();
            r.check_eq("delete_oauth_client: clients left", clients.len(), 0);
            let accounts = db.accounts().await.unwrap();
            r.check_eq("delete_oauth_client: accounts left", accounts.len(), 0);
            r.finish();
        }
    });
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn password_links() {
    on_each_engine!(|db: &Db, engine: &str| {
        let mut r = Races::new(db, engine);
        let db = db.clone();
        async move {
            users(&db, N).await;
            for i in 0..N {
                db.create_token(NewApiToken {
                    id: &format!("t{i}"),
                    account_id: &format!("u{i}"),
                    name: "before the reset",
                    token_hash: &format!("hash{i}"),
                    scope: None,
                    now: 1,
                    expires_at: None,
                })
                .await
                .unwrap();
            }
            r.run("put_password_link", |db, i| async move {
                db.put_password_link(&format!("u{i}"), &format!("link{i}"), 100, 1)
                    .await
            })
            .await;
            let used = r
                .run("use_password_link", |db, i| async move {
                    let hash = PasswordHash(format!("new{i}"));
                    let used = db.use_password_link(&format!("link{i}"), &hash, 50).await?;
                    Ok::<_, store::StoreError>(used == Some(format!("u{i}")))
                })
                .await;
            r.check_all("use_password_link", &used);
            let mut set = 0;
            for i in 0..N {
                let account = db.account_by_id(&format!("u{i}")).await.unwrap();
                set += usize::from(account.is_some_and(|a| a.password_hash.0 == format!("new{i}")));
            }
            r.check_eq("use_password_link: passwords set", set, N);
            let mut tokens_left = 0;
            for i in 0..N {
                tokens_left += db.tokens_of(&format!("u{i}")).await.unwrap().len();
            }
            r.check_eq("use_password_link: tokens revoked", tokens_left, 0);
            r.finish();
        }
    });
}
