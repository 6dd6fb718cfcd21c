//! One machine, in sections reachable with or without JavaScript (a nav of
//! anchors): Overview (its facts, the keys that open it, its host key with
//! a warning and an accept form when it changed, its actions and tags),
//! Console (health, running a command, an interactive terminal: xterm.js,
//! `public/terminal.js`), Scripts and Activity (its audit entries). A
//! terminated machine offers nothing but removing it from the list; a
//! machine or backend that does not exist is a 404 page.

mod activity;
mod summary;

use domain::{compute::MachineState, inventory::MachineSummary, ErrorKind};
use leptos::prelude::*;

use crate::islands::{groups::MachineIsland, page_island};
use leptos_router::hooks::use_params_map;

use crate::components::post_form::{PostAction, PostForm};
use crate::components::title::PageTitle;
use crate::loaded::load;
use crate::{
    api::scripts::StartScript,
    api::{
        keys::{list_keys, DeployKey},
        machines::{
            get_machine, get_machine_activity, AcceptHostKey, ActOnMachine, ForgetMachine,
            SetMachineTags,
        },
        stacks::{stack_membership, stacks_of},
    },
    components::{
        command_runner::{last_run_resource, CommandRunner, LastRunResource},
        form::{Csrf, FormError},
        machine_actions::{any_action, MachineActions},
        machine_health::MachineHealth,
        script_runs::{runs_resource, ScriptRuns},
    },
    error::AppError,
};
use activity::Activity;
use summary::{DeployKeyForm, Summary, TagsForm};

/// The machine page, `/machines/:backend/:machine`. Rendered whole before
/// it is sent (`SsrMode::Async`), so a machine that does not exist (or may
/// not be seen) is a 404 (403) with no forms.
#[component]
pub fn MachinePage() -> impl IntoView {
    let params = use_params_map();
    // Drawn again for another machine (the default build's router keeps
    // the page when only the parameters change).
    move || {
        let (backend, machine) = params.with(|p| {
            (
                p.get("backend").unwrap_or_default(),
                p.get("machine").unwrap_or_default(),
            )
        });
        view! { {page_island(MachineIsland { backend, machine })} }
    }
}

