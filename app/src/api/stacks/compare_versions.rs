use leptos::prelude::*;
use server_fn::codec::GetUrl;

use super::Comparison;
use crate::error::AppError;

/// Compares two versions of a stack (`source` the older, `target` the
/// newer): both templates pretty-printed for a side-by-side view, the
/// structured diff and the plan (needs `view:alm.template`).
#[server(endpoint = "stacks/compare", input = GetUrl)]
pub async fn compare_versions(
    #[server(default)] stack_id: String,
    #[server(default)] source: String,
    #[server(default)] target: String,
) -> Result<Comparison, AppError> {
    use crate::ssr;
    use service::stacks::Side;
    let actor = ssr::require_actor()?;
    let services = ssr::services()?;
    let compared = service::stacks::compare(
        &services,
        &actor,
        &Side::Version(stack_id.clone(), source.clone()),
        &Side::Version(stack_id.clone(), target.clone()),
    )
    .await?;
    let text = |v| service::stacks::template(&services, &actor, &stack_id, v);
    Ok(Comparison {
        source_text: super::pretty(&text(&source).await?),
        target_text: super::pretty(&text(&target).await?),
        diff: compared.diff,
        plan: compared.plan,
    })
}
