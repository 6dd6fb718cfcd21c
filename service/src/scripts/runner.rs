//! Carries a script run through: wait until the machine answers over SSH
//! (trying again every few seconds, up to `Settings::script_wait`), run
//! the script, and keep its output in the database as it arrives; all the
//! while renewing the run's lease, in a task the instance's shutdown waits
//! for.

use std::time::{Duration, Instant};

use domain::{compute::RunState, events::EventKind, resource, ErrorKind};
use ssh::Output;
use store::scripts::{OutputChunk, ScriptRun};
use tokio_util::sync::CancellationToken;

use super::{LEASE_KIND, LEASE_TTL_MS, MAX_OUTPUT_BYTES, RENEW_EVERY};
use crate::{audit, events::changes, session, shell, shell::Utf8Stream, Actor, Services};

/// How long between two tries to reach a machine that does not answer yet.
const RETRY: Duration = Duration::from_secs(2);

/// Output is written in chunks of at most this many bytes, and at least
/// this often while it flows, so a follower sees lines as they come.
const CHUNK_BYTES: usize = 16 * 1024;
const FLUSH_EVERY: Duration = Duration::from_millis(200);

/// Carries `run`, whose lease this instance holds, in a tracked task.
pub(super) fn spawn(services: Services, actor: Actor, run: ScriptRun) {
    let background = services.background.clone();
    background.spawn(async move {
        let lost = CancellationToken::new();
        let renewing = tokio::spawn(renew(services.clone(), run.id.clone(), lost.clone()));
        let aborting = services.background.aborting().clone();
        let ended = tokio::select! {
            ended = carry(&services, &actor, &run) => Some(ended),
            // The shutdown's grace is over: the run stays as it is and its
            // lease is released with the instance's others, so another
            // instance's reaper ends it at once, saying why.
            () = aborting.cancelled() => None,
            // The lease expired before we renewed it (the database was out
            // of reach that long) and the run may be ended already: it is
            // no longer ours to carry.
            () = lost.cancelled() => None,
        };
        renewing.abort();
        let Some((state, exit_code, detail)) = ended else {
            tracing::warn!(
                run = %run.id,
                lost = lost.is_cancelled(),
                "stopped carrying a script run before it ended"
            );
            return;
        };
        if let Err(e) = services
            .db
            .script_run_finished(
                &run.id,
                state.as_str(),
                exit_code,
                detail.as_deref(),
                services.now(),
            )
            .await
        {
            tracing::error!(run = %run.id, error = %e, "cannot record the end of a script run");
        } else {
            changes::script(
                &services,
                EventKind::ScriptEnded,
                &run.backend_id,
                &run.machine_id,
                &run.id,
                serde_json::json!({ "state": state.as_str(), "exit_code": exit_code }),
            )
            .await;
        }
        let me = services.background.instance().as_str();
        if let Err(e) = services.db.release_lease(LEASE_KIND, &run.id, me).await {
            tracing::warn!(run = %run.id, error = %e, "cannot release a script run's lease");
        }
        let outcome = match state {
            RunState::Succeeded => audit::outcome::SUCCESS,
            _ => audit::outcome::FAILURE,
        };
        let what = match (exit_code, &detail) {
            (Some(code), _) => format!("script {} ended: exit {code}", run.id),
            (None, Some(detail)) => format!("script {} ended: {detail}", run.id),
            (None, None) => format!("script {} ended", run.id),
        };
        let _ = audit::record(
            &services,
            &actor.audit_name(),
            &actor.address,
            "shell:machine",
            &resource::machine(&run.backend_id, &run.machine_id),
            outcome,
            &what,
        )
        .await;
    });
}

