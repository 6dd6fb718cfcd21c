//! Overcast's store: every table, every query, every transaction.
//!
//! One set of queries runs on both engines through sqlx's `Any` driver:
//! placeholders are `$1`-style (SQLite accepts them), integers are `BIGINT`,
//! booleans are `0/1`, timestamps are Unix milliseconds and ids are text.
//! The schema lives side by side in `migrations/sqlite` and
//! `migrations/postgres` and is applied at connect time.

pub mod accounts;
pub mod audit;
pub mod backends;
pub mod dashboard;
mod db;
mod error;
pub mod events;
pub mod files;
pub mod host_keys;
pub mod images;
pub mod keys;
pub mod leases;
mod machine_batches;
pub mod machines;
mod machines_version;
pub mod oauth;
pub mod password_links;
pub mod preferences;
pub mod provisions;
pub mod rights;
pub mod roles;
pub mod scripts;
pub mod sessions;
pub mod settings;
pub mod sizes;
pub mod stacks;
pub mod throttle;
pub mod tokens;
pub mod two_factor;

pub use db::{now_ms, redact_url, Db, DbKind, PoolStats};
pub use error::StoreError;
