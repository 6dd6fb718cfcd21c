//! The interactive terminal: a PTY on the machine over a websocket.
//!
//! Browser → server: binary frames are keystrokes; text frames are JSON
//! controls (`{"type":"resize","cols":80,"rows":24}`). Server → browser:
//! binary frames are terminal output; a text frame
//! `{"type":"exit","code":N}` or `{"type":"error","message":"..."}` ends it.
//! The session ends when the page closes, after [`IDLE`] without input, and
//! within [`RECHECK`] of the user's rights being revoked.

use std::time::Duration;

use axum::{
    extract::{
        ws::{Message, WebSocket, WebSocketUpgrade},
        Path, Query, State,
    },
    http::{header, HeaderMap},
    response::Response,
};
use domain::ErrorKind;
use serde::Deserialize;
use serde_json::json;
use service::{Actor, Services};

use crate::{
    http_error::ApiError,
    rest::extract::{Address, Caller},
    AppState,
};

/// A terminal without input this long is closed.
pub const IDLE: Duration = Duration::from_secs(15 * 60);
/// How often an open terminal re-checks the user's rights.
pub const RECHECK: Duration = Duration::from_secs(5);

/// Query of the terminal route.
#[derive(Debug, Deserialize)]
pub struct TerminalQuery {
    cols: Option<u32>,
    rows: Option<u32>,
}

/// Opens a terminal (websocket upgrade). A browser's request must come from
/// this installation's own pages (its `Origin` must match the host).
#[utoipa::path(get, path = "/backends/{backend_id}/machines/{machine_id}/terminal", tag = "machines",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine"),
        ("cols" = Option<u32>, Query, description = "Columns (80)"), ("rows" = Option<u32>, Query, description = "Rows (24)")),
    responses((status = 101, description = "Websocket"), (status = 400), (status = 403), (status = 404), (status = 502)))]
pub async fn terminal(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Address(address): Address,
    Path((backend_id, machine_id)): Path<(String, String)>,
    Query(query): Query<TerminalQuery>,
    headers: HeaderMap,
    upgrade: Result<WebSocketUpgrade, axum::extract::ws::rejection::WebSocketUpgradeRejection>,
) -> Result<Response, ApiError> {
    check_origin(&headers, &state.services.settings.public_url)?;
    let cols = query.cols.unwrap_or(80).clamp(10, 1000);
    let rows = query.rows.unwrap_or(24).clamp(4, 500);
    service::authz::authorize(
        &actor,
        "shell:machine",
        &domain::resource::machine(&backend_id, &machine_id),
    )?;
    let Ok(upgrade) = upgrade else {
        return Err(ErrorKind::invalid("upgrade", "this route speaks websocket only").into());
    };
    let services = state.services.clone();
    Ok(upgrade.on_upgrade(move |mut socket| async move {
        // Connecting happens after the upgrade, so the page can show why it failed.
        let opened = match service::shell::open(&services, &actor, &backend_id, &machine_id).await {
            Ok(opened) => opened,
            Err(e) => {
                let _ = socket
                    .send(Message::Text(
                        json!({"type": "error", "message": e.to_string()})
                            .to_string()
                            .into(),
                    ))
                    .await;
                return;
            }
        };
        run(
            services, actor, address, backend_id, machine_id, opened, cols, rows, socket,
        )
        .await;
    }))
}

/// A websocket from a browser must come from a page of this installation.
fn check_origin(headers: &HeaderMap, public_url: &str) -> Result<(), ApiError> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return Ok(()); // not a browser: API credentials or a cookie jar, no cross-site risk
    };
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or_default();
    let origin_host = origin
        .split_once("://")
        .map(|(_, rest)| rest)
        .unwrap_or(origin);
    let public_host = public_url
        .split_once("://")
        .map(|(_, rest)| rest.trim_end_matches('/'))
        .unwrap_or_default();
    if origin_host == host || origin_host == public_host {
        Ok(())
    } else {
        Err(ErrorKind::Forbidden {
            action: Some("shell:machine".into()),
        }
        .into())
    }
}

