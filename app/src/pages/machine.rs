//! One machine: its summary, the keys that open it, its host key (with a
//! warning and an accept form when it changed), running a command, and an
//! interactive terminal (xterm.js, `public/terminal.js`).

use domain::inventory::{MachineDetail, MachineSummary};
use leptos::prelude::*;
use leptos_meta::{Link, Script, Title};
use leptos_router::{components::A, hooks::use_params_map};

use crate::{
    api::scripts::StartScript,
    api::{
        keys::{list_keys, DeployKey},
        machines::{get_machine, AcceptHostKey, ActOnMachine, SetMachineTags},
        stacks::{stack_membership, stacks_of},
    },
    components::{
        command_runner::{last_run_resource, CommandRunner, LastRunResource},
        form::{Csrf, FieldError, FormError},
        format::utc,
        machine_actions::{any_action, MachineActions},
        machine_health::MachineHealth,
        script_runs::{runs_resource, RunsResource, ScriptRuns},
    },
};

/// The machine page, `/machines/:backend/:machine`. Rendered whole before
/// it is sent (`SsrMode::Async`), so a machine that does not exist (or may
/// not be seen) is a 404 (403) with no forms.
#[component]
pub fn MachinePage() -> impl IntoView {
    let params = use_params_map();
    let backend = Signal::derive(move || params.read().get("backend").unwrap_or_default());
    let machine = Signal::derive(move || params.read().get("machine").unwrap_or_default());
    let accept = ServerAction::<AcceptHostKey>::new();
    let act = ServerAction::<ActOnMachine>::new();
    let tag = ServerAction::<SetMachineTags>::new();
    let deploy = ServerAction::<DeployKey>::new();
    let start = ServerAction::<StartScript>::new();
    // Made here, not inside a Suspend, so they hydrate reliably.
    let keys = Resource::new(|| (), |()| list_keys());
    let last = last_run_resource(backend, machine);
    let runs = runs_resource(backend, machine, start);
    let probed = crate::shown_once::take(crate::shown_once::PROBE);
    // The stack that made it, if one did and the user may see it.
    let stack = Resource::new(
        move || (backend.get(), machine.get()),
        |(backend, machine)| async move {
            let held = stacks_of(stack_membership(backend.clone()).await.unwrap_or_default());
            held.get(&(backend, machine)).cloned()
        },
    );
    // Whether the machine is there at all: decides the status and whether
    // the tools (command, scripts, terminal) are offered. Not re-read.
    let found = Resource::new(
        move || (backend.get(), machine.get()),
        |(backend, machine)| get_machine(backend, machine),
    );
    // Read again after the forms that change what it shows; an action
    // changes only the state and the buttons, which follow `live` below.
    let detail = Resource::new(
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
    // The machine's state as it changes (hydrated only: its events), so a
    // `pending` machine turns `running` without a reload and a destroyed
    // one loses its buttons.
    let live = RwSignal::new(None::<MachineSummary>);
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
                let is_update = matches!(
                    event.kind,
                    domain::events::EventKind::MachineChanged
                        | domain::events::EventKind::MachineAppeared
                );
                if is_update && event.resource == this {
                    if let Ok(m) = serde_json::from_value::<MachineSummary>(event.data) {
                        live.try_set(Some(m));
                    }
                }
            }),
            on_reload: Box::new(refresh),
        },
    );
    view! {
        <Title text="Machine"/>
        <Link rel="stylesheet" href="/vendor/xterm/xterm.css"/>
        <Script src="/vendor/xterm/xterm.js" defer="defer"/>
        <Script src="/vendor/xterm/addon-fit.js" defer="defer"/>
        <Script src="/terminal.js" defer="defer"/>
        <section class="page machine">
            <p class="crumbs"><A href="/machines">"Machines"</A> " /"</p>
            <Transition fallback=|| view! { <p>"Loading the machine…"</p> }>
                {move || Suspend::new(async move {
                    let stack = stack.await;
                    match detail.await {
                        Ok(d) => {
                            let initial = d.machine.clone();
                            let current = Memo::new(move |_| live.get().filter(|l| l.id == initial.id).unwrap_or_else(|| initial.clone()));
                            view! {
                                <Summary detail=d.clone() current accept stack/>
                                <DeployKeyForm machine=d.machine.clone() deploy keys/>
                                <Actions current act/>
                                <TagsForm machine=d.machine tag/>
                            }.into_any()
                        }
                        Err(e) => view! {
                            <h1>"Machine"</h1>
                            <p class="form-error" role="alert">{e.to_string()}</p>
                        }.into_any(),
                    }
                })}
            </Transition>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match found.await {
                        Ok(_) => Some(view! {
                            <MachineHealth backend=backend.get_untracked() machine=machine.get_untracked() taken=probed/>
                            <Tools backend machine last runs start/>
                        }),
                        Err(e) => {
                            set_status(&e);
                            None
                        }
                    }
                })}
            </Transition>
        </section>
    }
}

