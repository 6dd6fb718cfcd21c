//! The WebAssembly entry point: take over the server-rendered page.
// The size-optimised release build lays out the deepest view types (the
// New stack form) past the default query depth of 128.
#![recursion_limit = "256"]

use wasm_bindgen::prelude::wasm_bindgen;
// In islands mode the app crate's islands are this module's exports.
#[cfg(feature = "islands")]
use app as _;

/// Called by the hydration script once the module is loaded.
#[wasm_bindgen]
pub fn hydrate() {
    // Panic messages in the console; the release build stops at a panic
    // without one (`panic = "immediate-abort"`), so no hook could run.
    #[cfg(not(panic = "immediate-abort"))]
    console_error_panic_hook::set_once();
    #[cfg(not(feature = "islands"))]
    leptos::mount::hydrate_lazy(app::App);
    // The page's islands are hydrated by the loader (`app::site::Hydration`)
    // once this has set up the shared context.
    #[cfg(feature = "islands")]
    leptos::mount::hydrate_islands();
}