/// Renews the run's lease every [`RENEW_EVERY`] until aborted; cancels
/// `lost` when the lease turns out lost. A renewal that fails (the
/// database does not answer) is tried again at the next beat: the lease
/// lasts several beats.
async fn renew(services: Services, run_id: String, lost: CancellationToken) {
    let me = services.background.instance().clone();
    let mut tick = tokio::time::interval(RENEW_EVERY);
    tick.tick().await;
    loop {
        tick.tick().await;
        match services
            .db
            .renew_lease(
                LEASE_KIND,
                &run_id,
                me.as_str(),
                services.now(),
                LEASE_TTL_MS,
            )
            .await
        {
            Ok(true) => {}
            Ok(false) => {
                tracing::error!(run = %run_id, "lost a script run's lease");
                lost.cancel();
                return;
            }
            Err(e) => {
                tracing::warn!(run = %run_id, error = %e, "cannot renew a script run's lease")
            }
        }
    }
}

/// Runs the script once the machine answers; returns the run's end:
/// (state, exit status, detail).
async fn carry(
    services: &Services,
    actor: &Actor,
    run: &ScriptRun,
) -> (RunState, Option<i64>, Option<String>) {
    let deadline = Instant::now() + services.settings.script_wait;
    let opened = loop {
        // Rights are read again on every try: a revoked user's script does
        // not start later.
        let fresh = match session::refresh(services, actor).await {
            Ok(Some(fresh)) => fresh,
            Ok(None) => {
                return (
                    RunState::Error,
                    None,
                    Some("the account is disabled or gone".into()),
                )
            }
            Err(e) => return (RunState::Error, None, Some(e.to_string())),
        };
        match shell::open(services, &fresh, &run.backend_id, &run.machine_id).await {
            Ok(opened) => break opened,
            Err(e @ (ErrorKind::Forbidden { .. } | ErrorKind::NotFound { .. })) => {
                return (RunState::Error, None, Some(e.to_string()))
            }
            Err(e) if Instant::now() + RETRY >= deadline => {
                let waited = services.settings.script_wait.as_secs();
                return (
                    RunState::Error,
                    None,
                    Some(format!(
                        "the machine did not answer over SSH within {waited} s: {e}"
                    )),
                );
            }
            Err(e) => {
                let detail = format!("waiting for the machine to answer over SSH: {e}");
                if services
                    .db
                    .script_run_waiting(&run.id, &detail)
                    .await
                    .is_ok()
                {
                    changes::script(
                        services,
                        EventKind::ScriptChanged,
                        &run.backend_id,
                        &run.machine_id,
                        &run.id,
                        serde_json::json!({ "state": "waiting", "detail": detail }),
                    )
                    .await;
                }
                tokio::time::sleep(RETRY).await;
            }
        }
    };
    let host = format!("{}:{}", opened.target.host, opened.target.port);
    if let Err(e) = services
        .db
        .script_run_started(
            &run.id,
            &opened.target.user,
            &opened.key,
            &host,
            services.now(),
        )
        .await
    {
        return (RunState::Error, None, Some(crate::internal(e).to_string()));
    }
    changes::script(
        services,
        EventKind::ScriptChanged,
        &run.backend_id,
        &run.machine_id,
        &run.id,
        serde_json::json!({ "state": "running" }),
    )
    .await;
    let mut exec = match opened.connection.exec(&command(&run.script)).await {
        Ok(exec) => exec,
        Err(e) => {
            return (
                RunState::Error,
                None,
                Some(shell::connect_error(e, &opened.target).to_string()),
            )
        }
    };
    let mut sink = Sink::new(services, run);
    let (mut out, mut err) = (Utf8Stream::default(), Utf8Stream::default());
    let mut exit = None;
    let mut tick = tokio::time::interval(FLUSH_EVERY);
    loop {
        tokio::select! {
            next = exec.next() => match next {
                Some(Output::Stdout(bytes)) => sink.push("stdout", out.push(&bytes)).await,
                Some(Output::Stderr(bytes)) => sink.push("stderr", err.push(&bytes)).await,
                Some(Output::Exit(code)) => exit = Some(code),
                None => break,
            },
            _ = tick.tick() => sink.flush().await,
        }
    }
    sink.push("stdout", out.finish()).await;
    sink.push("stderr", err.finish()).await;
    sink.close().await;
    opened.connection.close().await;
    drop(opened.slot);
    match exit {
        Some(0) => (RunState::Succeeded, Some(0), None),
        Some(code) => (RunState::Failed, Some(i64::from(code)), None),
        None => (
            RunState::Error,
            None,
            Some("the connection closed before the script reported an exit status".into()),
        ),
    }
}

