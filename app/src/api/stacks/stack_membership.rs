use std::collections::HashMap;

use leptos::prelude::*;
use server_fn::codec::GetUrl;

use super::Membership;
use crate::error::AppError;

/// The machines held by the stacks the caller may see, on `backend` alone
/// or (empty) on every backend (403 for a caller who may see no stack).
#[server(endpoint = "stacks/membership", input = GetUrl)]
pub async fn stack_membership(
    #[server(default)] backend: String,
) -> Result<Vec<Membership>, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let backend = Some(backend.as_str()).filter(|b| !b.is_empty());
    Ok(
        service::stacks::membership(&ssr::services()?, &actor, backend)
            .await?
            .into_iter()
            .map(|m| Membership {
                backend_id: m.backend_id,
                machine_id: m.machine_id,
                stack_id: m.stack_id,
                nickname: m.nickname,
            })
            .collect(),
    )
}

/// (backend, machine) -> (stack id, nickname), of the stacks the user may
/// see.
pub type Stacks = HashMap<(String, String), (String, String)>;

/// The memberships keyed by machine.
pub fn stacks_of(members: Vec<Membership>) -> Stacks {
    members
        .into_iter()
        .map(|m| ((m.backend_id, m.machine_id), (m.stack_id, m.nickname)))
        .collect()
}

/// The stacks' machines, or none when the user may see no stack (a
/// refusal is no error for a page that only adds the stack's name).
pub async fn read_stacks() -> Stacks {
    stacks_of(stack_membership(String::new()).await.unwrap_or_default())
}
