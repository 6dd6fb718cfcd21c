//! One stack, `/stacks/:stack`: status (live), layers with their machines
//! and the agents on them, the event log (live), versions and their
//! comparison, Update and Delete (only what the user's rights and the
//! stack's state allow). Once hydrated every `stack` event of this stack
//! reads it again; without JavaScript it is as fresh as its last load.

use leptos::prelude::*;

use crate::islands::{groups::StackIsland, page_island};
use leptos_router::hooks::use_params_map;

use super::{
    status_class,
    update::{DeleteForm, UpdateForm},
    versions::{resources, Versions},
    TOPICS,
};
use crate::components::post_form::PostAction;
use crate::components::title::PageTitle;
use crate::loaded::load;
use crate::{
    api::stacks::{get_stack, DeleteStack, StackEvent, StackView, UpdateStack},
    components::format::utc,
    paths::machine_href,
};

/// The stack page.
#[component]
pub fn StackPage() -> impl IntoView {
    let params = use_params_map();
    // Drawn again for another stack (the default build's router keeps the
    // page when only the parameters change).
    move || {
        let stack = params.with(|p| p.get("stack").unwrap_or_default());
        view! {
            <PageTitle text="Stack"/>
            {page_island(StackIsland::Stack { stack })}
        }
    }
}

