//! Search, filters and sort as a GET form on the page's address (so they
//! work without JavaScript and can be bookmarked); once hydrated, typing
//! or choosing changes the address at once (typing after a pause), so the
//! table is read again without a reload and the focus stays where it was.
//! Above the table, the machines per state, each a link to that state.

use std::time::Duration;

use domain::{
    compute::MachineState,
    fleet::{thousands, FleetQuery, FleetSort},
};
use leptos::prelude::*;
use leptos_router::NavigateOptions;

use super::state::Fleet;
use crate::components::get_form::GetForm;

/// How long typing pauses before the address follows it.
const TYPING_MS: u64 = 300;

/// The page's address for `query`.
pub fn href(query: &FleetQuery) -> String {
    match query.to_query_string() {
        q if q.is_empty() => "/machines".to_owned(),
        q => format!("/machines?{q}"),
    }
}

/// The filter form.
#[component]
pub fn FilterForm(fleet: Fleet) -> impl IntoView {
    let navigate = crate::address::navigator();
    // Changes one thing of the address (back to the first page).
    let change = move |edit: Box<dyn FnOnce(&mut FleetQuery)>| {
        // The page may have been left meanwhile.
        let Some(now) = fleet.query.try_get_untracked() else {
            return;
        };
        let mut q = now.clone();
        edit(&mut q);
        q.page = 1;
        // Already there (the form was submitted meanwhile): stay.
        if q == (FleetQuery { page: 1, ..now }) {
            return;
        }
        navigate(
            &href(&q),
            NavigateOptions {
                replace: true,
                scroll: false,
                ..Default::default()
            },
        );
    };
    // What was typed and not yet followed: followed once typing pauses, or
    // at once when the field loses the focus (a click elsewhere: a link
    // clicked is then the later navigation, and wins).
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let stop_timer = move || {
        if let Some(t) = timer.try_update_value(Option::take).flatten() {
            t.clear();
        }
    };
    let pending = StoredValue::new(None::<(&'static str, String)>);
    let flush = {
        let change = change.clone();
        move || {
            stop_timer();
            let Some((field, value)) = pending.try_update_value(Option::take).flatten() else {
                return;
            };
            change(Box::new(move |q| match field {
                "q" => q.q = value.trim().to_owned(),
                _ => q.tag = value.trim().to_owned(),
            }))
        }
    };
    // Typing on a page that was left: nothing to follow any more.
    on_cleanup(stop_timer);
    let typed = {
        let flush = flush.clone();
        move |field: &'static str, value: String| {
            stop_timer();
            pending.set_value(Some((field, value)));
            let flush = flush.clone();
            let handle = set_timeout_with_handle(flush, Duration::from_millis(TYPING_MS));
            timer.set_value(handle.ok());
        }
    };
    let chose = move |field: &'static str, value: String| {
        change(Box::new(move |q| match field {
            "backend" => q.backend = value,
            "state" => q.state = MachineState::parse(&value),
            "stack" => q.stack = value,
            _ => {
                q.sort = FleetSort::parse(&value);
                q.desc = false;
            }
        }))
    };
    let first = fleet.query.get_untracked();
    let query = fleet.query;
    let option = move |value: String, label: String, chosen: fn(&FleetQuery) -> String| {
        let selected = {
            let value = value.clone();
            move || query.with(|q| chosen(q) == value)
        };
        view! { <option value=value selected=selected>{label}</option> }
    };
    let backends = move || {
        fleet
            .page
            .with(|p| p.as_ref().map(|p| p.backends.clone()).unwrap_or_default())
    };
    let stacks = move || {
        fleet
            .page
            .with(|p| p.as_ref().map(|p| p.stacks.clone()).unwrap_or_default())
    };
    let states = move || {
        let mut states: Vec<MachineState> = fleet.page.with(|p| {
            p.as_ref()
                .map(|p| p.counts.iter().map(|c| c.state).collect())
                .unwrap_or_default()
        });
        if let Some(s) = query.with(|q| q.state) {
            if !states.contains(&s) {
                states.push(s);
            }
        }
        states
    };
    let state_of = |q: &FleetQuery| q.state.map(|s| s.as_str().to_owned()).unwrap_or_default();
    let (typed_q, typed_tag) = (typed.clone(), typed);
    let (flush_q, flush_tag) = (flush.clone(), flush);
    let (chose_backend, chose_state, chose_stack, chose_sort) =
        (chose.clone(), chose.clone(), chose.clone(), chose);
    view! {
        <GetForm action="/machines" attr:class="filters" attr:data-testid="machine-filters">
            <label>"Search "
                <input type="search" name="q" value=first.q.clone() placeholder="name, id or address" autocomplete="off"
                    on:input=move |ev| typed_q("q", event_target_value(&ev)) on:blur=move |_| flush_q()/>
            </label>
            <label>"Backend "
                <select name="backend" on:change=move |ev| chose_backend("backend", event_target_value(&ev))>
                    {option(String::new(), "all".into(), |q| q.backend.clone())}
                    {move || backends().into_iter().map(|b| option(b.id, b.label, |q| q.backend.clone())).collect_view()}
                </select>
            </label>
            <label>"State "
                <select name="state" on:change=move |ev| chose_state("state", event_target_value(&ev))>
                    {option(String::new(), "all".into(), state_of)}
                    {move || states().into_iter().map(|s| option(s.as_str().into(), s.as_str().into(), state_of)).collect_view()}
                </select>
            </label>
            <label>"Tag "
                <input name="tag" value=first.tag.clone() placeholder="env=prod" autocomplete="off"
                    on:input=move |ev| typed_tag("tag", event_target_value(&ev)) on:blur=move |_| flush_tag()/>
            </label>
            <label hidden=move || stacks().is_empty() && query.with(|q| q.stack.is_empty())>"Stack "
                <select name="stack" on:change=move |ev| chose_stack("stack", event_target_value(&ev))>
                    {option(String::new(), "all".into(), |q| q.stack.clone())}
                    {move || stacks().into_iter().map(|s| option(s.id, s.label, |q| q.stack.clone())).collect_view()}
                </select>
            </label>
            <label>"Sort by "
                <select name="sort" on:change=move |ev| chose_sort("sort", event_target_value(&ev))>
                    {FleetSort::ALL.iter().map(|s| option(s.as_str().into(), s.as_str().into(), |q| q.sort.as_str().into())).collect_view()}
                </select>
            </label>
            // Kept across a plain submit: the order and the page size.
            <input type="hidden" name="desc" value=move || if query.with(|q| q.desc) { "1" } else { "" }/>
            <input type="hidden" name="per_page" value=move || query.with(|q| q.per_page.to_string())/>
            <button type="submit" class="secondary">"Show"</button>
        </GetForm>
    }
    .into_any()
}

/// "all 205 · running 202 · stopped 1 · error 2": the machines matching
/// every filter but the state, each a link to its state.
#[component]
pub fn StateCounters(fleet: Fleet) -> impl IntoView {
    move || {
        let q = fleet.query.get();
        let counts = fleet
            .page
            .with(|p| p.as_ref().map(|p| p.counts.clone()).unwrap_or_default());
        let all: u64 = counts.iter().map(|c| c.count).sum();
        let link = |state: Option<MachineState>, label: String, count: u64| {
            let to = FleetQuery {
                state,
                page: 1,
                ..q.clone()
            };
            let current = (q.state == state).then_some("true");
            let name = state.map(|s| s.as_str()).unwrap_or("all");
            view! {
                <li>
                    <a href=href(&to) aria-current=current data-state=name class=format!("counter {name}")>
                        {label}" "<strong>{thousands(count)}</strong>
                    </a>
                </li>
            }
        };
        view! {
            <ul class="state-counters" aria-label="Machines by state" data-testid="state-counters">
                {link(None, "all".into(), all)}
                {counts.iter().map(|c| link(Some(c.state), c.state.as_str().into(), c.count)).collect_view()}
            </ul>
        }
        .into_any()
    }
}
