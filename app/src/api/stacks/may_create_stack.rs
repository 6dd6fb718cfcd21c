use leptos::prelude::*;
use server_fn::codec::GetUrl;

use crate::error::AppError;

/// Whether the caller may make a stack (`service::rights`): the New stack
/// page offers its form only then.
#[server(endpoint = "stacks/may_create", input = GetUrl)]
pub async fn may_create_stack() -> Result<bool, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    Ok(service::rights::may_create_stack(&actor))
}
