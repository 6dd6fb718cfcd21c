use leptos::prelude::*;

use crate::components::placeholder::Placeholder;

/// The Stacks section.
#[component]
pub fn StacksPage() -> impl IntoView {
    view! {
        <Placeholder title="Stacks">
            <p>"Stack templates are not built yet."</p>
        </Placeholder>
    }
}
