//! The columns each user shows in the fleet table: saved per user through
//! the REST door and the server function (a plain form of checkboxes too),
//! refused when a name is not a column, and kept whole under 30 writers.

use std::sync::Arc;

use domain::{
    fleet::{COLUMNS, DEFAULT_COLUMNS},
    rbac::{Effect, Policy},
};
use service::{session::Credential, Actor};

use super::*;

const PATH: &str = "/v3/user/preferences/columns";

async fn columns(app: &TestApp, caller: Option<&str>) -> Value {
    let res = match caller {
        Some(auth) => app.as_caller(Method::GET, PATH, auth, None).await,
        None => app.get_json(PATH).await,
    };
    assert_eq!(res.status(), 200);
    res.json::<Value>().await.unwrap()["columns"].clone()
}

#[tokio::test]
async fn a_users_columns_are_saved_by_either_door_and_shown_with_the_fleet() {
    on_each_engine(|app, engine| async move {
        assert_eq!(
            columns(&app, None).await,
            json!(DEFAULT_COLUMNS),
            "{engine}"
        );
        let (page, _) = fleet(&app, "").await;
        assert_eq!(page["columns"], json!(DEFAULT_COLUMNS));

        // REST: saved in the table's order, each once.
        let res = app
            .api(
                Method::PUT,
                PATH,
                Some(json!({"columns": ["tags", "size", "tags"]})),
            )
            .await;
        assert_eq!(res.status(), 200, "{engine}");
        let saved: Value = res.json().await.unwrap();
        assert_eq!(saved, json!({"columns": ["size", "tags"]}));
        assert_eq!(columns(&app, None).await, json!(["size", "tags"]));
        let (page, _) = fleet(&app, "").await;
        assert_eq!(page["columns"], json!(["size", "tags"]), "{engine}");

        // The server function, as the hydrated page posts it.
        let res = app
            .server_fn(
                "machines/columns",
                &[("columns", "price"), ("columns", "image")],
                Some(&app.csrf()),
            )
            .await;
        assert!(res.status().is_success(), "{engine}: {}", res.status());
        assert_eq!(columns(&app, None).await, json!(["image", "price"]));

        // A plain form of checkboxes, without JavaScript: the CSRF token in
        // the form, the browser's Accept and Referer.
        let res = app
            .client
            .post(app.url("/api/machines/columns"))
            .header("accept", "text/html")
            .header("referer", app.url("/machines"))
            .form(&[
                ("csrf_token", app.csrf().as_str()),
                ("columns", "state"),
                ("columns", "address"),
                ("columns", "stack"),
            ])
            .send()
            .await
            .unwrap();
        assert!(
            res.status().is_success() || res.status().is_redirection(),
            "{engine}: {}",
            res.status()
        );
        assert_eq!(
            columns(&app, None).await,
            json!(["state", "address", "stack"])
        );

        // A name that is not a column: a 400 naming it, nothing saved.
        let res = app
            .api(
                Method::PUT,
                PATH,
                Some(json!({"columns": ["size", "colour"]})),
            )
            .await;
        assert_eq!(res.status(), 400, "{engine}");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], "invalid_input");
        assert_eq!(body["field"], "columns");
        let message = body["message"].as_str().unwrap();
        assert!(message.contains("\"colour\" is not a column"), "{message}");
        let res = app
            .server_fn(
                "machines/columns",
                &[("columns", "colour")],
                Some(&app.csrf()),
            )
            .await;
        assert_eq!(res.status(), 400, "{engine}");
        let body = res.text().await.unwrap();
        assert!(body.contains("is not a column"), "{body}");
        assert_eq!(
            columns(&app, None).await,
            json!(["state", "address", "stack"])
        );

        // Per user: another user starts from the default and keeps their own.
        let reader = user_with(&app, "reader", &["view:*"]).await;
        assert_eq!(columns(&app, Some(&reader)).await, json!(DEFAULT_COLUMNS));
        let res = app
            .as_caller(
                Method::PUT,
                PATH,
                &reader,
                Some(json!({"columns": ["price"]})),
            )
            .await;
        assert_eq!(res.status(), 200);
        assert_eq!(columns(&app, Some(&reader)).await, json!(["price"]));
        assert_eq!(
            columns(&app, None).await,
            json!(["state", "address", "stack"])
        );
        // A user who may see no machine has no fleet table to arrange.
        let nobody = user_with(&app, "nobody", &[]).await;
        let res = app
            .as_caller(Method::PUT, PATH, &nobody, Some(json!({"columns": ["x"]})))
            .await;
        assert_eq!(res.status(), 403, "refused before the input is judged");
    })
    .await;
}

/// An actor for `account_id` who may view everything.
fn viewer(account_id: &str) -> Actor {
    Actor {
        account_id: account_id.to_owned(),
        email: format!("{account_id}@example.com"),
        is_master: false,
        address: "127.0.0.1".into(),
        roles: Arc::new(vec![Policy::single(Effect::Allow, &["view:*"], &["*"])]),
        rights_generation: 0,
        token_scope: None,
        via: Credential::Session,
    }
}

#[tokio::test]
async fn thirty_writers_at_once_lose_nothing_and_the_last_write_wins() {
    on_each_engine(|app, engine| async move {
        let services = app.services();
        let hash = store::accounts::PasswordHash("not a real hash".into());
        let mut writers = Vec::new();
        for n in 0..15 {
            let id = format!("writer-{n}");
            services
                .db
                .create_user(
                    store::accounts::NewAccount {
                        id: &id,
                        email: &format!("{id}@example.com"),
                        name: &id,
                        password_hash: &hash,
                        now: 1,
                    },
                    &id,
                )
                .await
                .unwrap();
            // Distinct users, each their own choice.
            writers.push((viewer(&id), vec![COLUMNS[n % COLUMNS.len()].to_owned()]));
        }
        let same = viewer("writer-0");
        for n in 0..15 {
            // One user, fifteen different choices.
            let choice = vec![
                COLUMNS[n % COLUMNS.len()].to_owned(),
                COLUMNS[(n + 4) % COLUMNS.len()].to_owned(),
            ];
            writers.push((same.clone(), choice));
        }
        let written =
            futures_util::future::join_all(writers.iter().map(|(actor, choice)| {
                service::machines::set_fleet_columns(services, actor, choice)
            }))
            .await;
        let written: Vec<Vec<String>> = written.into_iter().map(Result::unwrap).collect();
        assert_eq!(written.len(), 30);
        for n in 1..15 {
            let got = service::machines::fleet_columns(services, &writers[n].0)
                .await
                .unwrap();
            assert_eq!(got, written[n], "{engine}: writer {n}'s choice kept");
        }
        let last = service::machines::fleet_columns(services, &same)
            .await
            .unwrap();
        assert!(
            std::iter::once(&written[0])
                .chain(&written[15..])
                .any(|w| *w == last),
            "{engine}: the same user's choice is one written whole: {last:?}"
        );
        service::machines::set_fleet_columns(services, &same, &["age".to_owned()])
            .await
            .unwrap();
        assert_eq!(
            service::machines::fleet_columns(services, &same)
                .await
                .unwrap(),
            ["age"],
            "{engine}: the last write wins"
        );
    })
    .await;
}
