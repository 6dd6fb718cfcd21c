//! The built site's file names as the page refers to them (server side).
//!
//! A release build names its files by their content (`overcast.<hash>.wasm`,
//! `/vendor/xterm/xterm.<hash>.js`), so a browser may keep them for a year
//! and still never run a stale one. The server reads those names once, at
//! start, from the site root it serves, and provides them as context; the
//! page shell writes them into the document. A site built without hashes
//! (or a test's stand-in) has the plain names.

use std::collections::HashMap;

use leptos::prelude::*;

/// Where the page finds the browser code, the stylesheet and the public
/// files.
#[derive(Debug, Clone)]
pub struct SiteAssets {
    /// `/pkg/overcast.js` or its hashed name.
    pub js: String,
    /// `/pkg/overcast.wasm` or its hashed name.
    pub wasm: String,
    /// `/pkg/overcast.css` or its hashed name.
    pub css: String,
    /// A public file's path (`/terminal.js`) to the address it is served
    /// at (`/terminal.<hash>.js`).
    pub public: HashMap<String, String>,
    /// A build split by route (`--split`): which chunks each lazily loaded
    /// function needs, and the chunk loader's file name under `/pkg`.
    pub split: Option<SplitChunks>,
}

/// The split build's manifest (`__wasm_split_manifest.json`).
#[derive(Debug, Clone, Default)]
pub struct SplitChunks {
    /// A lazily loaded function's id to the chunks (file stems) it needs.
    pub chunks: HashMap<String, Vec<String>>,
    /// The loader script's file name (`__wasm_split.<hash>.js`).
    pub loader: String,
}

impl SplitChunks {
    /// The modules (file stems under `/pkg`) the page at `path` needs: its
    /// page group's (in islands mode its island's group), listed in the
    /// manifest under `<group>_<number>`.
    pub fn chunks_of_path(&self, path: &str) -> Vec<String> {
        #[cfg(feature = "islands")]
        let group = crate::routes::island_group_of_path(path);
        #[cfg(not(feature = "islands"))]
        let group = crate::routes::group_of_path(path);
        let Some(group) = group else {
            return Vec::new();
        };
        self.chunks
            .iter()
            .find(|(key, _)| {
                key.strip_prefix(group)
                    .and_then(|rest| rest.strip_prefix('_'))
                    .is_some_and(|id| !id.is_empty() && id.bytes().all(|b| b.is_ascii_digit()))
            })
            .map(|(_, chunks)| chunks.clone())
            .unwrap_or_default()
    }
}

impl Default for SiteAssets {
    fn default() -> Self {
        Self {
            js: "/pkg/overcast.js".into(),
            wasm: "/pkg/overcast.wasm".into(),
            css: "/pkg/overcast.css".into(),
            public: HashMap::new(),
            split: None,
        }
    }
}

impl SiteAssets {
    /// The address a public file is served at: hashed when the server
    /// knows its content, else the path itself.
    pub fn public_url(&self, path: &str) -> String {
        self.public
            .get(path)
            .cloned()
            .unwrap_or_else(|| path.to_owned())
    }
}

/// The site's names, as the server provided them (plain names if it did
/// not).
pub fn site_assets() -> SiteAssets {
    use_context::<SiteAssets>().unwrap_or_default()
}

/// What the loader does once the module is instantiated: hydrate the page.
#[cfg(not(feature = "islands"))]
const AFTER_LOAD: &str = "m.hydrate()";

/// What the loader does once the module is instantiated, in islands mode:
/// set up the shared context (`hydrate`), then hydrate each island that is
/// not inside another (an island hydrates the islands in its own view),
/// by the function the module exports under the island's `data-component`
/// (a page island's group, `crate::islands`: it returns once the group's
/// module is fetched and the island hydrated), then mark the document as
/// `App` and `PageHydrated` do in the hydrated app.
#[cfg(feature = "islands")]
const AFTER_LOAD: &str = "{ m.hydrate(); \
    const tops = [...document.querySelectorAll('leptos-island')] \
        .filter(el => !el.parentElement.closest('leptos-island')); \
    return Promise.all(tops.map(el => { \
        const hydrate = m[el.dataset.component]; \
        if (!hydrate) throw new Error('no island ' + el.dataset.component); \
        return hydrate(el); \
    })).then(() => ['data-hydrated', 'data-page-hydrated'] \
        .forEach(mark => document.documentElement.setAttribute(mark, ''))); }";

/// The browser code's loader: preloads the module and the WebAssembly,
/// then a module script (carrying the page's CSP nonce) imports the module,
/// instantiates the WebAssembly and hydrates the page. For a split build it
/// also preloads the modules of the page's group (see [`crate::routes`]),
/// so a first visit fetches them beside the entry instead of after it.
#[component]
pub fn Hydration() -> impl IntoView {
    let assets = site_assets();
    let path = use_context::<http::request::Parts>().map(|parts| parts.uri.path().to_owned());
    let (chunks, loader) = match (&assets.split, path) {
        (Some(split), Some(path)) => {
            let chunks = split.chunks_of_path(&path);
            let loader = (!chunks.is_empty()).then(|| format!("/pkg/{}", split.loader));
            (chunks, loader)
        }
        _ => (Vec::new(), None),
    };
    // In islands mode only what an island makes is hydrated: the page's
    // other resources take no hydration ids, so the ids the server gives an
    // island's resources are those its browser code counts.
    #[cfg(all(feature = "islands", feature = "ssr"))]
    if let Some(shared) = Owner::current_shared_context() {
        shared.set_is_hydrating(false);
    }
    let nonce = leptos::nonce::use_nonce();
    let script = format!(
        "import({js:?}).then(m => m.default({{ module_or_path: {wasm:?} }}).then(() => {then}));",
        js = assets.js,
        wasm = assets.wasm,
        then = AFTER_LOAD,
    );
    view! {
        <link rel="modulepreload" href=assets.js.clone() crossorigin=""/>
        <link rel="preload" href=assets.wasm.clone() r#as="fetch" r#type="application/wasm" crossorigin=""/>
        {loader.map(|href| view! { <link rel="modulepreload" href=href crossorigin=""/> })}
        {chunks
            .into_iter()
            .map(|chunk| {
                view! {
                    <link
                        rel="preload"
                        href=format!("/pkg/{chunk}.wasm")
                        r#as="fetch"
                        r#type="application/wasm"
                        crossorigin=""
                    />
                }
            })
            .collect_view()}
        <script type="module" nonce=nonce>{script}</script>
    }
}
