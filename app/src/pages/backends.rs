use leptos::prelude::*;

use crate::components::placeholder::Placeholder;

/// The Backends section.
#[component]
pub fn BackendsPage() -> impl IntoView {
    view! {
        <Placeholder title="Backends">
            <p>"Cloud accounts (EC2, OpenStack, DigitalOcean, bare metal over SSH, ...) are not built yet. When they are, this page adds, renames, enables and removes them."</p>
        </Placeholder>
    }
}
