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

/// The operations whose handlers read a body: each documents it, as JSON
/// and as a form (`rest::extract::Body` takes both).
const WITH_BODY: [(&str, &str); 30] = [
    ("post", "/tokens"),
    ("post", "/v3/role"),
    ("put", "/v3/role/{role_id}"),
    ("post", "/v3/user/role"),
    ("put", "/v3/user/role/{role_id}"),
    ("delete", "/v3/user/role/{role_id}"),
    ("post", "/v3/user"),
    ("put", "/v3/user/{username}"),
    ("put", "/v3/user/password"),
    ("post", "/v3/access_token"),
    ("post", "/auth"),
    ("post", "/v3/oauth/clients"),
    ("put", "/keys"),
    ("post", "/keys"),
    ("post", "/keys/generate"),
    ("put", "/keys/{key_id}"),
    (
        "put",
        "/backends/{backend_id}/machines/{machine_id}/keys/{key_id}",
    ),
    ("post", "/backends"),
    ("put", "/backends/{backend_id}"),
    ("post", "/backends/{backend_id}"),
    ("post", "/backends/{backend_id}/machines"),
    ("post", "/backends/{backend_id}/machines/{machine_id}"),
    (
        "post",
        "/backends/{backend_id}/machines/{machine_id}/host_key",
    ),
    ("post", "/backends/{backend_id}/machines/{machine_id}/probe"),
    ("put", "/backends/{backend_id}/machines/{machine_id}/tags"),
    (
        "post",
        "/backends/{backend_id}/machines/{machine_id}/metadata",
    ),
    (
        "delete",
        "/backends/{backend_id}/machines/{machine_id}/metadata",
    ),
    ("get", "/backends/{backend_id}/images"),
    ("post", "/backends/{backend_id}/images"),
    (
        "post",
        "/backends/{backend_id}/machines/{machine_id}/scripts",
    ),
];

/// The operations a caller without credentials may call (`/metrics` from
/// loopback only, without a forwarding header).
const PUBLIC: [&str; 5] = [
    "/healthz",
    "/readyz",
    "/metrics",
    "/auth",
    "/v3/access_token",
];

async fn document() -> serde_json::Value {
    let app = TestApp::signed_in().await;
    let res = app.get_json("/openapi.json").await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn every_operation_documents_its_body_its_answers_and_its_security() {
    let doc = document().await;
    let schemes = doc["components"]["securitySchemes"].as_object().unwrap();
    for scheme in [
        "token", "bearer", "oauth2", "basic", "mist_1", "session", "csrf",
    ] {
        assert!(
            schemes.contains_key(scheme),
            "securitySchemes lacks {scheme}"
        );
    }
    assert_eq!(schemes["session"]["name"], "overcast_session");
    assert_eq!(schemes["csrf"]["name"], "X-CSRFToken");
    assert_eq!(schemes["mist_1"]["in"], "header");
    let flows = &schemes["oauth2"]["flows"];
    assert_eq!(flows["password"]["tokenUrl"], "/v3/access_token");
    assert_eq!(flows["clientCredentials"]["tokenUrl"], "/v3/access_token");
    assert!(
        !doc["security"].as_array().unwrap().is_empty(),
        "a global requirement"
    );
    assert!(doc["components"]["schemas"]["ErrorBody"]["properties"]["error"].is_object());

    for (method, path) in WITH_BODY {
        let body = &doc["paths"][path][method]["requestBody"];
        for media in ["application/json", "application/x-www-form-urlencoded"] {
            assert!(
                body["content"][media]["schema"].is_object(),
                "{method} {path} documents no {media} body: {body}"
            );
        }
    }

    let mut operations = 0;
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            operations += 1;
            let what = format!("{method} {path}");
            let public = op["security"].as_array().is_some_and(|s| {
                s.iter()
                    .any(|r| r.as_object().is_some_and(|r| r.is_empty()))
            });
            assert_eq!(public, PUBLIC.contains(&path.as_str()), "{what}: security");
            let responses = op["responses"].as_object().unwrap();
            let success: Vec<&String> = responses
                .keys()
                .filter(|s| s.starts_with('2') || s.as_str() == "101")
                .collect();
            // One success status; an operation with a `dry_run` also
            // answers its plan with 200.
            let dry_run = op["parameters"]
                .as_array()
                .is_some_and(|ps| ps.iter().any(|p| p["name"] == "dry_run"));
            if dry_run {
                assert_eq!(
                    success.len(),
                    2,
                    "{what}: its success and its dry run's 200"
                );
                assert!(
                    success.iter().any(|s| *s == "200"),
                    "{what}: a dry run is 200"
                );
            } else {
                assert_eq!(success.len(), 1, "{what}: one success status");
            }
            // Credentials are judged wherever they are sent.
            for status in ["401", "403", "429"] {
                assert!(responses.contains_key(status), "{what} lacks {status}");
            }
            if op["requestBody"].is_object() {
                for status in ["400", "413"] {
                    assert!(responses.contains_key(status), "{what} lacks {status}");
                }
            }
            for (status, response) in responses {
                let schema = &response["content"]["application/json"]["schema"]["$ref"];
                if status.starts_with('4') || status.starts_with('5') && status != "503" {
                    assert_eq!(
                        schema, "#/components/schemas/ErrorBody",
                        "{what} {status}: the error shape"
                    );
                } else if status.starts_with('2') {
                    assert!(
                        response["content"]
                            .as_object()
                            .is_some_and(|c| !c.is_empty()),
                        "{what} {status}: a documented answer"
                    );
                }
            }
        }
    }
    assert!(operations >= 63, "{operations} operations");
}
