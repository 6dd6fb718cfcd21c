//! The audit log, newest first, with filters (a plain GET form).

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{api::admin::list_audit, components::format::utc};

/// The audit table.
#[component]
pub fn AuditSection() -> impl IntoView {
    let query = use_query_map();
    let entries = Resource::new(
        move || {
            let q = query.read();
            let get = |k: &str| q.get(k).filter(|v| !v.is_empty());
            (get("actor"), get("action"), get("outcome"))
        },
        |(actor, action, outcome)| list_audit(actor, action, outcome),
    );
    let value = move |k: &'static str| move || query.read().get(k).unwrap_or_default();
    view! {
        <h2>"Audit log"</h2>
        <form method="get" action="/admin" class="filters">
            <input name="actor" placeholder="who" value=value("actor")/>
            <input name="action" placeholder="action starts with" value=value("action")/>
            <select name="outcome">
                <option value="">"any outcome"</option>
                <option value="success">"success"</option>
                <option value="failure">"failure"</option>
                <option value="denied">"denied"</option>
            </select>
            <button type="submit" class="secondary">"Filter"</button>
        </form>
        <Transition fallback=|| view! { <p>"Loading the audit log…"</p> }>
            {move || Suspend::new(async move {
                match entries.await {
                    Ok(rows) => view! {
                        <table class="grid" data-testid="audit">
                            <thead><tr><th>"When (UTC)"</th><th>"Who"</th><th>"From"</th><th>"Action"</th><th>"Resource"</th><th>"Outcome"</th><th>"Detail"</th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|e| {
                                    let class = e.outcome.clone();
                                    view! {
                                    <tr class=class>
                                        <td>{utc(e.at)}</td><td>{e.actor}</td><td>{e.address}</td><td>{e.action}</td>
                                        <td>{e.resource}</td><td>{e.outcome}</td><td>{e.detail}</td>
                                    </tr>
                                }}).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
