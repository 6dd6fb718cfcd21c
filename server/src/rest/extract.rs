//! Extractors shared by REST handlers: the authenticated caller, the
//! caller's address, a body that may be JSON or form-encoded (the Mobingi
//! docs send both), path and query parameters (refused in the JSON error
//! shape, never axum's plain text), and the right to call a route, checked
//! before any input is judged.

use axum::{
    body::Bytes,
    extract::{rejection::BytesRejection, FromRequest, FromRequestParts, Request},
    http::{header, request::Parts, StatusCode},
};
use domain::ErrorKind;
use serde::de::DeserializeOwned;
use service::{Actor, ClientAddress};

use crate::http_error::ApiError;

/// The authenticated caller (401 without one).
pub struct Caller(pub Actor);

impl<S: Send + Sync> FromRequestParts<S> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        parts
            .extensions
            .get::<Actor>()
            .cloned()
            .map(Caller)
            .ok_or(ApiError(ErrorKind::Unauthenticated))
    }
}

/// The caller's network address, for callers without an [`Actor`] (sign-in,
/// OAuth grants); a signed-in caller's rides in [`Actor::address`].
pub struct Address(pub String);

impl<S: Send + Sync> FromRequestParts<S> for Address {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Address(
            parts
                .extensions
                .get::<ClientAddress>()
                .map(|a| a.0.clone())
                .unwrap_or_else(|| "unknown".into()),
        ))
    }
}

/// A request body as JSON, or as `application/x-www-form-urlencoded`.
/// An empty body reads as `{}`.
pub struct Body<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Body<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let form = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"));
        let bytes = Bytes::from_request(req, state).await.map_err(unreadable)?;
        let parsed = if form {
            serde_urlencoded::from_bytes(&bytes).map_err(|e| e.to_string())
        } else if bytes.iter().all(u8::is_ascii_whitespace) {
            serde_json::from_str("{}").map_err(|e| e.to_string())
        } else {
            serde_json::from_slice(&bytes).map_err(|e| e.to_string())
        };
        parsed
            .map(Body)
            .map_err(|e| ApiError(ErrorKind::invalid("body", e)))
    }
}

/// A body kept as text (a document the operation parses itself, such as
/// a stack template): too large is 413, and bytes that are not UTF-8 are a
/// 400 in the JSON error shape, never axum's plain-text refusal.
pub struct Text(pub String);

impl<S: Send + Sync> FromRequest<S> for Text {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let bytes = Bytes::from_request(req, state).await.map_err(unreadable)?;
        String::from_utf8(bytes.to_vec()).map(Text).map_err(|e| {
            ApiError(ErrorKind::invalid(
                "body",
                format!("is not UTF-8 text: {e}"),
            ))
        })
    }
}

/// Why a body could not be read: too large (413), or broken (400).
fn unreadable(rejection: BytesRejection) -> ApiError {
    if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
        ApiError(ErrorKind::TooLarge {
            limit_bytes: crate::middleware::body::LIMIT,
        })
    } else {
        ApiError(ErrorKind::invalid("body", rejection.body_text()))
    }
}

/// Path parameters; a path that does not decode (`/keys/%ff%fe/public`)
/// is a 400 in the JSON error shape naming the parameter.
pub struct Path<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for Path<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        use axum::extract::path::ErrorKind as PathError;
        use axum::extract::rejection::PathRejection;
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(value)) => Ok(Path(value)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                let field = match e.kind() {
                    PathError::InvalidUtf8InPathParam { key }
                    | PathError::ParseErrorAtKey { key, .. } => key.clone(),
                    _ => "path".to_owned(),
                };
                let message = match e.kind() {
                    PathError::InvalidUtf8InPathParam { .. } => "is not valid UTF-8".to_owned(),
                    other => other.to_string(),
                };
                Err(ApiError(ErrorKind::invalid(&field, message)))
            }
            Err(other) => Err(ApiError(ErrorKind::invalid("path", other.body_text()))),
        }
    }
}

/// Query parameters; one that does not parse (`?since=abc`) is a 400 in
/// the JSON error shape naming it.
pub struct Query<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for Query<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or_default();
        let deserializer =
            serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(deserializer)
            .map(Query)
            .map_err(|e| {
                let field = e.path().to_string();
                let field = if field.is_empty() || field == "." {
                    "query".to_owned()
                } else {
                    field
                };
                ApiError(ErrorKind::invalid(&field, e.inner().to_string()))
            })
    }
}

/// A JSON document that may also arrive as a string holding JSON (as a
/// form field must).
pub fn json_field(value: serde_json::Value, field: &str) -> Result<serde_json::Value, ApiError> {
    match value {
        serde_json::Value::String(text) => serde_json::from_str(&text)
            .map_err(|e| ApiError(ErrorKind::invalid(field, format!("is not valid JSON: {e}")))),
        other => Ok(other),
    }
}

/// An administrative action, named for the refusal.
pub trait AdminAction {
    /// The action as the audit log and the 403 body name it.
    const NAME: &'static str;
}

