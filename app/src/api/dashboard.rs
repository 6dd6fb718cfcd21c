//! The Home dashboard's one read: a thin door onto `service::dashboard`.

use leptos::prelude::*;
use server_fn::codec::GetUrl;

use crate::error::AppError;

/// What the caller may see of the installation at a glance (see
/// `service::dashboard`). Its arguments' struct is `Dashboard`, as the
/// `server` macro names it; the answer is `domain::dashboard::Dashboard`.
#[server(endpoint = "dashboard", input = GetUrl)]
pub async fn dashboard() -> Result<domain::dashboard::Dashboard, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    Ok(service::dashboard::dashboard(&ssr::services()?, &actor).await?)
}
