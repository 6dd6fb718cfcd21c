//! Building blocks shared by pages. They may use `api` (the server
//! functions they call) but never `pages`; `api` never uses them.

pub mod action_button;
pub mod command_runner;
pub mod confirm;
pub mod form;
pub mod format;
pub mod get_form;
pub mod layout;
pub mod live_rows;
pub mod machine_actions;
pub mod machine_health;
pub mod placeholder;
pub mod post_form;
pub mod run_output;
pub mod script_runs;
pub mod statement_builder;
pub mod title;
