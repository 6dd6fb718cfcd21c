//! Prometheus metrics, for the master account or a scraper on loopback.

use axum::{
    extract::{Extension, State},
    http::header,
    response::{IntoResponse, Response},
};
use domain::ErrorKind;
use service::{Actor, ClientAddress};

use crate::{http_error::ApiError, AppState};

/// The headers a reverse proxy puts on a request it relays (nginx's
/// `X-Real-IP` as well as the standard ones): any of them means the
/// loopback address is the proxy's, not the client's.
pub const FORWARDING_HEADERS: [&str; 3] = ["forwarded", "x-forwarded-for", "x-real-ip"];

/// Metrics in Prometheus text format.
#[utoipa::path(get, path = "/metrics", tag = "system",
    security((), ("token" = []), ("bearer" = []), ("basic" = []), ("mist_1" = []), ("session" = [])),
    responses(
        (status = 200, description = "Prometheus text exposition (to the master, or to a direct loopback caller without credentials)", content_type = "text/plain", body = String),
        (status = 401, description = "Not a direct loopback caller and not signed in"),
        (status = 403, description = "Signed in, but not the master account"),
    ))]
pub async fn metrics(
    State(state): State<AppState>,
    actor: Option<Extension<Actor>>,
    address: Option<Extension<ClientAddress>>,
    headers: axum::http::HeaderMap,
) -> Response {
    // A request relayed by a reverse proxy on the same host arrives from
    // loopback too: it says so in a forwarding header, and is not trusted.
    let proxied = FORWARDING_HEADERS.iter().any(|h| headers.contains_key(*h));
    let loopback = !proxied
        && address
            .and_then(|a| a.0 .0.parse::<std::net::IpAddr>().ok())
            .is_some_and(|ip| ip.is_loopback());
    let master = actor.as_ref().is_some_and(|a| a.is_master);
    if !(loopback || master) {
        let kind = match actor {
            Some(_) => ErrorKind::Forbidden {
                action: Some("view:metrics".into()),
            },
            None => ErrorKind::Unauthenticated,
        };
        return ApiError(kind).into_response();
    }
    let services = &state.services;
    let mut body = state.metrics.render(
        services.db.pool_stats(),
        services.background.instance().as_str(),
    );
    crate::metrics::page_cache(&mut body, &state.page_cache);
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        body,
    )
        .into_response()
}
