//! An interactive terminal's policy, whichever transport carries it (the
//! REST websocket today): open the machine as [`super::open`] does for a
//! command, audit the start and the end, stop after [`IDLE`] without input,
//! re-check the caller's rights every [`RECHECK`], and give the session slot
//! back at the end. The transport only turns its frames into
//! [`TerminalIn`] and [`TerminalOut`].

use std::time::Duration;

use domain::shell::{TerminalIn, TerminalOut};
use tokio::sync::mpsc;

use crate::{Actor, Services};

/// A terminal without input this long is closed.
pub const IDLE: Duration = Duration::from_secs(15 * 60);
/// How often an open terminal re-checks the caller's rights.
pub const RECHECK: Duration = Duration::from_secs(5);

/// Where a terminal runs and how large it starts.
#[derive(Debug, Clone)]
pub struct TerminalRequest {
    /// Backend id.
    pub backend: String,
    /// Machine id.
    pub machine: String,
    /// Columns (clamped to 10..=1000).
    pub cols: u32,
    /// Rows (clamped to 4..=500).
    pub rows: u32,
}

/// Runs a terminal until it ends: reads what the page sends from `from_page`
/// (closed: the page went away) and sends the page what to show through
/// `to_page`, ending with an [`TerminalOut::Exit`] or
/// [`TerminalOut::Error`] saying why. The caller is authorised already
/// (`shell:machine` on the machine) before the transport was opened.
pub async fn serve(
    services: Services,
    actor: Actor,
    request: TerminalRequest,
    mut from_page: mpsc::Receiver<TerminalIn>,
    to_page: mpsc::Sender<TerminalOut>,
) {
    let TerminalRequest {
        backend, machine, ..
    } = &request;
    let say = |out: TerminalOut| {
        let to_page = to_page.clone();
        async move {
            let _ = to_page.send(out).await;
        }
    };
    let opened = match super::open(&services, &actor, backend, machine).await {
        Ok(opened) => opened,
        Err(e) => {
            return say(TerminalOut::Error {
                message: e.to_string(),
            })
            .await
        }
    };
    let (cols, rows) = (request.cols.clamp(10, 1000), request.rows.clamp(4, 500));
    let mut terminal = match opened
        .connection
        .terminal("xterm-256color", cols, rows)
        .await
    {
        Ok(t) => t,
        Err(e) => {
            let message = super::connect_error(e, &opened.target).to_string();
            return say(TerminalOut::Error { message }).await;
        }
    };
    let started = std::time::Instant::now();
    let opened_as = format!(
        "terminal opened as {} with key {}",
        opened.target.user, opened.key
    );
    let _ = super::record_terminal(&services, &actor, backend, machine, &opened_as).await;
    let mut recheck = tokio::time::interval(RECHECK);
    recheck.tick().await;
    let idle = tokio::time::sleep(IDLE);
    tokio::pin!(idle);
    let reason: String = loop {
        tokio::select! {
            out = terminal.next() => match out {
                Some(ssh::TerminalEvent::Data(bytes)) => {
                    if to_page.send(TerminalOut::Output(bytes)).await.is_err() {
                        break "the page closed".into();
                    }
                }
                Some(ssh::TerminalEvent::Exit(code)) => {
                    say(TerminalOut::Exit { code: Some(code) }).await;
                    break format!("the shell exited with {code}");
                }
                Some(ssh::TerminalEvent::Closed) | None => {
                    say(TerminalOut::Exit { code: None }).await;
                    break "the machine closed the session".into();
                }
            },
            incoming = from_page.recv() => match incoming {
                Some(TerminalIn::Keys(bytes)) => {
                    idle.as_mut().reset(tokio::time::Instant::now() + IDLE);
                    if terminal.write(&bytes).await.is_err() {
                        break "the machine stopped accepting input".into();
                    }
                }
                Some(TerminalIn::Input { data }) => {
                    idle.as_mut().reset(tokio::time::Instant::now() + IDLE);
                    if terminal.write(data.as_bytes()).await.is_err() {
                        break "the machine stopped accepting input".into();
                    }
                }
                Some(TerminalIn::Resize { cols, rows }) => {
                    idle.as_mut().reset(tokio::time::Instant::now() + IDLE);
                    let _ = terminal.resize(cols.clamp(10, 1000), rows.clamp(4, 500)).await;
                }
                None => break "the page closed".into(),
            },
            _ = recheck.tick() => {
                if !super::still_allowed(&services, &actor, backend, machine).await {
                    say(TerminalOut::Error { message: "your rights to this machine were revoked".into() }).await;
                    break "rights revoked".into();
                }
            }
            () = &mut idle => {
                say(TerminalOut::Error {
                    message: format!("closed after {} minutes without input", IDLE.as_secs() / 60),
                })
                .await;
                break "idle timeout".into();
            }
        }
    };
    terminal.close().await;
    opened.connection.close().await;
    let closed = format!(
        "terminal closed after {} s: {reason}",
        started.elapsed().as_secs()
    );
    let _ = super::record_terminal(&services, &actor, backend, machine, &closed).await;
    drop(opened.slot);
}
