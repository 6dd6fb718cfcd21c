//! The REST API. Every route is declared with `utoipa` through
//! `OpenApiRouter`, so a route cannot exist without its OpenAPI entry.

pub mod health;
pub mod metrics;
pub mod openapi;

use utoipa::OpenApi;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::AppState;

/// The API's top-level description.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "Overcast API",
        description = "Self-hosted multi-cloud control panel. Authenticate with a session \
                       cookie (plus X-CSRFToken on writes), or with API credentials."
    ),
    tags((name = "system", description = "Health, readiness and metrics"))
)]
pub struct ApiDoc;

/// Every REST route, with its documentation.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(health::healthz))
        .routes(routes!(health::readyz))
        .routes(routes!(metrics::metrics))
        .routes(routes!(openapi::openapi_json))
}
