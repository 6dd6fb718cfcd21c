//! "1–50 of 10,214" and the links to the first, previous, next and last
//! pages and to other page sizes: plain links to the same address.

use domain::fleet::{FleetPage, FleetQuery};
use leptos::prelude::*;

use super::{filters::href, state::Fleet};

/// Page sizes offered.
const SIZES: &[u32] = &[50, 100, 200, 500];

/// A link to `page`, or its label alone where there is nowhere to go.
fn to_page(page: &FleetPage, to: u32, label: &'static str, rel: &'static str) -> AnyView {
    let here = page.query.page;
    if to == here || to < 1 || to > page.pages() {
        return view! { <span class="muted" aria-disabled="true">{label}</span> }.into_any();
    }
    view! { <a href=href(&page.query.on_page(to)) rel=rel data-testid=format!("page-{rel}")>{label}</a> }
        .into_any()
}

/// The pager under the table.
#[component]
pub fn Pager(fleet: Fleet) -> impl IntoView {
    move || {
        fleet.page.with(|p| {
            p.as_ref().filter(|p| p.matched > 0).map(|p| {
                let (here, last) = (p.query.page, p.pages());
                let size = |n: u32| {
                    let to = FleetQuery {
                        per_page: n,
                        page: 1,
                        ..p.query.clone()
                    };
                    if n == p.query.per_page {
                        view! { <strong aria-current="true">{n}</strong> }.into_any()
                    } else {
                        view! { <a href=href(&to) data-testid=format!("per-page-{n}")>{n}</a> }.into_any()
                    }
                };
                view! {
                    <nav class="pager fleet-pager" aria-label="Machine pages" data-testid="pager">
                        {to_page(p, 1, "« First", "first")}
                        {to_page(p, here.saturating_sub(1), "‹ Previous", "prev")}
                        <span data-testid="page-of">{format!("Page {here} of {last}")}</span>
                        {to_page(p, here + 1, "Next ›", "next")}
                        {to_page(p, last, "Last »", "last")}
                        <span class="per-page">{SIZES.iter().map(|n| view! { " " {size(*n)} }).collect_view()}" per page"</span>
                    </nav>
                }
                .into_any()
            })
        })
    }
}
