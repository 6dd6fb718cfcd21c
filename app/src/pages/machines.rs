//! Machines: every machine of every backend the user may see, as last
//! polled, in one table: searched, filtered by backend, state and tag, and
//! sorted through the address (`?q=&backend=&state=&tag=&sort=`, so it
//! works without JavaScript and can be bookmarked); read again every 5 s
//! once hydrated, so states change without a reload; reboot, stop, start,
//! and destroy behind a confirmation, with progress while an action runs.

use std::time::Duration;

use domain::inventory::MachineSummary;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    components::{Form, A},
    hooks::use_query_map,
};

use crate::{
    api::machines::{list_machines, ActOnMachine},
    components::{
        form::{Csrf, FormError},
        paths::machine_href,
    },
};

/// How often a hydrated page reads the list again.
const REFRESH: Duration = Duration::from_secs(5);

/// What the address asks for.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Filter {
    q: String,
    backend: String,
    state: String,
    tag: String,
    sort: String,
}

impl Filter {
    fn keeps(&self, m: &MachineSummary) -> bool {
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
            && (self.state.is_empty() || m.state == self.state)
            && (tag.is_empty() || m.tags.iter().any(|t| t.to_lowercase() == tag))
    }

    fn apply(&self, mut rows: Vec<MachineSummary>) -> Vec<MachineSummary> {
        rows.retain(|m| self.keeps(m));
        let name = |m: &MachineSummary| m.name.to_lowercase();
        match self.sort.as_str() {
            "backend" => rows.sort_by_key(|m| (m.backend_title.to_lowercase(), name(m))),
            "state" => rows.sort_by_key(|m| (m.state.clone(), name(m))),
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
            sort: get("sort"),
        }
    });
    let act = ServerAction::<ActOnMachine>::new();
    let machines = Resource::new(|| (), |()| list_machines());
    // What the browser read since: rows are keyed, so a row whose machine
    // did not change is left alone (an open confirmation stays open).
    let live = RwSignal::new(None::<Vec<MachineSummary>>);
    let refresh = move || {
        leptos::task::spawn_local(async move {
            if let Ok(rows) = list_machines().await {
                live.try_set(Some(rows));
            }
        });
    };
    // Only in the browser (effects do not run on the server): read again
    // every few seconds, and after each action.
    Effect::new(move |_| {
        if let Ok(handle) = set_interval_with_handle(refresh, REFRESH) {
            on_cleanup(move || handle.clear());
        }
    });
    Effect::new(move |seen: Option<usize>| {
        let version = act.version().get();
        if seen.is_some() {
            refresh();
        }
        version
    });
    let error = Signal::derive(move || act.value().get().and_then(Result::err));
    view! {
        <Title text="Machines"/>
        <section class="page">
            <h1>"Machines"</h1>
            <FormError error/>
            <Transition fallback=|| view! { <p>"Loading machines…"</p> }>
                {move || Suspend::new(async move {
                    match machines.await {
                        Ok(first) => {
                            let current = filter.get();
                            let rows = Signal::derive({
                                let first = first.clone();
                                move || live.get().unwrap_or_else(|| first.clone())
                            });
                            let shown = move || filter.get().apply(rows.get());
                            view! {
                                <FilterForm rows=first current/>
                                <p class="placeholder" data-testid="no-machines" hidden=move || !rows.with(Vec::is_empty)>
                                    "No machines yet. Machines appear here once a backend is added on the "
                                    <A href="/backends">"Backends"</A> " page."
                                </p>
                                <p class="muted" data-testid="machine-count" hidden=move || rows.with(Vec::is_empty)>
                                    {move || format!("{} of {} machines", shown().len(), rows.with(Vec::len))}
                                </p>
                                <table class="grid" data-testid="machines" hidden=move || rows.with(Vec::is_empty)>
                                    <thead><tr><th>"Name"</th><th>"Backend"</th><th>"State"</th><th>"Addresses"</th><th>"Tags"</th><th>"Actions"</th></tr></thead>
                                    <tbody>
                                        <For
                                            each=shown
                                            key=|m| (m.backend.clone(), m.id.clone(), m.state.clone(), m.tags.clone(), m.public_ips.clone(), m.name.clone())
                                            children=move |m| view! { <Row m act/> }.into_any()
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

/// Search, filters and sort, as a GET form on this page's address.
#[component]
fn FilterForm(rows: Vec<MachineSummary>, current: Filter) -> impl IntoView {
    let mut backends: Vec<(String, String)> = rows
        .iter()
        .map(|m| (m.backend.clone(), m.backend_title.clone()))
        .collect();
    backends.sort_by(|a, b| a.1.cmp(&b.1));
    backends.dedup();
    let mut states: Vec<String> = rows.iter().map(|m| m.state.clone()).collect();
    states.sort();
    states.dedup();
    let option = |value: String, label: String, chosen: &str| {
        let selected = value == chosen;
        view! { <option value=value selected=selected>{label}</option> }
    };
    view! {
        <Form method="GET" action="/machines" attr:class="filters" attr:data-testid="machine-filters">
            <label>"Search " <input type="search" name="q" value=current.q.clone() placeholder="name, id or address" autocomplete="off"/></label>
            <label>"Backend "
                <select name="backend">
                    {option(String::new(), "all".into(), &current.backend)}
                    {backends.into_iter().map(|(id, title)| option(id, title, &current.backend)).collect_view()}
                </select>
            </label>
            <label>"State "
                <select name="state">
                    {option(String::new(), "all".into(), &current.state)}
                    {states.into_iter().map(|s| option(s.clone(), s, &current.state)).collect_view()}
                </select>
            </label>
            <label>"Tag " <input name="tag" value=current.tag.clone() placeholder="env=prod" autocomplete="off"/></label>
            <label>"Sort by "
                <select name="sort">
                    {option("name".into(), "name".into(), &current.sort)}
                    {option("backend".into(), "backend".into(), &current.sort)}
                    {option("state".into(), "state".into(), &current.sort)}
                </select>
            </label>
            <button type="submit" class="secondary">"Show"</button>
        </Form>
    }
    .into_any()
}

/// One machine with the actions its provider allows.
#[component]
fn Row(m: MachineSummary, act: ServerAction<ActOnMachine>) -> impl IntoView {
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
    let (b, id) = (m.backend.clone(), m.id.clone());
    let form = |action: &'static str, label: &'static str, class: &'static str| {
        action_form(act, b.clone(), id.clone(), (action, label, class), busy)
    };
    let progress = {
        move || {
            busy.get().then(|| {
                let what = act.input().with(|i| i.as_ref().map(|i| i.action.clone()).unwrap_or_default());
                view! { <span class="muted" role="status" data-testid="machine-progress">{format!("{what}…")}</span> }
            })
        }
    };
    // Boxed views: the row's full type is too deep for the release build.
    let reboot = m
        .can_reboot
        .then(|| form("reboot", "Reboot", "secondary").into_any());
    let stop = m
        .can_stop
        .then(|| form("stop", "Stop", "secondary").into_any());
    let start = m
        .can_start
        .then(|| form("start", "Start", "secondary").into_any());
    let destroy = m.can_destroy.then(|| {
        let warning = format!(
            "{} and its disks are deleted at the provider. This cannot be undone.",
            m.name
        );
        view! {
            <details class="confirm">
                <summary>"Destroy"</summary>
                <p class="muted">{warning}</p>
                {form("destroy", "Destroy this machine", "danger")}
            </details>
        }
        .into_any()
    });
    view! {
        <tr data-machine=m.id.clone()>
            <td><A href=machine_href(&m.backend, &m.id)>{m.name.clone()}</A></td>
            <td>{m.backend_title.clone()}</td>
            <td><span class=format!("state {}", m.state) data-testid="machine-state">{m.state.clone()}</span></td>
            <td>{addresses}</td>
            <td>{m.tags.join(", ")}</td>
            <td class="actions">
                {reboot}{stop}{start}{destroy}
                {progress}
            </td>
        </tr>
    }
    .into_any()
}

/// One action's button, disabled while an action on the row runs.
fn action_form(
    act: ServerAction<ActOnMachine>,
    backend: String,
    machine: String,
    (action, label, class): (&'static str, &'static str, &'static str),
    busy: Signal<bool>,
) -> impl IntoView {
    view! {
        <ActionForm action=act attr:class="inline">
            <Csrf/>
            <input type="hidden" name="backend" value=backend/>
            <input type="hidden" name="machine" value=machine/>
            <input type="hidden" name="action" value=action/>
            <button type="submit" class=class data-action=action disabled=move || busy.get()>{label}</button>
        </ActionForm>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn machine(name: &str, backend: &str, state: &str, tags: &[&str]) -> MachineSummary {
        MachineSummary {
            id: format!("id-{name}"),
            backend: backend.into(),
            backend_title: format!("title-{backend}"),
            name: name.into(),
            state: state.into(),
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
        let names = |f: Filter| {
            f.apply(rows.clone())
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
    }
}
