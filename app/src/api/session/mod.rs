//! Signing in and out, setting up, and what a page knows of its session.
//!
//! These are the only server functions an anonymous caller may reach; the
//! server's gate lists their endpoints in `PUBLIC_SERVER_FNS`.

mod create_master;
mod get_session_info;
mod set_password;
mod sign_in;
mod sign_in_code;
mod sign_out;

pub use create_master::*;
pub use get_session_info::*;
pub use set_password::*;
pub use sign_in::*;
pub use sign_in_code::*;
pub use sign_out::*;

/// Endpoints of the server functions an anonymous caller may call.
pub const PUBLIC_SERVER_FNS: [&str; 5] = [
    "/api/session_info",
    "/api/sign_in",
    "/api/sign_in_code",
    "/api/create_master",
    "/api/set_password",
];
