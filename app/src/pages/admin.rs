use leptos::prelude::*;

use crate::components::placeholder::Placeholder;

/// The Admin section.
#[component]
pub fn AdminPage() -> impl IntoView {
    view! {
        <Placeholder title="Admin">
            <p>"Users, roles, API clients and the audit log are not built yet; for now the master account is the only account."</p>
        </Placeholder>
    }
}
