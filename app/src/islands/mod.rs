//! Islands mode's page islands, hydrated a group at a time.
//!
//! In islands mode the browser hydrates only a page's islands: the parts
//! that need it (a live table, a form that keeps what was typed). Leptos's
//! `#[island(lazy)]` makes every island a split point of its own; with one
//! per page that made 486 WebAssembly chunks, a page needing 40 to 301 of
//! them (machine page: 693.8 KB brotli), because code shared by different
//! sets of split points goes into a chunk per set, and small chunks
//! compress badly. So the page islands come in a few groups (see
//! [`groups`]), each one split point: a page fetches the entry, its group's
//! module and a few shared chunks.
//!
//! A group is an enum of its islands ([`IslandOf`]), serialized as the
//! island's props. On the server [`page_island`] draws the island inside a
//! `<leptos-island data-component="<group>_islands" data-props=…>`, with
//! hydration on (so its resources get the ids the browser counts). In the
//! browser the entry exports one function per group under that name (the
//! loader in `site.rs` calls it); it fetches the group's module and
//! hydrates the island ([`hydrate`]). In the default build [`page_island`]
//! is the island's view, and nothing else here is used.

pub mod groups;

use leptos::prelude::*;
use serde::{de::DeserializeOwned, Serialize};

/// One island of a group: which, with its props.
pub trait IslandOf: Serialize + DeserializeOwned + Send + 'static {
    /// The group's `data-component`: the name the browser's entry exports
    /// its hydrating function under.
    const COMPONENT: &'static str;

    /// The island's view.
    fn view(self) -> AnyView;
}

/// A page's island `which` (see the module's documentation).
pub fn page_island<W: IslandOf>(which: W) -> impl IntoView {
    #[cfg(all(feature = "islands", feature = "ssr"))]
    {
        use leptos::tachys::{html::islands::Island, reactive_graph::OwnedView};
        let props = serde_json::to_string(&which).unwrap_or_default();
        let view =
            Owner::new().with(|| Owner::with_hydration(move || OwnedView::new(which.view())));
        Island::new(W::COMPONENT, view).with_props(props)
    }
    #[cfg(not(all(feature = "islands", feature = "ssr")))]
    which.view()
}

/// In the browser, islands mode: hydrates the island `el` as the server
/// drew it, if its props name one of `W`.
#[cfg(all(feature = "islands", feature = "hydrate"))]
pub fn hydrate<W: IslandOf>(el: web_sys::HtmlElement) {
    use leptos::tachys::{
        html::islands::Island,
        reactive_graph::OwnedView,
        view::{Position, RenderHtml},
    };
    let props = el.dataset().get("props").unwrap_or_default();
    let which: W = match crate::loaded::from_text(&props) {
        Ok(which) => which,
        Err(e) => {
            leptos::logging::error!("island {}: props not understood: {e}", W::COMPONENT);
            return;
        }
    };
    let view = Owner::new().with(|| Owner::with_hydration(move || OwnedView::new(which.view())));
    let state =
        Island::new(W::COMPONENT, view).hydrate_from_position::<true>(&el, Position::Current);
    // The island lives as long as the page.
    std::mem::forget(state);
}

/// Declares a group's browser side: `$group`, its split point (one lazily
/// loaded function, `<group>_<number>` in the split build's manifest), and
/// the entry's export `$component` that fetches it and hydrates an island of
/// `$which` (a `data-component` of [`IslandOf::COMPONENT`]).
// rustfmt indents the export's attribute further on every run.
#[rustfmt::skip]
macro_rules! island_group {
    ($group:ident, $component:literal, $which:ident) => {
        #[cfg(all(feature = "islands", feature = "hydrate"))]
        #[doc = concat!("The browser side of the `", stringify!($group), "` islands.")]
        pub mod $group {
            #[leptos::lazy]
            fn $group(el: web_sys::HtmlElement) {
                $crate::islands::hydrate::<super::$which>(el)
            }

            /// Fetches the group's module and hydrates the island `el`.
            #[leptos::wasm_bindgen::prelude::wasm_bindgen(
                js_name = $component,
                wasm_bindgen = leptos::wasm_bindgen,
                wasm_bindgen_futures = leptos::__reexports::wasm_bindgen_futures
            )]
            pub async fn hydrate(el: web_sys::HtmlElement) {
                $group(el).await
            }
        }
    };
}
pub(crate) use island_group;
