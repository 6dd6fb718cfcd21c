//! Server functions, one file per function, grouped by resource.

pub mod account;
pub mod admin;
pub mod session;
