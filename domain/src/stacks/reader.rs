//! Reading one JSON object of a template field by field, every fault kept
//! with its pointer (rather than serde's first error).

use serde_json::{Map, Value};

use super::{pointer_child, Computable, Fault, COMPUTED};

/// One object of the template and where it is.
pub(super) struct Section<'a> {
    map: &'a Map<String, Value>,
    at: String,
}

impl<'a> Section<'a> {
    /// The object `value` at `at`, or a fault saying it must be one.
    pub fn of(value: &'a Value, at: &str, faults: &mut Vec<Fault>) -> Option<Self> {
        match value {
            Value::Object(map) => Some(Section {
                map,
                at: at.to_owned(),
            }),
            _ => {
                faults.push(Fault::new(at, "must be an object"));
                None
            }
        }
    }

    /// The pointer of `key` in this object.
    pub fn at(&self, key: &str) -> String {
        pointer_child(&self.at, key)
    }

    /// The raw value of `key`.
    pub fn get(&self, key: &str) -> Option<&'a Value> {
        self.map.get(key)
    }

    /// Every key, in order.
    pub fn keys(&self) -> impl Iterator<Item = &'a String> {
        self.map.keys()
    }

    /// A fault for every key not in `known`.
    pub fn refuse_unknown(&self, known: &[&str], faults: &mut Vec<Fault>) {
        for key in self.map.keys() {
            if !known.contains(&key.as_str()) {
                faults.push(Fault::new(
                    self.at(key),
                    format!("unknown field; expected one of {}", known.join(", ")),
                ));
            }
        }
    }

    /// `key` when present; a fault when `required` and absent.
    fn present(&self, key: &str, required: bool, faults: &mut Vec<Fault>) -> Option<&'a Value> {
        let value = self.map.get(key);
        if value.is_none() && required {
            faults.push(Fault::new(self.at(key), "is required"));
        }
        value
    }

    /// An optional string.
    pub fn string(&self, key: &str, faults: &mut Vec<Fault>) -> Option<String> {
        self.string_field(key, false, faults)
    }

    /// A required, non-blank string.
    pub fn required_string(&self, key: &str, faults: &mut Vec<Fault>) -> Option<String> {
        let s = self.string_field(key, true, faults)?;
        if s.trim().is_empty() {
            faults.push(Fault::new(self.at(key), "must not be empty"));
            return None;
        }
        Some(s)
    }

    fn string_field(&self, key: &str, required: bool, faults: &mut Vec<Fault>) -> Option<String> {
        match self.present(key, required, faults)? {
            Value::String(s) => Some(s.clone()),
            _ => {
                faults.push(Fault::new(self.at(key), "must be a string"));
                None
            }
        }
    }

    /// An optional boolean.
    pub fn boolean(&self, key: &str, faults: &mut Vec<Fault>) -> Option<bool> {
        match self.present(key, false, faults)? {
            Value::Bool(b) => Some(*b),
            _ => {
                faults.push(Fault::new(self.at(key), "must be true or false"));
                None
            }
        }
    }

    /// An optional whole number in `min..=max`.
    pub fn number(&self, key: &str, min: u32, max: u32, faults: &mut Vec<Fault>) -> Option<u32> {
        let value = self.present(key, false, faults)?;
        whole(value, &self.at(key), min, max, faults)
    }

    /// An optional non-blank string or `"${computed}"`.
    pub fn computable_string(
        &self,
        key: &str,
        faults: &mut Vec<Fault>,
    ) -> Option<Computable<String>> {
        match self.present(key, false, faults)? {
            Value::String(s) if s == COMPUTED => Some(Computable::Computed),
            Value::String(s) if !s.trim().is_empty() => Some(Computable::Known(s.clone())),
            Value::String(_) => {
                faults.push(Fault::new(self.at(key), "must not be empty"));
                None
            }
            _ => {
                faults.push(Fault::new(
                    self.at(key),
                    format!("must be a string or \"{COMPUTED}\""),
                ));
                None
            }
        }
    }

    /// An optional whole number in `min..=max` or `"${computed}"`.
    pub fn computable_number(
        &self,
        key: &str,
        min: u32,
        max: u32,
        faults: &mut Vec<Fault>,
    ) -> Option<Computable<u32>> {
        match self.present(key, false, faults)? {
            Value::String(s) if s == COMPUTED => Some(Computable::Computed),
            Value::String(_) => {
                faults.push(Fault::new(
                    self.at(key),
                    format!("must be a whole number or \"{COMPUTED}\""),
                ));
                None
            }
            value => whole(value, &self.at(key), min, max, faults).map(Computable::Known),
        }
    }
}

/// A whole number in `min..=max`, or a fault at `at`.
pub(super) fn whole(
    value: &Value,
    at: &str,
    min: u32,
    max: u32,
    faults: &mut Vec<Fault>,
) -> Option<u32> {
    let range = || Fault::new(at, format!("must be between {min} and {max}"));
    match value {
        Value::Number(n) => match (n.as_u64(), n.as_i64()) {
            (Some(n), _) => match u32::try_from(n) {
                Ok(n) if (min..=max).contains(&n) => Some(n),
                _ => {
                    faults.push(range());
                    None
                }
            },
            // A negative whole number.
            (None, Some(_)) => {
                faults.push(range());
                None
            }
            (None, None) => {
                faults.push(Fault::new(at, "must be a whole number"));
                None
            }
        },
        _ => {
            faults.push(Fault::new(at, "must be a whole number"));
            None
        }
    }
}
