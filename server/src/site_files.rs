//! The built site's file names, read once at start from the site root.
//!
//! `/pkg`: a build with `hash-files` (cargo-leptos) names the module, the
//! WebAssembly and the stylesheet by their content and writes the hashes
//! to `<site-root>/hash.txt` (lines `js: H`, `wasm: H`, `css: H`). The map
//! lives in the site root, so the binary runs from anywhere with only it.
//!
//! The public files (`favicon.svg`, `terminal.js`, `vendor/…`): their
//! content is hashed here, and each is also served at
//! `/<dir>/<stem>.<hash>.<ext>`, the address the pages use.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

use app::site::{SiteAssets, SplitChunks};
use sha2::{Digest, Sha256};

/// What the pages call the site's files, and where each hashed public
/// address is on disk.
#[derive(Debug, Clone, Default)]
pub struct SiteFiles {
    /// The names the page shell writes.
    pub assets: SiteAssets,
    /// A hashed public address to its file.
    pub hashed_public: HashMap<String, PathBuf>,
}

/// The most public files hashed (a site root pointed at a big directory
/// must not slow the start).
const MAX_PUBLIC_FILES: usize = 200;

impl SiteFiles {
    /// Reads `hash.txt` and hashes the public files of `site_root`; a
    /// missing site (tests, a server-only build) gives the plain names.
    pub fn load(site_root: &Path, output_name: &str) -> Self {
        let mut assets = SiteAssets::default();
        let pkg = |ext: &str, hash: Option<&str>| match hash {
            Some(h) => format!("/pkg/{output_name}.{h}.{ext}"),
            None => format!("/pkg/{output_name}.{ext}"),
        };
        let hashes = read_hash_file(&site_root.join("hash.txt"));
        assets.js = pkg("js", hashes.get("js").map(String::as_str));
        assets.wasm = pkg("wasm", hashes.get("wasm").map(String::as_str));
        assets.css = pkg("css", hashes.get("css").map(String::as_str));
        assets.split = split_chunks(&site_root.join("pkg"), &hashes);

        let mut hashed_public = HashMap::new();
        let mut files = Vec::new();
        public_files(site_root, site_root, &mut files);
        for (path, file) in files.into_iter().take(MAX_PUBLIC_FILES) {
            let Ok(bytes) = std::fs::read(&file) else {
                continue;
            };
            let digest = Sha256::digest(&bytes);
            let hash: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
            let url = hashed_name(&path, &hash);
            assets.public.insert(path, url.clone());
            hashed_public.insert(url, file);
        }
        Self {
            assets,
            hashed_public,
        }
    }
}

/// A split build's manifest and loader name (`manifest: H` and `split: H`
/// in `hash.txt` when hashed), if the site has one.
fn split_chunks(pkg: &Path, hashes: &HashMap<String, String>) -> Option<SplitChunks> {
    let manifest = match hashes.get("manifest") {
        Some(h) => format!("__wasm_split_manifest.{h}.json"),
        None => "__wasm_split_manifest.json".to_owned(),
    };
    let loader = match hashes.get("split") {
        Some(h) => format!("__wasm_split.{h}.js"),
        // cargo-leptos's unhashed name: the placeholder a hash replaces.
        None => format!("__wasm_split.{}.js", "_".repeat(22)),
    };
    let text = std::fs::read_to_string(pkg.join(manifest)).ok()?;
    match serde_json::from_str(&text) {
        Ok(chunks) => Some(SplitChunks { chunks, loader }),
        Err(e) => {
            tracing::warn!(error = %e, "the split build's manifest is unreadable; chunks are not preloaded");
            None
        }
    }
}

/// `js: H` lines to a map (unknown or malformed lines ignored).
fn read_hash_file(path: &Path) -> HashMap<String, String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return HashMap::new();
    };
    text.lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .filter(|(_, v)| {
            !v.is_empty()
                && v.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
        .collect()
}

/// `/vendor/xterm/xterm.js` + `0a1b…` → `/vendor/xterm/xterm.0a1b….js`.
fn hashed_name(path: &str, hash: &str) -> String {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => format!("{dir}/{stem}.{hash}.{ext}"),
        _ => format!("{dir}/{name}.{hash}"),
    }
}

