use leptos::prelude::*;

use crate::components::placeholder::Placeholder;

/// The Machines section.
#[component]
pub fn MachinesPage() -> impl IntoView {
    view! {
        <Placeholder title="Machines">
            <p>"The list of every machine across every backend is not built yet. It arrives together with backends."</p>
        </Placeholder>
    }
}
