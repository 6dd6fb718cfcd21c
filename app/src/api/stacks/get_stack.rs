use leptos::prelude::*;
use server_fn::codec::GetUrl;

use super::StackView;
use crate::error::AppError;

/// One stack: status, layers and machines, agents, latest events (needs
/// `view:alm.stack` on it).
#[server(endpoint = "stacks/get", input = GetUrl)]
pub async fn get_stack(#[server(default)] stack_id: String) -> Result<StackView, AppError> {
    use super::convert;
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let services = ssr::services()?;
    let described = service::stacks::describe(&services, &actor, &stack_id).await?;
    let owners = service::stacks::owners(&services, &actor)
        .await
        .unwrap_or_default();
    let titles = convert::backend_titles(&services, &actor).await;
    convert::view(described, &actor, &titles, &owners)
}
