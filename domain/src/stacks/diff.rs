//! [`diff`]: what changed between two templates, by RFC 6901 pointer.
//!
//! Pointers of `removed` and `edited` entries point into the source, those
//! of `new` entries into the target. Arrays whose items are all objects with
//! distinct string `flag`s (the layers) are matched by flag, so inserting a
//! layer at the top is one `new` entry; other arrays are compared index by
//! index. `"${computed}"` against any concrete value is not a change (the
//! computed value is whatever Overcast chose); a field added or removed is
//! one, computed or not.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{pointer_child, COMPUTED};

/// The changes from a source template to a target one. Serialised as
/// `{"new": {}, "removed": {}, "edited": {"<pointer>": {"oldvalue", "newvalue"}}}`,
/// each always an object.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Diff {
    /// Pointer into the target -> the value it added.
    pub new: BTreeMap<String, Value>,
    /// Pointer into the source -> the value the target no longer has.
    pub removed: BTreeMap<String, Value>,
    /// Pointer into the source -> the value before and after.
    pub edited: BTreeMap<String, Edit>,
}

/// One edited value.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edit {
    /// In the source.
    pub oldvalue: Value,
    /// In the target.
    pub newvalue: Value,
}

impl Diff {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.new.is_empty() && self.removed.is_empty() && self.edited.is_empty()
    }
}

/// The changes from `source` to `target` (any JSON; meant for templates,
/// masked first where they are shown).
pub fn diff(source: &Value, target: &Value) -> Diff {
    let mut out = Diff::default();
    walk(source, target, "", "", &mut out);
    out
}

fn is_computed(v: &Value) -> bool {
    v.as_str() == Some(COMPUTED)
}

fn walk(source: &Value, target: &Value, sp: &str, tp: &str, out: &mut Diff) {
    match (source, target) {
        (Value::Object(a), Value::Object(b)) => {
            for (key, av) in a {
                let sk = pointer_child(sp, key);
                match b.get(key) {
                    Some(bv) => walk(av, bv, &sk, &pointer_child(tp, key), out),
                    None => {
                        out.removed.insert(sk, av.clone());
                    }
                }
            }
            for (key, bv) in b {
                if !a.contains_key(key) {
                    out.new.insert(pointer_child(tp, key), bv.clone());
                }
            }
        }
        (Value::Array(a), Value::Array(b)) => match (flags(a), flags(b)) {
            (Some(fa), Some(fb)) => by_flag(a, b, &fa, &fb, sp, tp, out),
            _ => by_index(a, b, sp, tp, out),
        },
        _ if source == target || is_computed(source) || is_computed(target) => {}
        _ => {
            out.edited.insert(
                sp.to_owned(),
                Edit {
                    oldvalue: source.clone(),
                    newvalue: target.clone(),
                },
            );
        }
    }
}

/// The items' flags, when every item is an object with a string `flag` and
/// no two share one.
fn flags(items: &[Value]) -> Option<HashMap<&str, usize>> {
    let mut seen = HashMap::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        let flag = item.get("flag")?.as_str()?;
        if seen.insert(flag, i).is_some() {
            return None;
        }
    }
    Some(seen)
}

fn by_flag(
    a: &[Value],
    b: &[Value],
    fa: &HashMap<&str, usize>,
    fb: &HashMap<&str, usize>,
    sp: &str,
    tp: &str,
    out: &mut Diff,
) {
    for (i, item) in a.iter().enumerate() {
        let si = pointer_child(sp, &i.to_string());
        let flag = item.get("flag").and_then(Value::as_str).unwrap_or_default();
        match fb.get(flag) {
            Some(&j) => walk(item, &b[j], &si, &pointer_child(tp, &j.to_string()), out),
            None => {
                out.removed.insert(si, item.clone());
            }
        }
    }
    for (j, item) in b.iter().enumerate() {
        let flag = item.get("flag").and_then(Value::as_str).unwrap_or_default();
        if !fa.contains_key(flag) {
            out.new
                .insert(pointer_child(tp, &j.to_string()), item.clone());
        }
    }
}

fn by_index(a: &[Value], b: &[Value], sp: &str, tp: &str, out: &mut Diff) {
    for (i, av) in a.iter().enumerate() {
        let si = pointer_child(sp, &i.to_string());
        match b.get(i) {
            Some(bv) => walk(av, bv, &si, &pointer_child(tp, &i.to_string()), out),
            None => {
                out.removed.insert(si, av.clone());
            }
        }
    }
    for (j, bv) in b.iter().enumerate().skip(a.len()) {
        out.new
            .insert(pointer_child(tp, &j.to_string()), bv.clone());
    }
}
