//! Who is calling, and may they come in at all: resolves the actor (with
//! the client's address) from API credentials or the session, enforces CSRF
//! on cookie sessions, sends a new installation to setup, and refuses
//! anonymous callers everywhere but the public paths.

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, Request, State},
    http::HeaderValue,
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};
use domain::ErrorKind;
use service::{
    session::{self, Credential},
    two_factor, Actor, ClientAddress,
};
use tower_sessions::Session;

use crate::{
    http_error::{ApiError, Denied},
    middleware::{csrf, gate},
    AppState,
};

/// The authentication middleware.
pub async fn authenticate(
    State(state): State<AppState>,
    session: Session,
    mut req: Request,
    next: Next,
) -> Response {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip());
    let trusted = req
        .extensions()
        .get::<std::sync::Arc<crate::client_address::TrustedProxies>>();
    let address = match (peer, trusted) {
        (Some(peer), Some(trusted)) => trusted.client(peer, req.headers()).to_string(),
        (Some(peer), None) => peer.to_string(),
        (None, _) => "unknown".into(),
    };
    req.extensions_mut().insert(ClientAddress(address.clone()));

    let path = req.uri().path().to_owned();
    if gate::is_static_file(&path) {
        return next.run(req).await;
    }
    let page = gate::is_page_request(req.method(), &path, req.headers());

    let authorization = header_text(&req, axum::http::header::AUTHORIZATION.as_str());
    let legacy = header_text(&req, "authorized");
    match api_credentials(&state, authorization, legacy, &address).await {
        Ok(Some(actor)) => {
            // A stack's agent token reaches its agent routes only.
            if let Err(kind) = service::stacks::agents::confine(&actor, &path) {
                return ApiError(kind).into_response();
            }
            // API credentials: no cookie, so no CSRF to check.
            return run_as(&state, actor, req, next, &path).await;
        }
        Ok(None) => {}
        Err(kind) => return unauthenticated(kind),
    }

    let actor = match session::actor(&state.services, &session, &address).await {
        Ok(actor) => actor,
        Err(kind) => return ApiError(kind).into_response(),
    };

    if page {
        if let Some(to) = setup_redirect(&state, &path, actor.is_some()).await {
            return to;
        }
    }

    match actor {
        Some(actor) => {
            let token = match session::csrf_token(&session).await {
                Ok(token) => token,
                Err(kind) => return ApiError(kind).into_response(),
            };
            // Another site may link to a page, nothing more: a cross-site
            // request riding on the cookie is refused whatever its method.
            if gate::is_cross_site(req.headers()) && (!page || gate::is_acting_get(&path)) {
                return ApiError(ErrorKind::Csrf {
                    reason: "a request from another site cannot use this session \
                             (only viewing a page can)"
                        .into(),
                })
                .into_response();
            }
            if !csrf::needs_token(req.method()) && gate::is_acting_get(&path) {
                let checked = match &token {
                    Some(expected) => csrf::check_acting_get(&req, &expected.0),
                    None => Err(ErrorKind::Csrf {
                        reason: "this session has no CSRF token; sign in again".into(),
                    }),
                };
                if let Err(kind) = checked {
                    return ApiError(kind).into_response();
                }
            }
            if csrf::needs_token(req.method()) {
                let Some(expected) = &token else {
                    return ApiError(ErrorKind::Csrf {
                        reason: "this session has no CSRF token; sign in again".into(),
                    })
                    .into_response();
                };
                req = match csrf::check(req, &expected.0).await {
                    Ok(req) => req,
                    Err(kind) => return ApiError(kind).into_response(),
                };
            }
            // The pages hand the token on to forms posted without JavaScript.
            if let Some(token) = token {
                req.extensions_mut().insert(token);
            }
            // The master requires two-factor sign-in and this account has
            // none: the session may only enrol.
            match two_factor::sign_in::enrol_only(&state.services, &session, &actor.account_id)
                .await
            {
                Ok(false) => {}
                Ok(true) if gate::ENROLMENT_PATHS.contains(&path.as_str()) => {
                    req.extensions_mut().insert(two_factor::sign_in::EnrolOnly);
                }
                Ok(true) if page => return Redirect::to("/account").into_response(),
                Ok(true) => {
                    return ApiError(ErrorKind::Forbidden {
                        action: Some("enrol:two_factor".into()),
                    })
                    .into_response()
                }
                Err(kind) => return ApiError(kind).into_response(),
            }
            run_as(&state, actor, req, next, &path).await
        }
        // The code step without a password step waiting for it (never
        // begun, or expired): sign in from the start.
        None if page && path == "/signin/code" => {
            match two_factor::sign_in::is_pending(&state.services, &session).await {
                Ok(true) => next.run(req).await,
                Ok(false) => Redirect::to("/signin").into_response(),
                Err(kind) => ApiError(kind).into_response(),
            }
        }
        None if gate::is_public(&path) => next.run(req).await,
        None if page => {
            // Only a path sign-in would honour goes along as `next`.
            let target = match domain::redirect::same_origin_path(&path) {
                Some(next) => format!("/signin?next={}", encode_component(next)),
                None => "/signin".to_owned(),
            };
            Redirect::to(&target).into_response()
        }
        None => unauthenticated(ErrorKind::Unauthenticated),
    }
}

