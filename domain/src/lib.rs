//! Overcast's domain: value types shared by the server, the pages and the API.
//!
//! Nothing here performs I/O, so the crate compiles both natively and to
//! WebAssembly, and the browser validates input with exactly the rules the
//! server enforces.

pub mod account;
pub mod compute;
pub mod dashboard;
pub mod error;
pub mod events;
pub mod fleet;
pub mod inventory;
pub mod names;
pub mod providers;
pub mod rbac;
pub mod redirect;
pub mod resource;
pub mod rights;
pub mod shell;
pub mod stacks;
pub mod two_factor;

pub use account::{Email, NewPassword, SessionInfo};
pub use error::ErrorKind;