/// Every file under `dir` outside `pkg/` and `hash.txt`, as (`/path`,
/// file), in a stable order; a release build's precompressed copies
/// (`.br`, `.gz`) are served beside their file, not listed.
fn public_files(root: &Path, dir: &Path, out: &mut Vec<(String, PathBuf)>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<_> = entries.filter_map(Result::ok).collect();
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        if out.len() >= MAX_PUBLIC_FILES {
            return;
        }
        let path = entry.path();
        let Ok(rel) = path.strip_prefix(root) else {
            continue;
        };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel == "pkg" || rel == "hash.txt" || rel.starts_with('.') {
            continue;
        }
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            public_files(root, &path, out);
        } else if kind.is_file() && !rel.ends_with(".br") && !rel.ends_with(".gz") {
            out.push((format!("/{rel}"), path));
        }
    }
}

/// Whether a `/pkg` file name carries cargo-leptos's content hash
/// (`name.<22 characters of base64url>.ext`).
pub fn is_hashed_pkg_name(name: &str) -> bool {
    let mut parts = name.rsplit('.');
    let (Some(_ext), Some(hash), Some(_stem)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    hash.len() == 22
        && hash
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_take_the_hash_before_the_extension() {
        assert_eq!(hashed_name("/terminal.js", "ab12"), "/terminal.ab12.js");
        assert_eq!(
            hashed_name("/vendor/xterm/xterm.css", "ff"),
            "/vendor/xterm/xterm.ff.css"
        );
        assert_eq!(hashed_name("/vendor/LICENSE", "01"), "/vendor/LICENSE.01");
    }

    #[test]
    fn only_cargo_leptos_hashes_count_as_hashed_pkg_names() {
        assert!(is_hashed_pkg_name("overcast.Ab-_0123456789abcdefgh.wasm"));
        assert!(!is_hashed_pkg_name("overcast.wasm"));
        assert!(!is_hashed_pkg_name("overcast.short.wasm"));
        assert!(!is_hashed_pkg_name("overcast.Ab+_0123456789abcdefgh.wasm"));
    }

    #[test]
    fn a_site_with_a_hash_file_and_public_files_gets_hashed_names() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("vendor/xterm")).unwrap();
        std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
        std::fs::write(dir.path().join("pkg/overcast.js"), "x").unwrap();
        std::fs::write(dir.path().join("terminal.js"), "one").unwrap();
        std::fs::write(dir.path().join("vendor/xterm/xterm.js"), "two").unwrap();
        std::fs::write(
            dir.path().join("hash.txt"),
            "js: AAAAAAAAAAAAAAAAAAAAAA\nwasm: BBBBBBBBBBBBBBBBBBBBBB\ncss: bad hash!\n",
        )
        .unwrap();
        let files = SiteFiles::load(dir.path(), "overcast");
        assert_eq!(files.assets.js, "/pkg/overcast.AAAAAAAAAAAAAAAAAAAAAA.js");
        assert_eq!(
            files.assets.wasm,
            "/pkg/overcast.BBBBBBBBBBBBBBBBBBBBBB.wasm"
        );
        assert_eq!(
            files.assets.css, "/pkg/overcast.css",
            "a malformed hash is ignored"
        );
        let terminal = files.assets.public_url("/terminal.js");
        assert!(terminal.starts_with("/terminal.") && terminal.ends_with(".js"));
        assert_ne!(terminal, "/terminal.js");
        assert_eq!(
            files.hashed_public[&terminal],
            dir.path().join("terminal.js")
        );
        assert!(files.assets.public.contains_key("/vendor/xterm/xterm.js"));
        assert!(!files
            .assets
            .public
            .keys()
            .any(|k| k.starts_with("/pkg") || k == "/hash.txt"));
    }

    #[test]
    fn a_split_build_names_its_manifest_and_loader() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("pkg")).unwrap();
        std::fs::write(
            dir.path()
                .join("pkg/__wasm_split_manifest.MMMMMMMMMMMMMMMMMMMMMM.json"),
            r#"{"keys_route_view_1": ["split_keys", "chunk_3"]}"#,
        )
        .unwrap();
        std::fs::write(
            dir.path().join("hash.txt"),
            "manifest: MMMMMMMMMMMMMMMMMMMMMM\nsplit: SSSSSSSSSSSSSSSSSSSSSS\n",
        )
        .unwrap();
        let split = SiteFiles::load(dir.path(), "overcast")
            .assets
            .split
            .unwrap();
        assert_eq!(split.loader, "__wasm_split.SSSSSSSSSSSSSSSSSSSSSS.js");
        assert_eq!(split.chunks["keys_route_view_1"], ["split_keys", "chunk_3"]);

        let plain = tempfile::tempdir().unwrap();
        assert!(SiteFiles::load(plain.path(), "overcast")
            .assets
            .split
            .is_none());
    }
}
