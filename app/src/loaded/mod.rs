//! The pages' resources, their values carried from the server's render to
//! the browser in the one JSON form every answer reads.
//!
//! Leptos's default resource codec reads its hydration data with
//! `serde_json::from_str`, and server functions read their answers with
//! `serde_json::from_slice`. The two are different readers, so the browser
//! code held every answer's deserializer twice (about 300 KB of the module
//! before it was optimised). [`Json`] reads hydration data as bytes, with
//! the reader the server functions use, so each type's deserializer is built
//! once. Use [`load`] and [`once`] where `Resource::new` and
//! `OnceResource::new` would go, and [`Loaded`] and [`LoadedOnce`] for their
//! types; [`Loaded`] also erases its value's type inside (see [`erased`]).

use leptos::prelude::OnceResource;
use leptos::server::codee::{Decoder, Encoder};
use serde::{de::DeserializeOwned, Serialize};
use std::future::Future;

mod erased;

pub use erased::{load, Loaded};

/// JSON, written as text and read as bytes (as server functions read theirs).
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(text: &str) -> Result<T, serde_json::Error> {
        from_text(text)
    }
}

/// A one-shot resource whose value travels as [`Json`].
pub type LoadedOnce<T> = OnceResource<T, Json>;

/// `OnceResource::new`, with the value carried as [`Json`].
#[track_caller]
pub fn once<T>(future: impl Future<Output = T> + Send + 'static) -> LoadedOnce<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
{
    OnceResource::new_with_options(future, false)
}

/// Reads a JSON text with the same reader as everything else in the
/// browser code (an event's data, say): `serde_json::from_str` would build
/// a second deserializer for the type.
pub fn from_text<T: DeserializeOwned>(text: &str) -> serde_json::Result<T> {
    serde_json::from_slice(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_reads_back_as_it_was_written() {
        let value: Result<Vec<(String, Option<u32>)>, String> =
            Ok(vec![("é\u{202e}\"".into(), Some(7)), ("x".into(), None)]);
        let text = <Json as Encoder<_>>::encode(&value).unwrap_or_default();
        let back: Result<Vec<(String, Option<u32>)>, String> =
            <Json as Decoder<_>>::decode(&text).unwrap_or_else(|e| Err(e.to_string()));
        assert_eq!(back, value);
        assert!(<Json as Decoder<u32>>::decode("{").is_err());
        assert_eq!(from_text::<u32>("41").ok(), Some(41));
    }
}
