//! The Overcast server: settings, the HTTP router (pages, server functions,
//! REST API, static files), middleware, and background jobs.

pub mod assets;
pub mod cli;
pub mod client_address;
pub mod config;
pub mod http_error;
pub mod jobs;
pub mod metrics;
pub mod middleware;
pub mod rest;
pub mod router;
pub mod secret_key;
pub mod site_files;
pub mod startup;
pub mod state;

pub use router::build_router;
pub use startup::{start, Running};
pub use state::{AppState, Shared};
