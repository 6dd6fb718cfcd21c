//! A stack's agents (Mobingi's alm-agent protocol): their credentials,
//! their reports and the configuration they read.
//!
//! Each stack has agent credentials: client id = the stack's id, client
//! secret = its `auth_token`. `POST /v3/access_token` with the
//! `client_credentials` grant and that pair ([`access_token`]) gives an
//! *agent token*, `oca_<stack_id>.<expires_at_ms>.<mac>`, where the mac is
//! an HMAC-SHA256 keyed by the stack's auth token: nothing is stored, the
//! token names its stack, and it dies with the stack (a deleted stack's
//! token is refused, 401) or at its expiry.
//!
//! The [`Actor`] such a token stands for is confined twice:
//! - by the door: its credential is [`Credential::Agent`], and the auth
//!   middleware lets it reach only the agent routes ([`confine`], 403
//!   elsewhere);
//! - by authorisation: its only role and its token scope both allow
//!   [`AGENT_ACTION`] on `stack/<its stack>` alone and it is not the
//!   master, so `authz` refuses everything else, another stack's agent
//!   routes included (403, not 404: it is refused before the stack is
//!   looked up).

mod config;
mod reports;
mod view;

use std::sync::Arc;

use domain::{
    rbac::{Effect, Policy},
    resource, ErrorKind,
};
use ring::hmac;

pub use config::*;
pub use reports::*;
pub use view::*;

use super::token_context;
use crate::{
    audit, credentials, internal,
    oauth::{AccessToken, Grant, ACCESS_TOKEN_SECONDS},
    session::Credential,
    Actor, Services,
};

/// The action a stack's agent acts under (reports, its layer's config).
pub const AGENT_ACTION: &str = "agent:alm.stack";
/// Every agent token starts with this.
pub const TOKEN_PREFIX: &str = "oca_";
/// The routes an agent token may reach.
pub const DOOR: &str = "/v3/alm/agent/";

/// The stack a live stack's agents act for, when `client_id` names one.
async fn live_stack(
    services: &Services,
    stack_id: &str,
) -> Result<Option<store::stacks::Stack>, ErrorKind> {
    if stack_id.is_empty() || stack_id.len() > 100 {
        return Ok(None);
    }
    Ok(services
        .db
        .stack(stack_id)
        .await
        .map_err(internal)?
        .filter(|s| s.deleted_at.is_none()))
}

fn auth_token(services: &Services, stack: &store::stacks::Stack) -> Result<String, ErrorKind> {
    services
        .vault
        .open_str(&token_context(&stack.id), &stack.auth_token_sealed)
}

fn mac_key(auth_token: &str) -> hmac::Key {
    hmac::Key::new(hmac::HMAC_SHA256, auth_token.as_bytes())
}