/// Everything on the machine page: its parts follow the machine's events
/// and the forms' answers (an island in islands mode).
#[component]
pub fn MachineView(backend: String, machine: String) -> impl IntoView {
    let backend = Signal::stored(backend);
    let machine = Signal::stored(machine);
    let accept = PostAction::<AcceptHostKey>::new();
    let act = PostAction::<ActOnMachine>::new();
    let tag = PostAction::<SetMachineTags>::new();
    let deploy = PostAction::<DeployKey>::new();
    let start = PostAction::<StartScript>::new();
    let forget = PostAction::<ForgetMachine>::new();
    // Made here, not inside a Suspend, so they hydrate reliably.
    let keys = load(|| (), |()| list_keys());
    let last = last_run_resource(backend, machine);
    let runs = runs_resource(backend, machine, start);
    let probed = crate::shown_once::take(crate::shown_once::PROBE);
    // The stack that made it, if one did and the user may see it.
    let stack = load(
        move || (backend.get(), machine.get()),
        |(backend, machine)| async move {
            let held = stacks_of(stack_membership(backend.clone()).await.unwrap_or_default());
            held.get(&(backend, machine)).cloned()
        },
    );
    // Whether the machine is there at all: decides whether the tools
    // (command, scripts, terminal) are offered. Not re-read.
    let found = load(
        move || (backend.get(), machine.get()),
        |(backend, machine)| get_machine(backend, machine),
    );
    // Read again after the forms that change what it shows; an action
    // changes only the state and the buttons, which follow `live` below.
    let detail = load(
        move || {
            (
                backend.get(),
                machine.get(),
                accept.version().get(),
                tag.version().get(),
                deploy.version().get(),
            )
        },
        |(backend, machine, _, _, _)| get_machine(backend, machine),
    );
    // Read again after anything done here, and on the machine's events
    // (`news`, bumped by them).
    let news = RwSignal::new(0u32);
    let activity = load(
        move || {
            (
                backend.get(),
                machine.get(),
                news.get(),
                act.version().get(),
                accept.version().get(),
                tag.version().get(),
                deploy.version().get(),
                start.version().get(),
            )
        },
        |(backend, machine, ..)| get_machine_activity(backend, machine),
    );
    // The machine's state as it changes (hydrated only: its events, which
    // carry the machine as polled), so a `pending` machine turns `running`
    // without a reload and a destroyed one loses its buttons.
    let live = RwSignal::new(None::<MachineSummary>);
    // Whether it has left the list since the page was drawn (a poll no
    // longer found it, or it was removed).
    let gone = RwSignal::new(false);
    let refresh = move || {
        let (b, m) = (backend.get_untracked(), machine.get_untracked());
        leptos::task::spawn_local(async move {
            if let Ok(d) = get_machine(b, m).await {
                live.try_set(Some(d.machine));
            }
        });
    };
    crate::live::follow_after_catching_up(
        &["machine"],
        refresh,
        crate::live::Listener {
            on_event: Box::new(move |event| {
                let this =
                    domain::resource::machine(&backend.get_untracked(), &machine.get_untracked());
                if event.resource != this {
                    return;
                }
                news.try_update(|n| *n = n.wrapping_add(1));
                if event.kind == domain::events::EventKind::MachineGone {
                    gone.try_set(true);
                }
                let is_update = matches!(
                    event.kind,
                    domain::events::EventKind::MachineChanged
                        | domain::events::EventKind::MachineAppeared
                );
                if is_update {
                    if let Some(m) = event.data::<MachineSummary>() {
                        live.try_set(Some(m));
                    }
                }
            }),
            on_reload: Box::new(refresh),
        },
    );
    view! {
        <section class="page machine" on:click=crate::address::follow_same_page_links>
            <Transition fallback=|| view! { <p>"Loading the machine…"</p> }>
                {move || Suspend::new(async move {
                    let stack = stack.await;
                    match detail.await {
                        Ok(d) => {
                            let initial = d.machine.clone();
                            let current = Memo::new(move |_| live.get().filter(|l| l.id == initial.id).unwrap_or_else(|| initial.clone()));
                            let terminated = Signal::derive(move || gone.get() || current.with(|c| c.state == MachineState::Terminated));
                            view! {
                                <Header machine=d.machine.clone() terminated/>
                                <section id="overview" class="machine-section" aria-label="Overview">
                                    <Summary detail=d.clone() current accept stack/>
                                    {move || if terminated.get() {
                                        view! { <Terminated machine=current.get_untracked() may_forget=d.may.forget forget gone/> }.into_any()
                                    } else {
                                        let d = d.clone();
                                        let may = d.may;
                                        view! {
                                            {may.deploy_key.then(|| view! { <DeployKeyForm machine=d.machine.clone() deploy keys/> })}
                                            <Actions current act may_act=may.power/>
                                            {may.tag.then(|| view! { <TagsForm machine=d.machine tag/> })}
                                        }.into_any()
                                    }}
                                </section>
                            }.into_any()
                        }
                        Err(e) => {
                            set_status(&e);
                            view! { <Missing error=e/> }.into_any()
                        }
                    }
                })}
            </Transition>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    let d = found.await.ok()?;
                    let id = d.machine.id.clone();
                    let was_terminated = d.machine.state == MachineState::Terminated;
                    let may_shell = d.may.shell;
                    let terminated = move || gone.get() || live.with(|l| match l {
                        Some(l) if l.id == id => l.state == MachineState::Terminated,
                        _ => was_terminated,
                    });
                    Some(view! {
                        <Show when=move || !terminated()>
                            <section id="console" class="machine-section" aria-label="Console">
                                <MachineHealth backend=backend.get_untracked() machine=machine.get_untracked() taken=probed/>
                                {may_shell.then(|| view! { <Tools backend machine last/> })}
                            </section>
                            <section class="machine-section" aria-label="Scripts">
                                <ScriptRuns backend machine runs start may_run=may_shell/>
                            </section>
                        </Show>
                        <Activity activity/>
                    })
                })}
            </Transition>
        </section>
    }
}

/// The title, the breadcrumb (Machines › backend › machine), the name and
/// the nav of sections (plain anchors: they work without JavaScript).
#[component]
fn Header(machine: MachineSummary, terminated: Signal<bool>) -> impl IntoView {
    let backend_href = format!(
        "/machines?backend={}",
        crate::paths::encode_segment(&machine.backend)
    );
    view! {
        <PageTitle text=machine.name.clone()/>
        <nav class="crumbs" aria-label="Breadcrumb" data-testid="breadcrumb">
            <a href="/machines">"Machines"</a>" › "
            <a href=backend_href>{machine.backend_title.clone()}</a>" › "
            <span aria-current="page">{machine.name.clone()}</span>
        </nav>
        <h1>{machine.name.clone()}</h1>
        <nav class="subnav" aria-label="Machine sections" data-testid="machine-sections">
            <a href="#overview" rel="external">"Overview"</a>
            {move || (!terminated.get()).then(|| view! {
                <a href="#console" rel="external">"Console"</a>
                <a href="#scripts" rel="external">"Scripts"</a>
            })}
            <a href="#activity" rel="external">"Activity"</a>
        </nav>
    }
}