/// The command that runs `script`: written to a private temporary file
/// (base64 keeps it intact through the shell), run with no input, removed.
/// A script without `#!` runs under `sh`.
pub(super) fn command(script: &str) -> String {
    use base64::Engine;
    let encoded = base64::engine::general_purpose::STANDARD.encode(script);
    format!(
        "sh -c 'f=$(mktemp \"${{TMPDIR:-/tmp}}/overcast-script.XXXXXX\") || exit 125; \
         printf %s {encoded} | base64 -d > \"$f\" && chmod 700 \"$f\" && \"$f\" < /dev/null; \
         rc=$?; rm -f \"$f\"; exit $rc'"
    )
}

/// Output on its way to the database: consecutive output of one stream is
/// gathered and written as one chunk when it is large enough, when the
/// stream changes, and on every tick.
struct Sink<'a> {
    services: &'a Services,
    run: &'a ScriptRun,
    seq: i64,
    pending: Option<(&'static str, String)>,
    kept: usize,
    dropped: usize,
}

impl<'a> Sink<'a> {
    fn new(services: &'a Services, run: &'a ScriptRun) -> Self {
        Self {
            services,
            run,
            seq: 0,
            pending: None,
            kept: 0,
            dropped: 0,
        }
    }

    async fn push(&mut self, stream: &'static str, data: String) {
        if data.is_empty() {
            return;
        }
        if self.kept + data.len() > MAX_OUTPUT_BYTES {
            self.dropped += data.len();
            return;
        }
        self.kept += data.len();
        match &mut self.pending {
            Some((s, text)) if *s == stream => text.push_str(&data),
            _ => {
                self.flush().await;
                self.pending = Some((stream, data));
            }
        }
        if self
            .pending
            .as_ref()
            .is_some_and(|(_, t)| t.len() >= CHUNK_BYTES)
        {
            self.flush().await;
        }
    }

    async fn flush(&mut self) {
        let Some((stream, data)) = self.pending.take() else {
            return;
        };
        self.seq += 1;
        let chunk = OutputChunk {
            seq: self.seq,
            stream: stream.to_owned(),
            data,
        };
        let run = self.run;
        if let Err(e) = self.services.db.append_script_output(&run.id, &chunk).await {
            tracing::error!(run = %run.id, error = %e, "cannot keep script output");
        } else {
            changes::script(
                self.services,
                EventKind::ScriptOutput,
                &run.backend_id,
                &run.machine_id,
                &run.id,
                serde_json::json!({ "seq": chunk.seq, "stream": chunk.stream, "bytes": chunk.data.len() }),
            )
            .await;
        }
    }

    async fn close(mut self) {
        self.flush().await;
        if self.dropped > 0 {
            let note = format!(
                "\n[{} bytes of later output not kept: a run keeps its first {} KiB]\n",
                self.dropped,
                MAX_OUTPUT_BYTES / 1024
            );
            self.pending = Some(("stderr", note));
            self.flush().await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_carries_any_script_intact() {
        let script = "#!/bin/sh\necho 'it''s' \"$HOME\" `id` $(true)\n";
        let cmd = command(script);
        assert!(!cmd.contains("echo"), "the script travels encoded: {cmd}");
        assert_eq!(cmd.matches('\'').count(), 2, "one quoted argument: {cmd}");
    }
}
