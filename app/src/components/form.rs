//! Form helpers: error messages at the top of a form and next to fields,
//! and the hidden CSRF field every form posting with a session carries.

use leptos::prelude::*;

use crate::error::AppError;

/// The message of an error not tied to one field, above the form.
#[component]
pub fn FormError(#[prop(into)] error: Signal<Option<AppError>>) -> impl IntoView {
    move || {
        error.get().and_then(|e| e.general()).map(|message| {
            view! { <p class="form-error" role="alert">{message}</p> }
        })
    }
}

/// The message of an error about `field`, under that field.
#[component]
pub fn FieldError(
    #[prop(into)] error: Signal<Option<AppError>>,
    field: &'static str,
) -> impl IntoView {
    move || {
        error.get().and_then(|e| e.for_field(field)).map(|message| {
            view! { <p class="field-error" data-field=field role="alert">{message}</p> }
        })
    }
}

/// The hidden field that carries the session's CSRF token when the form is
/// posted without JavaScript.
#[component]
pub fn CsrfField(#[prop(into)] token: Signal<String>) -> impl IntoView {
    view! { <input type="hidden" name="csrf_token" value=move || token.get()/> }
}

/// The session's CSRF token: on the server from the request's session, in
/// the browser from the `csrftoken` cookie (the same value).
pub fn session_csrf() -> String {
    #[cfg(feature = "ssr")]
    {
        crate::ssr::actor().and_then(|a| a.csrf).unwrap_or_default()
    }
    #[cfg(not(feature = "ssr"))]
    {
        crate::csrf_client::csrf_token().unwrap_or_default()
    }
}

/// [`CsrfField`] with the current session's token.
#[component]
pub fn Csrf() -> impl IntoView {
    view! { <input type="hidden" name="csrf_token" value=session_csrf()/> }
}
