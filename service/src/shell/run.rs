//! One-shot commands streamed as events, and the checks an open terminal
//! makes while it lives.

use domain::{resource, shell::ShellEvent, ErrorKind};
use ssh::Output;
use tokio::sync::mpsc;

use super::{connect_error, open, Opened};
use crate::{audit, authz, Actor, Services};

/// Turns bytes into text across chunk boundaries: an incomplete UTF-8
/// sequence at the end of one chunk waits for the next.
#[derive(Debug, Default)]
pub struct Utf8Stream {
    pending: Vec<u8>,
}

impl Utf8Stream {
    /// Appends `bytes`; returns the text that is complete so far.
    pub fn push(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let valid_up_to = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => self.pending.len(),
        };
        let rest = self.pending.split_off(valid_up_to);
        let text = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending = rest;
        text
    }

    /// Whatever is left, replaced where invalid.
    pub fn finish(&mut self) -> String {
        let text = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending.clear();
        text
    }
}

/// Runs `command` on a machine; events arrive on the receiver as output is
/// produced. Dropping the receiver (the page's Stop button, a closed page)
/// stops the command on the machine.
pub async fn run(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
    command: &str,
) -> Result<mpsc::Receiver<ShellEvent>, ErrorKind> {
    let target = resource::machine(backend_id, machine_id);
    authz::authorize(actor, "shell:machine", &target)?;
    let command = command.trim();
    if command.is_empty() {
        return Err(ErrorKind::invalid("command", "type a command to run"));
    }
    if command.len() > 16 * 1024 {
        return Err(ErrorKind::invalid("command", "is longer than 16 KiB"));
    }
    if command.contains('\0') {
        // The machine's shell gets the command as a C string: a NUL would
        // cut it short, or the SSH server refuses it (a 502 after connecting).
        return Err(ErrorKind::invalid(
            "command",
            "may not hold a NUL character (\\0)",
        ));
    }
    let opened = match open(services, actor, backend_id, machine_id).await {
        Ok(opened) => opened,
        Err(e) => {
            if !matches!(e, ErrorKind::Forbidden { .. }) {
                audit::record(
                    services,
                    &actor.audit_name(),
                    &actor.address,
                    "shell:machine",
                    &target,
                    audit::outcome::FAILURE,
                    &format!("run: {command}: {e}"),
                )
                .await?;
            }
            return Err(e);
        }
    };
    audit::success(
        services,
        actor,
        "shell:machine",
        &target,
        &format!("run as {}: {command}", opened.target.user),
    )
    .await?;
    let mut exec = opened
        .connection
        .exec(command)
        .await
        .map_err(|e| connect_error(e, &opened.target))?;
    let (tx, rx) = mpsc::channel(64);
    tokio::spawn(async move {
        let Opened {
            connection,
            target,
            key,
            started,
            slot,
        } = opened;
        let host = format!("{}:{}", target.host, target.port);
        let user = target.user;
        let elapsed = || u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX);
        if tx
            .send(ShellEvent::Connected { user, key, host })
            .await
            .is_err()
        {
            exec.cancel().await;
            connection.close().await;
            return;
        }
        let (mut out, mut err) = (Utf8Stream::default(), Utf8Stream::default());
        let mut exit = None;
        loop {
            tokio::select! {
                next = exec.next() => match next {
                    Some(Output::Stdout(bytes)) => {
                        let data = out.push(&bytes);
                        if !data.is_empty() && tx.send(ShellEvent::Stdout { data }).await.is_err() {
                            break;
                        }
                    }
                    Some(Output::Stderr(bytes)) => {
                        let data = err.push(&bytes);
                        if !data.is_empty() && tx.send(ShellEvent::Stderr { data }).await.is_err() {
                            break;
                        }
                    }
                    Some(Output::Exit(code)) => exit = Some(code),
                    None => break,
                },
                () = tx.closed() => break,
            }
        }
        if tx.is_closed() {
            exec.cancel().await;
        } else {
            for (data, stderr) in [(out.finish(), false), (err.finish(), true)] {
                if !data.is_empty() {
                    let event = if stderr {
                        ShellEvent::Stderr { data }
                    } else {
                        ShellEvent::Stdout { data }
                    };
                    let _ = tx.send(event).await;
                }
            }
            let last = match exit {
                Some(code) => ShellEvent::Exit {
                    code,
                    duration_ms: elapsed(),
                },
                None => ShellEvent::Error {
                    message: "the connection closed before the command reported an exit status"
                        .into(),
                },
            };
            let _ = tx.send(last).await;
        }
        connection.close().await;
        drop(slot);
    });
    Ok(rx)
}

/// Stands for an open terminal in the audit log when it ends.
pub async fn record_terminal(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
    detail: &str,
) -> Result<(), ErrorKind> {
    audit::success(
        services,
        actor,
        "shell:machine",
        &resource::machine(backend_id, machine_id),
        detail,
    )
    .await
}

/// Whether `actor` (as it is now in the database) may still hold a shell on
/// the machine: used by open terminals to end when rights are revoked.
pub async fn still_allowed(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
) -> bool {
    match crate::session::refresh(services, actor).await {
        Ok(Some(fresh)) => authz::authorize(
            &fresh,
            "shell:machine",
            &resource::machine(backend_id, machine_id),
        )
        .is_ok(),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_split_across_chunks_is_joined() {
        let mut s = Utf8Stream::default();
        let bytes = "é€".as_bytes();
        assert_eq!(s.push(&bytes[..1]), "");
        assert_eq!(s.push(&bytes[1..3]), "é");
        assert_eq!(s.push(&bytes[3..]), "€");
        assert_eq!(s.push(b"\xffok"), "\u{fffd}ok");
        assert_eq!(s.push(&bytes[..3]), "é");
        assert_eq!(s.finish(), "\u{fffd}");
    }
}
