use crate::helpers::*;

/// REST routes the product promises so far; each must be in the document.
const PROMISED: [&str; 4] = ["/healthz", "/readyz", "/metrics", "/openapi.json"];

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
        for method in ops.as_object().unwrap().keys() {
            let m = reqwest::Method::from_bytes(method.to_uppercase().as_bytes()).unwrap();
            let res = app
                .client
                .request(m, app.url(path))
                .header("X-CSRFToken", app.csrf())
                .send()
                .await
                .unwrap();
            assert_ne!(
                res.status(),
                404,
                "{method} {path} is documented but not routed"
            );
        }
    }
}
