//! The OpenAPI document of the REST API: its security schemes, and the
//! answers every operation shares (credentials refused, a bad input, a
//! body too large), all in the one error shape, [`ErrorBody`].

use axum::{extract::State, Json};
use utoipa::openapi::{
    path::Operation,
    response::Response,
    security::{
        ApiKey, ApiKeyValue, ClientCredentials, Flow, HttpAuthScheme, HttpBuilder, OAuth2,
        Password, Scopes, SecurityRequirement, SecurityScheme,
    },
    Content, OpenApi, Ref, RefOr,
};

use crate::{http_error::ErrorBody, AppState};

/// This API's OpenAPI 3.1 description (to any signed-in caller).
#[utoipa::path(get, path = "/openapi.json", tag = "system",
    responses((status = 200, description = "The OpenAPI document", body = Object)))]
pub async fn openapi_json(State(state): State<AppState>) -> Json<utoipa::openapi::OpenApi> {
    Json((*state.openapi).clone())
}

/// The security schemes, and the global requirement: any one of them.
pub struct Security;

/// The schemes' names, as operations' `security` name them.
pub const SCHEMES: [&str; 7] = [
    "token", "bearer", "oauth2", "basic", "mist_1", "session", "csrf",
];

impl utoipa::Modify for Security {
    fn modify(&self, doc: &mut OpenApi) {
        let components = doc.components.get_or_insert_with(Default::default);
        let header = |name: &str, description: &str| {
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::with_description(
                name,
                description,
            )))
        };
        components.add_security_scheme(
            "token",
            header(
                "Authorization",
                "`Authorization: Token <token>`: an API token from `POST /tokens` or \
                 `POST /auth` (the old `Authorized: <token>` header is read too).",
            ),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some(
                        "`Authorization: Bearer <token>`: an OAuth2 access token from \
                         `POST /v3/access_token` (or any API token).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "oauth2",
            SecurityScheme::OAuth2(OAuth2::with_description(
                [
                    Flow::Password(Password::new("/v3/access_token", Scopes::new())),
                    Flow::ClientCredentials(ClientCredentials::new(
                        "/v3/access_token",
                        Scopes::new(),
                    )),
                ],
                "OAuth2 grants at `POST /v3/access_token` (`password` with a client \
                 and a user's email and password, or `client_credentials` acting as the \
                 client's service account); the access token is sent as `Bearer`.",
            )),
        );
        components.add_security_scheme(
            "basic",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Basic)
                    .description(Some(
                        "HTTP Basic with an account's email and password (throttled like \
                         every sign-in).",
                    ))
                    .build(),
            ),
        );
        components.add_security_scheme(
            "mist_1",
            header(
                "Authorization",
                "mist.io compatibility: `Authorization: mist_1 <email>:<token>`, an API \
                 token with its owner's email (what mist.io's clients send).",
            ),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                service::session::SESSION_COOKIE,
                "The pages' session cookie (from signing in); a state-changing \
                 request also needs the `csrf` header.",
            ))),
        );
        components.add_security_scheme(
            "csrf",
            header(
                "X-CSRFToken",
                "The session's CSRF token (the `csrftoken` cookie's value): required \
                 with the session cookie on every request that changes something.",
            ),
        );
        components.schemas.insert(
            "ErrorBody".into(),
            <ErrorBody as utoipa::PartialSchema>::schema(),
        );
        let none: [&str; 0] = [];
        doc.security = Some(vec![
            SecurityRequirement::new("token", none),
            SecurityRequirement::new("bearer", none),
            SecurityRequirement::new("oauth2", none),
            SecurityRequirement::new("basic", none),
            SecurityRequirement::new("mist_1", none),
            SecurityRequirement::new("session", none).add("csrf", none),
        ]);
    }
}

/// Gives every operation the answers it shares with the others, and every
/// error answer the [`ErrorBody`] schema: any operation may answer 401
/// (wrong credentials; no credentials, unless it is public), 403 (refused,
/// or a session's missing CSRF token) and 429 (HTTP Basic throttled); one
/// with parameters or a body 400; one with a body 413.
pub fn complete(doc: &mut OpenApi) {
    for item in doc.paths.paths.values_mut() {
        for op in [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.patch,
        ]
        .into_iter()
        .flatten()
        {
            complete_operation(op);
        }
    }
}

fn complete_operation(op: &mut Operation) {
    let public = op
        .security
        .as_ref()
        .is_some_and(|s| s.iter().any(|r| *r == SecurityRequirement::default()));
    let has_body = op.request_body.is_some();
    let has_params = op.parameters.as_ref().is_some_and(|p| !p.is_empty());
    let mut shared: Vec<(&str, &str)> = Vec::new();
    if has_body || has_params {
        shared.push((
            "400",
            "A parameter or the body is malformed or invalid: `field` names it",
        ));
    }
    if has_body {
        shared.push(("413", "The body is larger than the server reads (2 MiB)"));
    }
    // Credentials are judged wherever they are sent: on a public operation
    // too, wrong ones are a 401, a session without its CSRF token a 403 and
    // throttled Basic credentials a 429.
    if public {
        shared.push((
            "401",
            "Credentials were sent and are refused (none are needed)",
        ));
        shared.push((
            "403",
            "A session cookie was sent without its CSRF token, or from another site",
        ));
    } else {
        shared.push(("401", "No credentials, or credentials that are refused"));
        shared.push((
            "403",
            "The caller may not do this (`action` names what was refused), or a \
             session's CSRF token is missing",
        ));
    }
    shared.push((
        "429",
        "Too many failed sign-ins with these HTTP Basic credentials (`Retry-After`)",
    ));
    let responses = &mut op.responses.responses;
    for (status, description) in shared {
        responses
            .entry(status.to_owned())
            .or_insert_with(|| RefOr::T(Response::new(description)));
    }
    for (status, response) in responses.iter_mut() {
        let is_error = status.parse::<u16>().is_ok_and(|s| s >= 400);
        if let (true, RefOr::T(response)) = (is_error, response) {
            if response.description.is_empty() {
                response.description = default_description(status).into();
            }
            if response.content.is_empty() {
                response.content.insert(
                    "application/json".into(),
                    Content::new(Some(Ref::from_schema_name("ErrorBody"))),
                );
            }
        }
    }
}

/// What an error status means when an operation says no more.
fn default_description(status: &str) -> &'static str {
    match status {
        "400" => "A parameter or the body is malformed or invalid: `field` names it",
        "401" => "No credentials, or credentials that are refused",
        "403" => "The caller may not do this: `action` names what was refused",
        "404" => "Not found, or not visible to the caller: `what` names it",
        "409" => "Conflicts with the current state: the message says how",
        "413" => "The body is larger than the server reads (2 MiB)",
        "429" => "Too many attempts: `Retry-After` says when to try again",
        "502" => "A provider or machine failed or could not be reached: the message says which",
        "503" => "Not ready",
        _ => "Refused: the body says why",
    }
}
