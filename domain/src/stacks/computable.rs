//! A field the template may leave to Overcast: `"${computed}"`.

use serde::{Serialize, Serializer};

use super::COMPUTED;

/// A value given in the template, or `"${computed}"`: filled in by Overcast
/// at plan time (the backend's default image, the provider's default
/// volume, the backend's first location).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Computable<T> {
    /// `"${computed}"`.
    Computed,
    /// A concrete value.
    Known(T),
}

impl<T> Computable<T> {
    /// The concrete value, if one was given.
    pub fn known(&self) -> Option<&T> {
        match self {
            Computable::Computed => None,
            Computable::Known(v) => Some(v),
        }
    }

    /// Whether the value is left to Overcast.
    pub fn is_computed(&self) -> bool {
        matches!(self, Computable::Computed)
    }
}

impl<T: PartialEq> Computable<T> {
    /// Whether going from `self` to `other` changes nothing: equal concrete
    /// values, or `"${computed}"` on either side (the computed value is
    /// whatever was chosen before).
    pub fn agrees_with(&self, other: &Self) -> bool {
        match (self, other) {
            (Computable::Known(a), Computable::Known(b)) => a == b,
            _ => true,
        }
    }
}

/// [`Computable::agrees_with`] for optional fields: an absent field is left
/// to Overcast, like `"${computed}"`.
pub(super) fn agree<T: PartialEq>(a: &Option<Computable<T>>, b: &Option<Computable<T>>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => a.agrees_with(b),
        _ => true,
    }
}

impl<T: Serialize> Serialize for Computable<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Computable::Computed => serializer.serialize_str(COMPUTED),
            Computable::Known(v) => v.serialize(serializer),
        }
    }
}
