use crate::helpers::*;

#[tokio::test]
async fn health_and_readiness_answer_without_credentials() {
    let app = TestApp::new().await;
    let res = app
        .anonymous_client()
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = app
        .anonymous_client()
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["status"], "ready");
}

#[tokio::test]
async fn readiness_fails_when_the_database_is_gone() {
    let app = TestApp::new().await;
    app.services().db.close().await;
    let res = app
        .anonymous_client()
        .get(app.url("/readyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 503);
}

#[tokio::test]
async fn metrics_count_requests_by_route_and_status_for_a_loopback_scraper() {
    let app = TestApp::new().await;
    app.anonymous_client()
        .get(app.url("/healthz"))
        .send()
        .await
        .unwrap();
    let res = app
        .anonymous_client()
        .get(app.url("/metrics"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(
        text.contains(
            "overcast_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 1"
        ),
        "{text}"
    );
    assert!(text.contains("overcast_http_request_duration_seconds_bucket{route=\"/healthz\""));
    assert!(text.contains("overcast_db_pool_max_connections"));
}

#[tokio::test]
async fn unknown_pages_answer_404_with_a_page() {
    let app = TestApp::signed_in().await;
    let res = app.get_page("/no/such/page").await;
    assert_eq!(res.status(), 404);
    assert!(res.text().await.unwrap().contains("Not found"));
}

#[tokio::test]
async fn metrics_relayed_by_a_local_proxy_need_the_master() {
    let app = TestApp::signed_in().await;
    let anon = app.anonymous_client();
    for header in ["x-forwarded-for", "forwarded"] {
        let res = anon
            .get(app.url("/metrics"))
            .header(header, "203.0.113.9")
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 401, "{header}");
    }
    let res = app
        .client
        .get(app.url("/metrics"))
        .header("x-forwarded-for", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the master may read them from anywhere");
}

#[tokio::test]
async fn metrics_relayed_by_a_proxy_saying_x_real_ip_need_the_master() {
    let app = TestApp::signed_in().await;
    let res = app
        .anonymous_client()
        .get(app.url("/metrics"))
        .header("x-real-ip", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(
        res.status(),
        401,
        "nginx's X-Real-IP is a forwarding header too"
    );
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "unauthenticated");
    let res = app
        .client
        .get(app.url("/metrics"))
        .header("x-real-ip", "203.0.113.9")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "the master may read them from anywhere");
}

/// The data directory is this user's alone (0700), and so are the database
/// (and its write-ahead log) and the secret key (0600), whatever the umask.
#[cfg(unix)]
#[tokio::test]
async fn the_data_directory_and_its_files_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let app = TestApp::signed_in().await;
    let dir = app.data_dir();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&dir), 0o700, "{}", dir.display());
    let mut files = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            files += 1;
            assert_eq!(mode(&path), 0o600, "{}", path.display());
        }
    }
    assert!(files >= 2, "the database and the secret key are there");
}
