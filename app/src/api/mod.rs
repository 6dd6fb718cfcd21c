//! Server functions, one file per function, grouped by resource.

pub mod session;
