//! The three doors of the fleet table answer alike: `GET /machines`, the
//! server function `machines/fleet`, and the paged backend list with its
//! `X-Total-Count` and `Link`.

use super::*;

async fn fleet_fn(app: &TestApp, query: &str) -> Value {
    let res = app
        .client
        .get(app.url(&format!("/api/machines/fleet?{query}")))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "/api/machines/fleet?{query}");
    res.json().await.unwrap()
}

/// `GET <path>` as the master: status, the array, the paging headers.
async fn backend_list(app: &TestApp, path: &str) -> (Vec<Value>, Option<u64>, String) {
    let res = app.get_json(path).await;
    assert_eq!(res.status(), 200, "{path}");
    let total = res
        .headers()
        .get("x-total-count")
        .map(|v| v.to_str().unwrap().parse().unwrap());
    let link = res
        .headers()
        .get("link")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (res.json().await.unwrap(), total, link)
}

/// The target of the `rel` link in an RFC 8288 `Link` header.
fn link_to(link: &str, rel: &str) -> Option<String> {
    link.split(", ").find_map(|part| {
        let (target, params) = part.split_once(">; ")?;
        (params == format!("rel=\"{rel}\"")).then(|| target.trim_start_matches('<').to_owned())
    })
}

#[tokio::test]
async fn the_three_doors_agree_and_the_links_walk_the_pages() {
    on_each_engine(|app, engine| async move {
        let seeds: Vec<Seed> = (0..300).map(Seed::nth).collect();
        let (a, b) = seeds.split_at(180);
        seed_backend(&app, "do-a", "Alpha", a).await;
        seed_backend(&app, "do-b", "Beta", b).await;

        let query = "state=running&sort=age&desc=1&per_page=20&page=2";
        let (rest, headers) = fleet(&app, &format!("backend=do-a&{query}")).await;
        let server_fn = fleet_fn(&app, &format!("backend=do-a&{query}")).await;
        assert_eq!(rest, server_fn, "{engine}: REST and the server function");
        assert_eq!(rest["matched"], 90, "{engine}: half of Alpha's 180 run");
        assert_eq!(names(&rest).len(), 20);
        assert_eq!(headers["x-total-count"], "90");

        let (list, total, link) =
            backend_list(&app, &format!("/backends/do-a/machines?{query}")).await;
        let machines: Vec<Value> = rest["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["machine"].clone())
            .collect();
        assert_eq!(
            list, machines,
            "{engine}: the backend's page is the same rows"
        );
        assert_eq!(total, Some(90));
        let filters = "state=running&sort=age&desc=1";
        let at = |n: u32| format!("/backends/do-a/machines?{filters}&page={n}&per_page=20");
        assert_eq!(link_to(&link, "first"), Some(at(1)), "{link}");
        assert_eq!(link_to(&link, "prev"), Some(at(1)), "{link}");
        assert_eq!(link_to(&link, "next"), Some(at(3)), "{link}");
        assert_eq!(link_to(&link, "last"), Some(at(5)), "{link}");

        // Following `next` to the end visits every matched machine once.
        let mut seen = Vec::new();
        let mut next = Some(at(1));
        while let Some(path) = next {
            let (page, total, link) = backend_list(&app, &path).await;
            assert_eq!(total, Some(90));
            seen.extend(page.iter().map(|m| m["id"].as_str().unwrap().to_owned()));
            next = link_to(&link, "next");
            assert!(seen.len() <= 90, "{engine}: the links end");
        }
        assert_eq!(seen.len(), 90, "{engine}");
        let unique: std::collections::HashSet<&String> = seen.iter().collect();
        assert_eq!(unique.len(), 90);
        let (all, _) = fleet(&app, &format!("backend=do-a&{filters}&per_page=500")).await;
        let ids: Vec<String> = all["rows"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["machine"]["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(
            seen, ids,
            "{engine}: the pages, in order, are the whole list"
        );

        // No paging parameter: mist.io's whole array, no paging headers.
        let (whole, total, link) = backend_list(&app, "/backends/do-b/machines").await;
        assert_eq!(whole.len(), 120, "{engine}");
        assert_eq!((total, link.as_str()), (None, ""));
        assert!(whole[0]["can_reboot"].is_boolean() && whole[0]["backend"] == "do-b");
        // Unpaged with filters: the whole match, in the order asked.
        let (stopped, total, _) =
            backend_list(&app, "/backends/do-b/machines?state=stopped&desc=1").await;
        assert_eq!(total, None);
        let mut want: Vec<String> = (180..300)
            .filter(|n| n % 4 == 1)
            .map(|n| format!("web-{n:04}"))
            .collect();
        want.reverse();
        let got: Vec<&str> = stopped
            .iter()
            .map(|m| m["name"].as_str().unwrap())
            .collect();
        assert_eq!(got, want, "{engine}");
        // /machines across backends has the same headers.
        let (_, headers) = fleet(&app, "per_page=100").await;
        assert_eq!(headers["x-total-count"], "300");
        let link = headers["link"].to_str().unwrap();
        assert_eq!(
            link_to(link, "last").as_deref(),
            Some("/machines?page=3&per_page=100")
        );
        assert_eq!(link_to(link, "prev"), None, "page 1 has no prev");

        // A browser navigating to /machines still gets the page.
        let res = app.get_page("/machines").await;
        assert_eq!(res.status(), 200);
        let kind = res.headers()["content-type"].to_str().unwrap().to_owned();
        assert!(kind.starts_with("text/html"), "{kind}");
    })
    .await;
}
