use leptos::prelude::*;
use server_fn::codec::{StreamingText, TextStream};

use crate::{csrf_client::CsrfClient, error::AppError};

/// Runs `command` on a machine.
///
/// Called from the page's script, the answer streams: one JSON
/// [`domain::shell::ShellEvent`] a line (see [`super::event_line`]) as the
/// machine produces output, ending with `exit`, `cancelled` or `error`.
/// Dropping the stream (the page's Stop button, a closed page) closes the
/// request, which stops the command on the machine. Refusals and failures
/// to connect (403, 404, 409, 502) come before any line, as an error.
///
/// Posted by a plain form (no JavaScript), the command runs to its end, its
/// output goes in the session, and the answer redirects to the machine's
/// page with `?run=<id>`, which shows it (see [`super::get_last_run`]).
#[server(endpoint = "machines/run", output = StreamingText, client = CsrfClient)]
pub async fn run_command(
    #[server(default)] backend: String,
    #[server(default)] machine: String,
    #[server(default)] command: String,
) -> Result<TextStream<AppError>, AppError> {
    use crate::ssr;
    let services = ssr::services()?;
    let actor = ssr::require_actor()?;
    // As the REST route does: refuse before looking at the command.
    service::authz::authorize(
        &actor,
        "shell:machine",
        &domain::resource::machine(&backend, &machine),
    )?;
    let events = service::shell::run(&services, &actor, &backend, &machine, &command).await?;
    if ssr::plain_form_post() {
        let run = no_js::run_to_end(events, backend, machine, command).await;
        ssr::session()
            .await?
            .insert(no_js::LAST_RUN_KEY, &run)
            .await
            .map_err(|e| AppError(service::internal(e)))?;
        leptos_axum::redirect(&format!(
            "{}?run={}",
            crate::paths::machine_href(&run.backend, &run.machine),
            run.id
        ));
        return Ok(TextStream::new(futures::stream::empty()));
    }
    // Never cached, and never held back by a buffering proxy (nginx).
    ssr::set_header("cache-control", "no-store");
    ssr::set_header("x-accel-buffering", "no");
    // A command that prints nothing still sends an empty line (which the
    // page's reader skips) now and then: the server learns the client went
    // away, and so stops the command, only by writing.
    let lines = futures::stream::unfold(events, |mut events| async move {
        match tokio::time::timeout(service::shell::IDLE_WRITE, events.recv()).await {
            Ok(event) => Some((Ok(super::event_line(&event?)), events)),
            Err(_) => Some((Ok("\n".to_owned()), events)),
        }
    });
    Ok(TextStream::new(lines))
}

#[cfg(feature = "ssr")]
pub(super) mod no_js {
    use std::sync::atomic::{AtomicU64, Ordering};

    use domain::shell::ShellEvent;

    use super::super::{LastRun, LAST_RUN_MAX_BYTES};

    /// Where the session keeps the last run made without JavaScript.
    pub const LAST_RUN_KEY: &str = "last_run";

    /// Collects a run's events until it ends (or its output outgrows
    /// [`LAST_RUN_MAX_BYTES`], which stops it).
    pub async fn run_to_end(
        mut events: tokio::sync::mpsc::Receiver<ShellEvent>,
        backend: String,
        machine: String,
        command: String,
    ) -> LastRun {
        static RUNS: AtomicU64 = AtomicU64::new(0);
        let mut kept = Vec::new();
        let mut bytes = 0;
        while let Some(event) = events.recv().await {
            if let ShellEvent::Stdout { data } | ShellEvent::Stderr { data } = &event {
                bytes += data.len();
                if bytes > LAST_RUN_MAX_BYTES {
                    kept.push(ShellEvent::Error {
                        message: format!(
                            "the output passed {} KiB, so the command was stopped; \
                             a page with JavaScript or the terminal shows any length",
                            LAST_RUN_MAX_BYTES / 1024
                        ),
                    });
                    break; // dropping `events` stops the command
                }
            }
            kept.push(event);
        }
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis())
            .unwrap_or_default();
        LastRun {
            id: format!("{now:x}{:x}", RUNS.fetch_add(1, Ordering::Relaxed)),
            backend,
            machine,
            command,
            events: kept,
        }
    }
}
