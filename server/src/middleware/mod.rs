//! Request middleware, outermost first: metrics, the session layer
//! (installed in `router.rs`), authentication with the CSRF check and the
//! gate, and the status fix for server-function errors.

pub mod auth;
pub mod csrf;
pub mod gate;
pub mod metrics;
pub mod server_fn_status;
