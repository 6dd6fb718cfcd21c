//! Server functions, one file per function, grouped by resource.

pub mod account;
pub mod admin;
pub mod backends;
pub mod dashboard;
pub mod events;
pub mod keys;
pub mod machines;
pub mod scripts;
pub mod session;
pub mod stacks;
