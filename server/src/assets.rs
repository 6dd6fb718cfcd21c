//! The built site's files, and compression for every text response.
//!
//! A file whose name carries its content's hash (`/pkg` after a
//! `hash-files` build, the hashed public addresses of [`SiteFiles`]) is
//! cached for a year, `immutable`: a second visit fetches nothing. Any
//! other `/pkg` file is revalidated by ETag, so a rebuilt module is fetched
//! at once and an unchanged one costs a 304.
//!
//! [`SiteFiles`]: crate::site_files::SiteFiles

use std::path::PathBuf;

use axum::{
    extract::{Request, State},
    http::{header, HeaderValue, StatusCode},
    middleware::{self, Next},
    response::{IntoResponse, Response},
    Router,
};
use tower::ServiceExt;
use tower_http::{
    compression::{predicate::SizeAbove, CompressionLayer, Predicate},
    services::{ServeDir, ServeFile},
};

use crate::{site_files::is_hashed_pkg_name, AppState};

/// How a content-hashed file is cached.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// Brotli or gzip, as the client's `Accept-Encoding` prefers, for every
/// text response over 256 bytes (pages, server functions, REST JSON,
/// `/events`, the site's scripts and WebAssembly). A streamed body has no
/// known size and is compressed as it goes: each chunk is flushed when the
/// stream waits for the next (async-compression 0.4.40 and later), so
/// streamed output still arrives line by line. Brotli at quality 4, as
/// nginx defaults to: fast enough per request.
pub fn compression() -> CompressionLayer<impl Predicate> {
    CompressionLayer::new()
        .br(true)
        .gzip(true)
        .compress_when(SizeAbove::new(256).and(is_text))
}

/// Whether a response's type is worth compressing.
fn is_text(
    _: http::StatusCode,
    _: http::Version,
    headers: &http::HeaderMap,
    _: &http::Extensions,
) -> bool {
    let Some(kind) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let kind = kind.split(';').next().unwrap_or("").trim();
    kind.starts_with("text/")
        || kind.ends_with("+json")
        || kind.ends_with("+xml")
        || matches!(
            kind,
            "application/json"
                | "application/javascript"
                | "application/wasm"
                | "application/xml"
                | "application/x-www-form-urlencoded"
                | "image/svg+xml"
        )
}

/// Answers a hashed public address (`/terminal.<hash>.js`) with its file,
/// cached for a year; anything else goes on.
pub async fn hashed_public(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(file) = state
        .site_files
        .hashed_public
        .get(req.uri().path())
        .cloned()
    else {
        return next.run(req).await;
    };
    if !matches!(*req.method(), http::Method::GET | http::Method::HEAD) {
        return next.run(req).await;
    }
    let file = ServeFile::new(file).precompressed_br().precompressed_gzip();
    match file.oneshot(req).await {
        Ok(response) => {
            let mut response = response.into_response();
            if response.status().is_success() {
                response
                    .headers_mut()
                    .insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
            }
            response
        }
        Err(never) => match never {},
    }
}

/// The router serving `<site-root>/pkg` at `/pkg`.
pub fn pkg_router(state: &AppState) -> Router<AppState> {
    let dir = state.site_root.join("pkg");
    Router::new()
        .fallback_service(ServeDir::new(dir).precompressed_br().precompressed_gzip())
        .layer(middleware::from_fn_with_state(state.clone(), etag))
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
    let name = req.uri().path().rsplit('/').next().unwrap_or("");
    if is_hashed_pkg_name(name) && !req.uri().path().contains("/snippets/") {
        let mut response = next.run(req).await;
        if response.status().is_success() {
            response
                .headers_mut()
                .insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
        }
        return response;
    }
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
