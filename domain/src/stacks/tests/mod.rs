//! Tests of the template model, its faults, masking, diff and plan, on
//! Mobingi's own seed templates first.

mod compare;
mod faults;
mod parsing;
mod planning;
mod props;

use serde_json::Value;

use super::{Fault, Template};

/// The seed's apply example (template version label #1), verbatim.
pub(super) const SEED_1: &str = include_str!("../../../../testkit/data/alm/seed-1.json");

/// The seed's update example (template version label #2), verbatim.
pub(super) const SEED_2: &str = include_str!("../../../../testkit/data/alm/seed-2.json");

/// The `body` of the seed's compare example 2, verbatim: a trailing comma
/// after `"keypair": true`.
pub(super) const COMPARE_EXAMPLE_2_BODY: &str =
    include_str!("../../../../testkit/data/alm/compare-example-2-body.json");

pub(super) fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

pub(super) fn seed(text: &str) -> Template {
    match Template::parse(text) {
        Ok(t) => t,
        Err(faults) => panic!("the seed template parses: {faults:?}"),
    }
}

/// The faults of `value`, displayed, in the order found.
pub(super) fn faults_of(value: &Value) -> Vec<String> {
    match Template::from_value(value) {
        Ok(_) => Vec::new(),
        Err(faults) => faults.iter().map(Fault::to_string).collect(),
    }
}

/// SEED_1 with `edit` applied to it.
pub(super) fn seed_with(edit: impl FnOnce(&mut Value)) -> Value {
    let mut value = json(SEED_1);
    edit(&mut value);
    value
}
