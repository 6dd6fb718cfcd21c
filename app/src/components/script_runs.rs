//! A machine's scripts: the form that runs one, the list of runs
//! (post-deploy scripts included), and the chosen run's output (the run
//! named by `?script=<id>`, else the newest). Hydrated, an unfinished run
//! is followed live through the streaming `scripts/follow`; without
//! JavaScript the page shows the output so far and a link to look again.

use domain::{
    compute::RunState,
    shell::{ScriptRunSummary, ShellEvent},
};
use leptos::prelude::*;

use crate::components::post_form::{PostAction, PostForm};
use crate::loaded::{load, Loaded};
use crate::{
    api::scripts::{follow_script, get_script_run, list_scripts, ScriptRunRead, StartScript},
    components::{
        form::{Csrf, FieldError, FormError},
        format::utc,
        run_output::{read_run_stream, RunEnd, RunOutput, RunView, StreamEnd},
    },
    paths::machine_href,
};

/// The run as far as the database knows it, as page events.
fn stored_events(read: &ScriptRunRead) -> Vec<ShellEvent> {
    let r = &read.run;
    let mut events = Vec::new();
    if r.state == RunState::Waiting {
        events.push(ShellEvent::Waiting {
            message: r.detail.clone().unwrap_or_default(),
        });
    }
    events.extend(r.connected_event());
    if !read.output.is_empty() {
        events.push(ShellEvent::Stdout {
            data: read.output.clone(),
        });
    }
    events.extend(r.end_event());
    events
}

fn label(run: &ScriptRunSummary) -> String {
    domain::shell::script_first_line(&run.script)
        .chars()
        .take(60)
        .collect()
}

/// The list of a machine's runs and the chosen run (`?script=<id>`, else
/// the newest), read again after each start.
pub type RunsResource =
    Loaded<Result<(Vec<ScriptRunSummary>, Option<ScriptRunRead>), crate::error::AppError>>;

/// The resource the Scripts section shows; made at the page's top level
/// (a resource made inside another's Suspend would not hydrate reliably).
pub fn runs_resource(
    backend: Signal<String>,
    machine: Signal<String>,
    start: PostAction<StartScript>,
) -> RunsResource {
    let query = crate::address::query();
    load(
        move || {
            (
                backend.get(),
                machine.get(),
                query.read().get("script"),
                start.version().get(),
            )
        },
        |(backend, machine, wanted, _)| async move {
            let list = list_scripts(backend.clone(), machine.clone()).await?;
            let chosen = wanted
                .filter(|id| list.iter().any(|r| &r.id == id))
                .or_else(|| list.first().map(|r| r.id.clone()));
            let read = match chosen {
                Some(run) => Some(get_script_run(backend, machine, run).await?),
                None => None,
            };
            Ok::<_, crate::error::AppError>((list, read))
        },
    )
}

