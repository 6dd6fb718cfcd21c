//! Stack templates (Mobingi ALM `2017-03-03`): the model, its validation
//! from text with a JSON pointer on every fault, the masked form shown in
//! answers, the structured comparison of two versions and the pure plan
//! between them.
//!
//! Everything here is pure (no I/O, no clock), so the browser's template
//! editor validates with exactly the rules the server applies.
//!
//! - [`Template::parse`] / [`Template::from_value`]: every fault, each with
//!   its RFC 6901 pointer ([`Fault`]).
//! - [`Template::to_value`]: back to the wire shape (round-trips what was
//!   parsed: defaults are not written in).
//! - [`Template::masked`]: secrets replaced by [`MASK`].
//! - [`diff`]: `new` / `removed` / `edited` by pointer, layers matched by
//!   `flag`, `"${computed}"` against a concrete value not a change.
//! - [`plan`]: per flag one [`Action`], with the pointers that forced it.

mod computable;
mod diff;
mod fault;
mod mask;
mod model;
mod parse;
mod plan;
mod reader;
mod vendor;

#[cfg(test)]
mod tests;

pub use computable::Computable;
pub use diff::{diff, Diff, Edit};
pub use fault::Fault;
pub use model::{Container, Layer, Provision, Template};
pub use plan::{plan, Action, LayerPlan, Plan};
pub use vendor::{vendor_kind, Vendor, VENDORS};

/// The template language version Overcast speaks (Mobingi's).
pub const TEMPLATE_VERSION: &str = "2017-03-03";

/// The value that asks Overcast to fill a field in at plan time.
pub const COMPUTED: &str = "${computed}";

/// What a secret is shown as in every answer, diff and page.
pub const MASK: &str = "****";

/// The most machines one layer may ask for.
pub const MAX_INSTANCE_COUNT: u32 = 100;

/// Appends one reference token to an RFC 6901 pointer (`~` as `~0`, `/` as
/// `~1`).
pub fn pointer_child(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", token.replace('~', "~0").replace('/', "~1"))
}
