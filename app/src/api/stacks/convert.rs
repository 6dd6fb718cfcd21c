//! From the service's answers to what the pages show (server only).

use std::collections::HashMap;

use service::{stacks::Described, Actor, Services};

use super::{StackEvent, StackLayer, StackMachine, StackView};
use crate::error::AppError;

/// Backend id -> title, of the backends the caller may see.
pub async fn backend_titles(services: &Services, actor: &Actor) -> HashMap<String, String> {
    service::backends::list(services, actor)
        .await
        .unwrap_or_default()
        .into_iter()
        .map(|b| (b.id, b.title))
        .collect()
}

/// A described stack as the pages show it.
pub fn view(
    d: Described,
    actor: &Actor,
    titles: &HashMap<String, String>,
    owners: &HashMap<String, String>,
) -> Result<StackView, AppError> {
    let all = serde_json::to_value(&d).map_err(|e| AppError(service::internal(e)))?;
    let config = &d.configuration;
    let roles: Vec<(String, String)> = config["configurations"]
        .as_array()
        .map(|layers| {
            layers
                .iter()
                .map(|l| {
                    let text = |k: &str| l[k].as_str().unwrap_or_default().to_owned();
                    (text("flag"), text("role"))
                })
                .collect()
        })
        .unwrap_or_default();
    let mut instances = d.instances.clone();
    let mut layers: Vec<StackLayer> = roles
        .into_iter()
        .map(|(flag, role)| StackLayer {
            machines: machines(instances.remove(&flag).unwrap_or_default()),
            flag,
            role,
        })
        .collect();
    layers.extend(instances.into_iter().map(|(flag, held)| StackLayer {
        flag,
        role: String::new(),
        machines: machines(held),
    }));
    let events = d
        .events
        .iter()
        .map(|e| StackEvent {
            seq: e["seq"].as_i64().unwrap_or_default(),
            at: e["at"].as_i64().unwrap_or_default(),
            kind: e["kind"].as_str().unwrap_or_default().to_owned(),
            detail: e["detail"].clone(),
        })
        .collect();
    let rights = service::rights::stack(actor, &d.stack_id);
    let cloud = config["vendor"]
        .as_object()
        .and_then(|v| v.keys().next().cloned())
        .unwrap_or_default();
    Ok(StackView {
        backend_title: titles
            .get(&d.backend_id)
            .cloned()
            .unwrap_or_else(|| d.backend_id.clone()),
        owner: owners.get(&d.stack_id).cloned().unwrap_or_default(),
        may_edit: rights.edit,
        may_delete: rights.delete,
        // Read by name: describe answers them once agents report.
        agents: all
            .get("agents")
            .and_then(|a| serde_json::from_value(a.clone()).ok())
            .unwrap_or_default(),
        cloud,
        layers,
        events,
        configuration: d.configuration,
        stack_id: d.stack_id,
        nickname: d.nickname,
        status: d.stack_status,
        operation: d.operation,
        backend_id: d.backend_id,
        version_id: d.version_id,
        created_at: d.created_at,
        deleted_at: d.deleted_at,
    })
}

fn machines(held: Vec<service::stacks::Instance>) -> Vec<StackMachine> {
    held.into_iter()
        .map(|i| StackMachine {
            name: i.name,
            machine_id: i.machine_id,
            state: i.state,
            public_ips: i.public_ips,
        })
        .collect()
}

/// What the service's apply or update answered, for the page.
pub fn applied(a: service::stacks::Applied) -> super::Applied {
    super::Applied {
        stack_id: a.stack_id,
        version_id: a.version_id,
        stack_status: a.stack_status,
        message: a.message,
        plan: a.plan,
    }
}
