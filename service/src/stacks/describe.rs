//! What a stack is, as answered: its status, configuration (secrets
//! masked), machines per layer, latest events; its versions; comparing two
//! templates.

use std::collections::BTreeMap;

use domain::{
    resource,
    stacks::{diff, plan, Diff, Plan, Template, MASK},
    ErrorKind,
};
use serde::Serialize;
use serde_json::Value;
use store::stacks::{Stack, StackVersion};

use super::{
    agents::{agent_views, AgentView},
    find, runner, token_context,
};
use crate::{authz, internal, Actor, Services};

/// A machine of a stack.
#[derive(Debug, Clone, Serialize)]
pub struct Instance {
    /// `<nickname>-<flag>-<n>`.
    pub name: String,
    /// The provider's id.
    pub machine_id: String,
    /// Its state as last seen (`unknown` when the list has it not).
    pub state: String,
    /// Its public addresses as last seen.
    pub public_ips: Vec<String>,
    /// The agents running on it (those that sent its id), last reports.
    pub agents: Vec<AgentView>,
}

/// A stack described.
#[derive(Debug, Clone, Serialize)]
pub struct Described {
    pub stack_id: String,
    pub nickname: String,
    pub stack_status: String,
    pub backend_id: String,
    pub version_id: String,
    /// The operation running, if any (`create`, `delete`, ...).
    pub operation: Option<String>,
    /// The agents' secret (`****` without `edit:alm.stack`).
    pub auth_token: String,
    /// The current template, secrets masked.
    pub configuration: Value,
    /// Per flag, the machines it has.
    pub instances: BTreeMap<String, Vec<Instance>>,
    /// Every agent that reported, with its machine when it sent the id
    /// of one of the stack's.
    pub agents: Vec<AgentView>,
    /// The latest 50 events, oldest first.
    pub events: Vec<Value>,
    pub created_at: i64,
    pub updated_at: i64,
    pub deleted_at: Option<i64>,
}

fn masked(template: &str) -> Value {
    Template::parse(template)
        .map(|t| t.masked().to_value())
        .unwrap_or(Value::Null)
}

/// One stack described.
pub async fn describe(
    services: &Services,
    actor: &Actor,
    stack_id: &str,
) -> Result<Described, ErrorKind> {
    authz::authorize(actor, "view:alm.stack", &resource::stack(stack_id))?;
    let stack = find(services, stack_id).await?;
    summary(services, actor, &stack, true).await
}

/// The stacks the caller may see, newest first.
pub async fn list(
    services: &Services,
    actor: &Actor,
    include_deleted: bool,
) -> Result<Vec<Described>, ErrorKind> {
    authz::authorize_listing(actor, "view:alm.stack")?;
    let mut out = Vec::new();
    for stack in services
        .db
        .stacks(include_deleted)
        .await
        .map_err(internal)?
    {
        if authz::decide(actor, "view:alm.stack", &resource::stack(&stack.id)).is_allowed() {
            out.push(summary(services, actor, &stack, false).await?);
        }
    }
    Ok(out)
}

async fn summary(
    services: &Services,
    actor: &Actor,
    stack: &Stack,
    events: bool,
) -> Result<Described, ErrorKind> {
    let auth_token =
        if authz::decide(actor, "edit:alm.stack", &resource::stack(&stack.id)).is_allowed() {
            services
                .vault
                .open_str(&token_context(&stack.id), &stack.auth_token_sealed)?
        } else {
            MASK.to_owned()
        };
    let version = services
        .db
        .stack_version(&stack.id, &stack.version_id)
        .await
        .map_err(internal)?;
    let mut instances: BTreeMap<String, Vec<Instance>> = BTreeMap::new();
    let machines = runner::machines(services, stack).await?;
    let agents = agent_views(services, &stack.id, &machines).await?;
    for (flag, name, machine_id) in machines {
        let seen = services
            .db
            .machine(&stack.backend_id, &machine_id)
            .await
            .map_err(internal)?;
        let (state, public_ips) = match seen {
            Some(m) => (
                m.state,
                serde_json::from_str(&m.public_ips).unwrap_or_default(),
            ),
            None => ("unknown".to_owned(), Vec::new()),
        };
        let on_it = agents
            .iter()
            .filter(|a| a.machine.as_ref() == Some(&name))
            .cloned()
            .collect();
        instances.entry(flag).or_default().push(Instance {
            agents: on_it,
            name,
            machine_id,
            state,
            public_ips,
        });
    }
    let events = if events {
        services
            .db
            .stack_events(&stack.id, Some(50))
            .await
            .map_err(internal)?
            .into_iter()
            .map(|e| {
                serde_json::json!({
                    "seq": e.seq,
                    "at": e.at,
                    "kind": e.kind,
                    "detail": serde_json::from_str::<Value>(&e.detail).unwrap_or(Value::Null),
                })
            })
            .collect()
    } else {
        Vec::new()
    };
    Ok(Described {
        stack_id: stack.id.clone(),
        nickname: stack.nickname.clone(),
        stack_status: stack.status.clone(),
        backend_id: stack.backend_id.clone(),
        version_id: stack.version_id.clone(),
        operation: stack.operation.as_ref().map(|o| o.kind.clone()),
        auth_token,
        configuration: version.map(|v| masked(&v.template)).unwrap_or(Value::Null),
        instances,
        agents,
        events,
        created_at: stack.created_at,
        updated_at: stack.updated_at,
        deleted_at: stack.deleted_at,
    })
}

