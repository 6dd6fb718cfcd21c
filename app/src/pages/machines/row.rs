//! One machine's row: its chosen columns, its actions (each a plain form
//! without JavaScript; once hydrated run by the page, see `bulk`), and,
//! beside them, the progress and result of the last action on it.

use domain::fleet::{FleetRow, COLUMNS};
use leptos::prelude::*;

use super::{
    bulk::run,
    state::{key_of, Fleet, RowStatus},
    words::{age, now, price, Bulk},
};
use crate::{
    components::machine_actions::MachineActions,
    paths::{machine_href, stack_href},
};

/// One cell of `column`, classed by it: a phone's stacked rows put the
/// column's heading before it from the style sheet (`td.size::before`),
/// not from an attribute repeated in every row.
fn cell(column: &'static str, row: &FleetRow, now: i64) -> AnyView {
    let m = &row.machine;
    let text = |t: String| view! { <td class=column>{t}</td> }.into_any();
    let or_none = |t: &Option<String>| t.clone().unwrap_or_default();
    match column {
        "backend" => text(m.backend_title.clone()),
        "state" => view! {
            <td class="state">
                <span class=format!("badge {}", m.state)>{m.state.as_str()}</span>
            </td>
        }
        .into_any(),
        "size" => text(or_none(&row.size)),
        "image" => text(or_none(&row.image)),
        "location" => text(or_none(&row.location)),
        "address" => text(m.public_ips.join(", ")),
        "age" => text(age(row.first_seen, now)),
        "price" => text(price(row.price_hourly)),
        "tags" => view! {
            <td class="tags">
                {m.tags.iter().map(|t| view! { <span class="chip">{t.clone()}</span> }).collect_view()}
            </td>
        }
        .into_any(),
        "stack" => {
            let stack = row.stack.clone().map(|s| {
                view! { <a href=stack_href(&s.id) data-testid="machine-stack">{s.label}</a> }
            });
            view! { <td class="stack">{stack}</td> }.into_any()
        }
        _ => text(String::new()),
    }
}

/// A machine's row.
#[component]
pub fn Row(row: FleetRow, fleet: Fleet) -> impl IntoView {
    let key = key_of(&row);
    let m = row.machine.clone();
    let selectable = Fleet::selectable(&row);
    let select = {
        let key = key.clone();
        let name = m.name.clone();
        move || {
            fleet.selecting().then(|| {
                let (key, toggle) = (key.clone(), key.clone());
                let input = selectable.then(|| {
                    view! {
                        <input type="checkbox" aria-label=format!("Select {name}") data-testid="select-machine"
                            prop:checked=move || fleet.selected.with(|s| s.contains(&key))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                fleet.selected.update(|s| {
                                    if on {
                                        s.insert(toggle.clone());
                                    } else {
                                        s.remove(&toggle);
                                    }
                                });
                            }/>
                    }
                });
                view! { <td class="select">{input}</td> }
            })
        }
    };
    let cells = {
        let row = row.clone();
        move || {
            let when = now();
            fleet.columns.with(|chosen| {
                COLUMNS
                    .iter()
                    .filter(|c| chosen.iter().any(|x| x == *c))
                    .map(|c| cell(c, &row, when))
                    .collect_view()
            })
        }
    };
    let status = {
        let key = key.clone();
        Memo::new(move |_| fleet.status.with(|s| s.get(&key).cloned()))
    };
    let busy = Signal::derive(move || matches!(status.get(), Some(RowStatus::Busy(_))));
    let said = move || {
        status.get().map(|s| {
            let (class, text) = match s {
                RowStatus::Busy(t) => ("row-status busy", t),
                RowStatus::Done(t) => ("row-status ok", t),
                RowStatus::Failed(t) => ("row-status failed", t),
            };
            view! { <span class=class role="status" data-testid="row-status">{text}</span> }
        })
    };
    let on_act = {
        let m = m.clone();
        Callback::new(move |action: &'static str| run(fleet, Bulk::Act(action), vec![m.clone()]))
    };
    let failed = move || matches!(status.get(), Some(RowStatus::Failed(_)));
    view! {
        <tr data-machine=m.id.clone() data-failed=move || failed().then_some("")>
            {select}
            <td><a href=machine_href(&m.backend, &m.id)>{m.name.clone()}</a></td>
            {cells}
            <td class="actions">
                <MachineActions machine=m.clone() on_act busy/>
                {said}
            </td>
        </tr>
    }
    .into_any()
}
