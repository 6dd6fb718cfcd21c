//! One button that acts: an inline [`PostForm`] of hidden fields, the
//! CSRF field and the button, as a table row's actions (delete, revoke,
//! make default) are. It posts to its server function without JavaScript
//! too.

use leptos::prelude::*;
use serde::de::DeserializeOwned;
use server_fn::ServerFn;

use crate::{
    components::{
        form::Csrf,
        post_form::{PostAction, PostForm},
    },
    error::AppError,
};

/// The form: `fields` as hidden inputs (name, value), and a button of
/// `class` ("secondary", "danger") whose text is the children.
#[component]
pub fn ActionButton<S>(
    action: PostAction<S>,
    /// The server function's arguments, as hidden inputs.
    fields: Vec<(&'static str, String)>,
    /// The button's class.
    class: &'static str,
    /// What the button says.
    children: Children,
) -> impl IntoView
where
    S: ServerFn<Error = AppError> + 'static,
    S::Output: DeserializeOwned + Send + Sync + 'static,
{
    view! {
        <PostForm action attr:class="inline">
            <Csrf/>
            {fields.into_iter().map(|(name, value)| view! { <input type="hidden" name=name value=value/> }).collect_view()}
            <button type="submit" class=class>{children()}</button>
        </PostForm>
    }
}