macro_rules! admin_actions {
    ($($ty:ident => $name:literal),* $(,)?) => {
        $(
            #[doc = concat!("The `", $name, "` administrative action.")]
            pub struct $ty;
            impl AdminAction for $ty {
                const NAME: &'static str = $name;
            }
        )*
    };
}

admin_actions! {
    ViewRoles => "view:role",
    CreateRole => "create:role",
    EditRole => "edit:role",
    DeleteRole => "delete:role",
    AttachRole => "attach:role",
    DetachRole => "detach:role",
    CreateUser => "create:user",
    EditUser => "edit:user",
    DeleteUser => "delete:user",
    ViewOAuthClients => "view:oauth_client",
    CreateOAuthClient => "create:oauth_client",
    DeleteOAuthClient => "delete:oauth_client",
}

/// The caller, who must be the master account (403 naming `A` otherwise,
/// 401 without credentials). Checked before the body is read, so a refused
/// caller learns nothing from validation errors.
pub struct Master<A>(pub Actor, pub std::marker::PhantomData<A>);

impl<S: Send + Sync, A: AdminAction> FromRequestParts<S> for Master<A> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Caller(actor) = Caller::from_request_parts(parts, state).await?;
        service::authz::require_master(&actor, A::NAME)?;
        Ok(Master(actor, std::marker::PhantomData))
    }
}

/// What a non-administrative route does, for the check made before its
/// input is read.
pub trait RouteAction {
    /// The action (from `domain::rbac::ACTIONS`) the service will ask for.
    const NAME: &'static str;
    /// Whether it manages the caller's own credentials (no role grants it;
    /// a token with a scope of its own may not): `authz::require_unscoped`.
    const OWN_CREDENTIALS: bool = false;
}

macro_rules! route_actions {
    ($($ty:ident => $name:literal $(, $own:ident)?;)*) => {
        $(
            #[doc = concat!("The `", $name, "` action.")]
            pub struct $ty;
            impl RouteAction for $ty {
                const NAME: &'static str = $name;
                $(const OWN_CREDENTIALS: bool = route_actions!(@$own);)?
            }
        )*
    };
    (@own) => { true };
}

route_actions! {
    CreateKeyAction => "create:key";
    EditKeyAction => "edit:key";
    CreateBackendAction => "create:backend";
    EditBackendAction => "edit:backend";
    ViewBackendAction => "view:backend";
    CreateMachineAction => "create:machine";
    EditMachineAction => "edit:machine";
    ViewMachineAction => "view:machine";
    TagMachineAction => "tag:machine";
    ShellMachineAction => "shell:machine";
    ViewAuditAction => "view:audit";
    CreateStackAction => "create:alm.stack";
    ViewStackAction => "view:alm.stack";
    DeleteStackAction => "delete:alm.stack";
    EditStackAction => "edit:alm.stack";
    ViewTemplateAction => "view:alm.template";
    CreateTokenAction => "create:token", own;
    EditPasswordAction => "edit:password", own;
}

/// The caller, who may do `A` on the resource the path names (a key, a
/// backend, a machine, or a backend's machines for a creation), or, where
/// the path names none, somewhere (403 naming `A` otherwise, 401 without
/// credentials). Placed before the body and the query, so a refused caller
/// learns nothing from validation; the service still decides itself.
pub struct May<A>(pub Actor, pub std::marker::PhantomData<A>);

impl<S: Send + Sync, A: RouteAction> FromRequestParts<S> for May<A> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Caller(actor) = Caller::from_request_parts(parts, state).await?;
        if A::OWN_CREDENTIALS {
            service::authz::require_unscoped(&actor, A::NAME)?;
        } else {
            let params = axum::extract::Path::<std::collections::HashMap<String, String>>::from_request_parts(parts, state)
                .await
                .map(|axum::extract::Path(params)| params)
                .unwrap_or_default();
            match resource_of(A::NAME, &params) {
                Some(resource) => service::authz::authorize(&actor, A::NAME, &resource)?,
                // No resource named (or a path that does not decode, which
                // the handler's own `Path` refuses next).
                None => service::authz::authorize_listing(&actor, A::NAME)?,
            }
        }
        Ok(May(actor, std::marker::PhantomData))
    }
}

/// The resource `action` is asked on, as the service names it, from the
/// route's path parameters.
fn resource_of(action: &str, params: &std::collections::HashMap<String, String>) -> Option<String> {
    let param = |name: &str| params.get(name).map(String::as_str);
    match (action, action.split_once(':').map(|(_, kind)| kind)) {
        ("create:machine", _) => {
            param("backend_id").map(|b| format!("{}/machine/*", domain::resource::backend(b)))
        }
        (_, Some("key")) => param("key_id").map(domain::resource::key),
        (_, Some("backend")) => param("backend_id").map(domain::resource::backend),
        (_, Some("machine")) => match (param("backend_id"), param("machine_id")) {
            (Some(b), Some(m)) => Some(domain::resource::machine(b, m)),
            _ => None,
        },
        _ => None,
    }
}
