//! The fleet's `create_on`: the backends the caller may create machines on
//! from the Machines page (enabled, their provider creates machines, and
//! `create:machine` allowed on their machines), and no other.

use super::*;

/// An enabled DigitalOcean backend `id` with no machines, straight into
/// the store (its address answers nothing: a poll only marks it failing).
async fn enabled_backend(app: &TestApp, id: &str, title: &str) {
    app.services()
        .db
        .insert_backend(&do_backend(id, title, true), &[])
        .await
        .unwrap();
}

/// `create_on`'s ids in the fleet `caller` gets (the master's when `None`).
async fn create_on(app: &TestApp, caller: Option<&str>) -> Vec<String> {
    let page: Value = match caller {
        Some(auth) => {
            let res = app.as_caller(Method::GET, "/machines", auth, None).await;
            assert_eq!(res.status(), 200);
            res.json().await.unwrap()
        }
        None => fleet(app, "").await.0,
    };
    page["create_on"]
        .as_array()
        .unwrap_or_else(|| panic!("{page}"))
        .iter()
        .map(|c| c["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn only_enabled_backends_the_caller_may_create_on_are_offered() {
    on_each_engine(|app, engine| async move {
        seed_backend(&app, "do-a", "Alpha", &[Seed::nth(0)]).await;
        enabled_backend(&app, "do-c", "Gamma").await;
        enabled_backend(&app, "do-b", "beta").await;
        // Disabled Alpha is not offered; the others by title, any case.
        assert_eq!(create_on(&app, None).await, ["do-b", "do-c"], "{engine}");

        let reader = user_with(&app, "reader", &["view:machine"]).await;
        assert!(create_on(&app, Some(&reader)).await.is_empty(), "{engine}");

        let gamma_only = user_with_scope(
            &app,
            "gamma",
            Some(json!({"version": "2017-05-05", "Statement": [
                {"Effect": "Allow", "Action": ["view:machine", "create:machine"], "Resource": ["*"]},
                {"Effect": "Deny", "Action": ["create:machine"], "Resource": ["backend/do-b/machine/*"]}
            ]})),
        )
        .await;
        assert_eq!(create_on(&app, Some(&gamma_only)).await, ["do-c"], "{engine}");
    })
    .await;
}
