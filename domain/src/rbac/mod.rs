//! Role-based access control in the Mobingi ALM / AWS IAM style.
//!
//! A role's scope is a [`Policy`]: statements that allow or deny actions on
//! resources, with `*` and `?` wildcards. [`evaluate`] decides a request the
//! way IAM does: default deny, an explicit deny beats any allow, and the
//! order of statements and policies does not matter.

mod actions;
mod eval;
mod glob;
mod policy;

pub use actions::{ActionInfo, ACTIONS};
pub use eval::{evaluate, grants_somewhere, Decision};
pub use glob::glob_match;
pub use policy::{Effect, Policy, Statement, POLICY_VERSION};
