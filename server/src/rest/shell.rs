//! The mist.io shell route: a command's output as `parent.appendShell(...)`
//! script chunks, flushed as it arrives.

use axum::{
    body::Body as HttpBody,
    extract::State,
    http::{header, StatusCode},
    response::Response,
};
use domain::{shell::ShellEvent, ErrorKind};
use serde::Deserialize;

use crate::{
    http_error::ApiError,
    rest::extract::{May, Path, Query, ShellMachineAction},
    AppState,
};

/// Query of the mist.io shell route.
#[derive(Debug, Deserialize)]
pub struct ShellQuery {
    host: Option<String>,
    command: Option<String>,
}

/// Runs a command and answers an HTML body of
/// `<script>parent.appendShell('...')</script>` chunks flushed as output
/// arrives, ending with `parent.completeShell(exit_code)` (mist.io's
/// iframe protocol). Output is escaped for JavaScript inside HTML, so
/// nothing a machine prints can run in the page.
#[utoipa::path(get, path = "/backends/{backend_id}/machines/{machine_id}/shell", tag = "machines",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine"),
        ("host" = Option<String>, Query, description = "One of the machine's addresses (others are refused)"),
        ("command" = String, Query, description = "The command"),
        ("csrf_token" = Option<String>, Query, description = "With the session cookie: the CSRF token (mist.io's iframe cannot send a header)")),
    responses((status = 200, description = "Streamed HTML: `<script>parent.appendShell('...')</script>` chunks flushed as output arrives, then `parent.completeShell(exit_code)` (mist.io's iframe protocol)", content_type = "text/html", body = String),
        (status = 404), (status = 409, description = "The account has too many shell sessions open"), (status = 502, description = "The machine could not be reached or refused the key")))]
pub async fn shell(
    State(state): State<AppState>,
    May(actor, _): May<ShellMachineAction>,
    Path((backend_id, machine_id)): Path<(String, String)>,
    Query(query): Query<ShellQuery>,
) -> Result<Response, ApiError> {
    service::authz::authorize(
        &actor,
        "shell:machine",
        &domain::resource::machine(&backend_id, &machine_id),
    )?;
    if let Some(host) = query.host.as_deref().filter(|h| !h.is_empty()) {
        let detail =
            service::machines::detail(&state.services, &actor, &backend_id, &machine_id).await?;
        let m = &detail.machine;
        if !m
            .public_ips
            .iter()
            .chain(&m.private_ips)
            .any(|ip| ip == host)
        {
            return Err(ErrorKind::invalid(
                "host",
                "is not an address of this machine (Overcast connects to the machine's own addresses)",
            )
            .into());
        }
    }
    let events = service::shell::run(
        &state.services,
        &actor,
        &backend_id,
        &machine_id,
        query.command.as_deref().unwrap_or_default(),
    )
    .await?;
    append_shell(events)
}

/// Streams `events` as mist.io's iframe protocol: one
/// `<script>parent.appendShell('...')</script>` chunk per piece of output,
/// flushed as it comes, then `parent.completeShell(code)`. The client going
/// away drops `events` (which stops a command).
///
/// The answer has a Content-Security-Policy of its own: nothing loads, only
/// its own scripts run (each carries the answer's nonce), and only a page
/// of this site may frame it (mist.io's page held it in an iframe).
pub fn append_shell(
    mut events: tokio::sync::mpsc::Receiver<ShellEvent>,
) -> Result<Response, ApiError> {
    let nonce = crate::middleware::headers::new_nonce();
    let policy = format!("default-src 'none'; script-src 'nonce-{nonce}'; frame-ancestors 'self'");
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<String, std::io::Error>>(16);
    tokio::spawn(async move {
        let open = format!("<script nonce=\"{nonce}\">");
        loop {
            // A command that prints nothing still writes a newline now and
            // then: the server learns the client went away only by writing.
            let event = match tokio::time::timeout(service::shell::IDLE_WRITE, events.recv()).await
            {
                Ok(Some(event)) => event,
                Ok(None) => break,
                Err(_) => {
                    if tx.send(Ok("\n".to_owned())).await.is_err() {
                        break;
                    }
                    continue;
                }
            };
            let chunk = match &event {
                ShellEvent::Stdout { data } | ShellEvent::Stderr { data } => {
                    format!(
                        "{open}parent.appendShell('{}');</script>\n",
                        js_string(data)
                    )
                }
                ShellEvent::Exit { code, .. } => {
                    format!("{open}parent.completeShell({code});</script>\n")
                }
                ShellEvent::Error { message } => format!(
                    "{open}parent.appendShell('{}');parent.completeShell(-1);</script>\n",
                    js_string(message)
                ),
                ShellEvent::Cancelled { .. } => {
                    format!("{open}parent.completeShell(-1);</script>\n")
                }
                ShellEvent::Connected { .. } | ShellEvent::Waiting { .. } => continue,
            };
            if tx.send(Ok(chunk)).await.is_err() {
                break; // the client went away: dropping `events` stops the command
            }
        }
    });
    let body = HttpBody::from_stream(tokio_stream_from(rx));
    Response::builder()
        .status(StatusCode::OK)
        .header(header::CONTENT_TYPE, "text/html; charset=utf-8")
        .header(header::CACHE_CONTROL, "no-store")
        .header("x-content-type-options", "nosniff")
        .header(header::CONTENT_SECURITY_POLICY, policy)
        .header(header::X_FRAME_OPTIONS, "SAMEORIGIN")
        .body(body)
        .map_err(|e| ApiError(service::internal(e)))
}

fn tokio_stream_from(
    mut rx: tokio::sync::mpsc::Receiver<Result<String, std::io::Error>>,
) -> impl futures_util::Stream<Item = Result<String, std::io::Error>> {
    futures_util::stream::poll_fn(move |cx| rx.poll_recv(cx))
}

/// Escapes text for a single-quoted JavaScript string inside an HTML
/// `<script>` element: every character that could end the string, the
/// element or a comment (`'`, `"`, `\`, `<`, `>`, `&`, `/`, line breaks,
/// U+2028/2029) and every control character becomes a `\uXXXX` escape.
pub fn js_string(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            'a'..='z'
            | 'A'..='Z'
            | '0'..='9'
            | ' '
            | '.'
            | ','
            | ':'
            | ';'
            | '_'
            | '-'
            | '+'
            | '='
            | '('
            | ')'
            | '['
            | ']'
            | '{'
            | '}'
            | '*'
            | '#'
            | '@'
            | '!'
            | '?'
            | '%'
            | '$'
            | '^'
            | '|'
            | '~' => out.push(c),
            c if (c as u32) < 0x80 => out.push_str(&format!("\\u{:04x}", c as u32)),
            '\u{2028}' | '\u{2029}' => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::js_string;

    #[test]
    fn nothing_printed_can_leave_the_string_or_the_script() {
        let escaped = js_string("</script><script>alert('x')</script>\n\"\\`");
        for bad in ["<", ">", "'", "\"", "\\\\", "/", "\n", "`"] {
            assert!(!escaped.contains(bad), "{bad} survived in {escaped}");
        }
        assert_eq!(js_string("a b\u{2028}é"), "a b\\u2028é");
        assert_eq!(js_string("<"), "\\u003c");
    }
}
