//! What agents report (alm-agent's `agent_status` and `container_status`):
//! each report upserts the agent's row and is an event of the stack (its
//! own log, kind `agent`, and the live `stack.agent` event).

use domain::{events::EventKind, resource, ErrorKind};
use serde_json::{json, Value};

use super::{is_agent_of, AGENT_ACTION};
use crate::{
    authz,
    events::{publish_or_log, Change},
    internal,
    stacks::find,
    Actor, Services,
};

/// Longest id (stack, agent, instance, container) a report may carry.
pub const MAX_ID_LEN: usize = 200;
/// Longest status (free text: `starting`, `uptodate`, `error`, ...).
pub const MAX_STATUS_LEN: usize = 100;
/// Longest message that comes with an agent's status.
pub const MAX_MESSAGE_LEN: usize = 4096;

/// An agent's own status (`POST /v3/alm/agent/agent_status`).
#[derive(Debug, Clone, Default)]
pub struct AgentStatus {
    /// Its stack.
    pub stack_id: String,
    /// The agent's id (a UUID made once per machine).
    pub agent_id: String,
    /// Free text: `uptodate`, `error`, `stopped`, ...
    pub status: String,
    /// What came with it (an error's text).
    pub message: Option<String>,
    /// The cloud's id of its machine (empty where the agent cannot tell).
    pub instance_id: Option<String>,
}

/// Its container's status (`POST /v3/alm/agent/container_status`).
#[derive(Debug, Clone, Default)]
pub struct ContainerStatus {
    /// Its stack.
    pub stack_id: String,
    /// The agent's id.
    pub agent_id: String,
    /// The container's id (alm-agent sends the instance id; may be empty).
    pub container_id: String,
    /// Free text: `starting`, `updating`, `installing`, `complete`, ...
    pub status: String,
    /// The cloud's id of its machine.
    pub instance_id: Option<String>,
}

/// `value` checked: present when `required`, at most `max` bytes, and
/// without control characters unless `multiline` (a message may span lines).
fn checked(
    field: &str,
    value: &str,
    required: bool,
    max: usize,
    multiline: bool,
) -> Result<(), ErrorKind> {
    if required && value.trim().is_empty() {
        return Err(ErrorKind::invalid(field, "is required"));
    }
    if value.len() > max {
        return Err(ErrorKind::invalid(
            field,
            format!("must be at most {max} bytes"),
        ));
    }
    if multiline {
        if value
            .chars()
            .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
        {
            return Err(ErrorKind::invalid(
                field,
                "may not hold control characters other than line breaks and tabs",
            ));
        }
        Ok(())
    } else {
        domain::names::check_visible(field, value)
    }
}

/// Authorises an agent's report on `stack_id` before anything else is
/// judged: its own stack's agent (or anyone holding [`AGENT_ACTION`] there),
/// then the stack must exist and not be deleted.
async fn admit(services: &Services, actor: &Actor, stack_id: &str) -> Result<(), ErrorKind> {
    authz::authorize(actor, AGENT_ACTION, &resource::stack(stack_id))?;
    checked("stack_id", stack_id, true, MAX_ID_LEN, false)?;
    let stack = find(services, stack_id).await?;
    if stack.deleted_at.is_some() {
        return Err(ErrorKind::Conflict {
            message: format!("stack {stack_id:?} is deleted"),
        });
    }
    Ok(())
}

fn blank_is_none(v: Option<&str>) -> Option<&str> {
    v.map(str::trim).filter(|v| !v.is_empty())
}

/// Records an agent's status.
pub async fn report_agent(
    services: &Services,
    actor: &Actor,
    report: &AgentStatus,
) -> Result<(), ErrorKind> {
    admit(services, actor, &report.stack_id).await?;
    checked("agent_id", &report.agent_id, true, MAX_ID_LEN, false)?;
    checked("status", &report.status, true, MAX_STATUS_LEN, false)?;
    let message = blank_is_none(report.message.as_deref());
    checked(
        "message",
        message.unwrap_or_default(),
        false,
        MAX_MESSAGE_LEN,
        true,
    )?;
    let instance_id = blank_is_none(report.instance_id.as_deref());
    checked(
        "instance_id",
        instance_id.unwrap_or_default(),
        false,
        MAX_ID_LEN,
        false,
    )?;
    let (agent_id, status) = (report.agent_id.trim(), report.status.trim());
    services
        .db
        .upsert_agent_status(
            &report.stack_id,
            agent_id,
            instance_id,
            status,
            message,
            services.now(),
        )
        .await
        .map_err(internal)?;
    let detail = json!({
        "stack_id": report.stack_id, "report": "agent_status", "agent_id": agent_id,
        "instance_id": instance_id, "status": status, "message": message,
        "by_agent": is_agent_of(actor, &report.stack_id),
    });
    record(services, &report.stack_id, detail).await
}

/// Records a container's status.
pub async fn report_container(
    services: &Services,
    actor: &Actor,
    report: &ContainerStatus,
) -> Result<(), ErrorKind> {
    admit(services, actor, &report.stack_id).await?;
    checked("agent_id", &report.agent_id, true, MAX_ID_LEN, false)?;
    checked("status", &report.status, true, MAX_STATUS_LEN, false)?;
    checked(
        "container_id",
        &report.container_id,
        false,
        MAX_ID_LEN,
        false,
    )?;
    let instance_id = blank_is_none(report.instance_id.as_deref());
    checked(
        "instance_id",
        instance_id.unwrap_or_default(),
        false,
        MAX_ID_LEN,
        false,
    )?;
    let (agent_id, status) = (report.agent_id.trim(), report.status.trim());
    let container_id = report.container_id.trim();
    services
        .db
        .upsert_container_status(
            &report.stack_id,
            agent_id,
            instance_id,
            container_id,
            status,
            services.now(),
        )
        .await
        .map_err(internal)?;
    let detail = json!({
        "stack_id": report.stack_id, "report": "container_status", "agent_id": agent_id,
        "instance_id": instance_id, "container_id": container_id, "status": status,
        "by_agent": is_agent_of(actor, &report.stack_id),
    });
    record(services, &report.stack_id, detail).await
}

/// A report in the stack's own log (kind `agent`) and as `stack.agent`.
async fn record(services: &Services, stack_id: &str, detail: Value) -> Result<(), ErrorKind> {
    services
        .db
        .append_stack_event(stack_id, services.now(), "agent", &detail.to_string())
        .await
        .map_err(internal)?;
    publish_or_log(
        services,
        vec![Change::new(
            EventKind::StackAgent,
            resource::stack(stack_id),
            &detail,
        )],
    )
    .await;
    Ok(())
}