/// A machine that cannot be shown: the not-found page for one (or a
/// backend) that does not exist, else the refusal.
#[component]
fn Missing(error: AppError) -> impl IntoView {
    let not_found = matches!(error.0, ErrorKind::NotFound { .. });
    let message = error.to_string();
    if not_found {
        view! {
            <PageTitle text="Not found"/>
            <div class="auth" data-testid="machine-not-found">
                <h1>"Not found"</h1>
                <p>"There is no such machine: " {message} "."</p>
                <a href="/machines">"Back to Machines"</a>
            </div>
        }
        .into_any()
    } else {
        view! {
            <PageTitle text="Machine"/>
            <p class="crumbs"><a href="/machines">"Machines"</a></p>
            <h1>"Machine"</h1>
            <p class="form-error" role="alert">{message}</p>
        }
        .into_any()
    }
}

/// On the server: the page's status is the error's (404, 403, ...).
fn set_status(error: &AppError) {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(error.0.http_status()) {
            res.set_status(status);
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = error;
}

/// A destroyed machine: nothing to run or act on, only removing it from
/// the list.
#[component]
fn Terminated(
    machine: MachineSummary,
    /// The caller may remove it from the list (`destroy:machine`).
    may_forget: bool,
    forget: PostAction<ForgetMachine>,
    /// It has already left the list: nothing is offered.
    gone: RwSignal<bool>,
) -> impl IntoView {
    let (backend, id) = (machine.backend, machine.id);
    view! {
        <div class="warning" data-testid="machine-terminated">
            <p><strong>"This machine is terminated."</strong>" Nothing can be run on it any more."</p>
            <Show
                when=move || !gone.get()
                fallback=|| view! { <p>"It has left the list. " <a href="/machines">"Back to Machines"</a></p> }
            >
                {if may_forget {
                    view! {
                        <p>"It leaves the list when its provider stops listing it, or now:"</p>
                        <ForgetForm backend=backend.clone() machine=id.clone() forget/>
                    }.into_any()
                } else {
                    view! { <p>"It leaves the list when its provider stops listing it."</p> }.into_any()
                }}
            </Show>
        </div>
    }
}

/// "Remove from list": the machine's record goes, then the Machines page.
#[component]
fn ForgetForm(
    backend: String,
    machine: String,
    forget: PostAction<ForgetMachine>,
) -> impl IntoView {
    let error = Signal::derive(move || forget.value().get().and_then(Result::err));
    view! {
        <PostForm action=forget attr:class="inline">
            <Csrf/>
            <FormError error/>
            <input type="hidden" name="backend" value=backend/>
            <input type="hidden" name="machine" value=machine/>
            <button type="submit" class="secondary">"Remove from list"</button>
        </PostForm>
    }
}

/// What can be done on a machine that is there, for a caller who may
/// (`shell:machine`): run a command, the terminal.
#[component]
fn Tools(backend: Signal<String>, machine: Signal<String>, last: LastRunResource) -> impl IntoView {
    view! {
        <h2>"Run a command"</h2>
        <CommandRunner backend machine last/>
        <h2>"Terminal"</h2>
        <div class="terminal" data-terminal="" data-backend=move || backend.get() data-machine=move || machine.get()>
            <button type="button" class="secondary" data-terminal-open="">"Open terminal"</button>
            <span class="muted" data-terminal-status=""></span>
            <div class="terminal-screen" data-terminal-screen="" data-testid="terminal"></div>
        </div>
        <noscript><p class="muted">"The terminal needs JavaScript."</p></noscript>
    }
}

/// The actions the machine's provider and state allow; they follow the
/// state. A caller whose role allows none of them is told nothing about
/// them (the state is not what stops them).
#[component]
fn Actions(
    current: Memo<MachineSummary>,
    act: PostAction<ActOnMachine>,
    may_act: bool,
) -> impl IntoView {
    let error = Signal::derive(move || act.value().get().and_then(Result::err));
    move || {
        let machine = current.get();
        let none = (may_act && !any_action(&machine)).then(|| {
            format!(
                "No action is possible while the machine is {}.",
                machine.state
            )
        });
        view! {
            <div class="machine-actions" data-testid="machine-actions">
                <FormError error/>
                <MachineActions machine act/>
                {none.map(|none| view! { <p class="muted" data-testid="no-actions">{none}</p> })}
            </div>
        }
        .into_any()
    }
}
