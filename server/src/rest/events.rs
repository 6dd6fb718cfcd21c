//! `GET /events`: the change stream, as Server-Sent Events.

use std::{convert::Infallible, time::Duration};

use axum::{
    extract::State,
    http::HeaderMap,
    response::sse::{Event as SseEvent, KeepAlive, Sse},
};
use domain::{events::RELOAD, ErrorKind};
use futures_util::stream::{self, Stream};
use serde::Deserialize;
use service::events::{Delivery, Subscription};

use crate::{
    http_error::ApiError,
    rest::extract::{Caller, Query},
    AppState,
};

/// How often an idle stream sends a comment: proxies keep it open, and the
/// server learns a subscriber went away only by writing.
pub const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Query of `GET /events`.
#[derive(Debug, Deserialize)]
pub struct EventsQuery {
    /// The last sequence number seen (`Last-Event-ID` wins when both come).
    since: Option<i64>,
    /// Comma-separated topics: `machine`, `backend`, `script`, `shell`, `stack`.
    topics: Option<String>,
}

/// The changes the caller may see, as they happen (`text/event-stream`).
/// Each event's `id` is its sequence number, its `event` the kind
/// (`machine.changed`, ...) and its `data` the event as JSON
/// (`{"seq", "at", "kind", "resource", "data"}`). With `since` (or the
/// `Last-Event-ID` a reconnecting EventSource sends) what was missed comes
/// first; when it is no longer kept, an event `reload` says to read the
/// pages again. The stream ends when the caller may no longer see
/// anything (signed out, disabled, token revoked); rights are read again
/// every 5 s.
#[utoipa::path(get, path = "/events", tag = "events",
    params(
        ("since" = Option<i64>, Query, description = "The last sequence number seen"),
        ("topics" = Option<String>, Query, description = "machine, backend, script, shell, stack (comma-separated; all when absent)"),
        ("Last-Event-ID" = Option<i64>, Header, description = "As `since`, sent by a reconnecting EventSource"),
    ),
    responses(
        (status = 200, description = "The event stream", content_type = "text/event-stream", body = String),
        (status = 400, description = "A parameter is not understood"),
        (status = 401, description = "No credentials"),
    ))]
pub async fn events(
    State(state): State<AppState>,
    Caller(actor): Caller,
    headers: HeaderMap,
    Query(q): Query<EventsQuery>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    let last_event_id = match headers.get("last-event-id") {
        None => None,
        Some(v) => Some(
            v.to_str()
                .ok()
                .and_then(|v| v.trim().parse::<i64>().ok())
                .ok_or_else(|| ErrorKind::invalid("Last-Event-ID", "is not a sequence number"))?,
        ),
    };
    let topics = domain::events::parse_topics(q.topics.as_deref())
        .map_err(|e| ErrorKind::invalid("topics", e))?;
    let services = state.services.clone();
    let subscription =
        Subscription::start(&services, actor, last_event_id.or(q.since), topics).await?;
    let stream = stream::unfold(
        (services, subscription),
        |(services, mut subscription)| async move {
            let next = subscription.next(&services).await;
            let event = match next {
                Ok(Some(Delivery::Event(event))) => SseEvent::default()
                    .id(event.seq.to_string())
                    .event(event.kind.as_str())
                    .json_data(&*event)
                    .unwrap_or_default(),
                Ok(Some(Delivery::Reload)) => SseEvent::default()
                    .id(subscription.position().to_string())
                    .event(RELOAD)
                    .data("{}"),
                Ok(None) => return None,
                Err(e) => {
                    tracing::warn!(error = %e, "an event stream ended on an error");
                    return None;
                }
            };
            Some((Ok(event), (services, subscription)))
        },
    );
    Ok(Sse::new(stream).keep_alive(KeepAlive::new().interval(KEEP_ALIVE)))
}
