//! Machines: every machine of every backend the user may see, as last
//! polled; each links to its own page.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{api::machines::list_machines, components::paths::machine_href};

/// The Machines page.
#[component]
pub fn MachinesPage() -> impl IntoView {
    let machines = Resource::new(|| (), |()| list_machines());
    view! {
        <Title text="Machines"/>
        <section class="page">
            <h1>"Machines"</h1>
            <Transition fallback=|| view! { <p>"Loading machines…"</p> }>
                {move || Suspend::new(async move {
                    match machines.await {
                        Ok(rows) if rows.is_empty() => view! {
                            <p class="placeholder" data-testid="no-machines">
                                "No machines yet. Machines appear here once a backend is added on the "
                                <A href="/backends">"Backends"</A> " page."
                            </p>
                        }.into_any(),
                        Ok(rows) => view! {
                            <table class="grid" data-testid="machines">
                                <thead><tr><th>"Name"</th><th>"Backend"</th><th>"State"</th><th>"Addresses"</th></tr></thead>
                                <tbody>
                                    {rows.into_iter().map(|m| {
                                        let addresses = m.public_ips.iter().chain(&m.private_ips).cloned().collect::<Vec<_>>().join(", ");
                                        view! {
                                            <tr>
                                                <td><A href=machine_href(&m.backend, &m.id)>{m.name.clone()}</A></td>
                                                <td>{m.backend_title.clone()}</td>
                                                <td><span class=format!("state {}", m.state)>{m.state.clone()}</span></td>
                                                <td>{addresses}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        }.into_any(),
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}
