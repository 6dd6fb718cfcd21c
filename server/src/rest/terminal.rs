//! The interactive terminal: a PTY on the machine over a websocket.
//!
//! Browser → server: binary frames are keystrokes; text frames are JSON
//! controls (`{"type":"resize","cols":80,"rows":24}`). Server → browser:
//! binary frames are terminal output; a text frame
//! `{"type":"exit","code":N}` or `{"type":"error","message":"..."}` ends it.
//! The terminal's policy (idle timeout, rights re-checked, audit, the
//! session slot) is `service::shell::terminal`'s; this handler only checks
//! the browser's origin, upgrades, and turns frames into
//! `domain::shell::TerminalIn` and `TerminalOut` and back.

use axum::{
    extract::{
        ws::{Message, WebSocket, WebSocketUpgrade},
        State,
    },
    http::{header, HeaderMap},
    response::Response,
};
use domain::{
    shell::{TerminalIn, TerminalOut},
    ErrorKind,
};
use futures_util::{SinkExt, StreamExt};
use serde::Deserialize;
use service::{
    shell::terminal::{self, TerminalRequest},
    Actor, Services,
};
use tokio::sync::mpsc;

use crate::{
    http_error::ApiError,
    rest::extract::{May, Path, Query, ShellMachineAction},
    AppState,
};

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
    responses((status = 101, description = "Switching to the websocket: binary frames carry keystrokes and output; text frames carry JSON controls (`{\"type\":\"resize\",\"cols\",\"rows\"}`) and the end (`{\"type\":\"exit\",\"code\"}`, `{\"type\":\"error\",\"message\"}`); connecting happens after the upgrade"),
        (status = 400, description = "Not a websocket request, or a bad parameter"), (status = 403, description = "Refused, or a browser's `Origin` is not this installation's")))]
pub async fn terminal(
    State(state): State<AppState>,
    May(actor, _): May<ShellMachineAction>,
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
    let request = TerminalRequest {
        backend: backend_id,
        machine: machine_id,
        cols,
        rows,
    };
    // Connecting happens after the upgrade, so the page can show why it failed.
    Ok(upgrade.on_upgrade(move |socket| relay(services, actor, request, socket)))
}

/// A websocket from a browser must come from a page of this installation.
fn check_origin(headers: &HeaderMap, public_url: &str) -> Result<(), ApiError> {
    let Some(origin) = headers.get(header::ORIGIN).and_then(|o| o.to_str().ok()) else {
        return Ok(()); // not a browser: API credentials or a cookie jar, no cross-site risk
    };
    if crate::middleware::csrf::is_own_origin(origin, headers, public_url) {
        Ok(())
    } else {
        Err(ErrorKind::Forbidden {
            action: Some("shell:machine".into()),
        }
        .into())
    }
}

/// Carries one terminal: the service's [`terminal::serve`] on one side, the
/// websocket's frames on the other.
async fn relay(services: Services, actor: Actor, request: TerminalRequest, socket: WebSocket) {
    let (to_service, from_page) = mpsc::channel::<TerminalIn>(64);
    let (to_page, mut from_service) = mpsc::channel::<TerminalOut>(64);
    let serving = tokio::spawn(terminal::serve(
        services, actor, request, from_page, to_page,
    ));
    let (mut sink, mut stream) = socket.split();
    let reading = async move {
        while let Some(Ok(message)) = stream.next().await {
            let incoming = match message {
                Message::Binary(bytes) => TerminalIn::Keys(bytes.to_vec()),
                // A control the page sends: anything else is ignored.
                Message::Text(text) => match serde_json::from_str::<TerminalIn>(&text) {
                    Ok(control) => control,
                    Err(_) => continue,
                },
                Message::Close(_) => break,
                _ => continue,
            };
            if to_service.send(incoming).await.is_err() {
                break;
            }
        }
        // Dropping `to_service` tells the service the page went away.
    };
    let writing = async move {
        while let Some(out) = from_service.recv().await {
            let frame = match out {
                TerminalOut::Output(bytes) => Message::Binary(bytes.into()),
                end => Message::Text(serde_json::to_string(&end).unwrap_or_default().into()),
            };
            if sink.send(frame).await.is_err() {
                break;
            }
        }
        let _ = sink.send(Message::Close(None)).await;
    };
    tokio::select! {
        () = reading => {}
        () = writing => {}
    }
    // The page went away or the terminal ended: the service finishes
    // (auditing and freeing the slot) either way.
    let _ = serving.await;
}
