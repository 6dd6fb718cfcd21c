//! Overcast's operations. Server functions and REST handlers are thin doors
//! onto these functions: they authenticate, call one function here, and map
//! the result. Errors leave this crate as [`domain::ErrorKind`]; internal
//! causes are logged here and never passed on.

pub mod accounts;
pub mod audit;
pub mod audit_log;
pub mod authz;
pub mod backends;
pub mod credentials;
pub mod dashboard;
pub mod drivers;
pub mod events;
pub mod jobs;
pub mod keys;
pub mod machine_actions;
pub mod machine_tags;
pub mod machines;
pub mod oauth;
pub mod password;
pub mod polling;
pub mod probe;
pub mod provision;
pub mod rights;
pub mod rights_cache;
pub mod roles;
pub mod scripts;
pub mod session;
pub mod shell;
pub mod stacks;
mod state;
pub mod throttle;
pub mod tokens;
pub mod two_factor;
pub mod users;
pub mod vault;

pub use session::{Actor, CsrfToken};
pub use state::{Services, Settings};

use domain::ErrorKind;

/// Logs an internal failure and turns it into the opaque [`ErrorKind::Internal`].
pub fn internal(err: impl std::fmt::Display) -> ErrorKind {
    tracing::error!(error = %err, "internal error");
    ErrorKind::Internal
}

/// A store failure as the caller reads it: a broken uniqueness rule is a
/// 409 naming what exists already; anything else is internal.
pub(crate) fn stored(e: store::StoreError) -> ErrorKind {
    match e {
        store::StoreError::Conflict(message) => ErrorKind::Conflict { message },
        other => internal(other),
    }
}

/// The caller's network address, as the server saw it.
#[derive(Debug, Clone)]
pub struct ClientAddress(pub String);
