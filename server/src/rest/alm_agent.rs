//! The agents' door (Mobingi's alm-agent protocol): reports of an agent's
//! and its container's status, and the configuration of its layer. The
//! agent authenticates with `POST /v3/access_token` (client id = the stack's
//! id, secret = its `auth_token`) and sends form bodies; it takes only a
//! 200 with a JSON body as success, so reports answer 200, not the seed's
//! 202.

use axum::{extract::State, Json};
use serde::Deserialize;
use service::stacks::agents::{self, AgentConfig, AgentStatus, ContainerStatus};
use utoipa::{IntoParams, ToSchema};

use crate::{
    http_error::ApiError,
    rest::{
        answers::{success, Success},
        extract::{Body, Caller, May, Query, RouteAction},
    },
    AppState,
};

/// The `agent:alm.stack` action: a stack's agent reporting.
pub struct AgentAction;

impl RouteAction for AgentAction {
    const NAME: &'static str = agents::AGENT_ACTION;
}

/// Body of `POST /v3/alm/agent/agent_status`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct AgentStatusBody {
    /// The stack (the agent's own).
    stack_id: String,
    /// The agent's id (a UUID made once per machine).
    agent_id: String,
    /// Free text (`uptodate`, `error`, `stopped`, ...), at most 100 bytes.
    status: String,
    /// What came with it (an error's text), at most 4096 bytes.
    message: Option<String>,
    /// The cloud's id of the agent's machine.
    instance_id: Option<String>,
}

/// An agent's status: its row upserted, an event of the stack (its log and
/// the live `stack.agent` event). Needs `agent:alm.stack` on the stack
/// (the stack's agent token has it on its own stack only).
#[utoipa::path(post, path = "/v3/alm/agent/agent_status", tag = "stacks",
    request_body(description = "An agent's status (alm-agent sends a form)",
        content((AgentStatusBody = "application/x-www-form-urlencoded"), (AgentStatusBody = "application/json"))),
    responses((status = 200, description = "Recorded: `{\"status\": \"success\"}`", body = Success),
        (status = 404, description = "No such stack"), (status = 409, description = "The stack is deleted")))]
pub async fn agent_status(
    State(state): State<AppState>,
    May(actor, _): May<AgentAction>,
    Body(body): Body<AgentStatusBody>,
) -> Result<Json<Success>, ApiError> {
    let report = AgentStatus {
        stack_id: body.stack_id,
        agent_id: body.agent_id,
        status: body.status,
        message: body.message,
        instance_id: body.instance_id,
    };
    agents::report_agent(&state.services, &actor, &report).await?;
    Ok(success())
}

/// Body of `POST /v3/alm/agent/container_status`.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ContainerStatusBody {
    /// The stack (the agent's own).
    stack_id: String,
    /// The agent's id.
    agent_id: String,
    /// The container's id (alm-agent sends the instance id; may be empty).
    container_id: String,
    /// Free text (`starting`, `updating`, `complete`, ...), at most 100 bytes.
    status: String,
    /// The cloud's id of the agent's machine.
    instance_id: Option<String>,
}

/// A container's status: the agent's row upserted, an event of the stack.
/// Needs `agent:alm.stack` on the stack.
#[utoipa::path(post, path = "/v3/alm/agent/container_status", tag = "stacks",
    request_body(description = "A container's status (alm-agent sends a form)",
        content((ContainerStatusBody = "application/x-www-form-urlencoded"), (ContainerStatusBody = "application/json"))),
    responses((status = 200, description = "Recorded: `{\"status\": \"success\"}`", body = Success),
        (status = 404, description = "No such stack"), (status = 409, description = "The stack is deleted")))]
pub async fn container_status(
    State(state): State<AppState>,
    May(actor, _): May<AgentAction>,
    Body(body): Body<ContainerStatusBody>,
) -> Result<Json<Success>, ApiError> {
    let report = ContainerStatus {
        stack_id: body.stack_id,
        agent_id: body.agent_id,
        container_id: body.container_id,
        status: body.status,
        instance_id: body.instance_id,
    };
    agents::report_container(&state.services, &actor, &report).await?;
    Ok(success())
}

/// The query of reading a layer's configuration.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct ConfigQuery {
    /// The stack.
    stack_id: String,
    /// The layer's flag.
    flag: String,
}

/// The layer's container configuration under the seed's names (`image`,
/// `environment_variables`, `gitRepo`, `gitReference`, `gitPrivateKey`,
/// `updated`) and alm-agent's (`container_image`, `container_env_vars`,
/// `container_git_repo`, ..., `container_updated`); `{}` for a layer
/// without a container. `updated` grows whenever the layer's container
/// changes between the stack's versions. Secrets are in clear for the
/// stack's own agent token and for `edit:alm.stack`, `****` otherwise. For
/// the stack's agent, or a caller with `view:alm.stack` on it.
#[utoipa::path(get, path = "/v3/alm/agent/config", tag = "stacks", params(ConfigQuery),
    responses((status = 200, description = "The layer's container configuration", body = AgentConfig),
        (status = 404, description = "No such stack, or no such layer in it")))]
pub async fn config(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Query(q): Query<ConfigQuery>,
) -> Result<Json<AgentConfig>, ApiError> {
    Ok(Json(
        agents::config(&state.services, &actor, &q.stack_id, &q.flag).await?,
    ))
}
