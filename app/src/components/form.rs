//! Form helpers: error messages at the top of a form and next to fields,
//! the fields a failed plain post brings back, and the hidden CSRF field
//! every form posting with a session carries.

use leptos::prelude::*;

use crate::{
    components::post_form::PostAction,
    error::{part_words, AppError},
};

/// Whether an error about `field` belongs beside the input of `shown`: it
/// is that field, or a part of it (`scope.Statement[0].Effect` is a part
/// of `scope`).
fn is_part_of(field: &str, shown: &str) -> bool {
    field
        .strip_prefix(shown)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
}

/// The message of an error, above the form: every error but those about
/// the `fields` the form shows beside their inputs ([`FieldError`]; a part
/// of a listed field counts as that field), so no refusal goes unseen (a
/// field the form has no input for, a provider's answer, a limit) and none
/// is shown twice.
#[component]
pub fn FormError(
    #[prop(into)] error: Signal<Option<AppError>>,
    /// The fields whose errors the form shows beside their inputs.
    #[prop(optional)]
    fields: &'static [&'static str],
    /// The form's own words for its fields where they differ from
    /// [`crate::error::label_of`] (the Keys form's `id` is its "Name").
    #[prop(optional)]
    labels: &'static [(&'static str, &'static str)],
) -> impl IntoView {
    move || {
        error
            .get()
            .filter(|e| {
                e.0.field()
                    .is_none_or(|f| !fields.iter().any(|shown| is_part_of(f, shown)))
            })
            .map(|e| {
                let message = e.general().unwrap_or_else(|| e.plain(labels));
                view! { <p class="form-error" role="alert">{message}</p> }
            })
    }
}

/// The message of an error about `field`, under that field (its label is
/// beside it, so the message does not repeat the name); an error about a
/// part of it (a scope document's `scope.Statement[0].Effect`) names that
/// part in words ("statement 1, Effect: …").
#[component]
pub fn FieldError(
    #[prop(into)] error: Signal<Option<AppError>>,
    field: &'static str,
) -> impl IntoView {
    move || {
        error
            .get()
            .and_then(|e| {
                let at = e.0.field().filter(|f| is_part_of(f, field))?.to_owned();
                let message = e.for_field(&at)?;
                Some(if at == field {
                    message
                } else {
                    format!("{}: {message}", part_words(&at[field.len()..]))
                })
            })
            .map(|message| {
                view! { <p class="field-error" data-field=field role="alert">{message}</p> }
            })
    }
}

/// Empties the form in `form` once `action` succeeds, so a secret typed
/// into it (a private key, a password) leaves the screen with the answer.
/// Only a hydrated page needs it: a plain form post (no JavaScript) comes
/// back to a fresh page.
pub fn reset_on_success<S>(action: PostAction<S>, form: NodeRef<leptos::html::Form>)
where
    S: server_fn::ServerFn<Error = AppError> + 'static,
    S::Output: Send + Sync + 'static,
{
    on_success(action, move || {
        if let Some(form) = form.get_untracked() {
            form.reset();
        }
    });
}

/// Runs `then` each time `action` succeeds (a hydrated page's own state to
/// start over with its form: see [`reset_on_success`]).
pub fn on_success<S>(action: PostAction<S>, then: impl Fn() + 'static)
where
    S: server_fn::ServerFn<Error = AppError> + 'static,
    S::Output: Send + Sync + 'static,
{
    Effect::new(move |_| {
        if action.value().with(|v| matches!(v, Some(Ok(_)))) {
            then();
        }
    });
}

/// Names the fields of its form that come back filled in when a plain post
/// (no JavaScript) fails: the server adds what was typed into them to the
/// address it sends the browser back to (`server::middleware::kept_fields`,
/// which never keeps a field whose name says it is a secret), and each
/// input reads it with [`kept`]. Never name a password, a private key or a
/// token here.
#[component]
pub fn KeepFields(fields: &'static [&'static str]) -> impl IntoView {
    view! { <input type="hidden" name="__keep" value=fields.join(",")/> }
}

/// What was typed into `field` of the form posting to `S` before its plain
/// post failed (see [`KeepFields`]), for the input's `value`; `None` after
/// any other load, and for another form's failure.
pub fn kept<S: server_fn::ServerFn>(field: &str) -> Option<String> {
    let query = crate::address::query();
    query.with_untracked(|q| {
        let failed = q.get_str("__err").is_some() && q.get_str("__path") == Some(S::PATH);
        failed.then(|| q.get(&format!("__kept.{field}"))).flatten()
    })
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
        crate::ssr::csrf_token().unwrap_or_default()
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

#[cfg(test)]
mod tests {
    use super::is_part_of;

    #[test]
    fn a_part_of_a_field_is_shown_with_it() {
        assert!(is_part_of("scope", "scope"));
        assert!(is_part_of("scope.Statement[0].Effect", "scope"));
        assert!(is_part_of("scope[1]", "scope"));
        assert!(!is_part_of("scopes", "scope"));
        assert!(!is_part_of("name", "scope"));
    }
}
