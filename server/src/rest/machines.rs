//! `/backends/{b}/machines...`: machines as last seen, one machine, its
//! host key, and the mist.io shell route.

use axum::{
    body::Body as HttpBody,
    extract::{Path, Query, State},
    http::{header, StatusCode},
    response::Response,
    Json,
};
use domain::{
    inventory::{MachineDetail, MachineSummary},
    shell::ShellEvent,
    ErrorKind,
};
use serde::Deserialize;
use serde_json::{json, Value};

use crate::{
    http_error::ApiError,
    rest::extract::{Address, Body, Caller},
    AppState,
};

/// The machines of one backend the caller may see.
#[utoipa::path(get, path = "/backends/{backend_id}/machines", tag = "machines",
    params(("backend_id" = String, Path, description = "Backend")),
    responses((status = 200, description = "[{\"id\", \"name\", \"state\", \"public_ips\", \"private_ips\", \"can_reboot\", ...}]"), (status = 403), (status = 404)))]
pub async fn list_machines(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(backend_id): Path<String>,
) -> Result<Json<Vec<MachineSummary>>, ApiError> {
    Ok(Json(
        service::machines::list(&state.services, &actor, Some(&backend_id)).await?,
    ))
}

/// One machine: its summary, the keys that open it, its host key.
#[utoipa::path(get, path = "/backends/{backend_id}/machines/{machine_id}", tag = "machines",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine")),
    responses((status = 200), (status = 403), (status = 404)))]
pub async fn machine_detail(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((backend_id, machine_id)): Path<(String, String)>,
) -> Result<Json<MachineDetail>, ApiError> {
    Ok(Json(
        service::machines::detail(&state.services, &actor, &backend_id, &machine_id).await?,
    ))
}

/// Body of the host-key route.
#[derive(Debug, Deserialize)]
pub struct AcceptHostKey {
    fingerprint: Option<String>,
}

/// Accepts a machine's changed host key, named by its fingerprint.
#[utoipa::path(post, path = "/backends/{backend_id}/machines/{machine_id}/host_key", tag = "machines",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine")),
    responses((status = 200), (status = 403), (status = 404), (status = 409, description = "No such changed key is waiting")))]
pub async fn accept_host_key(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Address(address): Address,
    Path((backend_id, machine_id)): Path<(String, String)>,
    Body(body): Body<AcceptHostKey>,
) -> Result<Json<Value>, ApiError> {
    service::authz::authorize(
        &actor,
        "edit:machine",
        &domain::resource::machine(&backend_id, &machine_id),
    )?;
    let fingerprint = body
        .fingerprint
        .filter(|f| !f.trim().is_empty())
        .ok_or_else(|| ErrorKind::invalid("fingerprint", "name the key to accept (SHA256:...)"))?;
    service::machines::accept_host_key(
        &state.services,
        &actor,
        &backend_id,
        &machine_id,
        &fingerprint,
        &address,
    )
    .await?;
    Ok(Json(json!({"status": "success"})))
}

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
        ("command" = String, Query, description = "The command")),
    responses((status = 200, description = "text/html, streamed"), (status = 400), (status = 403), (status = 404), (status = 502, description = "The machine could not be reached or refused the key")))]
pub async fn shell(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Address(address): Address,
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
    let mut events = service::shell::run(
        &state.services,
        &actor,
        &backend_id,
        &machine_id,
        query.command.as_deref().unwrap_or_default(),
        &address,
    )
    .await?;
    let (tx, rx) = tokio::sync::mpsc::channel::<Result<String, std::io::Error>>(16);
    tokio::spawn(async move {
        while let Some(event) = events.recv().await {
            let chunk = match &event {
                ShellEvent::Stdout { data } | ShellEvent::Stderr { data } => {
                    format!(
                        "<script>parent.appendShell('{}');</script>\n",
                        js_string(data)
                    )
                }
                ShellEvent::Exit { code, .. } => {
                    format!("<script>parent.completeShell({code});</script>\n")
                }
                ShellEvent::Error { message } => format!(
                    "<script>parent.appendShell('{}');parent.completeShell(-1);</script>\n",
                    js_string(message)
                ),
                ShellEvent::Cancelled { .. } => {
                    "<script>parent.completeShell(-1);</script>\n".to_owned()
                }
                ShellEvent::Connected { .. } => continue,
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

/// Body of the machine-action route.
#[derive(Debug, Deserialize)]
pub struct MachineAction {
    action: Option<String>,
}

/// Acts on a machine: `{"action": "reboot" | "start" | "stop" | "destroy"}`.
#[utoipa::path(post, path = "/backends/{backend_id}/machines/{machine_id}", tag = "machines",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine")),
    responses((status = 200), (status = 400), (status = 403), (status = 404), (status = 409, description = "The backend is disabled, or its provider cannot do that"), (status = 502)))]
pub async fn machine_action(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Address(address): Address,
    Path((backend_id, machine_id)): Path<(String, String)>,
    Body(body): Body<MachineAction>,
) -> Result<Json<Value>, ApiError> {
    let word = body.action.unwrap_or_default();
    let action = match service::machine_actions::parse_action(&word) {
        Ok(action) => action,
        Err(e) => {
            // A refused caller learns nothing from validation.
            service::authz::authorize(
                &actor,
                "reboot:machine",
                &domain::resource::machine(&backend_id, &machine_id),
            )?;
            return Err(e.into());
        }
    };
    service::machine_actions::act(
        &state.services,
        &actor,
        &backend_id,
        &machine_id,
        action,
        &address,
    )
    .await?;
    Ok(Json(json!({"status": "success"})))
}

/// Creates a machine: `{name, size, image, location, key?, script?}`.
#[utoipa::path(post, path = "/backends/{backend_id}/machines", tag = "machines",
    params(("backend_id" = String, Path, description = "Backend")),
    responses((status = 201, description = "The machine as first reported"), (status = 400), (status = 403), (status = 404), (status = 409), (status = 502)))]
pub async fn create_machine(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Address(address): Address,
    Path(backend_id): Path<String>,
    Body(body): Body<service::machine_actions::NewMachine>,
) -> Result<(StatusCode, Json<MachineSummary>), ApiError> {
    let machine =
        service::machine_actions::create(&state.services, &actor, &backend_id, &body, &address)
            .await?;
    Ok((StatusCode::CREATED, Json(machine)))
}

/// The sizes machines of this backend can have.
#[utoipa::path(get, path = "/backends/{backend_id}/sizes", tag = "backends",
    params(("backend_id" = String, Path, description = "Backend")),
    responses((status = 200), (status = 403), (status = 404), (status = 502)))]
