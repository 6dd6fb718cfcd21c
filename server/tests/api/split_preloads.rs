//! A split build: each page's `<head>` preloads the modules of its island
//! group (the split build's manifest names them), so a first visit fetches
//! them beside the entry instead of after it.

use crate::helpers::*;

const LOADER: &str = "SSSSSSSSSSSSSSSSSSSSSS";

/// A site as `cargo leptos build --split` leaves it: two island groups
/// sharing one chunk, each with its own module.
fn split_site() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let pkg = dir.path().join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    std::fs::write(pkg.join("overcast.wasm"), "(module)\n".repeat(40)).unwrap();
    std::fs::write(
        dir.path().join("hash.txt"),
        format!("manifest: MMMMMMMMMMMMMMMMMMMMMM\nsplit: {LOADER}\n"),
    )
    .unwrap();
    std::fs::write(
        pkg.join("__wasm_split_manifest.MMMMMMMMMMMMMMMMMMMMMM.json"),
        r#"{
            "inventory_islands_42": ["chunk_1.CCCCCCCCCCCCCCCCCCCCCC", "split_inventory_islands_42.AAAAAAAAAAAAAAAAAAAAAA"],
            "machines_islands_42": ["chunk_1.CCCCCCCCCCCCCCCCCCCCCC", "split_machines_islands_42.FFFFFFFFFFFFFFFFFFFFFF"]
        }"#,
    )
    .unwrap();
    dir
}

/// The `href`s of the page's `<link rel="{rel}">` elements.
fn links(page: &str, rel: &str) -> Vec<String> {
    page.match_indices("<link ")
        .map(|(at, _)| &page[at..at + page[at..].find('>').unwrap()])
        .filter(|tag| tag.contains(&format!("rel=\"{rel}\"")))
        .filter_map(|tag| {
            let start = tag.find("href=\"")? + 6;
            Some(tag[start..start + tag[start..].find('"')?].to_owned())
        })
        .collect()
}

#[tokio::test]
async fn a_page_preloads_its_groups_modules_and_no_others() {
    let site = split_site();
    let root = site.path().to_path_buf();
    let app = TestApp::with_settings(|s| s.site_root = root).await;

    // Signed out: the setup page has no island, so only the entry.
    let page = get_html(&app.anonymous_client(), &app.url("/setup")).await;
    assert_eq!(
        links(&page, "preload"),
        vec!["/pkg/overcast.wasm".to_owned()]
    );
    assert!(links(&page, "modulepreload")
        .iter()
        .all(|l| !l.contains("__wasm_split")));

    // Signed in: the Machines table is in `machines_islands`.
    drop(app);
    let root = site.path().to_path_buf();
    let page = TestApp::signed_in_with(|s| s.site_root = root).await;
    let machines = page.get_page("/machines").await.text().await.unwrap();
    let preloads = links(&machines, "preload");
    assert!(
        links(&machines, "modulepreload").contains(&format!("/pkg/__wasm_split.{LOADER}.js")),
        "{machines:.3000}"
    );
    assert!(
        preloads.contains(&"/pkg/chunk_1.CCCCCCCCCCCCCCCCCCCCCC.wasm".to_owned()),
        "{preloads:?}"
    );
    assert!(
        preloads.contains(&"/pkg/split_machines_islands_42.FFFFFFFFFFFFFFFFFFFFFF.wasm".to_owned()),
        "{preloads:?}"
    );
    assert!(
        !preloads.iter().any(|p| p.contains("inventory_islands")),
        "{preloads:?}"
    );

    // A page without an island (not found) preloads only the entry.
    let missing = page.get_page("/no/such/page").await.text().await.unwrap();
    assert_eq!(
        links(&missing, "preload"),
        vec!["/pkg/overcast.wasm".to_owned()]
    );
    assert!(links(&missing, "modulepreload")
        .iter()
        .all(|l| !l.contains("__wasm_split")));
}
