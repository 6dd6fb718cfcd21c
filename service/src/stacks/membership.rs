//! Which stack a machine belongs to (the Machines list's column and
//! filter, the machine page), and who made each stack (the Stacks list).
//! Both are read from what the stacks keep: a stack's machines are those
//! its journal says it holds ([`super::runner::machines`]).

use std::collections::HashMap;

use domain::{resource, ErrorKind};
use serde::Serialize;

use super::runner;
use crate::{authz, internal, Actor, Services};

/// A machine held by a stack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Member {
    /// The backend the machine lives in.
    pub backend_id: String,
    /// The provider's id of the machine.
    pub machine_id: String,
    /// The stack holding it.
    pub stack_id: String,
    /// The stack's nickname.
    pub nickname: String,
}

/// The machines of the live stacks the caller may see (`view:alm.stack`),
/// on `backend_id` alone or on every backend. A caller who may see no
/// stack at all is refused (403), as listing stacks is.
pub async fn membership(
    services: &Services,
    actor: &Actor,
    backend_id: Option<&str>,
) -> Result<Vec<Member>, ErrorKind> {
    authz::authorize_listing(actor, "view:alm.stack")?;
    let mut out = Vec::new();
    for stack in services.db.stacks(false).await.map_err(internal)? {
        if backend_id.is_some_and(|b| b != stack.backend_id)
            || !authz::decide(actor, "view:alm.stack", &resource::stack(&stack.id)).is_allowed()
        {
            continue;
        }
        for (_, _, machine_id) in runner::machines(services, &stack).await? {
            out.push(Member {
                backend_id: stack.backend_id.clone(),
                machine_id,
                stack_id: stack.id.clone(),
                nickname: stack.nickname.clone(),
            });
        }
    }
    Ok(out)
}

/// Who made each stack the caller may see: stack id -> the account's email
/// (deleted stacks included).
pub async fn owners(
    services: &Services,
    actor: &Actor,
) -> Result<HashMap<String, String>, ErrorKind> {
    authz::authorize_listing(actor, "view:alm.stack")?;
    let emails: HashMap<String, String> = services
        .db
        .accounts()
        .await
        .map_err(internal)?
        .into_iter()
        .map(|a| (a.id, a.email))
        .collect();
    Ok(services
        .db
        .stacks(true)
        .await
        .map_err(internal)?
        .into_iter()
        .filter(|s| authz::decide(actor, "view:alm.stack", &resource::stack(&s.id)).is_allowed())
        .map(|s| {
            let email = emails.get(&s.owner_id).cloned().unwrap_or_default();
            (s.id, email)
        })
        .collect())
}
