//! Paging at the edges, over 1,000 machines on two backends.

use serde_json::Value;

use super::*;

async fn thousand(app: &TestApp) {
    let seeds: Vec<Seed> = (0..1000).map(Seed::nth).collect();
    let (a, b) = seeds.split_at(600);
    seed_backend(app, "do-a", "Alpha", a).await;
    // The second backend's names follow on from the first's.
    seed_backend(app, "do-b", "Beta", b).await;
}

#[tokio::test]
async fn pages_cover_every_machine_once_and_a_page_past_the_end_is_the_last() {
    on_each_engine(|app, engine| async move {
        thousand(&app).await;
        let (first, _) = fleet(&app, "").await;
        assert_eq!(first["matched"], 1000, "{engine}");
        assert_eq!(first["total"], 1000, "{engine}");
        assert_eq!(first["query"]["page"], 1);
        assert_eq!(first["query"]["per_page"], 50);
        assert_eq!(names(&first)[0], "web-0000", "{engine}");
        assert_eq!(names(&first).len(), 50);

        // Every machine once, in order, over the pages of 300 (the last
        // one short).
        let mut seen = Vec::new();
        for page in 1..=4 {
            let (p, _) = fleet(&app, &format!("per_page=300&page={page}")).await;
            assert_eq!(p["query"]["page"], page, "{engine}");
            seen.extend(names(&p));
        }
        assert_eq!(seen.len(), 1000, "{engine}");
        let expected: Vec<String> = (0..1000).map(|n| format!("web-{n:04}")).collect();
        assert_eq!(seen, expected, "{engine}: every machine once, by name");

        // The last page exactly; past it, the last page again, saying so.
        let (last, _) = fleet(&app, "page=20").await;
        assert_eq!(names(&last).len(), 50);
        assert_eq!(names(&last)[49], "web-0999");
        for past in ["page=21", "page=999999"] {
            let (p, _) = fleet(&app, past).await;
            assert_eq!(p["query"]["page"], 20, "{engine} {past}");
            assert_eq!(names(&p), names(&last), "{engine} {past}");
        }
        // A filter that matches nothing: page 1 of 1, empty.
        let (none, _) = fleet(&app, "q=nothing-like-this&page=3").await;
        assert_eq!(none["matched"], 0);
        assert_eq!(none["query"]["page"], 1);
        assert_eq!(none["rows"], Value::Array(vec![]));

        // per_page is clamped to 1..=500.
        let (big, _) = fleet(&app, "per_page=100000").await;
        assert_eq!(big["query"]["per_page"], 500, "{engine}");
        assert_eq!(names(&big).len(), 500);
        let (one, _) = fleet(&app, "per_page=1&page=1000").await;
        assert_eq!(names(&one), ["web-0999"], "{engine}");
    })
    .await;
}

#[tokio::test]
async fn unreadable_paging_is_a_400_naming_the_field_and_an_unknown_backend_a_404() {
    on_each_engine(|app, engine| async move {
        thousand(&app).await;
        for (query, field) in [
            ("page=0", "page"),
            ("page=abc", "page"),
            ("per_page=-5", "per_page"),
            ("state=sideways", "state"),
            ("sort=colour", "sort"),
            ("desc=maybe", "desc"),
        ] {
            for path in ["/machines", "/backends/do-a/machines"] {
                let res = app.get_json(&format!("{path}?{query}")).await;
                assert_eq!(res.status(), 400, "{engine} {path}?{query}");
                let body: Value = res.json().await.unwrap();
                assert_eq!(body["error"], "invalid_input", "{body}");
                assert_eq!(body["field"], field, "{body}");
                assert!(
                    body["message"].as_str().unwrap().len() > 10,
                    "a plain-language message: {body}"
                );
            }
        }
        for query in ["", "?page=1", "?q=web"] {
            let res = app
                .get_json(&format!("/backends/nope/machines{query}"))
                .await;
            assert_eq!(res.status(), 404, "{engine} {query:?}");
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["error"], "not_found", "{body}");
        }
        // The server function is lenient as the page's address is: what
        // cannot be read takes its default.
        let res = app
            .client
            .get(app.url("/api/machines/fleet?page=abc&per_page=0&state=sideways"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let page: Value = res.json().await.unwrap();
        assert_eq!(page["query"]["page"], 1);
        assert_eq!(page["query"]["per_page"], 1);
        assert_eq!(page["query"]["state"], Value::Null);
        assert_eq!(page["matched"], 1000);
    })
    .await;
}
