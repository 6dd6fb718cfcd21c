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

/// A site as a release build leaves it: hashed `/pkg` names and their map,
/// public files, and a precompressed copy.
fn hashed_site() -> tempfile::TempDir {
    let dir = site();
    let pkg = dir.path().join("pkg");
    let js = "AAAAAAAAAAAAAAAAAAAAAA";
    let wasm = "BBBBBBBBBBBBBBBBBBBBBB";
    std::fs::write(pkg.join(format!("overcast.{js}.js")), "export default 1;").unwrap();
    std::fs::write(
        pkg.join(format!("overcast.{wasm}.wasm")),
        "(module)\n".repeat(400),
    )
    .unwrap();
    std::fs::write(
        pkg.join(format!("overcast.{wasm}.wasm.br")),
        "precompressed",
    )
    .unwrap();
    std::fs::write(
        dir.path().join("hash.txt"),
        format!("js: {js}\nwasm: {wasm}\n"),
    )
    .unwrap();
    std::fs::create_dir_all(dir.path().join("vendor/xterm")).unwrap();
    std::fs::write(
        dir.path().join("vendor/xterm/xterm.js"),
        "var Terminal;".repeat(50),
    )
    .unwrap();
    std::fs::write(dir.path().join("terminal.js"), "(function(){})();").unwrap();
    dir
}

#[tokio::test]
async fn hashed_files_are_cached_for_a_year_and_pages_name_them() {
    let site = hashed_site();
    let root = site.path().to_path_buf();
    let app = TestApp::with_settings(|s| s.site_root = root).await;
    let anonymous = app.anonymous_client();

    // A new installation's first page.
    let page = get_html(&anonymous, &app.url("/setup")).await;
    let wasm = "/pkg/overcast.BBBBBBBBBBBBBBBBBBBBBB.wasm";
    assert!(
        page.contains(&format!("module_or_path: \"{wasm}\"")),
        "{page:.2000}"
    );
    assert!(page.contains("import(\"/pkg/overcast.AAAAAAAAAAAAAAAAAAAAAA.js\")"));
    let attr = |name: &str| {
        let start = page.find(&format!("{name}=\"")).unwrap() + name.len() + 2;
        page[start..start + page[start..].find('"').unwrap()].to_owned()
    };
    let terminal = attr("<script src");
    let xterm = attr("data-xterm");
    assert!(
        terminal.starts_with("/terminal.") && terminal != "/terminal.js",
        "{terminal}"
    );
    assert!(
        xterm.starts_with("/vendor/xterm/xterm.") && xterm.ends_with(".js"),
        "{xterm}"
    );

    // Hashed names: a year, immutable, no session needed.
    for url in [wasm, terminal.as_str(), xterm.as_str()] {
        let res = anonymous.get(app.url(url)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{url}");
        assert_eq!(
            res.headers()[header::CACHE_CONTROL],
            "public, max-age=31536000, immutable",
            "{url}"
        );
    }
    let res = anonymous.get(app.url(&xterm)).send().await.unwrap();
    assert_eq!(res.text().await.unwrap(), "var Terminal;".repeat(50));

    // The precompressed copy is sent as it is to a client taking brotli.
    let res = anonymous
        .get(app.url(wasm))
        .header(header::ACCEPT_ENCODING, "br")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()[header::CONTENT_ENCODING], "br");
    assert_eq!(res.text().await.unwrap(), "precompressed");

    // A stale hash is not served, and a plain name is still revalidated.
    let res = anonymous
        .get(app.url("/terminal.0123456789abcdef.js"))
        .send()
        .await
        .unwrap();
    assert_ne!(res.status(), 200);
    let res = anonymous
        .get(app.url("/pkg/overcast.wasm"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()[header::CACHE_CONTROL], "no-cache");
}