/// Everything under the page's title (an island in islands mode).
#[component]
pub fn StackView(stack: String) -> impl IntoView {
    let id = Signal::stored(stack);
    let update = PostAction::<UpdateStack>::new();
    let delete = PostAction::<DeleteStack>::new();
    let found = load(move || id.get(), get_stack);
    let (versions, compared) = resources(id, update);
    // What a plain form post to Update brought back (its text, its plan).
    let draft = crate::shown_once::take(crate::shown_once::STACK_DRAFT);
    let live = RwSignal::new(None::<StackView>);
    let refresh = move || {
        let stack = id.get_untracked();
        leptos::task::spawn_local(async move {
            if let Ok(s) = get_stack(stack).await {
                live.try_set(Some(s));
            }
        });
    };
    // An update or a delete begun here shows at once.
    Effect::new(move |_| {
        if update.version().get() + delete.version().get() > 0 {
            refresh();
        }
    });
    crate::live::follow_after_catching_up(
        TOPICS,
        refresh,
        crate::live::Listener {
            on_event: Box::new(move |event| {
                if event.resource == domain::resource::stack(&id.get_untracked()) {
                    refresh();
                }
            }),
            on_reload: Box::new(refresh),
        },
    );
    view! {
        <section class="page stacks stack" on:click=crate::address::follow_same_page_links>
            <p class="crumbs"><a href="/stacks">"Stacks"</a> " /"</p>
            <Transition fallback=|| view! { <p>"Loading the stack…"</p> }>
                {move || Suspend::new(async move {
                    let draft = draft.await;
                    match found.await {
                        Ok(first) => {
                            let initial = first.clone();
                            let current = Memo::new(move |_| live.get().filter(|l| l.stack_id == initial.stack_id).unwrap_or_else(|| initial.clone()));
                            view! {
                                <Summary current/>
                                <Layers current/>
                                <EventLog current/>
                                <Versions stack_id=first.stack_id.clone() versions compared/>
                                <UpdateForm first=first.clone() current update draft/>
                                <DeleteForm current delete/>
                            }.into_any()
                        }
                        Err(e) => view! {
                            <h1>"Stack"</h1>
                            <p class="form-error" role="alert">{e.to_string()}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

/// Name, status and what the stack is on.
#[component]
fn Summary(current: Memo<StackView>) -> impl IntoView {
    let s = current.get_untracked();
    view! {
        <h1>{s.nickname.clone()}</h1>
        <dl class="facts" data-testid="stack">
            <dt>"Status"</dt>
            <dd>
                <span class=move || status_class(&current.with(|c| c.status.clone())) data-testid="stack-status">
                    {move || current.with(|c| c.status.clone())}
                </span>
                {move || current.with(|c| c.operation.clone()).map(|op| view! { <span class="muted">{format!(" (operation {op})")}</span> })}
            </dd>
            <dt>"Cloud"</dt><dd>{s.cloud.clone()} " · " <a href="/backends">{s.backend_title.clone()}</a></dd>
            <dt>"Version"</dt><dd class="mono" data-testid="stack-version">{move || current.with(|c| c.version_id.clone())}</dd>
            <dt>"Created (UTC)"</dt><dd>{utc(s.created_at)} " by " {s.owner.clone()}</dd>
            <dt>"Id"</dt><dd class="mono">{s.stack_id.clone()}</dd>
        </dl>
    }
}

/// The layers, their machines, and the agents on them.
#[component]
fn Layers(current: Memo<StackView>) -> impl IntoView {
    move || {
        let s = current.get();
        let backend = s.backend_id.clone();
        let agents = s.agents.clone();
        let stray: Vec<_> = agents
            .iter()
            .filter(|a| a.machine.is_none())
            .cloned()
            .collect();
        view! {
            <h2>"Layers"</h2>
            {s.layers.is_empty().then(|| view! { <p class="muted">"No layer holds a machine yet."</p> })}
            <div class="layers" data-testid="stack-layers">
                {s.layers.into_iter().map(|layer| {
                    let backend = backend.clone();
                    let agents = agents.clone();
                    view! {
                        <div class="layer" data-flag=layer.flag.clone()>
                            <h3>{layer.flag.clone()} " " <span class="muted">{layer.role.clone()}</span>
                                <span class="muted">{format!(" · {} machine(s)", layer.machines.len())}</span></h3>
                            <table class="grid">
                                <thead><tr><th>"Machine"</th><th>"State"</th><th>"Addresses"</th><th>"Agent"</th></tr></thead>
                                <tbody>
                                    {layer.machines.into_iter().map(|m| {
                                        let agent = agents.iter().find(|a| a.machine.as_deref() == Some(m.name.as_str())).map(|a| {
                                            let mut said = a.status.clone().unwrap_or_else(|| "reported".into());
                                            if let Some(msg) = a.message.as_ref().filter(|m| !m.is_empty()) {
                                                said.push_str(&format!(": {msg}"));
                                            }
                                            if let Some(c) = &a.container_status {
                                                said.push_str(&format!(" (container {c})"));
                                            }
                                            said
                                        });
                                        view! {
                                            <tr data-machine=m.machine_id.clone()>
                                                <td><a href=machine_href(&backend, &m.machine_id)>{m.name.clone()}</a></td>
                                                <td data-label="State"><span class=format!("state {}", m.state)>{m.state.clone()}</span></td>
                                                <td data-label="Addresses">{m.public_ips.join(", ")}</td>
                                                <td data-label="Agent" data-testid="agent-status">{agent.unwrap_or_else(|| "no report".into())}</td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }
                }).collect_view()}
            </div>
            {(!stray.is_empty()).then(|| view! {
                <h3>"Agents on no machine of the stack"</h3>
                <ul class="plain">
                    {stray.into_iter().map(|a| view! {
                        <li><code>{a.agent_id}</code> " " {a.status.unwrap_or_default()} " " {a.message.unwrap_or_default()}</li>
                    }).collect_view()}
                </ul>
            })}
        }
    }
}

/// One log entry in words.
fn said(e: &StackEvent) -> String {
    let d = &e.detail;
    let text = |k: &str| d[k].as_str().unwrap_or_default().to_owned();
    match e.kind.as_str() {
        "status" => format!("{}: {}", text("status"), text("reason")),
        "step" => {
            let mut s = format!(
                "{} {} ({}): {}",
                text("action").replace('_', " "),
                text("machine_name"),
                text("flag"),
                text("state")
            );
            if !text("message").is_empty() {
                s.push_str(&format!(", {}", text("message")));
            }
            s
        }
        _ => d.to_string(),
    }
}

/// The stack's latest events, newest first.
#[component]
fn EventLog(current: Memo<StackView>) -> impl IntoView {
    view! {
        <h2>"Events"</h2>
        <table class="grid events" data-testid="stack-events">
            <thead><tr><th>"Time (UTC)"</th><th>"Kind"</th><th>"What"</th></tr></thead>
            <tbody>
                {move || current.with(|c| c.events.iter().rev().map(|e| view! {
                    <tr><td class="nowrap" data-label="Time (UTC)">{utc(e.at)}</td><td data-label="Kind">{e.kind.clone()}</td><td data-label="What">{said(e)}</td></tr>
                }).collect_view())}
            </tbody>
        </table>
    }
}
