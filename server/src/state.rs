//! The axum state: the operations, the Leptos options, metrics and the
//! OpenAPI document.

use std::{ops::Deref, path::PathBuf, sync::Arc};

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use service::Services;

use crate::{metrics::Metrics, middleware::page_cache::PageCache, site_files::SiteFiles};

/// Shared by every handler and middleware: one pointer, so the copy each
/// middleware takes of it for every request costs one count.
#[derive(Clone)]
pub struct AppState(Arc<Shared>);

/// What the state holds.
pub struct Shared {
    /// Leptos rendering options.
    pub leptos_options: LeptosOptions,
    /// The operations.
    pub services: Services,
    /// Request counters and latency histograms.
    pub metrics: Arc<Metrics>,
    /// The REST API's OpenAPI document, generated from the handlers.
    pub openapi: Arc<utoipa::openapi::OpenApi>,
    /// Where the built site lives.
    pub site_root: Arc<PathBuf>,
    /// The site's file names (hashed in a release build), read at start.
    pub site_files: Arc<SiteFiles>,
    /// The pages kept rendered for a moment.
    pub page_cache: Arc<PageCache>,
}

impl AppState {
    /// The state holding `shared`.
    pub fn new(shared: Shared) -> Self {
        Self(Arc::new(shared))
    }
}

impl Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}
