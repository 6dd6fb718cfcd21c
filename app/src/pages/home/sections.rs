//! The dashboard's sections, each from its part of the one answer. Plain
//! links, not the router's `A`: in islands mode the dashboard is an island,
//! with no router in the browser (hydrated, the router takes plain links too).

use domain::{
    dashboard::{Activity, BackendCount, Checklist, RunningScripts, StateCount, LATEST_SCRIPTS},
    rights::Sections,
};
use leptos::prelude::*;

use crate::{
    components::format::utc,
    paths::{encode_segment, machine_href},
};

/// "1 machine", "3 machines".
fn machines(n: i64) -> String {
    if n == 1 {
        "1 machine".into()
    } else {
        format!("{n} machines")
    }
}

/// A new installation's first steps, each a link to where it is done for a
/// caller who may take it (plain text for one who may not).
#[component]
pub fn SetupChecklist(checklist: Checklist) -> impl IntoView {
    view! {
        <section class="panel checklist" data-testid="checklist" aria-labelledby="checklist-title">
            <h2 id="checklist-title">"Get started"</h2>
            <ol>
                <Step step="key" done=checklist.key may=checklist.may_add_key href="/keys" label="Add a key"
                    hint="an SSH key that opens your machines: import one or generate one"/>
                <Step step="backend" done=checklist.backend may=checklist.may_add_backend href="/backends" label="Add a backend"
                    hint="a cloud account or a host, its credentials checked first"/>
                <Step step="machine" done=checklist.machine may=checklist.may_create_machine href="/backends" label="Create a machine"
                    hint="from a backend's Create machine link"/>
            </ol>
        </section>
    }
}

/// One step of the checklist.
#[component]
fn Step(
    step: &'static str,
    done: bool,
    /// The caller may take the step: it links to where it is done.
    may: bool,
    href: &'static str,
    label: &'static str,
    hint: &'static str,
) -> impl IntoView {
    view! {
        <li class=if done { "done" } else { "todo" } data-step=step data-done=done.to_string()>
            <span class="tick" aria-hidden="true">{if done { "✓" } else { "○" }}</span>
            <span class="step">
                {if may {
                    view! { <a href=href>{label}</a> }.into_any()
                } else {
                    view! { <span data-testid="step-not-yours">{label}</span> }.into_any()
                }}
                <span class="status">{if done { " (done)" } else { " (to do)" }}</span>
                <br/><span class="muted">{hint}</span>
            </span>
        </li>
    }
}

/// A panel's title: a link to its section for a caller who may open it.
fn heading(may: bool, href: &'static str, label: &'static str) -> AnyView {
    if may {
        view! { <a href=href>{label}</a> }.into_any()
    } else {
        label.into_any()
    }
}

/// The backends, trouble first: state, machine count, reason.
#[component]
pub fn BackendList(backends: Vec<BackendCount>, sections: Sections) -> impl IntoView {
    view! {
        <section class="panel" data-testid="dash-backends" aria-labelledby="dash-backends-title">
            <h2 id="dash-backends-title">{heading(sections.backends, "/backends", "Backends")}</h2>
            {if backends.is_empty() {
                view! { <p class="muted">"No backends to show."</p> }.into_any()
            } else {
                view! {
                    <ul class="dash-list">
                        {backends.into_iter().map(|b| view! {
                            <li data-backend=b.id.clone()>
                                <span class="name">{b.title.clone()}</span>
                                <span class=format!("state {}", b.state) data-testid="backend-state">{b.state.as_str()}</span>
                                {if sections.machines {
                                    view! {
                                        <a href=format!("/machines?backend={}", encode_segment(&b.id))>
                                            <span data-testid="backend-machines">{machines(b.machines)}</span>
                                        </a>
                                    }.into_any()
                                } else {
                                    view! { <span data-testid="backend-machines">{machines(b.machines)}</span> }.into_any()
                                }}
                                {b.state_reason.clone().map(|r| view! { <span class="muted reason">{r}</span> })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}

/// The machines counted by state, each a link to the filtered list.
#[component]
pub fn MachineStates(states: Vec<StateCount>, total: i64, sections: Sections) -> impl IntoView {
    view! {
        <section class="panel" data-testid="dash-machines" aria-labelledby="dash-machines-title">
            <h2 id="dash-machines-title">{heading(sections.machines, "/machines", "Machines")}</h2>
            <p data-testid="machines-total">{machines(total)}</p>
            {(!states.is_empty()).then(|| view! {
                <ul class="dash-states">
                    {states.into_iter().map(|s| view! {
                        <li data-state=s.state.as_str()>
                            <a href=format!("/machines?state={}", s.state)>
                                <span class=format!("state {}", s.state)>{s.state.as_str()}</span>
                                " "<strong>{s.count}</strong>
                            </a>
                        </li>
                    }).collect_view()}
                </ul>
            })}
        </section>
    }
}

/// The scripts running now: how many, and the newest few.
#[component]
pub fn RunningScriptList(scripts: RunningScripts) -> impl IntoView {
    let more = scripts.count - scripts.latest.len() as i64;
    view! {
        <section class="panel" data-testid="dash-scripts" aria-labelledby="dash-scripts-title">
            <h2 id="dash-scripts-title">"Scripts running now"</h2>
            {if scripts.count == 0 {
                view! { <p class="muted">"None."</p> }.into_any()
            } else {
                view! {
                    <p data-testid="scripts-count">{format!("{} running or waiting", scripts.count)}</p>
                    <ul class="dash-list">
                        {scripts.latest.into_iter().map(|r| {
                            let name = r.machine_name.clone().unwrap_or_else(|| r.machine.clone());
                            let when = r.started_at.map_or_else(
                                || format!("asked {}", utc(r.created_at)),
                                |t| format!("started {}", utc(t)),
                            );
                            view! {
                                <li data-run=r.id.clone()>
                                    <a href=machine_href(&r.backend, &r.machine)>{name}</a>
                                    <code class="script">{r.script.clone()}</code>
                                    <span class="muted">{r.state.as_str()} ", " {when}</span>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {(more > 0).then(|| view! {
                        <p class="muted">{format!("and {more} more (the newest {LATEST_SCRIPTS} are shown)")}</p>
                    })}
                }.into_any()
            }}
        </section>
    }
}

/// The newest audit events that concern the caller.
#[component]
pub fn ActivityList(activity: Vec<Activity>) -> impl IntoView {
    view! {
        <section class="panel" data-testid="dash-activity" aria-labelledby="dash-activity-title">
            <h2 id="dash-activity-title">"Recent activity"</h2>
            {if activity.is_empty() {
                view! { <p class="muted">"Nothing yet."</p> }.into_any()
            } else {
                view! {
                    <ul class="dash-list activity">
                        {activity.into_iter().map(|a| view! {
                            <li class=a.outcome.clone()>
                                <span class="muted">{utc(a.at)} " UTC"</span>
                                <span><strong>{a.actor.clone()}</strong> " " {a.action.clone()} " "
                                    <code>{a.resource.clone()}</code> " (" {a.outcome.clone()} ")"</span>
                                {(!a.detail.is_empty()).then(|| view! { <span class="muted">{a.detail.clone()}</span> })}
                            </li>
                        }).collect_view()}
                    </ul>
                }.into_any()
            }}
        </section>
    }
}
