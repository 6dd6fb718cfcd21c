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

use domain::shell::ShellEvent;
use futures::future::{AbortHandle, Abortable};
use leptos::prelude::*;
use leptos_router::hooks::use_query_map;
use server_fn::{error::ServerFnUrlError, ServerFn};

use crate::{
    api::machines::{get_last_run, run_command, take_events, LastRun, RunCommand},
    components::form::Csrf,
    error::AppError,
};

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
enum RunEnd {
    Exit { code: i32, duration_ms: u64 },
    Cancelled { duration_ms: u64 },
    Stopped,
    Failed(String),
}

/// How much output the page keeps: the latest this many bytes (a command
/// printing megabytes must not freeze the page).
const KEEP_BYTES: usize = 256 * 1024;
/// Consecutive output of one stream is joined into pieces of up to this size.
const PIECE_BYTES: usize = 8 * 1024;

/// A run as the page shows it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct RunView {
    command: String,
    connected: Option<String>,
    /// Output in arrival order: (sequence number, from stderr?, text).
    output: std::collections::VecDeque<(u64, bool, String)>,
    next_piece: u64,
    kept: usize,
    /// Bytes of earlier output no longer shown.
    dropped: usize,
    end: Option<RunEnd>,
}

impl RunView {
    fn started(command: String) -> Self {
        Self {
            command,
            ..Self::default()
        }
    }

    fn apply(&mut self, event: ShellEvent) {
        match event {
            ShellEvent::Connected { user, key, host } => {
                self.connected = Some(format!("as {user} on {host} with key {key}"));
            }
            ShellEvent::Stdout { data } => self.push(false, data),
            ShellEvent::Stderr { data } => self.push(true, data),
            ShellEvent::Exit { code, duration_ms } => {
                self.end = Some(RunEnd::Exit { code, duration_ms });
            }
            ShellEvent::Cancelled { duration_ms } => {
                self.end = Some(RunEnd::Cancelled { duration_ms });
            }
            ShellEvent::Error { message } => self.end = Some(RunEnd::Failed(message)),
        }
    }

    fn push(&mut self, stderr: bool, data: String) {
        self.kept += data.len();
        match self.output.back_mut() {
            Some(last) if last.1 == stderr && last.2.len() < PIECE_BYTES => last.2.push_str(&data),
            _ => {
                self.output.push_back((self.next_piece, stderr, data));
                self.next_piece += 1;
            }
        }
        while self.kept > KEEP_BYTES && self.output.len() > 1 {
            if let Some((_, _, text)) = self.output.pop_front() {
                self.kept -= text.len();
                self.dropped += text.len();
            }
        }
    }

    fn from_last(run: LastRun) -> Self {
        let mut view = Self::started(run.command);
        for event in run.events {
            view.apply(event);
        }
        if view.end.is_none() {
            view.end = Some(RunEnd::Failed(
                "the run ended without an exit status".into(),
            ));
        }
        view
    }

    fn end_if_open(&mut self, end: RunEnd) {
        if self.end.is_none() {
            self.end = Some(end);
        }
    }
}

