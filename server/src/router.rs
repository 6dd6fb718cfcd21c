//! The whole HTTP surface in one place: REST routes, pages and server
//! functions, static files, and the middleware stack.

use std::sync::Arc;

use app::{shell, App};
use axum::{middleware, Router};
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use service::{session::SESSION_COOKIE, Services};
use tower_sessions::{cookie::SameSite, Expiry, SessionManagerLayer};

use crate::{
    assets,
    metrics::Metrics,
    middleware::{
        auth, body, csrf, finish_render, fused_body, gate, headers, metrics as metrics_mw,
        page_cache, request_id, server_fn_status,
    },
    rest,
    site_files::SiteFiles,
    AppState, Shared,
};

/// How long an idle session lasts.
pub const SESSION_IDLE: time::Duration = time::Duration::hours(12);

/// The page routes, generated once per process.
///
/// Generating them renders the app with resource loading suppressed through
/// a process-wide flag (leptos issue #4773): a page render that starts while
/// any generation runs waits forever. Once per process, before any server of
/// the process serves, keeps several servers in one process (the tests) safe.
fn page_routes() -> Vec<leptos_axum::AxumRouteListing> {
    static ROUTES: std::sync::OnceLock<Vec<leptos_axum::AxumRouteListing>> =
        std::sync::OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Builds the router and the state it runs on.
pub fn build_router(
    services: Services,
    leptos_options: leptos::config::LeptosOptions,
) -> (Router, AppState) {
    let (rest_routes, openapi) = rest::router().split_for_parts();
    let site_root: std::path::PathBuf = leptos_options.site_root.to_string().into();
    let site_files = Arc::new(SiteFiles::load(&site_root, &leptos_options.output_name));
    let state = AppState::new(Shared {
        site_root: Arc::new(site_root),
        site_files: site_files.clone(),
        leptos_options,
        services: services.clone(),
        metrics: Arc::new(Metrics::default()),
        openapi: Arc::new(openapi),
        page_cache: Arc::default(),
    });

    let context = {
        let services = services.clone();
        let site_assets = site_files.assets.clone();
        move || {
            provide_context(services.clone());
            provide_context(site_assets.clone());
            use_csp_nonce();
        }
    };
    let shell_options = state.leptos_options.clone();
    let sessions =
        SessionManagerLayer::new(store::sessions::DbSessionStore::new(services.db.clone()))
            .with_name(SESSION_COOKIE)
            .with_http_only(true)
            .with_same_site(SameSite::Lax)
            .with_secure(services.settings.secure_cookies)
            .with_expiry(Expiry::OnInactivity(SESSION_IDLE));

    // A browser navigating to /keys, /backends or /machines gets the page; anyone
    // else the mist.io REST answer at the same path.
    let (shared, pages): (Vec<_>, Vec<_>) = page_routes()
        .into_iter()
        .partition(|r| gate::SHARED_PATHS.contains(&r.path()));
    let shared_pages = {
        let shell_options = state.leptos_options.clone();
        Router::new()
            .leptos_routes_with_context(&state, shared, context.clone(), move || {
                shell(shell_options.clone())
            })
            .layer(middleware::map_response(finish_render::finish))
            .with_state(state.clone())
    };

    // A page whose reader leaves is still rendered to its end.
    let page_router = Router::new()
        .leptos_routes_with_context(&state, pages, context.clone(), move || {
            shell(shell_options.clone())
        })
        .layer(middleware::map_response(finish_render::finish));

    let router = Router::new()
        .merge(rest_routes)
        .merge(page_router)
        .nest("/pkg", assets::pkg_router(&state))
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, shell))
        .layer(middleware::from_fn(server_fn_status::fix))
        .layer(middleware::from_fn_with_state(shared_pages, negotiate))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            page_cache::serve,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            auth::authenticate,
        ))
        .layer(middleware::from_fn_with_state(
            services.settings.public_url.clone(),
            csrf::refuse_foreign_sign_in,
        ))
        .layer(sessions)
        .layer(middleware::from_fn_with_state(
            state.clone(),
            metrics_mw::record,
        ))
        .layer(middleware::from_fn(body::drain_unread))
        // The site's hashed public files need no session: answered first.
        .layer(middleware::from_fn_with_state(
            state.clone(),
            assets::hashed_public,
        ))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            headers::secure,
        ))
        .layer(middleware::map_response(fused_body::fuse))
        .layer(assets::compression())
        .layer(middleware::from_fn(request_id::assign))
        .with_state(state.clone());
    (router, state)
}

/// Renders the page with the nonce the headers middleware drew for this
/// request (and put in its Content-Security-Policy), in place of the one
/// Leptos draws for itself: the hydration script and the resource chunks
/// carry it.
fn use_csp_nonce() {
    let nonce = leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<headers::CspNonce>().cloned());
    if let Some(headers::CspNonce(nonce)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}

/// Sends a browser's navigation to a path that is both a page and a REST
/// route to the page; everything else goes on to the main router.
async fn negotiate(
    axum::extract::State(pages): axum::extract::State<Router>,
    req: axum::extract::Request,
    next: middleware::Next,
) -> axum::response::Response {
    let to_page = gate::SHARED_PATHS.contains(&req.uri().path())
        && gate::is_page_request(req.method(), req.uri().path(), req.headers());
    if to_page {
        use tower::ServiceExt;
        match pages.oneshot(req).await {
            Ok(response) => response,
            Err(never) => match never {},
        }
    } else {
        next.run(req).await
    }
}
