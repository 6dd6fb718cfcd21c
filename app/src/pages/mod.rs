//! One file per page.

pub mod account;
pub mod admin;
pub mod backends;
pub mod create_machine;
pub mod home;
pub mod keys;
pub mod machine;
pub mod machines;
pub mod not_found;
pub mod set_password;
pub mod setup;
pub mod sign_in;
pub mod sign_in_code;
pub mod stacks;
pub mod two_factor;
