//! The built site's files under `/pkg`: compressed (brotli or gzip, as the
//! browser accepts) and revalidated by ETag, so a rebuilt module is fetched
//! at once and an unchanged one costs a 304.

use std::path::PathBuf;

use axum::{
    extract::{Request, State},
    http::{header, HeaderValue, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    Router,
};
use tower_http::{compression::CompressionLayer, services::ServeDir};

use crate::AppState;

/// The router serving `<site-root>/pkg` at `/pkg`.
pub fn pkg_router(state: &AppState) -> Router<AppState> {
    let dir = state.site_root.join("pkg");
    Router::new()
        .fallback_service(ServeDir::new(dir))
        .layer(middleware::from_fn_with_state(state.clone(), etag))
        .layer(CompressionLayer::new().br(true).gzip(true))
}

/// A weak ETag from the file's length and modification time.
fn etag_of(path: &std::path::Path) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    let modified = meta
        .modified()
        .ok()?
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?;
    Some(format!("W/\"{:x}-{:x}\"", meta.len(), modified.as_nanos()))
}

async fn etag(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let rel: PathBuf = req
        .uri()
        .path()
        .trim_start_matches('/')
        .split('/')
        .filter(|s| !s.is_empty() && *s != "..")
        .collect();
    let tag = etag_of(&state.site_root.join("pkg").join(rel));
    if let Some(tag) = &tag {
        let matches = req
            .headers()
            .get(header::IF_NONE_MATCH)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
        if matches {
            return StatusCode::NOT_MODIFIED.into_response();
        }
    }
    let mut response = next.run(req).await;
    if let Some(tag) = tag.and_then(|t| HeaderValue::from_str(&t).ok()) {
        if response.status().is_success() {
            let headers = response.headers_mut();
            headers.insert(header::ETAG, tag);
            headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        }
    }
    response
}
