//! Request middleware, outermost first: the request id, the headers every
//! answer carries (CSP, nosniff, referrer policy, no-store), the drain of
//! unread request bodies (keeps keep-alive connections usable), metrics,
//! the session layer (installed in `router.rs`), the refusal of sign-in
//! posts from other sites, authentication with the CSRF check and the
//! gate, the kept Machines page (`page_cache`), and the status fix for
//! server-function errors (with the fields a failed plain form keeps).
//! Pages' bodies are read to their end even when their reader leaves
//! (`finish_render`).

pub mod auth;
pub mod body;
pub mod csrf;
pub mod finish_render;
pub mod fused_body;
pub mod gate;
pub mod headers;
pub mod kept_fields;
pub mod metrics;
pub mod page_cache;
pub mod request_id;
pub mod server_fn_status;