/// The Scripts section of a machine's page.
#[component]
pub fn ScriptRuns(
    #[prop(into)] backend: Signal<String>,
    #[prop(into)] machine: Signal<String>,
    runs: RunsResource,
    start: PostAction<StartScript>,
    /// The caller may run a script here (`shell:machine`): the form is
    /// offered.
    #[prop(default = true)]
    may_run: bool,
) -> impl IntoView {
    let error = Signal::derive(move || start.value().get().and_then(Result::err));
    view! {
        <h2 id="scripts">"Scripts"</h2>
        <Show when=move || may_run>
        <PostForm action=start attr:class="stacked" attr:data-testid="run-script">
            <Csrf/>
            <FormError error fields=&["script"]/>
            <input type="hidden" name="backend" value=move || backend.get()/>
            <input type="hidden" name="machine" value=move || machine.get()/>
            <label>"Script (runs over SSH as the machine's user; its output is kept)"
                <textarea name="script" rows="4" class="mono" spellcheck="false" required placeholder="#!/bin/sh\napt-get update"></textarea>
            </label>
            <FieldError error field="script"/>
            <div class="buttons"><button type="submit">"Run script"</button></div>
        </PostForm>
        </Show>
        <Transition fallback=|| view! { <p>"Loading scripts…"</p> }>
            {move || Suspend::new(async move {
                match runs.await {
                    Ok((list, _)) if list.is_empty() => view! {
                        <p class="muted">"No script has run on this machine. A script given when a machine is created runs here once the machine answers over SSH."</p>
                    }.into_any(),
                    Ok((list, read)) => {
                        let chosen = read.as_ref().map(|r| r.run.id.clone()).unwrap_or_default();
                        let (b, m) = (backend.get_untracked(), machine.get_untracked());
                        let page = machine_href(&b, &m);
                        view! {
                            <table class="grid" data-testid="script-runs">
                                <thead><tr><th>"Started (UTC)"</th><th>"Script"</th><th>"By"</th><th>"State"</th></tr></thead>
                                <tbody>
                                    {list.into_iter().map(|r| {
                                        let href = format!("{page}?script={}#scripts", r.id);
                                        let state = match r.exit_code {
                                            Some(code) if r.state == RunState::Failed => format!("failed (exit {code})"),
                                            _ => r.state.to_string(),
                                        };
                                        view! {
                                            <tr class:selected=r.id == chosen>
                                                <td><a href=href>{utc(r.created_at)}</a></td>
                                                <td data-label="Script"><code>{label(&r)}</code></td>
                                                <td data-label="By">{r.created_by.clone()}</td>
                                                <td data-label="State"><span class=format!("state {}", r.state) data-testid="script-state">{state}</span></td>
                                            </tr>
                                        }
                                    }).collect_view()}
                                </tbody>
                            </table>
                            {read.map(|read| view! { <ScriptRunView read backend=b machine=m runs/> })}
                        }.into_any()
                    }
                    Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// One run's output: as stored, then (hydrated, unfinished) followed live.
#[component]
fn ScriptRunView(
    read: ScriptRunRead,
    backend: String,
    machine: String,
    runs: RunsResource,
) -> impl IntoView {
    let title = label(&read.run);
    let live = RwSignal::new(RunView::from_events_open(
        title.clone(),
        stored_events(&read),
    ));
    let finished = read.run.finished();
    if !finished {
        follow(live, title, backend, machine, read.run.id.clone(), runs);
    }
    let href = format!(
        "{}?script={}#scripts",
        machine_href(&read.run.backend, &read.run.machine),
        read.run.id
    );
    view! {
        <div data-testid="script-run">
            <RunOutput run=live.into() testid="script-"/>
            {(!finished).then(|| view! {
                <noscript><p><a href=href>"Look again"</a>" for output since this page was loaded."</p></noscript>
            })}
        </div>
    }
}

/// In the browser: follows the run, replacing what the server rendered
/// with the stream (which replays the output from the start).
fn follow(
    live: RwSignal<RunView>,
    title: String,
    backend: String,
    machine: String,
    run: String,
    runs: RunsResource,
) {
    Effect::new(move |done: Option<()>| {
        if done.is_some() {
            return;
        }
        let (title, backend, machine, run) =
            (title.clone(), backend.clone(), machine.clone(), run.clone());
        leptos::task::spawn_local(async move {
            let stream = match follow_script(backend, machine, run).await {
                Ok(stream) => stream,
                Err(e) => {
                    live.try_update(|v| v.end_if_open(RunEnd::Failed(e.to_string())));
                    return;
                }
            };
            live.try_set(RunView::started(title));
            let update = move |f: &mut dyn FnMut(&mut RunView)| live.try_update(|v| f(v)).is_some();
            if read_run_stream(stream, update).await == StreamEnd::Gone {
                return; // the page moved on
            }
            let ended = live.try_update(|v| {
                let ended = v.end.is_some();
                v.end_if_open(RunEnd::Failed(
                    "following stopped before the script ended; reload to look again".into(),
                ));
                ended
            });
            // The run ended: read the list again, so its row says so too.
            if ended == Some(true) {
                runs.refetch();
            }
        });
    });
}
