//! Following a script run: its output from the start, then each new chunk
//! as the runner stores it, as the same [`ShellEvent`]s a command sends.
//! It reads the database, so any instance can follow a run another one
//! carries out; it reads again when an event says the run changed (the
//! runner's instance announces every chunk, its start and its end), and
//! every [`LOOK_ANYWAY`] whatever happens.

use std::{sync::Arc, time::Duration};

use domain::{compute::RunState, events::Event, shell::ShellEvent, ErrorKind};
use tokio::sync::{broadcast, mpsc};

use crate::{Actor, Services};

/// How long a follower waits for an event about its run before it reads
/// the run again anyway.
const LOOK_ANYWAY: Duration = Duration::from_secs(5);

/// Waits for an event about run `run_id` (or for falling behind the bus,
/// which may have dropped one).
async fn news_of(bus: &mut broadcast::Receiver<Arc<Event>>, run_id: &str) {
    loop {
        match bus.recv().await {
            Ok(event) if event.kind.topic() == "script" && event.data["run"] == run_id => return,
            Ok(_) => {}
            Err(broadcast::error::RecvError::Lagged(_)) => return,
            Err(broadcast::error::RecvError::Closed) => std::future::pending().await,
        }
    }
}

/// Follows run `run_id` of a machine: its output so far, then new output
/// as it comes, ending with `exit` (or `error`). Dropping the receiver
/// stops following (not the script). Needs `view:machine`.
pub async fn follow(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
    run_id: &str,
) -> Result<mpsc::Receiver<ShellEvent>, ErrorKind> {
    let run = super::summary(super::find(services, actor, backend_id, machine_id, run_id).await?);
    let (tx, rx) = mpsc::channel(64);
    let services = services.clone();
    // Listening before the first read: nothing falls between.
    let mut bus = services.events.subscribe();
    tokio::spawn(async move {
        let mut after = 0;
        let mut said_waiting = None::<String>;
        let mut said_connected = false;
        let mut run = run;
        loop {
            // `run` was read before the output below: a run seen finished
            // has all its output stored already.
            if run.state == RunState::Waiting {
                let message = run.detail.clone().unwrap_or_default();
                if said_waiting.as_ref() != Some(&message) {
                    if tx
                        .send(ShellEvent::Waiting {
                            message: message.clone(),
                        })
                        .await
                        .is_err()
                    {
                        return;
                    }
                    said_waiting = Some(message);
                }
            }
            if !said_connected {
                if let Some(event) = run.connected_event() {
                    if tx.send(event).await.is_err() {
                        return;
                    }
                    said_connected = true;
                }
            }
            let chunks = match services.db.script_output(&run.id, after).await {
                Ok(chunks) => chunks,
                Err(e) => {
                    let _ = tx
                        .send(ShellEvent::Error {
                            message: crate::internal(e).to_string(),
                        })
                        .await;
                    return;
                }
            };
            for chunk in chunks {
                after = chunk.seq;
                let event = if chunk.stream == "stderr" {
                    ShellEvent::Stderr { data: chunk.data }
                } else {
                    ShellEvent::Stdout { data: chunk.data }
                };
                if tx.send(event).await.is_err() {
                    return;
                }
            }
            if let Some(end) = run.end_event() {
                let _ = tx.send(end).await;
                return;
            }
            tokio::select! {
                () = news_of(&mut bus, &run.id) => {}
                () = tokio::time::sleep(LOOK_ANYWAY) => {}
                () = tx.closed() => return,
            }
            run = match services.db.script_run(&run.id).await {
                Ok(Some(fresh)) => super::summary(fresh),
                Ok(None) => {
                    let _ = tx
                        .send(ShellEvent::Error {
                            message: "the run was deleted (its backend was removed)".into(),
                        })
                        .await;
                    return;
                }
                Err(e) => {
                    let _ = tx
                        .send(ShellEvent::Error {
                            message: crate::internal(e).to_string(),
                        })
                        .await;
                    return;
                }
            };
        }
    });
    Ok(rx)
}
