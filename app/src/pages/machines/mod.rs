//! Machines: every machine of every backend the user may see, as last
//! polled, in one table: searched, filtered by backend, state and tag, and
//! sorted through the address (`?q=&backend=&state=&tag=&stack=&sort=`, so it
//! works without JavaScript and can be bookmarked); once hydrated it
//! follows the machine and backend events (`crate::live`), so rows change
//! without a reload and without reading the list again; reboot, stop,
//! start, and destroy behind a confirmation, with progress while an action
//! runs. Machines a stack made name it (a column, and the `stack` filter).

use std::collections::HashMap;

use domain::inventory::MachineSummary;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::{Form, A},
    hooks::use_query_map,
};

use crate::{
    api::{
        events::events_position,
        machines::{list_machines, ActOnMachine},
        stacks::{read_stacks, stack_membership, stacks_of, Stacks},
    },
    components::{form::FormError, live_rows::apply_to_machines, machine_actions::MachineActions},
    error::AppError,
    live,
    paths::{machine_href, stack_href},
};

/// The events the page follows.
const TOPICS: &[&str] = &["machine", "backend"];

/// What the address asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Filter {
    q: String,
    backend: String,
    state: String,
    tag: String,
    stack: String,
    sort: String,
}

impl Filter {
    fn keeps(&self, m: &MachineSummary, stacks: &Stacks) -> bool {
        let q = self.q.trim().to_lowercase();
        let matches_q = q.is_empty()
            || m.name.to_lowercase().contains(&q)
            || m.id.to_lowercase().contains(&q)
            || m.public_ips
                .iter()
                .chain(&m.private_ips)
                .any(|ip| ip.contains(&q));
        let tag = self.tag.trim().to_lowercase();
        matches_q
            && (self.backend.is_empty() || m.backend == self.backend)
            && (self.state.is_empty() || m.state.as_str() == self.state)
            && (tag.is_empty() || m.tags.iter().any(|t| t.to_lowercase() == tag))
            && (self.stack.is_empty()
                || stacks
                    .get(&(m.backend.clone(), m.id.clone()))
                    .is_some_and(|(id, _)| *id == self.stack))
    }

    fn apply(&self, mut rows: Vec<MachineSummary>, stacks: &Stacks) -> Vec<MachineSummary> {
        rows.retain(|m| self.keeps(m, stacks));
        let name = |m: &MachineSummary| m.name.to_lowercase();
        match self.sort.as_str() {
            "backend" => rows.sort_by_key(|m| (m.backend_title.to_lowercase(), name(m))),
            "state" => rows.sort_by_key(|m| (m.state.as_str(), name(m))),
            _ => rows.sort_by_key(name),
        }
        rows
    }
}

