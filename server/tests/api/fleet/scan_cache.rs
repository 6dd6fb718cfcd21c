//! The fleet's pass over the machines is kept per caller's rights and query
//! (`service::machines::scan_cache`) and never outlives a change: every
//! write to the machines, made here or by another instance sharing the
//! database (a second `store::Db` stands for it), a rename of a backend
//! and a change of the caller's role are in the very next page, read with
//! the same query. On SQLite, then on PostgreSQL.

use reqwest::Method;
use serde_json::json;

use super::*;

/// `GET /machines?<query>` as `who` (their Basic credentials).
async fn page_as(app: &TestApp, query: &str, who: &str) -> Value {
    let path = format!("/machines?{query}");
    let res = app.as_caller(Method::GET, &path, who, None).await;
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.unwrap()
}

#[tokio::test]
async fn a_kept_pass_follows_every_change_wherever_it_is_made() {
    on_each_engine_at(|app, url, engine| async move {
        let seeds: Vec<Seed> = (0..6).map(Seed::nth).collect();
        seed_backend(&app, "do-a", "Alpha", &seeds[..3]).await;
        seed_backend(&app, "do-b", "Beta", &seeds[3..]).await;
        let kept = || app.services().fleet_scans.len();
        assert_eq!(kept(), 0, "{engine}");
        let first = fleet(&app, "per_page=2").await.0;
        assert_eq!(names(&first), ["web-0000", "web-0001"], "{engine}");
        assert_eq!(kept(), 1, "{engine}: the pass is kept");
        let again = fleet(&app, "per_page=2").await.0;
        assert_eq!(again, first, "{engine}: the kept pass answers alike");
        assert_eq!(kept(), 1, "{engine}");
        // The other direction reads the same pass from its end.
        let desc = fleet(&app, "per_page=2&desc=1").await.0;
        assert_eq!(names(&desc), ["web-0005", "web-0004"], "{engine}");

        let terminated = |p: &Value| {
            p["counts"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["state"] == "terminated")
                .map(|c| c["count"].clone())
        };
        assert_eq!(terminated(&first), None, "{engine}");
        let other = store::Db::connect(&url).await.unwrap();
        other
            .set_machine_state("do-a", "do-a-m0001", "terminated")
            .await
            .unwrap();
        let p = fleet(&app, "per_page=2").await.0;
        assert_eq!(terminated(&p), Some(json!(1)), "{engine}: set elsewhere");
        let mut new = other.machines_of("do-b").await.unwrap().remove(0);
        new.id = "do-b-new".into();
        new.name = "aa-new".into();
        other.upsert_machine(&new).await.unwrap();
        let p = fleet(&app, "per_page=2").await.0;
        assert_eq!(names(&p), ["aa-new", "web-0000"], "{engine}: added elsewhere");
        assert_eq!(p["matched"], 7, "{engine}");
        assert!(other.delete_machine("do-a", "do-a-m0000").await.unwrap());
        let p = fleet(&app, "per_page=2").await.0;
        assert_eq!(names(&p), ["aa-new", "web-0001"], "{engine}: removed elsewhere");

        // Sorted by backend: a rename elsewhere reorders the page.
        let by_backend = |p: &Value| p["rows"][0]["machine"]["backend"].clone();
        let p = fleet(&app, "per_page=1&sort=backend").await.0;
        assert_eq!(by_backend(&p), "do-a", "{engine}");
        assert!(other.rename_backend("do-a", "Zulu").await.unwrap());
        let p = fleet(&app, "per_page=1&sort=backend").await.0;
        assert_eq!(by_backend(&p), "do-b", "{engine}: a rename elsewhere");

        // Per caller's rights: one who may not see web-0002 never gets the
        // master's pass, and sees it once their role allows it.
        let hidden = json!({"version": "2017-05-05", "Statement": [
            {"Effect": "Allow", "Action": ["view:machine"], "Resource": ["*"]},
            {"Effect": "Deny", "Action": ["view:machine"], "Resource": ["backend/do-a/machine/do-a-m0002"]},
        ]});
        let some = user_with_scope(&app, "some", Some(hidden)).await;
        fleet(&app, "per_page=50").await;
        for _ in 0..2 {
            let p = page_as(&app, "per_page=50", &some).await;
            assert!(!names(&p).contains(&"web-0002".to_owned()), "{engine}: {p}");
            assert_eq!(p["total"], 5, "{engine}");
        }
        let account = other.account_by_email("some@example.com").await.unwrap().unwrap();
        let role = other.roles_of(&account.id).await.unwrap().remove(0);
        let all = json!({"version": "2017-05-05", "Statement": [
            {"Effect": "Allow", "Action": ["view:machine"], "Resource": ["*"]},
        ]});
        assert!(other
            .update_role(&role.id, &role.name, &all.to_string(), store::now_ms())
            .await
            .unwrap());
        let p = page_as(&app, "per_page=50", &some).await;
        assert!(names(&p).contains(&"web-0002".to_owned()), "{engine}: {p}");
    })
    .await;
}

#[tokio::test]
async fn dozens_of_writers_beside_readers_leave_the_page_as_it_stands() {
    on_each_engine(|app, engine| async move {
        let seeds: Vec<Seed> = (0..30).map(Seed::nth).collect();
        seed_backend(&app, "do-a", "Alpha", &seeds).await;
        let db = app.services().db.clone();
        let writers = (0..30).map(|n| {
            let db = db.clone();
            tokio::spawn(async move {
                let id = format!("do-a-m{n:04}");
                db.set_machine_state("do-a", &id, "stopped").await.unwrap();
            })
        });
        let readers = (0..10).map(|_| {
            let client = app.client.clone();
            let url = app.url("/machines?state=running");
            tokio::spawn(async move {
                let res = client
                    .get(url)
                    .header("accept", "application/json")
                    .send()
                    .await;
                assert_eq!(res.unwrap().status(), 200);
            })
        });
        let all: Vec<_> = writers.chain(readers).collect();
        for task in all {
            task.await.unwrap();
        }
        let p = fleet(&app, "state=running").await.0;
        assert_eq!(p["matched"], 0, "{engine}: {p}");
        assert_eq!(
            p["counts"],
            json!([{"state": "stopped", "count": 30}]),
            "{engine}"
        );
    })
    .await;
}
