//! An action that asks first: a closed `<details class="confirm">` whose
//! summary opens it, what acting does, and the form that acts. Plain HTML,
//! so it asks the same way with and without JavaScript.

use leptos::prelude::*;

/// The confirmation around a form that acts (deleting, destroying).
#[component]
pub fn ConfirmAction(
    /// What opens it: "Delete", "Destroy".
    summary: &'static str,
    /// What acting does, said before the form.
    #[prop(optional, into)]
    warning: Option<String>,
    /// The form that acts (its button says what it does).
    children: Children,
) -> impl IntoView {
    view! {
        <details class="confirm">
            <summary>{summary}</summary>
            {warning.map(|w| view! { <p class="muted">{w}</p> })}
            {children()}
        </details>
    }
}