#[allow(clippy::too_many_arguments)]
async fn run(
    services: Services,
    actor: Actor,
    address: String,
    backend_id: String,
    machine_id: String,
    opened: service::shell::Opened,
    cols: u32,
    rows: u32,
    mut socket: WebSocket,
) {
    let mut terminal = match opened
        .connection
        .terminal("xterm-256color", cols, rows)
        .await
    {
        Ok(t) => t,
        Err(e) => {
            let message = service::shell::connect_error(e, &opened.target).to_string();
            let _ = socket
                .send(Message::Text(
                    json!({"type": "error", "message": message})
                        .to_string()
                        .into(),
                ))
                .await;
            return;
        }
    };
    let started = std::time::Instant::now();
    let _ = service::shell::record_terminal(
        &services,
        &actor,
        &backend_id,
        &machine_id,
        &address,
        &format!(
            "terminal opened as {} with key {}",
            opened.target.user, opened.key
        ),
    )
    .await;
    let mut recheck = tokio::time::interval(RECHECK);
    recheck.tick().await;
    let idle = tokio::time::sleep(IDLE);
    tokio::pin!(idle);
    let reason: String = loop {
        tokio::select! {
            out = terminal.next() => match out {
                Some(ssh::TerminalEvent::Data(bytes)) => {
                    if socket.send(Message::Binary(bytes.into())).await.is_err() {
                        break "the page closed".into();
                    }
                }
                Some(ssh::TerminalEvent::Exit(code)) => {
                    let _ = socket.send(Message::Text(json!({"type": "exit", "code": code}).to_string().into())).await;
                    break format!("the shell exited with {code}");
                }
                Some(ssh::TerminalEvent::Closed) | None => {
                    let _ = socket.send(Message::Text(json!({"type": "exit", "code": null}).to_string().into())).await;
                    break "the machine closed the session".into();
                }
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Binary(bytes))) => {
                    idle.as_mut().reset(tokio::time::Instant::now() + IDLE);
                    if terminal.write(&bytes).await.is_err() {
                        break "the machine stopped accepting input".into();
                    }
                }
                Some(Ok(Message::Text(text))) => {
                    idle.as_mut().reset(tokio::time::Instant::now() + IDLE);
                    if let Ok(control) = serde_json::from_str::<serde_json::Value>(&text) {
                        match control.get("type").and_then(|t| t.as_str()) {
                            Some("resize") => {
                                let get = |k: &str| control.get(k).and_then(serde_json::Value::as_u64).and_then(|v| u32::try_from(v).ok());
                                if let (Some(c), Some(r)) = (get("cols"), get("rows")) {
                                    let _ = terminal.resize(c.clamp(10, 1000), r.clamp(4, 500)).await;
                                }
                            }
                            Some("input") => {
                                if let Some(data) = control.get("data").and_then(|d| d.as_str()) {
                                    if terminal.write(data.as_bytes()).await.is_err() {
                                        break "the machine stopped accepting input".into();
                                    }
                                }
                            }
                            _ => {}
                        }
                    }
                }
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => break "the page closed".into(),
                Some(Ok(_)) => {}
            },
            _ = recheck.tick() => {
                if !service::shell::still_allowed(&services, &actor, &backend_id, &machine_id).await {
                    let _ = socket.send(Message::Text(json!({"type": "error", "message": "your rights to this machine were revoked"}).to_string().into())).await;
                    break "rights revoked".into();
                }
            }
            () = &mut idle => {
                let _ = socket.send(Message::Text(json!({"type": "error", "message": format!("closed after {} minutes without input", IDLE.as_secs() / 60)}).to_string().into())).await;
                break "idle timeout".into();
            }
        }
    };
    terminal.close().await;
    opened.connection.close().await;
    let _ = socket.send(Message::Close(None)).await;
    let _ = service::shell::record_terminal(
        &services,
        &actor,
        &backend_id,
        &machine_id,
        &address,
        &format!(
            "terminal closed after {} s: {reason}",
            started.elapsed().as_secs()
        ),
    )
    .await;
    drop(opened.slot);
}
