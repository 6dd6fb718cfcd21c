//! Each filter, each sort (and descending), the counters (every filter but
//! the state) and the choices (from what is there now).

use std::collections::BTreeMap;

use super::*;

/// 12 machines on Alpha (`web-0000`..`web-0011`), 6 on Beta
/// (`web-0012`..`web-0017`), as [`Seed::nth`] makes them.
async fn small(app: &TestApp) -> Vec<(String, Seed)> {
    let alpha: Vec<Seed> = (0..12).map(Seed::nth).collect();
    let beta: Vec<Seed> = (12..18).map(Seed::nth).collect();
    seed_backend(app, "do-a", "Alpha", &alpha).await;
    seed_backend(app, "do-b", "Beta", &beta).await;
    alpha
        .into_iter()
        .map(|s| ("do-a".to_owned(), s))
        .chain(beta.into_iter().map(|s| ("do-b".to_owned(), s)))
        .collect()
}

/// The names of `all` that `keep` keeps, by name.
fn expected(all: &[(String, Seed)], keep: impl Fn(&str, &Seed) -> bool) -> Vec<String> {
    let mut names: Vec<String> = all
        .iter()
        .filter(|(b, s)| keep(b, s))
        .map(|(_, s)| s.name.clone())
        .collect();
    names.sort();
    names
}

