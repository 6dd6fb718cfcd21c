use reqwest::header;

use crate::helpers::*;

/// A site root with a stand-in module, compressible like the real one.
fn site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
    let body = "(module)\n".repeat(4000);
    std::fs::write(dir.path().join("pkg/overcast.wasm"), body).unwrap();
    dir
}

#[tokio::test]
async fn the_module_is_served_with_brotli_or_gzip_and_revalidated_by_etag() {
    let site = site();
    let root = site.path().to_path_buf();
    let app = TestApp::with_settings(|s| s.site_root = root).await;
    let client = app.anonymous_client();
    let url = app.url("/pkg/overcast.wasm");

    for (accept, encoding) in [("br", "br"), ("gzip", "gzip")] {
        let res = client
            .get(&url)
            .header(header::ACCEPT_ENCODING, accept)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(res.headers()[header::CONTENT_ENCODING], encoding);
        let compressed = res.bytes().await.unwrap().len();
        assert!(compressed < 36_000 / 10, "{encoding}: {compressed} bytes");
    }

    let res = client.get(&url).send().await.unwrap();
    let etag = res.headers()[header::ETAG].to_str().unwrap().to_owned();
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-cache");
    let res = client
        .get(&url)
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);

    std::thread::sleep(std::time::Duration::from_millis(20));
    std::fs::write(site.path().join("pkg/overcast.wasm"), "(module) ;; rebuilt").unwrap();
    let res = client
        .get(&url)
        .header(header::IF_NONE_MATCH, &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "a rebuilt module is fetched again");
}

#[tokio::test]
async fn cookies_are_secure_when_the_public_url_is_https() {
    let app =
        TestApp::with_settings(|s| s.public_url = Some("https://overcast.example.com".into()))
            .await;
    let services = app.services();
    service::accounts::create_master(services, MASTER_EMAIL, MASTER_PASSWORD, "test")
        .await
        .unwrap();
    let res = app.sign_in(MASTER_EMAIL, MASTER_PASSWORD).await;
    let cookies: Vec<_> = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    assert_eq!(cookies.len(), 2, "{cookies:?}");
    assert!(cookies.iter().all(|c| c.contains("Secure")), "{cookies:?}");
}
