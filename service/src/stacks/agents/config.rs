//! What a layer's agent should run (`GET /v3/alm/agent/config`): the
//! layer's `container` under the seed's names and under the names
//! alm-agent reads, with `updated`/`container_updated`, an integer that
//! grows whenever the layer's container changes between versions.
//!
//! `updated` is derived from the stack's versions up to its current one,
//! oldest first: each version whose container for the flag differs from
//! the previous version's (its secrets compared opened) moves it to that
//! version's creation time in Unix seconds, or to one more than before if
//! that is not greater (two changes within one second still grow it). So
//! a redeploy (an update that changes only the container) raises it, and
//! a scale or a label change does not.

use std::collections::BTreeMap;

use domain::{
    resource,
    stacks::{Container, Template},
    ErrorKind,
};
use serde::Serialize;

use super::{is_agent_of, AGENT_ACTION};
use crate::{
    authz, internal,
    session::Credential,
    stacks::{find, secrets},
    Actor, Services,
};

/// A layer's container configuration as agents read it: `{}` for a layer
/// without a container. Secrets are in clear only for the stack's own
/// agent and for a caller with `edit:alm.stack` on it, `****` otherwise.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct AgentConfig {
    /// The container image (the seed's name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The container's environment (values are secrets).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub environment_variables: Option<BTreeMap<String, String>>,
    /// The application's repository.
    #[serde(rename = "gitRepo", skip_serializing_if = "Option::is_none")]
    pub git_repo: Option<String>,
    /// The branch, tag or commit.
    #[serde(rename = "gitReference", skip_serializing_if = "Option::is_none")]
    pub git_reference: Option<String>,
    /// The key the repository is read with (a secret).
    #[serde(rename = "gitPrivateKey", skip_serializing_if = "Option::is_none")]
    pub git_private_key: Option<String>,
    /// The image registry's user.
    #[serde(rename = "registryUsername", skip_serializing_if = "Option::is_none")]
    pub registry_username: Option<String>,
    /// The image registry's password (a secret).
    #[serde(rename = "registryPassword", skip_serializing_if = "Option::is_none")]
    pub registry_password: Option<String>,
    /// The ports the container publishes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ports: Option<Vec<u16>>,
    /// Grows whenever the layer's container changes (Unix seconds).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<i64>,
    /// alm-agent's name for `image`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_image: Option<String>,
    /// alm-agent's name for `environment_variables`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_env_vars: Option<BTreeMap<String, String>>,
    /// alm-agent's name for `gitRepo`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_git_repo: Option<String>,
    /// alm-agent's name for `gitReference`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_git_reference: Option<String>,
    /// alm-agent's name for `gitPrivateKey`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_git_private_key: Option<String>,
    /// alm-agent's name for `registryUsername`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_registry_username: Option<String>,
    /// alm-agent's name for `registryPassword`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_registry_password: Option<String>,
    /// alm-agent's name for `ports`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_ports: Option<Vec<u16>>,
    /// alm-agent's name for `updated`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub container_updated: Option<i64>,
}

impl AgentConfig {
    /// A container's configuration under both sets of names.
    pub fn of(c: &Container, updated: i64) -> Self {
        Self {
            image: c.image.clone(),
            environment_variables: c.environment_variables.clone(),
            git_repo: c.git_repo.clone(),
            git_reference: c.git_reference.clone(),
            git_private_key: c.git_private_key.clone(),
            registry_username: c.registry_username.clone(),
            registry_password: c.registry_password.clone(),
            ports: c.ports.clone(),
            updated: Some(updated),
            container_image: c.image.clone(),
            container_env_vars: c.environment_variables.clone(),
            container_git_repo: c.git_repo.clone(),
            container_git_reference: c.git_reference.clone(),
            container_git_private_key: c.git_private_key.clone(),
            container_registry_username: c.registry_username.clone(),
            container_registry_password: c.registry_password.clone(),
            container_ports: c.ports.clone(),
            container_updated: Some(updated),
        }
    }
}

/// `updated` over a layer's containers, oldest version first, each with
/// its creation time (Unix ms): see the module's documentation.
pub fn updated<'a>(history: impl IntoIterator<Item = (i64, Option<&'a Container>)>) -> i64 {
    let mut previous: Option<&Container> = None;
    let mut updated = 0;
    for (created_at, container) in history {
        if container != previous {
            updated = (created_at / 1000).max(updated + 1);
        }
        previous = container;
    }
    updated
}

