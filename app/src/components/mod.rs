//! Building blocks shared by pages.

pub mod command_runner;
pub mod form;
pub mod layout;
pub mod paths;
pub mod placeholder;
pub mod run_output;
pub mod script_runs;
pub mod statement_builder;
