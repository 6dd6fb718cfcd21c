//! API tokens: shown once, stored as SHA-256, used as
//! `Authorization: Token <token>`, never more powerful than their owner.

use domain::{rbac::Policy, ErrorKind};
use serde::Serialize;
use sha2::{Digest, Sha256};
use store::tokens::NewApiToken;

use crate::{
    audit, authz, credentials, internal,
    session::{actor_at, Credential},
    Actor, Services,
};

/// Every token starts with this, so a leaked one is recognisable.
pub const TOKEN_PREFIX: &str = "oc_";
/// A token unused this long is removed (and refused meanwhile).
pub const UNUSED_LIMIT_MS: i64 = 90 * 24 * 60 * 60 * 1000;
/// Longest lifetime a token may be given.
pub const MAX_TTL_DAYS: u32 = 3650;
const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// How stale `last_used_at` may get before a use updates it.
pub const TOUCH_RESOLUTION_MS: i64 = 60 * 1000;
/// Most live tokens an account may hold (every kind: made on the account
/// page or the API, by `/auth`, by an OAuth grant).
pub const MAX_PER_ACCOUNT: usize = 100;

/// A token as listed: everything but the token.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct TokenInfo {
    /// Id, what revocation takes.
    pub id: String,
    /// Label.
    pub name: String,
    /// Creation time, Unix ms.
    pub created_at: i64,
    /// Expiry, Unix ms.
    pub expires_at: Option<i64>,
    /// Last use, Unix ms.
    pub last_used_at: i64,
    /// Its own narrower scope, if any.
    pub scope: Option<serde_json::Value>,
}

/// A token just created: the only time `token` is seen.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct CreatedToken {
    /// Id.
    pub id: String,
    /// Label.
    pub name: String,
    /// The secret itself.
    pub token: String,
    /// Expiry, Unix ms: never later than the expiry of the token that
    /// made it.
    pub expires_at: Option<i64>,
}

