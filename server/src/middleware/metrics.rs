use std::time::Instant;

use axum::{
    extract::{MatchedPath, Request, State},
    middleware::Next,
    response::Response,
};

use crate::AppState;

/// Counts every request by its route template (not its raw path, so ids do
/// not explode the label set) and status.
pub async fn record(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = req.method().as_str().to_owned();
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|| route_family(req.uri().path()));
    let response = next.run(req).await;
    state.metrics.observe(
        &method,
        &route,
        response.status().as_u16(),
        started.elapsed(),
    );
    response
}

/// Unmatched paths are grouped by their first segment.
fn route_family(path: &str) -> String {
    match path.trim_start_matches('/').split('/').next() {
        Some("pkg") => "/pkg/*".into(),
        _ => "other".into(),
    }
}
