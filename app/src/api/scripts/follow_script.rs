use leptos::prelude::*;
use server_fn::codec::{StreamingText, TextStream};

use crate::{csrf_client::CsrfClient, error::AppError};

/// Follows a script run: one JSON [`domain::shell::ShellEvent`] a line
/// (see [`crate::api::machines::event_line`]): `waiting` while the machine
/// does not answer yet, the output from the start and then as it comes,
/// ending with `exit` or `error`. Dropping the stream stops following, not
/// the script.
#[server(endpoint = "scripts/follow", output = StreamingText, client = CsrfClient)]
pub async fn follow_script(
    #[server(default)] backend: String,
    #[server(default)] machine: String,
    #[server(default)] run: String,
) -> Result<TextStream<AppError>, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let events =
        service::scripts::follow(&ssr::services()?, &actor, &backend, &machine, &run).await?;
    ssr::set_header("cache-control", "no-store");
    ssr::set_header("x-accel-buffering", "no");
    let lines = futures::stream::unfold(events, |mut events| async move {
        let event = events.recv().await?;
        Some((Ok(crate::api::machines::event_line(&event)), events))
    });
    Ok(TextStream::new(lines))
}
