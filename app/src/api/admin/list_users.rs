use leptos::prelude::*;
use server_fn::codec::GetUrl;

use super::UserRow;
use crate::error::AppError;

/// Every account with its roles (master only).
#[server(endpoint = "admin/users", input = GetUrl)]
pub async fn list_users() -> Result<Vec<UserRow>, AppError> {
    use crate::ssr;
    let services = ssr::services()?;
    let actor = ssr::require_actor()?;
    service::authz::require_master(&actor, "view:user")?;
    let users = service::users::list(&services, &actor).await?;
    let mut all_roles = service::roles::roles_of_all(&services, &actor).await?;
    let two_factor: std::collections::HashSet<String> =
        service::two_factor::admin::enrolled_accounts(&services, &actor)
            .await?
            .into_iter()
            .collect();
    let rows = users
        .into_iter()
        .map(|u| {
            let roles = if u.is_master {
                Vec::new()
            } else {
                all_roles
                    .remove(&u.id)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|r| (r.id, r.name))
                    .collect()
            };
            UserRow {
                two_factor: two_factor.contains(&u.id),
                username: u.username,
                email: u.email,
                disabled: u.disabled,
                is_master: u.is_master,
                roles,
            }
        })
        .collect();
    Ok(rows)
}