/// The stored form of a token.
pub fn hash(token: &str) -> String {
    Sha256::digest(token.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// Creates a token for the caller, from what a door was given: `ttl_days`
/// a whole number of days, as a JSON number or as text (a form field's);
/// `scope` a scope document, as JSON or as its text. Absent, `null` or blank
/// text means no expiry, or no scope of its own. A narrowed token is
/// refused before the input is judged. Made with a token that expires (an
/// OAuth access token), the new one expires no later than it.
pub async fn create(
    services: &Services,
    actor: &Actor,
    name: &str,
    ttl_days: Option<&serde_json::Value>,
    scope: Option<&serde_json::Value>,
) -> Result<CreatedToken, ErrorKind> {
    // A narrowed token must not mint a wider one.
    authz::require_unscoped(actor, "create:token")?;
    domain::names::check_visible("name", name)?;
    let name = name.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(ErrorKind::invalid("name", "must be 1 to 100 characters"));
    }
    let ttl_days = ttl_days.map(parse_ttl_days).transpose()?.flatten();
    let scope = scope
        .map(parse_scope)
        .transpose()?
        .flatten()
        .map(|p| serde_json::to_string(&p))
        .transpose()
        .map_err(internal)?;
    let now = services.now();
    let asked = ttl_days.map(|d| now + i64::from(d) * DAY_MS);
    let expires_at = match (asked, caller_expiry(services, actor).await?) {
        (Some(asked), Some(limit)) => Some(asked.min(limit)),
        (asked, limit) => asked.or(limit),
    };
    let (id, token) = issue(
        services,
        &actor.account_id,
        name,
        scope.as_deref(),
        expires_at,
    )
    .await?;
    audit::success(
        services,
        actor,
        "create:token",
        &format!("token/{id}"),
        name,
    )
    .await?;
    Ok(CreatedToken {
        id,
        name: name.to_owned(),
        token,
        expires_at,
    })
}

/// When the token the caller is using expires (`None`: it does not, or
/// the caller uses no token).
async fn caller_expiry(services: &Services, actor: &Actor) -> Result<Option<i64>, ErrorKind> {
    let Credential::Token { id, .. } = &actor.via else {
        return Ok(None);
    };
    let token = services
        .db
        .token_of(&actor.account_id, id)
        .await
        .map_err(internal)?;
    // Revoked meanwhile: the caller is not let through anyway.
    let token = token.ok_or(ErrorKind::Unauthenticated)?;
    Ok(token.expires_at)
}

/// A token's lifetime in days, as [`create`] takes it (`None`: no expiry).
fn parse_ttl_days(value: &serde_json::Value) -> Result<Option<u32>, ErrorKind> {
    let days = match value {
        serde_json::Value::Null => return Ok(None),
        serde_json::Value::String(text) if text.trim().is_empty() => return Ok(None),
        serde_json::Value::String(text) => text.trim().parse::<u64>().ok(),
        serde_json::Value::Number(n) => n.as_u64(),
        _ => None,
    }
    .ok_or_else(|| ErrorKind::invalid("ttl_days", "must be a whole number of days"))?;
    match u32::try_from(days) {
        Ok(days) if (1..=MAX_TTL_DAYS).contains(&days) => Ok(Some(days)),
        _ => Err(ErrorKind::invalid(
            "ttl_days",
            format!("must be between 1 and {MAX_TTL_DAYS}"),
        )),
    }
}

/// A token's own scope, as [`create`] takes it (`None`: its owner's rights).
fn parse_scope(value: &serde_json::Value) -> Result<Option<Policy>, ErrorKind> {
    match value {
        serde_json::Value::Null => Ok(None),
        serde_json::Value::String(text) if text.trim().is_empty() => Ok(None),
        serde_json::Value::String(text) => Policy::parse_str(text).map(Some),
        document => Policy::parse(document).map(Some),
    }
}

/// Stores a new token for `account_id` and returns its id and the token;
/// a conflict when the account holds [`MAX_PER_ACCOUNT`] live tokens.
pub(crate) async fn issue(
    services: &Services,
    account_id: &str,
    name: &str,
    scope: Option<&str>,
    expires_at: Option<i64>,
) -> Result<(String, String), ErrorKind> {
    let token = format!("{TOKEN_PREFIX}{}", credentials::random_hex(32)?);
    let id = uuid::Uuid::new_v4().to_string();
    let now = services.now();
    let max = i64::try_from(MAX_PER_ACCOUNT).map_err(internal)?;
    let stored = services
        .db
        .create_token_within(
            NewApiToken {
                id: &id,
                account_id,
                name,
                token_hash: &hash(&token),
                scope,
                now,
                expires_at,
            },
            max,
            now - UNUSED_LIMIT_MS,
        )
        .await
        .map_err(internal)?;
    if !stored {
        return Err(ErrorKind::Conflict {
            message: format!(
                "this account holds {MAX_PER_ACCOUNT} API tokens, the most it may; \
                 revoke one (or let one expire) first"
            ),
        });
    }
    Ok((id, token))
}

/// The caller's tokens (not to a narrowed token).
pub async fn list(services: &Services, actor: &Actor) -> Result<Vec<TokenInfo>, ErrorKind> {
    authz::require_unscoped(actor, "view:token")?;
    let tokens = services
        .db
        .tokens_of(&actor.account_id)
        .await
        .map_err(internal)?;
    Ok(tokens
        .into_iter()
        .map(|t| TokenInfo {
            id: t.id,
            name: t.name,
            created_at: t.created_at,
            expires_at: t.expires_at,
            last_used_at: t.last_used_at,
            scope: t.scope.and_then(|s| serde_json::from_str(&s).ok()),
        })
        .collect())
}

/// Revokes one of the caller's tokens (not with a narrowed token).
pub async fn revoke(services: &Services, actor: &Actor, id: &str) -> Result<(), ErrorKind> {
    authz::require_unscoped(actor, "delete:token")?;
    let gone = services
        .db
        .delete_token(&actor.account_id, id)
        .await
        .map_err(internal)?;
    if !gone {
        return Err(ErrorKind::NotFound {
            what: "token".into(),
        });
    }
    audit::success(services, actor, "delete:token", &format!("token/{id}"), "").await
}

/// The actor a presented token stands for, calling from `address`: `None`
/// for an unknown, expired, long-unused or revoked token, or a disabled
/// owner.
pub async fn authenticate(
    services: &Services,
    presented: &str,
    address: &str,
) -> Result<Option<Actor>, ErrorKind> {
    let presented = presented.trim();
    if presented.starts_with(crate::stacks::agents::TOKEN_PREFIX) {
        return crate::stacks::agents::authenticate(services, presented, address).await;
    }
    if !presented.starts_with(TOKEN_PREFIX) || presented.len() != TOKEN_PREFIX.len() + 64 {
        return Ok(None);
    }
    let now = services.now();
    let Some(token) = services
        .db
        .token_by_hash(&hash(presented))
        .await
        .map_err(internal)?
    else {
        return Ok(None);
    };
    let expired = token.expires_at.is_some_and(|e| e <= now);
    let stale = token.last_used_at < now - UNUSED_LIMIT_MS;
    if expired || stale {
        // Refused without recording a use: presenting a dead token must
        // not bring it back to life.
        return Ok(None);
    }
    let Some((account, generation)) = services
        .db
        .account_with_rights_generation(&token.account_id)
        .await
        .map_err(internal)?
    else {
        return Ok(None);
    };
    if account.disabled {
        return Ok(None);
    }
    // Recording each use would make every API read a database write; a
    // minute's resolution is plenty for "unused for 90 days".
    if now - token.last_used_at >= TOUCH_RESOLUTION_MS {
        services
            .db
            .touch_token(&token.id, now)
            .await
            .map_err(internal)?;
    }
    let scope = token
        .scope
        .as_deref()
        .map(Policy::parse_str)
        .transpose()
        .map_err(|e| internal(format!("a stored token scope no longer parses: {e}")))?;
    let via = Credential::Token {
        id: token.id,
        name: token.name,
    };
    actor_at(services, account, generation, via, address, scope)
        .await
        .map(Some)
}

/// Housekeeping: drops expired tokens and those unused for 90 days.
pub async fn prune(services: &Services) -> Result<u64, ErrorKind> {
    let now = services.now();
    services
        .db
        .delete_stale_tokens(now, now - UNUSED_LIMIT_MS)
        .await
        .map_err(internal)
}

/// Authorises `action` for `actor` (re-exported for callers of this module).
pub use authz::authorize;
