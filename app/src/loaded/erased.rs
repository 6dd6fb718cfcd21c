//! [`Loaded`]: a page's resource whose value type is erased inside, so the
//! reactive machinery behind every resource is compiled once.
//!
//! A Leptos `Resource<T>` compiles its async-derived signal, its fetcher's
//! polling and its hydration per value type `T` and per fetcher: about 9 KB
//! of unoptimised browser code for each resource of a page (13 % of the
//! machine page's code, 19 % of the Keys page's). Here every resource is one
//! `Resource<Value, Erased>`: the source is a [`Key`] (the caller's source
//! value behind `Any`, compared with its own `PartialEq`), the fetcher a
//! boxed future answering a [`Value`] (the caller's value behind `Any`). Only
//! the typed ends stay generic, and they are small: making a key, reading a
//! value as `T`.
//!
//! The value crosses from the server's render to the browser as the JSON
//! text of `T` (its `Serialize`), and the browser reads it as `T` the first
//! time a page asks for it (with [`super::from_text`]), then keeps it. A text
//! that does not read as `T` is fetched again, as Leptos does with a value it
//! cannot decode.

use std::{
    any::Any,
    future::{Future, IntoFuture},
    marker::PhantomData,
    pin::Pin,
    sync::{Arc, OnceLock},
};

use futures::{future::Map, FutureExt};
use leptos::reactive::computed::{AsyncDerived, AsyncDerivedFuture};
use leptos::{
    prelude::*,
    server::codee::{Decoder, Encoder},
};
use serde::{de::DeserializeOwned, Serialize};

/// Anything a resource can hold, behind one type.
type Held = Box<dyn Any + Send + Sync>;

/// Writes a held value as JSON.
#[cfg(feature = "ssr")]
type Encode = fn(&Held) -> Result<String, serde_json::Error>;

/// A resource's value: the caller's `T`, or (in the browser, before anyone
/// read it) the JSON text the server's render wrote for it.
#[derive(Clone)]
pub struct Value(Arc<Inner>);

struct Inner {
    /// The server's text for it, as the page brought it.
    text: Option<String>,
    /// The value as `T`; `None` inside if the text does not read as `T`.
    typed: OnceLock<Option<Held>>,
    /// Writes a value the server made as JSON for the page (the server's
    /// render only; a value read from text is written as that text).
    #[cfg(feature = "ssr")]
    encode: Option<Encode>,
}

impl Value {
    fn typed<T: Serialize + Send + Sync + 'static>(value: T) -> Self {
        Self(Arc::new(Inner {
            text: None,
            typed: OnceLock::from(Some(Box::new(value) as Held)),
            #[cfg(feature = "ssr")]
            encode: Some(encode_as::<T>),
        }))
    }

    /// The value as `T`, read from the page's text the first time.
    fn get<T: DeserializeOwned + Send + Sync + 'static>(&self) -> Option<&T> {
        self.0
            .typed
            .get_or_init(|| {
                let text = self.0.text.as_deref()?;
                super::from_text::<T>(text)
                    .ok()
                    .map(|t| Box::new(t) as Held)
            })
            .as_ref()?
            .downcast_ref()
    }
}

#[cfg(feature = "ssr")]
fn encode_as<T: Serialize + 'static>(value: &Held) -> Result<String, serde_json::Error> {
    match value.downcast_ref::<T>() {
        Some(value) => serde_json::to_string(value),
        None => Err(serde::ser::Error::custom("a resource holds another type")),
    }
}

/// The codec of [`Value`]: its JSON text as written by its own type, read
/// back later by the type that asks.
pub struct Erased;

impl Encoder<Value> for Erased {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &Value) -> Result<String, serde_json::Error> {
        if let Some(text) = &value.0.text {
            return Ok(text.clone());
        }
        #[cfg(feature = "ssr")]
        if let (Some(encode), Some(Some(held))) = (value.0.encode, value.0.typed.get()) {
            return encode(held);
        }
        Err(serde::ser::Error::custom(
            "only the server writes a resource's value",
        ))
    }
}

impl Decoder<Value> for Erased {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(text: &str) -> Result<Value, serde_json::Error> {
        Ok(Value(Arc::new(Inner {
            text: Some(text.to_owned()),
            typed: OnceLock::new(),
            #[cfg(feature = "ssr")]
            encode: None,
        })))
    }
}

/// A resource's source value behind one type, compared as its own type.
#[derive(Clone)]
pub struct Key {
    value: Arc<dyn Any + Send + Sync>,
    same: fn(&(dyn Any + Send + Sync), &(dyn Any + Send + Sync)) -> bool,
}

impl Key {
    fn new<S: PartialEq + Send + Sync + 'static>(value: S) -> Self {
        Self {
            value: Arc::new(value),
            same: |a, b| a.downcast_ref::<S>() == b.downcast_ref::<S>(),
        }
    }
}

impl PartialEq for Key {
    fn eq(&self, other: &Self) -> bool {
        (self.same)(&*self.value, &*other.value)
    }
}

/// A boxed fetch.
type Fetch = Pin<Box<dyn Future<Output = Value> + Send>>;