pub async fn sizes(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(backend_id): Path<String>,
) -> Result<Json<Vec<cloud::Size>>, ApiError> {
    Ok(Json(
        service::machine_actions::sizes(&state.services, &actor, &backend_id).await?,
    ))
}

/// Query of the images route.
#[derive(Debug, Deserialize)]
pub struct ImageSearch {
    search: Option<String>,
    search_term: Option<String>,
}

/// The images of this backend; `?search=` looks beyond the default list.
#[utoipa::path(get, path = "/backends/{backend_id}/images", tag = "backends",
    params(("backend_id" = String, Path, description = "Backend"), ("search" = Option<String>, Query, description = "Name, slug or OS contains")),
    responses((status = 200), (status = 403), (status = 404), (status = 502)))]
pub async fn images(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(backend_id): Path<String>,
    Query(query): Query<ImageSearch>,
) -> Result<Json<Vec<cloud::Image>>, ApiError> {
    let search = query.search.or(query.search_term);
    Ok(Json(
        service::machine_actions::images(&state.services, &actor, &backend_id, search.as_deref())
            .await?,
    ))
}

/// Searches the images of this backend (mist.io: `{"search_term": "..."}`).
#[utoipa::path(post, path = "/backends/{backend_id}/images", tag = "backends",
    params(("backend_id" = String, Path, description = "Backend")),
    responses((status = 200), (status = 403), (status = 404), (status = 502)))]
pub async fn search_images(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(backend_id): Path<String>,
    Body(body): Body<ImageSearch>,
) -> Result<Json<Vec<cloud::Image>>, ApiError> {
    let search = body.search_term.or(body.search);
    Ok(Json(
        service::machine_actions::images(&state.services, &actor, &backend_id, search.as_deref())
            .await?,
    ))
}

/// The locations machines of this backend can be created in.
#[utoipa::path(get, path = "/backends/{backend_id}/locations", tag = "backends",
    params(("backend_id" = String, Path, description = "Backend")),
    responses((status = 200), (status = 403), (status = 404), (status = 502)))]
pub async fn locations(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(backend_id): Path<String>,
) -> Result<Json<Vec<cloud::Location>>, ApiError> {
    Ok(Json(
        service::machine_actions::locations(&state.services, &actor, &backend_id).await?,
    ))
}

/// Body of the tags route.
#[derive(Debug, Deserialize)]
pub struct Tags {
    tags: Option<Value>,
}

/// Makes `{"tags": ["env=prod", "web"]}` the machine's whole tag set.
#[utoipa::path(put, path = "/backends/{backend_id}/machines/{machine_id}/tags", tag = "machines",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine")),
    responses((status = 200, description = "{\"tags\": [...]}"), (status = 400), (status = 403), (status = 404), (status = 409, description = "The provider has no tags"), (status = 502)))]
pub async fn set_tags(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Address(address): Address,
    Path((backend_id, machine_id)): Path<(String, String)>,
    Body(body): Body<Tags>,
) -> Result<Json<Value>, ApiError> {
    service::authz::authorize(
        &actor,
        "tag:machine",
        &domain::resource::machine(&backend_id, &machine_id),
    )?;
    let tags: Vec<String> = match body.tags {
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|v| match v {
                Value::String(s) => Ok(s),
                _ => Err(ErrorKind::invalid("tags", "must be a list of strings")),
            })
            .collect::<Result<_, _>>()?,
        Some(Value::String(text)) => text.split(',').map(str::to_owned).collect(),
        None | Some(Value::Null) => Vec::new(),
        Some(_) => return Err(ErrorKind::invalid("tags", "must be a list of strings").into()),
    };
    let tags = service::machine_actions::set_tags(
        &state.services,
        &actor,
        &backend_id,
        &machine_id,
        &tags,
        &address,
    )
    .await?;
    Ok(Json(json!({ "tags": tags })))
}
