//! The roles' scopes kept between requests (`service::rights_cache`): a
//! change to what an account may do takes effect on the very next request,
//! whether this instance made it or another one sharing the database did
//! (a second `store::Db` on the same database stands for the other
//! instance: the change reaches this one only through the database), and
//! the rights generation every such change moves survives dozens of
//! writers at once. On SQLite, then on PostgreSQL.

use reqwest::Method;
use serde_json::{json, Value};

use crate::{
    fleet::{on_each_engine_at as on_each_engine, seed_backend, Seed},
    helpers::*,
    users::user_with_scope,
};

fn scope(actions: &[&str]) -> Value {
    json!({"version": "2017-05-05", "Statement": [
        {"Effect": "Allow", "Action": actions, "Resource": ["*"]}
    ]})
}

/// What `GET /backends/do-a/machines` answers `ops`, by Basic credentials
/// and by the cookie session `cookies` holds.
async fn statuses(app: &TestApp, basic: &str, cookies: &reqwest::Client) -> (u16, u16) {
    let by_basic = app
        .as_caller(Method::GET, "/backends/do-a/machines", basic, None)
        .await
        .status()
        .as_u16();
    let by_session = cookies
        .get(app.url("/backends/do-a/machines"))
        .header("accept", "application/json")
        .send()
        .await
        .unwrap()
        .status()
        .as_u16();
    (by_basic, by_session)
}

#[tokio::test]
async fn a_change_of_rights_takes_effect_on_the_very_next_request() {
    on_each_engine(|app, url, engine| async move {
        seed_backend(&app, "do-a", "Alpha", &[Seed::nth(0), Seed::nth(1)]).await;
        let basic = user_with_scope(&app, "ops", Some(scope(&["view:machine"]))).await;
        let (cookies, res) = app.session_of("ops@example.com", MASTER_PASSWORD).await;
        assert!(res.status().is_success() || res.status().is_redirection());
        let db = &app.services().db;
        let role = db
            .roles()
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.name == "ops-role")
            .unwrap();
        let ops = db
            .account_by_email("ops@example.com")
            .await
            .unwrap()
            .unwrap();
        assert_eq!(
            statuses(&app, &basic, &cookies).await,
            (200, 200),
            "{engine}"
        );
        assert_eq!(
            statuses(&app, &basic, &cookies).await,
            (200, 200),
            "{engine}"
        );
        assert!(
            !app.services().rights.is_empty(),
            "{engine}: the roles are kept"
        );

        // Through this instance's REST doors.
        let put = |actions: &'static [&'static str]| {
            let path = format!("/v3/role/{}", role.id);
            let app = &app;
            async move {
                let body = json!({"name": "ops-role", "scope": scope(actions)});
                let res = app.api(Method::PUT, &path, Some(body)).await;
                assert_eq!(res.status(), 200);
            }
        };
        put(&["view:key"]).await;
        assert_eq!(
            statuses(&app, &basic, &cookies).await,
            (403, 403),
            "{engine}: role changed"
        );
        put(&["view:machine"]).await;
        assert_eq!(
            statuses(&app, &basic, &cookies).await,
            (200, 200),
            "{engine}: changed back"
        );
        let path = format!("/v3/user/role/{}", role.id);
        let res = app
            .api(Method::DELETE, &path, Some(json!({"username": "ops"})))
            .await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            statuses(&app, &basic, &cookies).await,
            (403, 403),
            "{engine}: detached"
        );
        let body = json!({"username": "ops", "role_id": role.id});
        let res = app.api(Method::POST, "/v3/user/role", Some(body)).await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            statuses(&app, &basic, &cookies).await,
            (200, 200),
            "{engine}: attached"
        );

        // Through another instance: only the database carries the change.
        let other = store::Db::connect(&url).await.unwrap();
        let now = store::now_ms();
        let denied = scope(&["view:key"]).to_string();
        assert!(other
            .update_role(&role.id, "ops-role", &denied, now)
            .await
            .unwrap());
        assert_eq!(
            statuses(&app, &basic, &cookies).await,
            (403, 403),
            "{engine}: elsewhere"
        );
        let allowed = scope(&["view:machine"]).to_string();
        assert!(other
            .update_role(&role.id, "ops-role", &allowed, now)
            .await
            .unwrap());
        assert_eq!(
            statuses(&app, &basic, &cookies).await,
            (200, 200),
            "{engine}: elsewhere"
        );
        assert!(other.detach_role(&ops.id, &role.id).await.unwrap());
        assert_eq!(
            statuses(&app, &basic, &cookies).await,
            (403, 403),
            "{engine}: elsewhere"
        );
        other
            .attach_role("ur-again", &ops.id, &role.id, now)
            .await
            .unwrap();
        assert_eq!(
            statuses(&app, &basic, &cookies).await,
            (200, 200),
            "{engine}: elsewhere"
        );
        assert!(other.delete_role(&role.id).await.unwrap());
        assert_eq!(
            statuses(&app, &basic, &cookies).await,
            (403, 403),
            "{engine}: deleted"
        );
        assert!(other.set_disabled(&ops.id, true).await.unwrap());
        assert_eq!(
            statuses(&app, &basic, &cookies).await,
            (401, 401),
            "{engine}: disabled"
        );
        other.close().await;
    })
    .await;
}

#[tokio::test]
async fn dozens_of_rights_writers_at_once_each_move_the_generation_once() {
    on_each_engine(|app, _url, engine| async move {
        const WRITERS: usize = 40;
        let db = app.services().db.clone();
        user_with_scope(&app, "crowd", None).await;
        let account = db
            .account_by_email("crowd@example.com")
            .await
            .unwrap()
            .unwrap();
        let now = store::now_ms();
        for i in 0..WRITERS {
            let scope = scope(&["view:machine"]).to_string();
            db.create_role(&format!("r{i}"), &format!("role {i}"), &scope, now)
                .await
                .unwrap();
        }
        let before = db.rights_generation().await.unwrap();
        let attach = (0..WRITERS).map(|i| {
            let (db, account) = (db.clone(), account.id.clone());
            tokio::spawn(async move {
                db.attach_role(&format!("ur{i}"), &account, &format!("r{i}"), now)
                    .await
            })
        });
        for done in futures_util::future::join_all(attach).await {
            done.unwrap().unwrap();
        }
        let attached = db.rights_generation().await.unwrap();
        assert_eq!(
            attached - before,
            WRITERS as i64,
            "{engine}: one move per attachment"
        );
        assert_eq!(db.roles_of(&account.id).await.unwrap().len(), WRITERS);
        let mixed = (0..WRITERS).map(|i| {
            let (db, account) = (db.clone(), account.id.clone());
            tokio::spawn(async move {
                let role = format!("r{i}");
                if i % 2 == 0 {
                    db.detach_role(&account, &role).await.map(|_| ())
                } else {
                    let scope = scope(&["view:key"]).to_string();
                    db.update_role(&role, &format!("role {i}"), &scope, now)
                        .await
                        .map(|_| ())
                }
            })
        });
        for done in futures_util::future::join_all(mixed).await {
            done.unwrap().unwrap();
        }
        let after = db.rights_generation().await.unwrap();
        assert_eq!(
            after - attached,
            WRITERS as i64,
            "{engine}: one move per change"
        );
        assert_eq!(db.roles_of(&account.id).await.unwrap().len(), WRITERS / 2);
    })
    .await;
}