/// On the server: the page's status is the error's (404, 403, ...).
fn set_status(error: &crate::error::AppError) {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        if let Ok(status) = http::StatusCode::from_u16(error.0.http_status()) {
            res.set_status(status);
        }
    }
    #[cfg(not(feature = "ssr"))]
    let _ = error;
}

/// What can be done on a machine that is there: run a command, scripts,
/// the terminal.
#[component]
fn Tools(
    backend: Signal<String>,
    machine: Signal<String>,
    last: LastRunResource,
    runs: RunsResource,
    start: ServerAction<StartScript>,
) -> impl IntoView {
    view! {
        <h2>"Run a command"</h2>
        <CommandRunner backend machine last/>
        <ScriptRuns backend machine runs start/>
        <h2>"Terminal"</h2>
        <div class="terminal" data-terminal="" data-backend=move || backend.get() data-machine=move || machine.get()>
            <button type="button" class="secondary" data-terminal-open="">"Open terminal"</button>
            <span class="muted" data-terminal-status=""></span>
            <div class="terminal-screen" data-terminal-screen="" data-testid="terminal"></div>
        </div>
        <noscript><p class="muted">"The terminal needs JavaScript."</p></noscript>
    }
}

/// What Overcast knows of the machine.
#[component]
fn Summary(
    detail: MachineDetail,
    current: Memo<MachineSummary>,
    accept: ServerAction<AcceptHostKey>,
    /// The stack that made it: (id, nickname).
    stack: Option<(String, String)>,
) -> impl IntoView {
    let m = detail.machine;
    let accept_error = Signal::derive(move || accept.value().get().and_then(Result::err));
    let list = |ips: &[String]| {
        if ips.is_empty() {
            "none".to_owned()
        } else {
            ips.join(", ")
        }
    };
    view! {
        <h1>{m.name.clone()}</h1>
        <dl class="facts" data-testid="machine">
            <dt>"Backend"</dt><dd><A href="/backends">{m.backend_title.clone()}</A></dd>
            <dt>"State"</dt><dd><span class=move || format!("state {}", current.with(|c| c.state)) data-testid="machine-state">{move || current.with(|c| c.state.as_str())}</span></dd>
            <dt>"Public addresses"</dt><dd>{list(&m.public_ips)}</dd>
            <dt>"Private addresses"</dt><dd>{list(&m.private_ips)}</dd>
            <dt>"SSH port"</dt><dd>{m.ssh_port}</dd>
            {stack.map(|(id, nickname)| view! {
                <dt>"Stack"</dt><dd><A href=crate::paths::stack_href(&id) attr:data-testid="machine-stack">{nickname}</A></dd>
            })}
            <dt>"Host key"</dt>
            <dd>{match detail.host_key.clone() {
                Some(fp) => view! { <code class="fingerprint" data-testid="host-key">{fp}</code> }.into_any(),
                None => view! { <span class="muted">"not known yet (pinned at the first connection)"</span> }.into_any(),
            }}</dd>
        </dl>
        {detail.changed_host_key.clone().map(|changed| view! {
            <div class="warning" role="alert" data-testid="host-key-changed">
                <p><strong>"The machine presented a different host key."</strong>
                    " Overcast refuses to connect until it is accepted. If nobody reinstalled the machine or replaced its SSH keys, someone may be in between: check the fingerprint on the machine's console first."</p>
                <p>"Pinned: " <code>{detail.host_key.clone().unwrap_or_default()}</code></p>
                <p>"Presented: " <code>{changed.clone()}</code></p>
                <ActionForm action=accept attr:class="inline">
                    <Csrf/>
                    <FormError error=accept_error/>
                    <input type="hidden" name="backend" value=m.backend.clone()/>
                    <input type="hidden" name="machine" value=m.id.clone()/>
                    <input type="hidden" name="fingerprint" value=changed/>
                    <button type="submit" class="danger">"Accept new host key"</button>
                </ActionForm>
            </div>
        })}
        <h2>"Keys that open it"</h2>
        {if detail.keys.is_empty() {
            view! { <p class="muted">"No key is associated with this machine; the default key is tried."</p> }.into_any()
        } else {
            view! {
                <table class="grid" data-testid="machine-keys">
                    <thead><tr><th>"Key"</th><th>"User"</th><th>"Sudo"</th><th>"Last used (UTC)"</th></tr></thead>
                    <tbody>
                        {detail.keys.into_iter().map(|k| view! {
                            <tr>
                                <td><A href="/keys">{k.key.clone()}</A></td>
                                <td>{k.ssh_user.clone()}</td>
                                <td>{if k.sudo { "yes" } else { "no" }}</td>
                                <td>{utc(k.last_used)}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            }.into_any()
        }}
    }
}

/// The actions the machine's provider and state allow; they follow the
/// state.
#[component]
fn Actions(current: Memo<MachineSummary>, act: ServerAction<ActOnMachine>) -> impl IntoView {
    let error = Signal::derive(move || act.value().get().and_then(Result::err));
    move || {
        let machine = current.get();
        let none = (!any_action(&machine)).then(|| {
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

/// The machine's tags, edited as one comma-separated line.
#[component]
fn TagsForm(machine: MachineSummary, tag: ServerAction<SetMachineTags>) -> impl IntoView {
    let error = Signal::derive(move || tag.value().get().and_then(Result::err));
    let current = machine.tags.join(", ");
    machine.can_tag.then(|| {
        view! {
            <ActionForm action=tag attr:class="inline" attr:data-testid="machine-tags">
                <Csrf/>
                <FormError error fields=&["tags"]/>
                <input type="hidden" name="backend" value=machine.backend.clone()/>
                <input type="hidden" name="machine" value=machine.id.clone()/>
                <label>"Tags " <input name="tags" value=current placeholder="env=prod, web" autocomplete="off"/></label>
                <button type="submit" class="secondary">"Save tags"</button>
                <FieldError error field="tags"/>
            </ActionForm>
        }
    })
}

/// Deploys one of Overcast's keys to the machine through a key that works.
#[component]
fn DeployKeyForm(
    machine: MachineSummary,
    deploy: ServerAction<DeployKey>,
    keys: Resource<Result<Vec<domain::inventory::KeySummary>, crate::error::AppError>>,
) -> impl IntoView {
    let error = Signal::derive(move || deploy.value().get().and_then(Result::err));
    let done = move || {
        deploy
            .value()
            .get()
            .and_then(Result::ok)
            .map(|user| format!("Deployed: the key now opens the machine as {user}."))
    };
    view! {
        <Transition fallback=|| ()>
            {move || {
                let machine = machine.clone();
                Suspend::new(async move {
                    let names: Vec<String> = keys.await.map(|k| k.into_iter().map(|k| k.id).collect()).unwrap_or_default();
                    (!names.is_empty()).then(|| view! {
                        <ActionForm action=deploy attr:class="inline" attr:data-testid="deploy-key">
                            <Csrf/>
                            <FormError error fields=&["key"]/>
                            <input type="hidden" name="backend" value=machine.backend.clone()/>
                            <input type="hidden" name="machine" value=machine.id.clone()/>
                            <label>"Deploy key "
                                <select name="key">
                                    {names.into_iter().map(|n| view! { <option value=n.clone()>{n.clone()}</option> }).collect_view()}
                                </select>
                            </label>
                            <FieldError error field="key"/>
                            <button type="submit" class="secondary">"Deploy to this machine"</button>
                            {move || done().map(|d| view! { <span class="muted" role="status">{d}</span> })}
                        </ActionForm>
                    })
                })
            }}
        </Transition>
    }
}