/// A version as listed.
#[derive(Debug, Clone, Serialize)]
pub struct VersionEntry {
    pub version_id: String,
    pub latest: bool,
    /// Unix ms.
    pub last_modified: i64,
    /// Bytes, as text (Mobingi's object-store field).
    pub size: String,
}

/// A stack's versions, newest first.
pub async fn versions(
    services: &Services,
    actor: &Actor,
    stack_id: &str,
) -> Result<Vec<VersionEntry>, ErrorKind> {
    authz::authorize(actor, "view:alm.template", &resource::stack(stack_id))?;
    let stack = find(services, stack_id).await?;
    let versions = services
        .db
        .stack_versions(stack_id)
        .await
        .map_err(internal)?;
    Ok(versions
        .iter()
        .map(|v| VersionEntry {
            version_id: v.version_id.clone(),
            // The stack's current version: the newest, unless an update
            // to a newer one was rolled back.
            latest: v.version_id == stack.version_id,
            last_modified: v.created_at,
            size: v.size.to_string(),
        })
        .collect())
}

async fn version(
    services: &Services,
    stack_id: &str,
    version_id: &str,
) -> Result<StackVersion, ErrorKind> {
    let stack = find(services, stack_id).await?;
    let found = if version_id.is_empty() || version_id == "latest" {
        services.db.stack_version(stack_id, &stack.version_id).await
    } else {
        services.db.stack_version(stack_id, version_id).await
    };
    found.map_err(internal)?.ok_or_else(|| ErrorKind::NotFound {
        what: format!("version {version_id:?} of stack {stack_id:?}"),
    })
}

/// One version's template, secrets masked (empty or `latest`: the stack's
/// current version).
pub async fn template(
    services: &Services,
    actor: &Actor,
    stack_id: &str,
    version_id: &str,
) -> Result<Value, ErrorKind> {
    authz::authorize(actor, "view:alm.template", &resource::stack(stack_id))?;
    Ok(masked(
        &version(services, stack_id, version_id).await?.template,
    ))
}

/// Two templates compared.
#[derive(Debug, Clone, Serialize)]
pub struct Compared {
    pub source: String,
    pub target: String,
    pub diff: Diff,
    pub plan: Plan,
}

/// What to compare: a stored version, or a template's text.
#[derive(Debug, Clone)]
pub enum Side {
    /// `(stack_id, version_id)`.
    Version(String, String),
    /// A template as text.
    Body(String),
}

/// Compares `source` with `target` (both masked, so no secret shows).
pub async fn compare(
    services: &Services,
    actor: &Actor,
    source: &Side,
    target: &Side,
) -> Result<Compared, ErrorKind> {
    authz::authorize_listing(actor, "view:alm.template")?;
    let mut sides = Vec::new();
    for side in [source, target] {
        let (name, template) = match side {
            Side::Version(stack, v) => {
                authz::authorize(actor, "view:alm.template", &resource::stack(stack))?;
                let stored = version(services, stack, v).await?;
                let t = Template::parse(&stored.template)
                    .map_err(|_| internal("a stored template does not parse"))?;
                // Opened, so a secret changed shows in the plan (the diff
                // is of the masked forms).
                let t = super::secrets::open(&services.vault, stack, &t)?;
                (format!("{stack}/{}", stored.version_id), t)
            }
            Side::Body(text) => ("body".to_owned(), super::parse(text)?),
        };
        sides.push((name, template));
    }
    let (target_name, target) = sides.pop().ok_or_else(|| internal("no target"))?;
    let (source_name, source) = sides.pop().ok_or_else(|| internal("no source"))?;
    Ok(Compared {
        source: source_name,
        target: target_name,
        diff: diff(&source.masked().to_value(), &target.masked().to_value()),
        plan: plan(Some(&source), &target),
    })
}