fn counts(page: &Value) -> BTreeMap<String, u64> {
    page["counts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["state"].as_str().unwrap().to_owned(),
                c["count"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[tokio::test]
async fn each_filter_keeps_what_it_says() {
    on_each_engine(|app, engine| async move {
        let all = small(&app).await;
        let cases: Vec<(&str, Vec<String>)> = vec![
            (
                "q=WEB-001",
                expected(&all, |_, s| s.name.starts_with("web-001")),
            ),
            ("q=do-b-m0003", vec!["web-0015".to_owned()]),
            ("q=10.0.0.17", vec!["web-0017".to_owned()]),
            ("backend=do-b", expected(&all, |b, _| b == "do-b")),
            ("state=error", expected(&all, |_, s| s.state == "error")),
            (
                "tag=ENV%3Dprod",
                expected(&all, |_, s| s.tags == ["Env=prod"]),
            ),
            ("tag=env%3Dpro", vec![]),
            ("stack=no-such-stack", vec![]),
            (
                "backend=do-a&state=running&tag=env%3Ddev",
                expected(&all, |b, s| {
                    b == "do-a" && s.state == "running" && s.tags == ["Env=dev"]
                }),
            ),
        ];
        for (query, want) in cases {
            let (page, _) = fleet(&app, &format!("{query}&per_page=500")).await;
            assert_eq!(names(&page), want, "{engine} {query}");
            assert_eq!(page["matched"], want.len() as u64, "{engine} {query}");
            assert_eq!(page["total"], 18, "{engine} {query}");
        }
        // A row carries the columns beyond the summary.
        let (page, _) = fleet(&app, "q=web-0007").await;
        let row = &page["rows"][0];
        assert_eq!(row["size"], "s-2vcpu-2gb", "{engine}");
        assert_eq!(row["image"], "ubuntu-24-04-x64");
        assert_eq!(row["location"], "nyc1");
        assert_eq!(row["first_seen"], 1_700_000_007, "Unix seconds");
        assert_eq!(row["price_hourly"], Value::Null);
        assert_eq!(row["stack"], Value::Null);
        assert_eq!(row["machine"]["tags"], json!(["Env=dev"]));
    })
    .await;
}

#[tokio::test]
async fn every_sort_orders_the_whole_match_and_desc_reverses_it() {
    on_each_engine(|app, engine| async move {
        let all = small(&app).await;
        let by = |key: &dyn Fn(&(String, Seed)) -> String| {
            let mut sorted: Vec<&(String, Seed)> = all.iter().collect();
            sorted.sort_by_key(|e| (key(e), e.1.name.clone()));
            sorted.iter().map(|e| e.1.name.clone()).collect::<Vec<_>>()
        };
        let cases: Vec<(&str, Vec<String>)> = vec![
            ("name", by(&|_| String::new())),
            ("backend", by(&|e| e.0.clone())),
            ("state", by(&|e| e.1.state.to_owned())),
            ("size", by(&|e| e.1.size.to_owned())),
            ("location", by(&|e| e.1.location.to_owned())),
            ("age", by(&|e| format!("{:020}", e.1.seen_at))),
        ];
        for (sort, want) in cases {
            let (page, _) = fleet(&app, &format!("sort={sort}&per_page=500")).await;
            assert_eq!(names(&page), want, "{engine} sort={sort}");
            let (desc, _) = fleet(&app, &format!("sort={sort}&desc=1&per_page=500")).await;
            let mut reversed = want.clone();
            reversed.reverse();
            assert_eq!(names(&desc), reversed, "{engine} sort={sort}&desc=1");
        }
        // Newest first, paged: the first page of age descending.
        let (newest, _) = fleet(&app, "sort=age&desc=1&per_page=2").await;
        assert_eq!(names(&newest), ["web-0017", "web-0016"], "{engine}");
    })
    .await;
}

#[tokio::test]
async fn the_counters_ignore_the_state_filter_and_the_choices_follow_the_live_data() {
    on_each_engine(|app, engine| async move {
        let all = small(&app).await;
        let mut alpha = BTreeMap::new();
        for (_, s) in all.iter().filter(|(b, _)| b == "do-a") {
            *alpha.entry(s.state.to_owned()).or_insert(0u64) += 1;
        }
        for state in ["", "&state=running", "&state=stopped", "&state=terminated"] {
            let (page, _) = fleet(&app, &format!("backend=do-a{state}")).await;
            assert_eq!(counts(&page), alpha, "{engine} {state}");
        }
        let (page, _) = fleet(&app, "").await;
        assert_eq!(
            page["backends"],
            json!([{"id": "do-a", "label": "Alpha"}, {"id": "do-b", "label": "Beta"}]),
            "{engine}"
        );
        assert_eq!(page["stacks"], json!([]));
        // A backend with no machine is no choice; once one appears it is.
        seed_backend(&app, "do-c", "Gamma", &[]).await;
        let (page, _) = fleet(&app, "").await;
        assert_eq!(page["backends"].as_array().unwrap().len(), 2, "{engine}");
        let mut newcomer = Seed::nth(99);
        newcomer.name = "zz-new".into();
        app.services()
            .db
            .upsert_machine(&newcomer.stored("do-c", "do-c-m0000"))
            .await
            .unwrap();
        let (page, _) = fleet(&app, "").await;
        assert_eq!(page["backends"][2], json!({"id": "do-c", "label": "Gamma"}));
        assert_eq!(page["total"], 19);
        // A user who may see only Beta's machines is offered Beta alone,
        // and counts only what they see.
        let beta_only = user_with(&app, "beta", &[]).await;
        let scope = json!({"version": "2017-05-05", "Statement": [
            {"Effect": "Allow", "Action": ["view:machine"], "Resource": ["backend/do-b/*"]}
        ]});
        let res = app
            .api(
                Method::POST,
                "/v3/role",
                Some(json!({"name": "beta-view", "scope": scope})),
            )
            .await;
        assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
        let role: Value = res.json().await.unwrap();
        let res = app
            .api(
                Method::POST,
                "/v3/user/role",
                Some(json!({"username": "beta", "role_id": role["role_id"]})),
            )
            .await;
        assert_eq!(res.status(), 200);
        let res = app
            .as_caller(Method::GET, "/machines?per_page=500", &beta_only, None)
            .await;
        assert_eq!(res.status(), 200, "{engine}");
        let page: Value = res.json().await.unwrap();
        assert_eq!(page["backends"], json!([{"id": "do-b", "label": "Beta"}]));
        assert_eq!(page["total"], 6, "{engine}");
        assert_eq!(names(&page), expected(&all, |b, _| b == "do-b"));
    })
    .await;
}