/// The configuration of layer `flag` of `stack_id`. Its stack's agent, or
/// a caller who may see the stack, may read it (refused before the stack
/// is looked up: an agent asking about another stack hears 403); an
/// unknown stack or flag is 404.
pub async fn config(
    services: &Services,
    actor: &Actor,
    stack_id: &str,
    flag: &str,
) -> Result<AgentConfig, ErrorKind> {
    let on = resource::stack(stack_id);
    let agent = authz::decide(actor, AGENT_ACTION, &on).is_allowed();
    if !agent && !authz::decide(actor, "view:alm.stack", &on).is_allowed() {
        return Err(ErrorKind::Forbidden {
            action: Some(if matches!(actor.via, Credential::Agent { .. }) {
                AGENT_ACTION.to_owned()
            } else {
                "view:alm.stack".to_owned()
            }),
        });
    }
    if stack_id.trim().is_empty() {
        return Err(ErrorKind::invalid("stack_id", "is required"));
    }
    if flag.trim().is_empty() {
        return Err(ErrorKind::invalid("flag", "is required"));
    }
    let stack = find(services, stack_id).await?;
    let versions = services
        .db
        .stack_versions(stack_id)
        .await
        .map_err(internal)?;
    let current_seq = versions
        .iter()
        .find(|v| v.version_id == stack.version_id)
        .map(|v| v.seq)
        .ok_or_else(|| internal(format!("stack {stack_id} has no current version")))?;
    // Oldest first, up to the current version, secrets opened.
    let mut history = Vec::new();
    for v in versions.iter().rev().filter(|v| v.seq <= current_seq) {
        let stored = Template::parse(&v.template).map_err(|_| {
            internal(format!(
                "a stored template of stack {stack_id} does not parse"
            ))
        })?;
        history.push((
            v.created_at,
            secrets::open(&services.vault, stack_id, &stored)?,
        ));
    }
    let current = &history
        .last()
        .ok_or_else(|| internal("no current version"))?
        .1;
    let Some(layer) = current.layer(flag) else {
        return Err(ErrorKind::NotFound {
            what: format!("layer {flag:?} of stack {stack_id:?}"),
        });
    };
    let Some(container) = &layer.container else {
        return Ok(AgentConfig::default());
    };
    let updated = updated(
        history
            .iter()
            .map(|(at, t)| (*at, t.layer(flag).and_then(|l| l.container.as_ref()))),
    );
    let clear =
        is_agent_of(actor, stack_id) || authz::decide(actor, "edit:alm.stack", &on).is_allowed();
    if clear {
        return Ok(AgentConfig::of(container, updated));
    }
    let masked = current.masked();
    let container = masked
        .layer(flag)
        .and_then(|l| l.container.as_ref())
        .ok_or_else(|| internal("a masked template lost a container"))?;
    Ok(AgentConfig::of(container, updated))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn container(image: &str) -> Container {
        Container {
            image: Some(image.into()),
            ..Container::default()
        }
    }

    #[test]
    fn updated_grows_only_when_the_container_changes() {
        let (a, b) = (container("nginx:1"), container("nginx:2"));
        assert_eq!(updated([(5_000, Some(&a))]), 5);
        // A version that changes something else keeps it.
        assert_eq!(updated([(5_000, Some(&a)), (9_000, Some(&a))]), 5);
        assert_eq!(updated([(5_000, Some(&a)), (9_000, Some(&b))]), 9);
        // Two changes within one second still grow it.
        assert_eq!(
            updated([(5_000, Some(&a)), (5_100, Some(&b)), (5_200, Some(&a))]),
            7
        );
        // Removed, then back: a change.
        assert_eq!(
            updated([(5_000, Some(&a)), (6_000, None), (8_000, Some(&a))]),
            8
        );
    }

    #[test]
    fn both_sets_of_names_carry_the_same_values() {
        let mut c = container("nginx");
        c.git_private_key = Some("key".into());
        c.ports = Some(vec![80]);
        let v = serde_json::to_value(AgentConfig::of(&c, 42)).unwrap();
        assert_eq!(v["image"], "nginx");
        assert_eq!(v["container_image"], "nginx");
        assert_eq!(v["gitPrivateKey"], "key");
        assert_eq!(v["container_git_private_key"], "key");
        assert_eq!(v["container_ports"][0], 80);
        assert_eq!(v["updated"], 42);
        assert_eq!(v["container_updated"], 42);
        assert_eq!(
            serde_json::to_value(AgentConfig::default()).unwrap(),
            serde_json::json!({})
        );
    }
}
