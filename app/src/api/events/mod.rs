//! The events a page follows once hydrated (see [`crate::live`]).

use leptos::prelude::*;
use server_fn::codec::GetUrl;

use crate::error::AppError;

/// The position of the events this instance has handed out: a page reads
/// it before its data, then follows `/events` from there, so nothing that
/// happened between its read and its subscription is missed (a change seen
/// in both is applied twice, to the same effect).
#[server(endpoint = "events/position", input = GetUrl)]
pub async fn events_position() -> Result<i64, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    if !service::events::may_see_any(&actor, None) {
        return Err(AppError(domain::ErrorKind::Forbidden {
            action: Some("view:*".into()),
        }));
    }
    Ok(ssr::services()?.events.forwarded())
}
