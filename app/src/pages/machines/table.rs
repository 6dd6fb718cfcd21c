//! The table: a heading per chosen column (those that sort are links to
//! the same address sorted by them, again for the other direction), and a
//! row per machine of the page, keyed by what it shows, so a row whose
//! machine did not change is left alone (an open confirmation stays open).

use domain::fleet::{FleetQuery, FleetRow, COLUMNS};
use leptos::prelude::*;

use crate::components::machine_actions::RowActionsForm;

use super::{
    filters::href,
    row::Row,
    state::{key_of, Fleet},
    words::{heading, sort_of},
};

/// What a row is keyed by: the machine, and everything it shows.
fn row_key(row: &FleetRow) -> (String, String, String) {
    let (backend, id) = key_of(row);
    (backend, id, serde_json::to_string(row).unwrap_or_default())
}

/// A column's heading: a link that sorts by it, where it sorts.
fn head(column: &'static str, label: &'static str, q: &FleetQuery) -> AnyView {
    let Some(sort) = sort_of(column) else {
        return view! { <th scope="col" class="plain">{label}</th> }.into_any();
    };
    let sorted = q.sort == sort;
    let to = FleetQuery {
        sort,
        desc: sorted && !q.desc,
        page: 1,
        ..q.clone()
    };
    let (aria, mark) = match (sorted, q.desc) {
        (true, false) => (Some("ascending"), " ▲"),
        (true, true) => (Some("descending"), " ▼"),
        _ => (None, ""),
    };
    view! {
        <th scope="col" aria-sort=aria>
            <a href=href(&to) class="sort" data-sort=sort.as_str()>{label}{mark}</a>
        </th>
    }
    .into_any()
}

/// The fleet table.
#[component]
pub fn FleetTable(fleet: Fleet) -> impl IntoView {
    let all_selected = move || {
        fleet.selected.with(|s| {
            fleet.page.with(|p| {
                p.as_ref().is_some_and(|p| {
                    let mut selectable = p.rows.iter().filter(|r| Fleet::selectable(r)).peekable();
                    selectable.peek().is_some() && selectable.all(|r| s.contains(&key_of(r)))
                })
            })
        })
    };
    let select_all = move |on: bool| {
        let keys: Vec<_> = fleet.page.with_untracked(|p| {
            p.as_ref()
                .map(|p| {
                    p.rows
                        .iter()
                        .filter(|r| Fleet::selectable(r))
                        .map(key_of)
                        .collect()
                })
                .unwrap_or_default()
        });
        fleet.selected.update(|s| {
            if on {
                s.extend(keys);
            } else {
                s.clear();
            }
        });
    };
    let heads = move || {
        let q = fleet.query.get();
        let chosen = fleet.columns.get();
        let select = fleet.selecting().then(|| {
            view! {
                <th scope="col" class="select">
                    <input type="checkbox" aria-label="Select every machine on this page" data-testid="select-all"
                        prop:checked=all_selected on:change=move |ev| select_all(event_target_checked(&ev))/>
                </th>
            }
        });
        let columns = COLUMNS
            .iter()
            .filter(|c| chosen.iter().any(|x| x == *c))
            .map(|c| head(c, heading(c), &q))
            .collect_view();
        view! {
            <tr>
                {select}
                {head("name", "Name", &q)}
                {columns}
                <th scope="col" class="plain actions">"Actions"</th>
            </tr>
        }
        .into_any()
    };
    view! {
        <RowActionsForm/>
        // Scrolls sideways by itself where the columns chosen are wider
        // than the page (a phone stacks the rows instead).
        <div class="fleet-scroll">
        <table class="grid fleet-table" data-testid="machines"
            hidden=move || fleet.page.with(|p| p.as_ref().is_none_or(|p| p.rows.is_empty()))>
            <thead>{heads}</thead>
            <tbody>
                <For
                    each=move || fleet.rows()
                    key=row_key
                    children=move |row| view! { <Row row fleet/> }.into_any()
                />
            </tbody>
        </table>
        </div>
    }
    .into_any()
}
