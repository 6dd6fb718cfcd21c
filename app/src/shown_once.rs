//! Answers shown only once (a new API token, a generated or revealed
//! private key, a password link: secrets; a machine's probe), also without
//! JavaScript.
//!
//! A hydrated page shows the server function's answer from its
//! `PostAction` (or `ServerAction`). A plain form post (no JavaScript) gets a redirect back to
//! the page instead, which would lose the answer; so the server function
//! also [`keep`]s it in the cookie session (sealed by the vault, for this
//! account only), and the page the redirect lands on [`take`]s it out, once:
//! the removal is saved at once, so a reload shows nothing. [`show`] puts
//! either on the page with the same markup.

use std::marker::PhantomData;

use leptos::prelude::*;
use serde::{de::DeserializeOwned, Serialize};

use crate::api::keys::{NewKey, RevealedKey};
use crate::loaded::{once, LoadedOnce};

/// Where the session keeps one kind of secret, and its type.
pub struct Slot<T> {
    key: &'static str,
    kind: PhantomData<fn() -> T>,
}

impl<T> Clone for Slot<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Slot<T> {}

impl<T> Slot<T> {
    const fn new(key: &'static str) -> Self {
        Self {
            key,
            kind: PhantomData,
        }
    }

    /// The session key.
    pub fn key(self) -> &'static str {
        self.key
    }
}

/// A new API token (Account page).
pub const TOKEN: Slot<String> = Slot::new("shown_once:token");
/// A key just generated, with its private part (Keys page).
pub const GENERATED_KEY: Slot<NewKey> = Slot::new("shown_once:generated_key");
/// A private key revealed on request (Keys page).
pub const PRIVATE_KEY: Slot<RevealedKey> = Slot::new("shown_once:private_key");
/// A user's one-time password link (Admin page, Users).
pub const PASSWORD_LINK: Slot<String> = Slot::new("shown_once:password_link");
/// The recovery codes of a confirmed two-factor enrolment (Account page).
pub const RECOVERY_CODES: Slot<Vec<String>> = Slot::new("shown_once:recovery_codes");
/// What a probe of a machine found (machine page).
pub const PROBE: Slot<domain::inventory::MachineProbe> = Slot::new("shown_once:probe");
/// A stack template being written, with its plan (Stacks pages).
pub const STACK_DRAFT: Slot<crate::api::stacks::Draft> = Slot::new("shown_once:stack_draft");

/// Keeps `value` for the page a plain form post (no JavaScript) returns to.
/// Does nothing for a call from a hydrated page (it shows the answer
/// itself) or from API credentials (no cookie session to return to).
#[cfg(feature = "ssr")]
pub async fn keep<T: Serialize>(slot: Slot<T>, value: &T) -> Result<(), crate::error::AppError> {
    use crate::{error::AppError, ssr};
    if !ssr::plain_form_post() {
        return Ok(());
    }
    let actor = ssr::require_actor()?;
    if !matches!(actor.via, service::session::Credential::Session) {
        return Ok(());
    }
    let plain = serde_json::to_string(value).map_err(|e| AppError(service::internal(e)))?;
    let sealed = ssr::services()?
        .vault
        .seal_str(&seal_context(slot, &actor.account_id), &plain)?;
    ssr::session()
        .await?
        .insert(slot.key, sealed)
        .await
        .map_err(|e| AppError(service::internal(e)))
}

/// What the vault binds a kept secret to: its kind and the account, so it
/// opens only for the account that made it, as what it is.
#[cfg(feature = "ssr")]
fn seal_context<T>(slot: Slot<T>, account_id: &str) -> String {
    format!("session/{}/{account_id}", slot.key)
}

/// The secret a plain form post kept for this page, taken out of the
/// session (on the server; in the browser, `None`: a client-side
/// navigation brings nothing, and hydration reuses the server's value).
/// Make it at a page's top level (not inside another resource's Suspend),
/// and read it with [`show`].
pub fn take<T>(slot: Slot<T>) -> LoadedOnce<Option<T>>
where
    T: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    once(async move {
        #[cfg(feature = "ssr")]
        {
            take_now(slot).await
        }
        #[cfg(not(feature = "ssr"))]
        {
            let _ = slot;
            None
        }
    })
}

#[cfg(feature = "ssr")]
async fn take_now<T: DeserializeOwned>(slot: Slot<T>) -> Option<T> {
    use crate::ssr;
    let actor = ssr::actor()?;
    let session = ssr::session().await.ok()?;
    let sealed = match session.get::<String>(slot.key).await {
        Ok(Some(sealed)) => sealed,
        Ok(None) => return None,
        Err(e) => {
            tracing::error!(error = %e, key = slot.key, "reading a kept secret from the session");
            return None;
        }
    };
    // Saved now rather than by the session layer, which saves when the
    // response starts: a page rendered in order may still be streaming, so
    // the removal would come too late and a reload would show it again.
    let removed = async {
        session.remove_value(slot.key).await?;
        session.save().await
    };
    if let Err(e) = removed.await {
        tracing::error!(error = %e, key = slot.key, "removing a kept secret from the session");
    }
    let plain = ssr::services()
        .ok()?
        .vault
        .open_str(&seal_context(slot, &actor.account_id), &sealed)
        .ok()?;
    match serde_json::from_str(&plain) {
        Ok(value) => Some(value),
        Err(e) => {
            tracing::error!(error = %e, key = slot.key, "a kept secret does not read back");
            None
        }
    }
}

/// Shows the secret: `fresh`, the action's answer on a hydrated page, or
/// else what [`take`] brought back after a plain form post.
pub fn show<T, V>(
    taken: LoadedOnce<Option<T>>,
    fresh: impl Fn() -> Option<T> + Clone + Send + Sync + 'static,
    render: impl Fn(T) -> V + Clone + Send + Sync + 'static,
) -> impl IntoView
where
    T: Clone + Send + Sync + 'static,
    V: IntoView + 'static,
{
    view! {
        <Transition fallback=|| ()>
            {move || {
                let (fresh, render) = (fresh.clone(), render.clone());
                Suspend::new(async move {
                    let taken = taken.await;
                    fresh().or(taken).map(render)
                })
            }}
        </Transition>
    }
}
