use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

/// The signed-in home page: where to go from here.
#[component]
pub fn HomePage() -> impl IntoView {
    view! {
        <Title text="Home"/>
        <section class="page">
            <h1>"Welcome to Overcast"</h1>
            <p>"One control panel for every cloud you run."</p>
            <ul class="cards">
                <li><A href="/backends">"Backends"</A><span>"Cloud accounts and hosts"</span></li>
                <li><A href="/machines">"Machines"</A><span>"Every machine, every cloud"</span></li>
                <li><A href="/keys">"Keys"</A><span>"SSH keys that open machines"</span></li>
                <li><A href="/stacks">"Stacks"</A><span>"Templates of machines"</span></li>
                <li><A href="/admin">"Admin"</A><span>"Users, roles, audit log"</span></li>
            </ul>
        </section>
    }
}
