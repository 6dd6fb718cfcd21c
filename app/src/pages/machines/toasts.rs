//! The activity area: a few lines ("stopping web-1… stopped") that fade
//! once their action ends. Rendered empty on the server, so it is there to
//! be announced (`role="status"`) once something happens.

use leptos::prelude::*;

use super::state::Fleet;

/// The activity area.
#[component]
pub fn Toasts(fleet: Fleet) -> impl IntoView {
    view! {
        <div class="toasts" role="status" aria-live="polite" data-testid="toasts">
            <For
                each=move || fleet.toasts.get()
                key=|t| (t.id, t.text.clone(), t.done)
                children=|t| view! { <p class="toast" class:done=t.done>{t.text}</p> }
            />
        </div>
    }
}
