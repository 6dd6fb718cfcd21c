//! The axum state: the operations, the Leptos options, metrics and the
//! OpenAPI document.

use std::{path::PathBuf, sync::Arc};

use axum::extract::FromRef;
use leptos::config::LeptosOptions;
use service::Services;

use crate::{metrics::Metrics, middleware::page_cache::PageCache, site_files::SiteFiles};

/// Shared by every handler and middleware.
#[derive(Clone, FromRef)]
pub struct AppState {
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