/// The one resource type behind every [`Loaded`]: built here, in a function
/// that is not generic, so its machinery is compiled once.
#[track_caller]
fn erased(
    source: Box<dyn Fn() -> Key + Send + Sync>,
    fetcher: Box<dyn Fn(Key) -> Fetch + Send + Sync>,
) -> Resource<Value, Erased> {
    Resource::new_with_options(source, fetcher, false)
}

/// A page's resource of `T` (see the module's documentation): read it with
/// [`Loaded::get`] or [`Loaded::with`], or `.await` it inside a `Suspend`.
pub struct Loaded<T> {
    inner: Resource<Value, Erased>,
    ty: PhantomData<fn() -> T>,
}

impl<T> Clone for Loaded<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Loaded<T> {}

/// `Resource::new`, with the value behind [`Value`].
#[track_caller]
pub fn load<T, S, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetcher: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> Loaded<T>
where
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    S: PartialEq + Clone + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    let inner = erased(
        Box::new(move || Key::new(source())),
        Box::new(move |key: Key| {
            let source = key.value.downcast_ref::<S>().cloned();
            let fetch = source.map(&fetcher);
            Box::pin(async move {
                match fetch {
                    Some(fetch) => Value::typed(fetch.await),
                    // Never: the key is made of an `S` just above.
                    None => std::future::pending().await,
                }
            }) as Fetch
        }),
    );
    // A value the page brought that does not read as `T` is fetched again.
    // (Read through the async-derived signal itself: this look is outside
    // any `Suspense`, which the resource would warn about.)
    let signal: &AsyncDerived<Value> = &inner;
    if signal.with_untracked(|v| v.as_ref().is_some_and(|v| v.get::<T>().is_none())) {
        inner.set(None);
        inner.refetch();
    }
    Loaded {
        inner,
        ty: PhantomData,
    }
}

impl<T> Loaded<T>
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
{
    /// The value, once loaded (tracked; inside a `Suspense`, waited for).
    pub fn get(&self) -> Option<T> {
        self.with(|v| v.cloned())
    }

    /// [`Loaded::get`], untracked.
    pub fn get_untracked(&self) -> Option<T> {
        self.with_untracked(|v| v.cloned())
    }

    /// `f` of the value, once loaded (tracked).
    pub fn with<R>(&self, f: impl FnOnce(Option<&T>) -> R) -> R {
        self.inner.with(|v| f(v.as_ref().and_then(Value::get::<T>)))
    }

    /// [`Loaded::with`], untracked.
    pub fn with_untracked<R>(&self, f: impl FnOnce(Option<&T>) -> R) -> R {
        self.inner
            .with_untracked(|v| f(v.as_ref().and_then(Value::get::<T>)))
    }

    /// Replaces the value (as a fresh answer would).
    pub fn set(&self, value: Option<T>) {
        self.inner.set(value.map(Value::typed));
    }

    /// Changes the value in place (a row changed by a pushed event).
    pub fn update(&self, f: impl FnOnce(&mut Option<T>)) {
        self.inner.update(|v| {
            let mut typed = v.as_ref().and_then(Value::get::<T>).cloned();
            f(&mut typed);
            *v = typed.map(Value::typed);
        });
    }

    /// Fetches the value again.
    pub fn refetch(&self) {
        self.inner.refetch();
    }
}

/// Reads a loaded value as `T`; `None` never comes from a resource that
/// made its value, and a page's text that does not read was fetched again.
fn read_as<T: Clone + DeserializeOwned + Send + Sync + 'static>(value: Value) -> T {
    match value.get::<T>() {
        Some(t) => t.clone(),
        None => unreachable!("a resource's value is of its own type"),
    }
}

impl<T> IntoFuture for Loaded<T>
where
    T: Clone + Serialize + DeserializeOwned + Send + Sync + 'static,
{
    type Output = T;
    type IntoFuture = Map<AsyncDerivedFuture<Value>, fn(Value) -> T>;

    fn into_future(self) -> Self::IntoFuture {
        self.inner.into_future().map(read_as::<T> as fn(Value) -> T)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Rows = Result<Vec<(String, u32)>, String>;

    #[test]
    fn a_value_is_written_as_its_own_type_and_read_back_as_it() {
        let rows: Rows = Ok(vec![("web-1".into(), 2), ("db\u{202e}\"".into(), 0)]);
        let text = Erased::encode(&Value::typed(rows.clone())).expect("written");
        let read = Erased::decode(&text).expect("kept as text");
        assert_eq!(read.get::<Rows>(), Some(&rows));
        // Read once, kept: a second read is the same value.
        assert_eq!(read.get::<Rows>(), Some(&rows));
    }

    #[test]
    fn a_text_of_another_type_does_not_read() {
        let read = Erased::decode(r#"{"name": 3}"#).expect("kept as text");
        assert_eq!(read.get::<Rows>(), None);
        let typed = Value::typed(7_u32);
        assert_eq!(typed.get::<String>(), None);
        assert_eq!(typed.get::<u32>(), Some(&7));
    }

    #[test]
    fn keys_compare_as_their_own_type() {
        let key = |s: &str, n: usize| Key::new((s.to_owned(), n));
        assert!(key("b1", 2) == key("b1", 2));
        assert!(key("b1", 2) != key("b1", 3));
        assert!(Key::new(2_usize) != Key::new(2_u32));
    }
}
