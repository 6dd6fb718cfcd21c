use leptos::prelude::*;
use server_fn::codec::GetUrl;

use crate::error::AppError;

/// One version's template, pretty-printed, secrets masked (`version_id`
/// empty or `latest`: the newest; needs `view:alm.template`).
#[server(endpoint = "stacks/template", input = GetUrl)]
pub async fn get_template_version(
    #[server(default)] stack_id: String,
    #[server(default)] version_id: String,
) -> Result<String, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let template =
        service::stacks::template(&ssr::services()?, &actor, &stack_id, &version_id).await?;
    Ok(super::pretty(&template))
}
