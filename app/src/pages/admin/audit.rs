//! The Audit log page: newest first, a page at a time, with filters (a
//! plain GET form, so the address holds the filters and the page).

use leptos::prelude::*;

use crate::islands::{groups::HomeIsland, page_island};

use super::AdminFrame;
use crate::loaded::load;
use crate::{
    api::admin::{list_audit, AuditPageRows},
    components::format::utc,
    paths::encode_segment,
};

/// The Audit log page (`/admin/audit?actor=&action=&outcome=&page=`).
#[component]
pub fn AuditPage() -> impl IntoView {
    view! {
        <AdminFrame title="Audit log">
            {page_island(HomeIsland::Audit)}
        </AdminFrame>
    }
}

/// The filters, the table and the links to newer and older pages.
#[component]
pub fn AuditSection() -> impl IntoView {
    let query = crate::address::query();
    let entries = load(
        move || {
            let q = query.read();
            let get = |k: &str| q.get(k).filter(|v| !v.is_empty());
            let page = get("page").and_then(|p| p.parse::<u32>().ok());
            (get("actor"), get("action"), get("outcome"), page)
        },
        |(actor, action, outcome, page)| list_audit(actor, action, outcome, page),
    );
    let value = move |k: &'static str| move || query.read().get(k).unwrap_or_default();
    let chosen = move |o: &'static str| move || query.read().get("outcome").as_deref() == Some(o);
    view! {
        <h2>"Audit log"</h2>
        <form method="get" action="/admin/audit" class="filters" aria-label="Filter the audit log">
            <label>"Who" <input name="actor" placeholder="email contains" value=value("actor")/></label>
            <label>"Action" <input name="action" placeholder="starts with" value=value("action")/></label>
            <label>"Outcome"
                <select name="outcome">
                    <option value="">"any"</option>
                    <option value="success" selected=chosen("success")>"success"</option>
                    <option value="failure" selected=chosen("failure")>"failure"</option>
                    <option value="denied" selected=chosen("denied")>"denied"</option>
                </select>
            </label>
            <button type="submit" class="secondary">"Filter"</button>
        </form>
        <Transition fallback=|| view! { <p>"Loading the audit log…"</p> }>
            {move || Suspend::new(async move {
                match entries.await {
                    Ok(found) => {
                        let pager = pager(&query.read_untracked(), &found);
                        view! {
                            <table class="grid audit" data-testid="audit">
                                <thead><tr><th>"When (UTC)"</th><th>"Who"</th><th>"From"</th><th>"Action"</th><th>"On"</th><th>"Outcome"</th><th>"Detail"</th></tr></thead>
                                <tbody>
                                    {found.rows.into_iter().map(|e| {
                                        let class = e.outcome.clone();
                                        let on = e.resource_name.clone().unwrap_or_else(|| e.resource.clone());
                                        view! {
                                        <tr class=class>
                                            <td data-label="When">{utc(e.at)}</td>
                                            <td data-label="Who">{e.actor}</td>
                                            <td data-label="From">{e.address}</td>
                                            <td data-label="Action">{e.action}</td>
                                            <td data-label="On" title=e.resource>{on}</td>
                                            <td data-label="Outcome">{e.outcome}</td>
                                            <td data-label="Detail">{e.detail}</td>
                                        </tr>
                                    }}).collect_view()}
                                </tbody>
                            </table>
                            {pager}
                        }.into_any()
                    }
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// Links to the newer and the older page, keeping the filters.
fn pager(query: &leptos_router::params::ParamsMap, found: &AuditPageRows) -> impl IntoView {
    let at = |page: u32| {
        let mut pairs: Vec<String> = ["actor", "action", "outcome"]
            .into_iter()
            .filter_map(|key| {
                let v = query.get(key).filter(|v| !v.is_empty())?;
                Some(format!("{key}={}", encode_segment(&v)))
            })
            .collect();
        if page > 0 {
            pairs.push(format!("page={page}"));
        }
        let q = pairs.join("&");
        if q.is_empty() {
            "/admin/audit".to_owned()
        } else {
            format!("/admin/audit?{q}")
        }
    };
    let newer = (found.page > 0).then(|| at(found.page - 1));
    let older = found.more.then(|| at(found.page + 1));
    view! {
        <nav class="pager" aria-label="Audit log pages">
            {newer.map(|href| view! { <a href=href rel="prev" data-testid="newer">"← Newer"</a> })}
            <span class="muted">{format!("Page {}", found.page + 1)}</span>
            {older.map(|href| view! { <a href=href rel="next" data-testid="older">"Older →"</a> })}
        </nav>
    }
}
