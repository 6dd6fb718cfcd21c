//! One button that acts: an inline [`ActionForm`] of hidden fields, the
//! CSRF field and the button, as a table row's actions (delete, revoke,
//! make default) are. It posts to its server function without JavaScript
//! too.

use leptos::{prelude::*, web_sys::FormData};
use serde::de::DeserializeOwned;
use server_fn::{client::Client, codec::PostUrl, request::ClientReq, Http, ServerFn};

use crate::components::form::Csrf;

/// The form: `fields` as hidden inputs (name, value), and a button of
/// `class` ("secondary", "danger") whose text is the children.
#[component]
pub fn ActionButton<S, P>(
    action: ServerAction<S>,
    /// The server function's arguments, as hidden inputs.
    fields: Vec<(&'static str, String)>,
    /// The button's class.
    class: &'static str,
    /// What the button says.
    children: Children,
) -> impl IntoView
where
    // The bounds of `ActionForm`.
    S: DeserializeOwned + ServerFn<Protocol = Http<PostUrl, P>> + Clone + Send + Sync + 'static,
    <<S::Client as Client<S::Error>>::Request as ClientReq<S::Error>>::FormData: From<FormData>,
    S::Output: Send + Sync + 'static,
    S::Error: Send + Sync + 'static,
    S::Client: Client<S::Error>,
{
    view! {
        <ActionForm action attr:class="inline">
            <Csrf/>
            {fields.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value/> }).collect_view()}
            <button type="submit" class=class>{children()}</button>
        </ActionForm>
    }
}
