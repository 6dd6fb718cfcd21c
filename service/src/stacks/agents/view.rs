//! A stack's agents as describe shows them: each agent's last reports,
//! with the machine of the stack it runs on (matched by the instance id
//! it sent against the machines' provider ids).

use domain::ErrorKind;
use serde::Serialize;

use crate::{internal, Services};

/// An agent's last reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AgentView {
    /// The agent's id (a UUID per machine).
    pub agent_id: String,
    /// The cloud's id of its machine, as it sent it (`""` if none yet).
    pub instance_id: String,
    /// The name of the stack's machine with that id, if one has it.
    pub machine: Option<String>,
    /// That machine's layer.
    pub flag: Option<String>,
    /// Its last agent status (free text), if it sent one.
    pub status: Option<String>,
    /// The message that came with it.
    pub message: Option<String>,
    /// Its container's id, as last sent.
    pub container_id: Option<String>,
    /// Its container's last status (free text).
    pub container_status: Option<String>,
    /// Its last report, Unix ms.
    pub updated_at: i64,
}

/// The agents of `stack_id`, by agent id; `machines` are the stack's
/// `(flag, name, machine_id)`.
pub async fn agent_views(
    services: &Services,
    stack_id: &str,
    machines: &[(String, String, String)],
) -> Result<Vec<AgentView>, ErrorKind> {
    Ok(services
        .db
        .stack_agents(stack_id)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|a| {
            let machine = machines
                .iter()
                .find(|(_, _, id)| !a.instance_id.is_empty() && *id == a.instance_id);
            AgentView {
                machine: machine.map(|(_, name, _)| name.clone()),
                flag: machine.map(|(flag, _, _)| flag.clone()),
                agent_id: a.agent_id,
                instance_id: a.instance_id,
                status: a.status,
                message: a.message,
                container_id: a.container_id,
                container_status: a.container_status,
                updated_at: a.updated_at,
            }
        })
        .collect())
}