/// The command form, Stop, and the output.
#[component]
pub fn CommandRunner(
    #[prop(into)] backend: Signal<String>,
    #[prop(into)] machine: Signal<String>,
) -> impl IntoView {
    let query = use_query_map();
    // The run a plain form just made (`?run=<id>`), or its error.
    let last = Resource::new(
        move || (backend.get(), machine.get(), query.read().get("run")),
        |(backend, machine, run)| async move {
            match run.filter(|r| !r.is_empty()) {
                None => Ok(None),
                Some(run) => get_last_run(backend, machine, run).await,
            }
        },
    );
    let posted_error = move || {
        let q = query.read();
        (q.get("__path").as_deref() == Some(RunCommand::PATH))
            .then(|| q.get("__err"))
            .flatten()
            .map(|e| ServerFnUrlError::<AppError>::decode_err(&e).to_string())
    };

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
            let apply = move |f: &dyn Fn(&mut RunView)| {
                live.try_update(|run| {
                    if let Some(run) = run {
                        f(run);
                    }
                });
            };
            let work = async move {
                use futures::StreamExt;
                let stream = match run_command(backend, machine, command).await {
                    Ok(stream) => stream,
                    Err(e) => {
                        apply(&|run| run.end = Some(RunEnd::Failed(e.to_string())));
                        return;
                    }
                };
                let mut stream = stream.into_inner();
                let mut pending = String::new();
                while let Some(chunk) = stream.next().await {
                    match chunk {
                        Ok(text) => {
                            let events = take_events(&mut pending, &text);
                            if !events.is_empty() {
                                apply(&|run| {
                                    for event in events.iter().cloned() {
                                        run.apply(event);
                                    }
                                });
                            }
                        }
                        Err(e) => {
                            apply(&|run| run.end = Some(RunEnd::Failed(e.to_string())));
                            return;
                        }
                    }
                }
                apply(&|run| {
                    run.end_if_open(RunEnd::Failed(
                        "the connection closed before the command ended".into(),
                    ));
                });
            };
            leptos::task::spawn_local(async move {
                // Aborting drops `work` and with it the response's stream,
                // which cancels the request.
                if Abortable::new(work, registration).await.is_err() {
                    apply(&|run| run.end_if_open(RunEnd::Stopped));
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
            {move || posted_error().map(|e| view! { <p class="form-error" role="alert">{e}</p> })}
            <label>"Command (runs through the login user's shell)"
                <input name="command" required autocomplete="off" spellcheck="false" class="mono" node_ref=input/>
            </label>
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
                                view! { <RunOutput run=Signal::stored(RunView::from_last(run))/> }.into_any()
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

/// A run's header, output and ending.
#[component]
fn RunOutput(run: Signal<RunView>) -> impl IntoView {
    let pieces = move || run.with(|r| r.output.iter().cloned().collect::<Vec<_>>());
    let dropped = move || {
        run.with(|r| {
            (r.dropped > 0).then(|| {
                format!(
                    "… {} KiB of earlier output not shown (the page keeps the last {} KiB)\n",
                    r.dropped / 1024,
                    KEEP_BYTES / 1024
                )
            })
        })
    };
    let status = move || {
        run.with(|r| match &r.end {
            None => ("running", "running…".to_owned()),
            Some(RunEnd::Exit { code, duration_ms }) => (
                if *code == 0 { "ok" } else { "failed" },
                format!("exit {code} in {duration_ms} ms"),
            ),
            Some(RunEnd::Cancelled { duration_ms }) => {
                ("failed", format!("stopped after {duration_ms} ms"))
            }
            Some(RunEnd::Stopped) => ("failed", "stopped".to_owned()),
            Some(RunEnd::Failed(message)) => ("failed", message.clone()),
        })
    };
    view! {
        <div class="run-output" data-testid="run">
            <p class="muted">
                <code>{move || run.with(|r| r.command.clone())}</code>
                " "
                {move || run.with(|r| r.connected.clone())}
            </p>
            <pre class="output" data-testid="output" aria-live="polite">{move || dropped().map(|d| view! { <span class="muted">{d}</span> })}<For
                each=pieces
                // A piece that grew is a new key, so its text is redrawn.
                key=|(seq, _, text)| (*seq, text.len())
                children=|(_, stderr, text)| view! { <span class=if stderr { "stderr" } else { "stdout" }>{text}</span> }
            /></pre>
            <p class=move || format!("run-status {}", status().0) data-testid="run-status" role="status">{move || status().1}</p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_is_joined_into_pieces_and_only_the_latest_is_kept() {
        let mut run = RunView::started("yes".into());
        run.push(false, "a".into());
        run.push(false, "b".into());
        run.push(true, "err".into());
        let texts: Vec<_> = run.output.iter().map(|(_, e, t)| (*e, t.clone())).collect();
        assert_eq!(texts, [(false, "ab".to_owned()), (true, "err".to_owned())]);

        let chunk = "y\n".repeat(4096); // 8 KiB
        for _ in 0..100 {
            run.push(false, chunk.clone());
        }
        assert!(run.kept <= KEEP_BYTES, "{} kept", run.kept);
        assert!(run.dropped >= 100 * chunk.len() - KEEP_BYTES);
        assert_eq!(run.kept + run.dropped, 100 * chunk.len() + 5);
        let keys: Vec<_> = run.output.iter().map(|(seq, _, _)| *seq).collect();
        assert!(
            keys.windows(2).all(|w| w[0] < w[1]),
            "keys stay unique and ordered"
        );
    }
}
