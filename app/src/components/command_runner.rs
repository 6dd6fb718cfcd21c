//! Running a command on a machine from its page.
//!
//! Hydrated, the form's submit is taken over: the streaming server function
//! `machines/run` is called and its JSON lines are appended to the output
//! as they arrive; Stop drops the stream, which cancels the request, and
//! the server stops the command when its answer is dropped. Without
//! JavaScript the same form posts to the same function, which runs the
//! command to its end and redirects back here with `?run=<id>`; the page
//! then shows that run's output.

use std::sync::{Arc, Mutex};

use futures::future::{AbortHandle, Abortable};
use leptos::prelude::*;
use server_fn::ServerFn;

use crate::loaded::{load, Loaded};
use crate::{
    api::machines::{get_last_run, run_command, LastRun, RunCommand},
    components::{
        form::{Csrf, FieldError, FormError},
        run_output::{read_run_stream, RunEnd, RunOutput, RunView, StreamEnd},
    },
    error::AppError,
};

/// The run a plain form just made (`?run=<id>`), if any.
pub type LastRunResource = Loaded<Result<Option<LastRun>, AppError>>;

/// The resource [`CommandRunner`] shows; made at the page's top level (a
/// resource made inside another's Suspend would not hydrate reliably).
pub fn last_run_resource(backend: Signal<String>, machine: Signal<String>) -> LastRunResource {
    let query = crate::address::query();
    load(
        move || (backend.get(), machine.get(), query.read().get("run")),
        |(backend, machine, run)| async move {
            match run.filter(|r| !r.is_empty()) {
                None => Ok(None),
                Some(run) => get_last_run(backend, machine, run).await,
            }
        },
    )
}

/// The command form, Stop, and the output.
#[component]
pub fn CommandRunner(
    #[prop(into)] backend: Signal<String>,
    #[prop(into)] machine: Signal<String>,
    last: LastRunResource,
) -> impl IntoView {
    let query = crate::address::query();
    // What a plain form post (no JavaScript) was refused with.
    let posted_error = Signal::derive(move || {
        let q = query.read();
        (q.get("__path").as_deref() == Some(RunCommand::PATH))
            .then(|| q.get("__err"))
            .flatten()
            .map(|e| AppError::from_address(&e))
    });

    let live = RwSignal::new(None::<RunView>);
    let running = RwSignal::new(false);
    let abort: Arc<Mutex<Option<AbortHandle>>> = Arc::default();
    let input = NodeRef::<leptos::html::Input>::new();

    let stop = {
        let abort = Arc::clone(&abort);
        move || {
            if let Some(handle) = abort.lock().ok().and_then(|mut a| a.take()) {
                handle.abort();
            }
        }
    };
    on_cleanup({
        let stop = stop.clone();
        move || stop()
    });

    let on_submit = {
        let abort = Arc::clone(&abort);
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if running.get_untracked() {
                return;
            }
            let command = input.get_untracked().map(|i| i.value()).unwrap_or_default();
            let (handle, registration) = AbortHandle::new_pair();
            if let Ok(mut slot) = abort.lock() {
                *slot = Some(handle);
            }
            live.set(Some(RunView::started(command.clone())));
            running.set(true);
            let (backend, machine) = (backend.get_untracked(), machine.get_untracked());
            // Whether the page still shows the run.
            let update = move |f: &mut dyn FnMut(&mut RunView)| {
                live.try_update(|run| {
                    if let Some(run) = run {
                        f(run);
                    }
                })
                .is_some()
            };
            let work = async move {
                let stream = match run_command(backend, machine, command).await {
                    Ok(stream) => stream,
                    Err(e) => {
                        update(&mut |run| run.end = Some(RunEnd::Failed(e.to_string())));
                        return;
                    }
                };
                match read_run_stream(stream, update).await {
                    StreamEnd::Broken(e) => {
                        update(&mut |run| run.end = Some(RunEnd::Failed(e.clone())));
                    }
                    StreamEnd::Closed => {
                        update(&mut |run| {
                            run.end_if_open(RunEnd::Failed(
                                "the connection closed before the command ended".into(),
                            ));
                        });
                    }
                    StreamEnd::Gone => {}
                }
            };
            leptos::task::spawn_local(async move {
                // Aborting drops `work` and with it the response's stream,
                // which cancels the request.
                if Abortable::new(work, registration).await.is_err() {
                    update(&mut |run| run.end_if_open(RunEnd::Stopped));
                }
                running.try_set(false);
            });
        }
    };

    view! {
        <form method="post" action=RunCommand::PATH class="stacked run" id="run-command" on:submit=on_submit>
            <Csrf/>
            <input type="hidden" name="backend" value=move || backend.get()/>
            <input type="hidden" name="machine" value=move || machine.get()/>
            <FormError error=posted_error fields=&["command"]/>
            <label>"Command (runs through the login user's shell)"
                <input name="command" required autocomplete="off" spellcheck="false" class="mono" node_ref=input/>
            </label>
            <FieldError error=posted_error field="command"/>
            <div class="buttons">
                <button type="submit" disabled=move || running.get()>
                    {move || if running.get() { "Running…" } else { "Run" }}
                </button>
                <button type="button" class="secondary" hidden=move || !running.get() on:click=move |_| stop()>"Stop"</button>
            </div>
        </form>
        <Show
            when=move || live.with(Option::is_some)
            fallback=move || view! {
                <Transition fallback=|| ()>
                    {move || Suspend::new(async move {
                        match last.await {
                            Ok(Some(run)) => {
                                view! { <RunOutput run=Signal::stored(RunView::from_events(run.command, run.events))/> }.into_any()
                            }
                            Ok(None) => ().into_any(),
                            Err(e) => view! { <p class="form-error" role="alert">{e.to_string()}</p> }.into_any(),
                        }
                    })}
                </Transition>
            }
        >
            <RunOutput run=Signal::derive(move || live.get().unwrap_or_default())/>
        </Show>
    }
}