/// The Machines page.
#[component]
pub fn MachinesPage() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        let q = query.read();
        let get = |k: &str| q.get(k).unwrap_or_default();
        Filter {
            q: get("q"),
            backend: get("backend"),
            state: get("state"),
            tag: get("tag"),
            stack: get("stack"),
            sort: get("sort"),
        }
    });
    let act = ServerAction::<ActOnMachine>::new();
    // The events' position first, then the list: events from there on
    // are applied to what was read.
    let machines = Resource::new(
        || (),
        |()| async move {
            let since = events_position().await?;
            let listed = list_machines().await?;
            // A list, not the map: a resource's value travels as JSON.
            let held = stack_membership(String::new()).await.unwrap_or_default();
            Ok::<_, AppError>((since, listed, held))
        },
    );
    // What the browser knows since: rows are keyed, so a row whose machine
    // did not change is left alone (an open confirmation stays open).
    let live = RwSignal::new(None::<Vec<MachineSummary>>);
    let stacks = RwSignal::new(Stacks::new());
    let following = StoredValue::new(false);
    Effect::new(move |_| {
        let Some(Ok((since, _, _))) = machines.get() else {
            return;
        };
        if following.get_value() {
            return;
        }
        following.set_value(true);
        live::follow(
            TOPICS,
            Some(since),
            live::Listener {
                on_event: Box::new(move |event| {
                    // A new machine may be a stack's.
                    if event.kind == domain::events::EventKind::MachineAppeared {
                        leptos::task::spawn_local(async move {
                            let read = read_stacks().await;
                            stacks.try_set(read);
                        });
                    }
                    live.maybe_update(|rows| {
                        rows.as_mut()
                            .is_some_and(|rows| apply_to_machines(rows, &event))
                    });
                }),
                on_reload: Box::new(move || {
                    leptos::task::spawn_local(async move {
                        if let Ok(rows) = list_machines().await {
                            live.try_set(Some(rows));
                        }
                    });
                }),
            },
        );
    });
    let error = Signal::derive(move || act.value().get().and_then(Result::err));
    // Everything the table shows is made here, once: a signal made inside
    // the Suspend below would be disposed when it runs again, under rows
    // that still read it.
    let rows = Signal::derive(move || live.get().unwrap_or_default());
    let shown = Memo::new(move |_| stacks.with(|s| filter.get().apply(rows.get(), s)));
    view! {
        <Title text="Machines"/>
        <section class="page">
            <h1>"Machines"</h1>
            <FormError error/>
            <Transition fallback=|| view! { <p>"Loading machines…"</p> }>
                {move || Suspend::new(async move {
                    match machines.await {
                        Ok((_, first, first_stacks)) => {
                            // The first read seeds what later reads replace.
                            if live.get_untracked().is_none() {
                                live.set(Some(first));
                                stacks.set(stacks_of(first_stacks));
                            }
                            view! {
                            <FilterForm rows filter stacks/>
                            <p class="placeholder" data-testid="no-machines" hidden=move || !rows.with(Vec::is_empty)>
                                "No machines yet. Machines appear here once a backend is added on the "
                                <A href="/backends">"Backends"</A> " page."
                            </p>
                            <p class="muted" data-testid="machine-count" hidden=move || rows.with(Vec::is_empty)>
                                {move || format!("{} of {} machines", shown.with(Vec::len), rows.with(Vec::len))}
                            </p>
                            <table class="grid" data-testid="machines" hidden=move || rows.with(Vec::is_empty)>
                                <thead><tr><th>"Name"</th><th>"Backend"</th><th>"State"</th><th>"Addresses"</th><th>"Tags"</th><th>"Stack"</th><th>"Actions"</th></tr></thead>
                                <tbody>
                                    <For
                                        each=move || shown.get()
                                        key=|m| (m.backend.clone(), m.id.clone(), m.state, m.tags.clone(), m.public_ips.clone(), m.name.clone())
                                        children=move |m| view! { <Row m act stacks/> }.into_any()
                                    />
                                </tbody>
                            </table>
                            }.into_any()
                        }
                        Err(e) => view! { <p class="form-error">{e.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Search, filters and sort, as a GET form on this page's address; the
/// Backend and State choices are those of the machines listed now.
#[component]
fn FilterForm(
    rows: Signal<Vec<MachineSummary>>,
    filter: Memo<Filter>,
    stacks: RwSignal<Stacks>,
) -> impl IntoView {
    let stack_choices = move || {
        let mut all: Vec<(String, String)> = stacks.with(|s| s.values().cloned().collect());
        all.sort_by(|a, b| a.1.cmp(&b.1));
        all.dedup();
        all
    };
    let backends = move || {
        let mut backends: Vec<(String, String)> = rows.with(|rows| {
            rows.iter()
                .map(|m| (m.backend.clone(), m.backend_title.clone()))
                .collect()
        });
        backends.sort_by(|a, b| a.1.cmp(&b.1));
        backends.dedup();
        backends
    };
    let states = move || {
        let mut states: Vec<String> =
            rows.with(|rows| rows.iter().map(|m| m.state.to_string()).collect());
        states.sort();
        states.dedup();
        states
    };
    let current = filter.get_untracked();
    let option = move |value: String, label: String, chosen: fn(&Filter) -> &str| {
        let selected = {
            let value = value.clone();
            move || filter.with(|f| chosen(f) == value)
        };
        view! { <option value=value selected=selected>{label}</option> }
    };
    view! {
        <Form method="GET" action="/machines" attr:class="filters" attr:data-testid="machine-filters">
            <label>"Search " <input type="search" name="q" value=current.q.clone() placeholder="name, id or address" autocomplete="off"/></label>
            <label>"Backend "
                <select name="backend">
                    {option(String::new(), "all".into(), |f| &f.backend)}
                    {move || backends().into_iter().map(|(id, title)| option(id, title, |f| &f.backend)).collect_view()}
                </select>
            </label>
            <label>"State "
                <select name="state">
                    {option(String::new(), "all".into(), |f| &f.state)}
                    {move || states().into_iter().map(|s| option(s.clone(), s, |f| &f.state)).collect_view()}
                </select>
            </label>
            <label>"Tag " <input name="tag" value=current.tag.clone() placeholder="env=prod" autocomplete="off"/></label>
            <label hidden=move || stacks.with(HashMap::is_empty)>"Stack "
                <select name="stack">
                    {option(String::new(), "all".into(), |f| &f.stack)}
                    {move || stack_choices().into_iter().map(|(id, nickname)| option(id, nickname, |f| &f.stack)).collect_view()}
                </select>
            </label>
            <label>"Sort by "
                <select name="sort">
                    {option("name".into(), "name".into(), |f| &f.sort)}
                    {option("backend".into(), "backend".into(), |f| &f.sort)}
                    {option("state".into(), "state".into(), |f| &f.sort)}
                </select>
            </label>
            <button type="submit" class="secondary">"Show"</button>
        </Form>
    }
    .into_any()
}

/// One machine with the actions its provider allows, and their progress.
#[component]
fn Row(
    m: MachineSummary,
    act: ServerAction<ActOnMachine>,
    stacks: RwSignal<Stacks>,
) -> impl IntoView {
    let held = (m.backend.clone(), m.id.clone());
    let stack =
        move || {
            stacks.with(|s| s.get(&held).cloned()).map(|(id, nickname)| {
            view! { <A href=stack_href(&id) attr:data-testid="machine-stack">{nickname}</A> }
        })
        };
    let addresses = m
        .public_ips
        .iter()
        .chain(&m.private_ips)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    let id = m.id.clone();
    // This row's action is under way.
    let busy = Signal::derive(move || {
        act.pending().get()
            && act
                .input()
                .with(|i| i.as_ref().is_some_and(|i| i.machine == id))
    });
    let progress = move || {
        busy.get().then(|| {
            let what = act.input().with(|i| i.as_ref().map(|i| i.action.clone()).unwrap_or_default());
            view! { <span class="muted" role="status" data-testid="machine-progress">{format!("{what}…")}</span> }
        })
    };
    let actions = m.clone();
    view! {
        <tr data-machine=m.id.clone()>
            <td><A href=machine_href(&m.backend, &m.id)>{m.name.clone()}</A></td>
            <td>{m.backend_title.clone()}</td>
            <td><span class=format!("state {}", m.state) data-testid="machine-state">{m.state.as_str()}</span></td>
            <td>{addresses}</td>
            <td>{m.tags.join(", ")}</td>
            <td>{stack}</td>
            <td class="actions">
                <MachineActions machine=actions act busy/>
                {progress}
            </td>
        </tr>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::api::stacks::Membership;

    fn machine(name: &str, backend: &str, state: &str, tags: &[&str]) -> MachineSummary {
        MachineSummary {
            id: format!("id-{name}"),
            backend: backend.into(),
            backend_title: format!("title-{backend}"),
            name: name.into(),
            state: domain::compute::MachineState::parse(state).unwrap(),
            public_ips: vec![format!("10.0.0.{}", name.len())],
            tags: tags.iter().map(|t| (*t).to_owned()).collect(),
            ..MachineSummary::default()
        }
    }

    #[test]
    fn filters_search_and_sort_combine() {
        let rows = vec![
            machine("web", "b2", "running", &["env=prod"]),
            machine("db", "b1", "stopped", &["env=prod"]),
            machine("cache", "b1", "running", &[]),
        ];
        let stacks = stacks_of(vec![Membership {
            backend_id: "b1".into(),
            machine_id: "id-db".into(),
            stack_id: "s1".into(),
            nickname: "calm-red-fox".into(),
        }]);
        let names = |f: Filter| {
            f.apply(rows.clone(), &stacks)
                .into_iter()
                .map(|m| m.name)
                .collect::<Vec<_>>()
        };
        assert_eq!(names(Filter::default()), ["cache", "db", "web"]);
        let by_state = Filter {
            sort: "state".into(),
            ..Filter::default()
        };
        assert_eq!(names(by_state), ["cache", "web", "db"]);
        let prod_running = Filter {
            state: "running".into(),
            tag: "ENV=PROD".into(),
            ..Filter::default()
        };
        assert_eq!(names(prod_running), ["web"]);
        let b1 = Filter {
            backend: "b1".into(),
            q: "DB".into(),
            ..Filter::default()
        };
        assert_eq!(names(b1), ["db"]);
        let by_address = Filter {
            q: "10.0.0.5".into(),
            ..Filter::default()
        };
        assert_eq!(names(by_address), ["cache"]);
        let of_stack = Filter {
            stack: "s1".into(),
            ..Filter::default()
        };
        assert_eq!(names(of_stack), ["db"]);
    }
}
