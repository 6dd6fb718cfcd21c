use leptos::prelude::*;

use crate::components::placeholder::Placeholder;

/// The Keys section.
#[component]
pub fn KeysPage() -> impl IntoView {
    view! {
        <Placeholder title="Keys">
            <p>"SSH key management (import, generate, default key, which machines each key opens) is not built yet."</p>
        </Placeholder>
    }
}
