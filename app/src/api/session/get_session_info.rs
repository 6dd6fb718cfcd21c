use domain::SessionInfo;
use leptos::prelude::*;
use server_fn::codec::GetUrl;

use crate::error::AppError;

/// Who is signed in, the CSRF token for forms, and whether setup is done.
#[server(endpoint = "session_info", input = GetUrl)]
pub async fn get_session_info() -> Result<SessionInfo, AppError> {
    use crate::ssr;
    let services = ssr::services()?;
    let set_up = services
        .db
        .master_exists()
        .await
        .map_err(service::internal)?;
    Ok(match ssr::actor() {
        Some(actor) => SessionInfo {
            email: Some(actor.email.clone()),
            is_master: actor.is_master,
            csrf_token: ssr::csrf_token().unwrap_or_default(),
            set_up,
            enrol_two_factor: ssr::enrol_only(),
            sections: service::rights::sections(&actor),
        },
        None => SessionInfo {
            set_up,
            ..SessionInfo::default()
        },
    })
}
