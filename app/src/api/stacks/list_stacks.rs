use leptos::prelude::*;
use server_fn::codec::GetUrl;

use super::StackList;
use crate::error::AppError;

/// The stacks the caller may see (`view:alm.stack`), newest first, deleted
/// ones too when `include_deleted` is `true`; and whether the caller may
/// make one.
#[server(endpoint = "stacks/list", input = GetUrl)]
pub async fn list_stacks(#[server(default)] include_deleted: bool) -> Result<StackList, AppError> {
    use super::convert;
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let services = ssr::services()?;
    let described = service::stacks::list(&services, &actor, include_deleted).await?;
    let owners = service::stacks::owners(&services, &actor).await?;
    let titles = convert::backend_titles(&services, &actor).await;
    Ok(StackList {
        may_create: service::rights::may_create_stack(&actor),
        stacks: described
            .into_iter()
            .map(|d| convert::view(d, &actor, &titles, &owners))
            .collect::<Result<_, _>>()?,
    })
}
