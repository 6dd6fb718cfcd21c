use crate::helpers::*;

/// REST routes the product promises so far; each must be in the document.
const PROMISED: [&str; 13] = [
    "/healthz",
    "/readyz",
    "/metrics",
    "/openapi.json",
    "/tokens",
    "/tokens/{id}",
    "/v3/role",
    "/v3/role/{role_id}",
    "/v3/role/templates",
    "/v3/user",
    "/v3/user/{username}",
    "/v3/user/role",
    "/v3/user/{username}/role",
];

#[tokio::test]
async fn the_openapi_document_lists_every_rest_route_and_each_one_exists() {
    let app = TestApp::signed_in().await;
    let res = app.get_json("/openapi.json").await;
    assert_eq!(res.status(), 200);
    let doc: serde_json::Value = res.json().await.unwrap();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    let paths = doc["paths"].as_object().unwrap();
    for p in PROMISED {
        assert!(paths.contains_key(p), "{p} missing from /openapi.json");
    }
    for (path, ops) in paths {
        let concrete = fill_params(path);
        for method in ops.as_object().unwrap().keys() {
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let res = app
                .client
                .request(m, app.url(&concrete))
                .header("X-CSRFToken", app.csrf())
                .header("accept", "application/json")
                .send()
                .await
                .unwrap();
            if res.status() == 404 {
                // A handler's own 404 names what it did not find; the
                // router's fallback does not.
                let body: serde_json::Value = res.json().await.unwrap_or_default();
                assert_eq!(
                    body["error"], "not_found",
                    "{method} {path} is documented but not routed"
                );
            }
        }
    }
}

/// `/tokens/{id}` -> `/tokens/nonexistent`.
fn fill_params(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            if seg.starts_with('{') {
                "nonexistent"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}