fn signed(stack_id: &str, expires_at: i64) -> String {
    format!("overcast stack agent token\n{stack_id}\n{expires_at}")
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// The `client_credentials` grant of a stack's agents, for a `client_id`
/// no OAuth client has: `None` when no live stack has that id either (the
/// caller answers 401); a wrong secret is audited and refused (401).
pub async fn access_token(
    services: &Services,
    grant: &Grant,
    address: &str,
) -> Result<Option<AccessToken>, ErrorKind> {
    let Some(stack) = live_stack(services, grant.client_id.trim()).await? else {
        return Ok(None);
    };
    let secret = auth_token(services, &stack)?;
    if !credentials::constant_time_eq(grant.client_secret.as_bytes(), secret.as_bytes()) {
        audit::record(
            services,
            &format!("agent of stack {}", stack.id),
            address,
            "access_token",
            &resource::stack(&stack.id),
            audit::outcome::FAILURE,
            "wrong client secret",
        )
        .await?;
        return Err(ErrorKind::InvalidCredentials);
    }
    if grant.grant_type != "client_credentials" {
        return Err(ErrorKind::invalid(
            "grant_type",
            "a stack's agents use the client_credentials grant",
        ));
    }
    let expires_at = services.now() + ACCESS_TOKEN_SECONDS * 1000;
    let tag = hmac::sign(&mac_key(&secret), signed(&stack.id, expires_at).as_bytes());
    Ok(Some(AccessToken {
        token_type: "Bearer",
        expires_in: ACCESS_TOKEN_SECONDS,
        access_token: format!(
            "{TOKEN_PREFIX}{}.{expires_at}.{}",
            stack.id,
            hex(tag.as_ref())
        ),
    }))
}

/// The right of a stack's agent: [`AGENT_ACTION`] on that stack alone.
pub fn agent_policy(stack_id: &str) -> Policy {
    Policy::single(
        Effect::Allow,
        &[AGENT_ACTION],
        &[&resource::stack(stack_id)],
    )
}

/// The actor an agent token stands for, calling from `address`: `None`
/// for a malformed, forged or expired token, or one of a stack that is
/// gone or deleted.
pub async fn authenticate(
    services: &Services,
    presented: &str,
    address: &str,
) -> Result<Option<Actor>, ErrorKind> {
    let Some(rest) = presented.trim().strip_prefix(TOKEN_PREFIX) else {
        return Ok(None);
    };
    let mut parts = rest.split('.');
    let (Some(stack_id), Some(expires), Some(mac), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Ok(None);
    };
    let (Ok(expires_at), Some(mac)) = (expires.parse::<i64>(), unhex(mac)) else {
        return Ok(None);
    };
    if expires_at <= services.now() {
        return Ok(None);
    }
    let Some(stack) = live_stack(services, stack_id).await? else {
        return Ok(None);
    };
    let key = mac_key(&auth_token(services, &stack)?);
    if hmac::verify(&key, signed(&stack.id, expires_at).as_bytes(), &mac).is_err() {
        return Ok(None);
    }
    let policy = Arc::new(agent_policy(&stack.id));
    Ok(Some(Actor {
        account_id: stack.owner_id.clone(),
        email: format!("agent@{}.stack.invalid", stack.id),
        is_master: false,
        address: address.to_owned(),
        roles: Arc::new(vec![(*policy).clone()]),
        rights_generation: 0,
        token_scope: Some(policy),
        via: Credential::Agent { stack_id: stack.id },
    }))
}

/// Whether `actor` may reach `path`: an agent token only reaches the
/// agents' routes ([`DOOR`]); everyone else is judged by the route.
pub fn confine(actor: &Actor, path: &str) -> Result<(), ErrorKind> {
    match &actor.via {
        Credential::Agent { .. } if !path.starts_with(DOOR) => Err(ErrorKind::Forbidden {
            action: Some(AGENT_ACTION.to_owned()),
        }),
        _ => Ok(()),
    }
}

/// Whether `actor` is the agent of `stack_id`.
pub fn is_agent_of(actor: &Actor, stack_id: &str) -> bool {
    matches!(&actor.via, Credential::Agent { stack_id: s } if s == stack_id)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(via: Credential, policy: Option<Policy>) -> Actor {
        let roles = policy.iter().cloned().collect();
        Actor {
            account_id: "owner".into(),
            email: "agent@s1.stack.invalid".into(),
            is_master: false,
            address: "127.0.0.1".into(),
            roles: Arc::new(roles),
            rights_generation: 0,
            token_scope: policy.map(Arc::new),
            via,
        }
    }

    #[test]
    fn an_agent_may_act_only_as_its_own_stacks_agent() {
        let agent = actor(
            Credential::Agent {
                stack_id: "s1".into(),
            },
            Some(agent_policy("s1")),
        );
        assert!(crate::authz::authorize(&agent, AGENT_ACTION, "stack/s1").is_ok());
        assert!(crate::authz::authorize(&agent, AGENT_ACTION, "stack/s2").is_err());
        assert!(crate::authz::authorize(&agent, "view:alm.stack", "stack/s1").is_err());
        assert!(crate::authz::authorize_listing(&agent, "view:backend").is_err());
        assert!(crate::authz::require_master(&agent, "view:role").is_err());
        assert!(crate::authz::require_unscoped(&agent, "create:token").is_err());
        assert!(confine(&agent, "/v3/alm/agent/config").is_ok());
        assert!(confine(&agent, "/backends").is_err());
        assert!(confine(&agent, "/v3/user/role").is_err());
        assert!(is_agent_of(&agent, "s1") && !is_agent_of(&agent, "s2"));
        let user = actor(Credential::Session, None);
        assert!(confine(&user, "/backends").is_ok());
        assert!(!is_agent_of(&user, "s1"));
    }

    #[test]
    fn hex_round_trips_and_refuses_garbage() {
        assert_eq!(unhex(&hex(&[0, 15, 255])), Some(vec![0, 15, 255]));
        assert_eq!(unhex("abc"), None);
        assert_eq!(unhex("zz"), None);
    }
}
