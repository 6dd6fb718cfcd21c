//! The unpaged `GET /backends/{b}/machines` is written as it is read, in
//! batches: its bytes are exactly those of serializing the whole list at
//! once (`service::machines::list`), across batch boundaries, with names
//! shared by several machines, for a caller who sees only some machines,
//! for an empty backend and for one of exactly one batch.

use std::sync::Arc;

use domain::rbac::Policy;
use service::{machines::LIST_BATCH, session::Credential, Actor};

use super::*;

/// The body as served to `caller` (the master's session when `None`).
pub(super) async fn served(app: &TestApp, path: &str, caller: Option<&str>) -> String {
    let res = match caller {
        Some(auth) => app.as_caller(Method::GET, path, auth, None).await,
        None => app.get_json(path).await,
    };
    assert_eq!(res.status(), 200, "{path}");
    let kind = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert_eq!(kind, "application/json");
    res.text().await.unwrap()
}

/// What serializing the whole list at once gives `actor`.
pub(super) async fn expected(app: &TestApp, actor: &Actor, backend: &str) -> String {
    let all = service::machines::list(app.services(), actor, Some(backend))
        .await
        .unwrap();
    serde_json::to_string(&all).unwrap()
}

pub(super) fn actor(is_master: bool, roles: Vec<Policy>) -> Actor {
    Actor {
        account_id: "someone".into(),
        email: "someone@example.com".into(),
        is_master,
        address: "127.0.0.1".into(),
        roles: Arc::new(roles),
        rights_generation: 0,
        token_scope: None,
        via: Credential::Session,
    }
}

#[tokio::test]
async fn the_streamed_list_is_the_whole_list_byte_for_byte() {
    on_each_engine(|app, engine| async move {
        let batch = LIST_BATCH as usize;
        // Names repeat in threes, so batches end inside a run of one name.
        let seeds: Vec<Seed> = (0..batch * 2 + 37)
            .map(|n| Seed {
                name: format!("web-{:04}", n / 3),
                ..Seed::nth(n)
            })
            .collect();
        seed_backend(&app, "do-a", "Alpha", &seeds).await;
        seed_backend(&app, "do-b", "Beta", &[]).await;
        let exact: Vec<Seed> = (0..batch).map(Seed::nth).collect();
        seed_backend(&app, "do-c", "Gamma", &exact).await;
        let master = actor(true, Vec::new());
        for backend in ["do-a", "do-b", "do-c"] {
            let path = format!("/backends/{backend}/machines");
            let body = served(&app, &path, None).await;
            assert_eq!(body, expected(&app, &master, backend).await, "{engine}: {backend}");
        }
        let whole: Vec<Value> = serde_json::from_str(&served(&app, "/backends/do-a/machines", None).await).unwrap();
        assert_eq!(whole.len(), seeds.len(), "{engine}");
        assert_eq!(whole[0]["tags"], json!(["Env=prod"]), "{engine}: tags read from extra");
        assert_eq!(served(&app, "/backends/do-b/machines", None).await, "[]");
        // Through the compression layer (which polls a body past its end).
        for encoding in ["br", "gzip"] {
            let res = app
                .client
                .get(app.url("/backends/do-a/machines"))
                .header("accept", "application/json")
                .header("accept-encoding", encoding)
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200, "{engine}");
            assert_eq!(res.headers()["content-encoding"], encoding, "{engine}");
            let bytes = res.bytes().await.unwrap();
            let body = match encoding {
                "br" => crate::compression::unbrotli(&bytes),
                _ => crate::compression::Gunzip::new().feed(&bytes),
            };
            let want = expected(&app, &master, "do-a").await;
            assert_eq!(body, want, "{engine}: {encoding}");
        }

        // A caller who sees only the running machines, and may reboot none.
        let scope = json!({"version": "2017-05-05", "Statement": [
            {"Effect": "Allow", "Action": ["view:machine"], "Resource": ["*"]},
            {"Effect": "Deny", "Action": ["view:machine"], "Resource": ["backend/do-a/machine/do-a-m0001"]},
        ]});
        let caller = user_with_scope(&app, "some", Some(scope.clone())).await;
        let policy = Policy::parse_str(&scope.to_string()).unwrap();
        let some = actor(false, vec![policy]);
        let body = served(&app, "/backends/do-a/machines", Some(&caller)).await;
        assert_eq!(body, expected(&app, &some, "do-a").await, "{engine}: narrowed");
        assert!(!body.contains("\"do-a-m0001\""), "{engine}");
    })
    .await;
}

#[tokio::test]
async fn odd_extras_carry_no_tags_as_before() {
    on_each_engine(|app, engine| async move {
        seed_backend(
            &app,
            "do-a",
            "Alpha",
            &[Seed::nth(0), Seed::nth(1), Seed::nth(2), Seed::nth(3)],
        )
        .await;
        let db = &app.services().db;
        let mut machines = db.machines_of("do-a").await.unwrap();
        let extras = [
            r#"["tags"]"#,
            r#"{"tags": null}"#,
            r#"{"tags": [1]}"#,
            "not json",
        ];
        for (m, extra) in machines.iter_mut().zip(extras) {
            m.extra = extra.into();
        }
        db.replace_machines("do-a", &machines).await.unwrap();
        let body = served(&app, "/backends/do-a/machines", None).await;
        let list: Vec<Value> = serde_json::from_str(&body).unwrap();
        assert_eq!(list.len(), 4, "{engine}");
        assert!(
            list.iter().all(|m| m["tags"] == json!([])),
            "{engine}: {body}"
        );
    })
    .await;
}

#[tokio::test]
async fn the_streamed_list_comes_through_compression_whole() {
    on_each_engine(|app, _| async move {
        let seeds: Vec<Seed> = (0..LIST_BATCH as usize + 5).map(Seed::nth).collect();
        seed_backend(&app, "do-a", "Alpha", &seeds).await;
        seed_backend(&app, "do-b", "Beta", &[]).await;
        let master = actor(true, vec![]);
        for backend in ["do-a", "do-b"] {
            let res = app
                .client
                .get(app.url(&format!("/backends/{backend}/machines")))
                .header(reqwest::header::ACCEPT, "application/json")
                .header(reqwest::header::ACCEPT_ENCODING, "gzip")
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 200);
            assert_eq!(res.headers()[reqwest::header::CONTENT_ENCODING], "gzip");
            let body = crate::compression::Gunzip::new().feed(&res.bytes().await.unwrap());
            assert_eq!(body, expected(&app, &master, backend).await, "{backend}");
        }
    })
    .await;
}
