//! The Machines page's way to a new machine, for someone who may create
//! one: the Create machine page of the one backend they may create on, or
//! a list of those backends to choose from (a `<details>`, so it opens
//! without JavaScript too).

use leptos::prelude::*;

use super::state::Fleet;
use crate::paths::encode_segment;

/// "Create machine", when the page's `create_on` names a backend.
#[component]
pub fn CreateMachine(fleet: Fleet) -> impl IntoView {
    let create_on = move || {
        fleet
            .page
            .with(|p| p.as_ref().map(|p| p.create_on.clone()).unwrap_or_default())
    };
    move || {
        match create_on().as_slice() {
        [] => ().into_any(),
        [one] => view! {
            <p class="create-on">
                <a class="button" href=create_href(&one.id) data-testid="create-machine">"Create machine"</a>
            </p>
        }
        .into_any(),
        many => view! {
            <details class="create-on" data-testid="create-machine">
                <summary class="button">"Create machine"</summary>
                <ul>
                    {many.iter().map(|b| view! {
                        <li><a href=create_href(&b.id)>"on " {b.label.clone()}</a></li>
                    }).collect_view()}
                </ul>
            </details>
        }
        .into_any(),
    }
    }
}

/// The Create machine page of backend `id`.
fn create_href(id: &str) -> String {
    format!("/backends/{}/create", encode_segment(id))
}