/// Runs the request as `actor`. A refused state-changing request goes in
/// the audit log with outcome `denied`; nothing else about it changes.
async fn run_as(
    state: &AppState,
    actor: Actor,
    mut req: Request,
    next: Next,
    path: &str,
) -> Response {
    let method = req.method().clone();
    let who = actor.audit_name();
    let address = actor.address.clone();
    req.extensions_mut().insert(actor);
    let response = next.run(req).await;
    if let Some(Denied(action)) = response.extensions().get::<Denied>() {
        if csrf::needs_token(&method) {
            let resource = format!("{method} {path}");
            let recorded = service::audit::record(
                &state.services,
                &who,
                &address,
                action,
                &resource,
                service::audit::outcome::DENIED,
                "",
            )
            .await;
            if recorded.is_err() {
                tracing::warn!(%resource, "could not audit a refusal");
            }
        }
    }
    response
}

fn header_text(req: &Request, name: &str) -> Option<String> {
    req.headers()
        .get(name)
        .map(|v| v.to_str().unwrap_or_default().trim().to_owned())
}

/// The `Authorization` schemes the API accepts, as `WWW-Authenticate`
/// lists them.
const SCHEMES: &str = "Token realm=\"overcast\", Bearer realm=\"overcast\", \
                       Basic realm=\"overcast\", mist_1 realm=\"overcast\"";

/// A 401 that names the schemes the API accepts.
fn unauthenticated(kind: ErrorKind) -> Response {
    let mut response = ApiError(kind).into_response();
    response
        .headers_mut()
        .insert("www-authenticate", HeaderValue::from_static(SCHEMES));
    response
}

/// The actor behind API credentials, if the request carries any:
/// `Authorization: Token <t>` or `Bearer <t>` (OAuth2), the old
/// `Authorized: <t>`, the mist.io client's `Authorization: mist_1
/// <email>:<t>` (the token must be that email's),
/// or `Authorization: Basic base64(email:password)` (throttled like sign-in).
/// Credentials that are present but wrong are refused, never ignored; a
/// scheme Overcast does not know is refused by name.
async fn api_credentials(
    state: &AppState,
    authorization: Option<String>,
    legacy: Option<String>,
    address: &str,
) -> Result<Option<Actor>, ErrorKind> {
    let (scheme, value) = match (authorization.as_deref(), legacy.as_deref()) {
        (Some(a), _) => a.split_once(' ').unwrap_or((a, "")),
        (None, Some(t)) => ("Token", t),
        (None, None) => return Ok(None),
    };
    let refused = |why: &str| ErrorKind::InvalidInput {
        field: "authorization".into(),
        message: why.into(),
    };
    match scheme.to_ascii_lowercase().as_str() {
        "token" | "bearer" => service::tokens::authenticate(&state.services, value, address)
            .await?
            .map(Some)
            .ok_or(ErrorKind::Unauthenticated),
        "basic" => {
            use base64::Engine;
            let decoded = base64::engine::general_purpose::STANDARD
                .decode(value.trim())
                .ok()
                .and_then(|b| String::from_utf8(b).ok())
                .ok_or_else(|| refused("Basic credentials are not base64 of email:password"))?;
            let (email, password) = decoded
                .split_once(':')
                .ok_or_else(|| refused("Basic credentials are not base64 of email:password"))?;
            let account =
                service::accounts::sign_in_basic(&state.services, email, password, address).await?;
            session::actor_for(&state.services, account, Credential::Basic, address, None)
                .await
                .map(Some)
        }
        "mist_1" => {
            let refused = || ErrorKind::CredentialsRefused {
                reason: "mist_1 credentials must be <email>:<token>, a valid API token \
                         and the email of its owner"
                    .into(),
            };
            let (email, token) = value.trim().rsplit_once(':').ok_or_else(refused)?;
            let actor = service::tokens::authenticate(&state.services, token, address)
                .await?
                .ok_or_else(refused)?;
            if !actor.email.eq_ignore_ascii_case(email.trim()) {
                return Err(refused());
            }
            Ok(Some(actor))
        }
        _ => Err(ErrorKind::CredentialsRefused {
            reason: unknown_scheme(scheme, value),
        }),
    }
}

/// Why an `Authorization` header of an unknown scheme is refused, naming
/// the scheme (when it reads as one: never the credentials themselves).
fn unknown_scheme(scheme: &str, value: &str) -> String {
    const ACCEPTED: &str = "use Token, Bearer, Basic or mist_1";
    let readable = !scheme.is_empty()
        && scheme.len() <= 32
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if value.trim().is_empty() || !readable {
        format!("the Authorization header names no scheme Overcast can read: {ACCEPTED}")
    } else {
        format!("the Authorization scheme \"{scheme}\" is not accepted: {ACCEPTED}")
    }
}

/// Where a page request must go instead: a new installation to `/setup`,
/// a set-up one away from `/setup`, a signed-in user away from `/signin`.
async fn setup_redirect(state: &AppState, path: &str, signed_in: bool) -> Option<Response> {
    let set_up = match state.services.is_set_up().await {
        Ok(set_up) => set_up,
        Err(kind) => return Some(ApiError(kind).into_response()),
    };
    let target = match (set_up, path, signed_in) {
        (false, "/setup", _) => return None,
        (false, _, _) => "/setup",
        (true, "/setup" | "/signin" | "/signin/code", true) => "/",
        (true, "/setup", false) => "/signin",
        _ => return None,
    };
    Some(Redirect::to(target).into_response())
}

/// Percent-encodes everything but unreserved characters and `/`.
fn encode_component(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'/' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
