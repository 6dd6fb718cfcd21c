//! Cookie sessions: who is signed in, and the CSRF token of their session.

use std::sync::Arc;

use domain::{rbac::Policy, ErrorKind};
use store::{
    accounts::Account,
    sessions::{SignedIn, SIGNED_IN_KEY},
};
use tower_sessions::Session;

use crate::{credentials, internal, Services};

/// Session key holding the signed-in account's id.
pub const ACCOUNT_KEY: &str = store::sessions::ACCOUNT_FIELD;
/// Session key holding the session's CSRF token.
pub const CSRF_KEY: &str = "csrf";
/// Name of the cookie carrying the CSRF token to the page's scripts.
pub const CSRF_COOKIE: &str = "csrftoken";
/// Name of the header a cookie-session request carries the token in.
pub const CSRF_HEADER: &str = "x-csrftoken";
/// Name of the hidden form field that carries the token without JavaScript.
pub const CSRF_FIELD: &str = "csrf_token";
/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "overcast_session";

/// How a request proved who it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Credential {
    /// A cookie session (CSRF applies).
    Session,
    /// `Authorization: Token ...` (or the old `Authorized:` header).
    Token {
        /// The token's id.
        id: String,
        /// The owner's label for it, for the audit log.
        name: String,
    },
    /// `Authorization: Basic ...`.
    Basic,
    /// A stack's agent token (`service::stacks::agents`): confined to
    /// that stack's agent routes.
    Agent {
        /// The stack it acts for.
        stack_id: String,
    },
}

/// A cookie session's CSRF token. The server's middleware puts it in the
/// request's extensions beside the [`Actor`] for the pages that hand it on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsrfToken(pub String);

/// Who is making a request, once authenticated, with the rights to check.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The account's id.
    pub account_id: String,
    /// The account's email.
    pub email: String,
    /// The installation's owner.
    pub is_master: bool,
    /// The caller's network address, as the server saw it, for the audit
    /// log.
    pub address: String,
    /// The scopes of the roles attached to the account.
    pub roles: Arc<Vec<Policy>>,
    /// The installation's rights generation `roles` were read at
    /// (`store::Db::rights_generation`; 0 for roles not read from it).
    pub rights_generation: i64,
    /// A token's own narrower scope, if it has one.
    pub token_scope: Option<Arc<Policy>>,
    /// How the caller authenticated.
    pub via: Credential,
}

impl Actor {
    /// The caller as the audit log names it.
    pub fn audit_name(&self) -> String {
        match &self.via {
            Credential::Token { name, .. } => format!("{} (token {name})", self.email),
            Credential::Agent { stack_id } => format!("agent of stack {stack_id}"),
            _ => self.email.clone(),
        }
    }
}

/// Builds the actor for an enabled account calling from `address`: its
/// roles' scopes as of now (one read of the rights generation, then the
/// roles only when this instance has not kept them at that generation).
pub async fn actor_for(
    services: &Services,
    account: Account,
    via: Credential,
    address: &str,
    token_scope: Option<Policy>,
) -> Result<Actor, ErrorKind> {
    let generation = services.db.rights_generation().await.map_err(internal)?;
    actor_at(services, account, generation, via, address, token_scope).await
}

/// [`actor_for`] with the rights generation read already (with the
/// account, `store::Db::account_with_rights_generation`): the roles come
/// from [`crate::rights_cache`] when it holds them at that generation.
pub async fn actor_at(
    services: &Services,
    account: Account,
    generation: i64,
    via: Credential,
    address: &str,
    token_scope: Option<Policy>,
) -> Result<Actor, ErrorKind> {
    build(
        services,
        Who::from(account),
        generation,
        via,
        address,
        token_scope,
    )
    .await
}

/// The account an actor is built for.
struct Who {
    id: String,
    email: String,
    is_master: bool,
}

impl From<Account> for Who {
    fn from(a: Account) -> Self {
        Who {
            id: a.id,
            email: a.email,
            is_master: a.is_master,
        }
    }
}

async fn build(
    services: &Services,
    who: Who,
    generation: i64,
    via: Credential,
    address: &str,
    token_scope: Option<Policy>,
) -> Result<Actor, ErrorKind> {
    let roles = match services.rights.get(&who.id, generation) {
        Some(roles) => roles,
        None => {
            let roles = Arc::new(
                services
                    .db
                    .roles_of(&who.id)
                    .await
                    .map_err(internal)?
                    .iter()
                    .map(|r| Policy::parse_str(&r.scope))
                    .collect::<Result<Vec<_>, _>>()
                    .map_err(|e| internal(format!("a stored role scope no longer parses: {e}")))?,
            );
            // Read after the generation was: never older than it says.
            services.rights.put(&who.id, generation, roles.clone());
            roles
        }
    };
    Ok(Actor {
        account_id: who.id,
        email: who.email,
        is_master: who.is_master,
        address: address.to_owned(),
        roles,
        rights_generation: generation,
        token_scope: token_scope.map(Arc::new),
        via,
    })
}

/// Signs `account` in on `session`: a new session id (no fixation) and a
/// fresh CSRF token, which is returned.
pub async fn establish(session: &Session, account: &Account) -> Result<String, ErrorKind> {
    session.cycle_id().await.map_err(internal)?;
    let csrf = credentials::random_hex(32)?;
    session
        .insert(ACCOUNT_KEY, &account.id)
        .await
        .map_err(internal)?;
    session.insert(CSRF_KEY, &csrf).await.map_err(internal)?;
    Ok(csrf)
}

/// The CSRF token of `session`: `None` when it has none (not signed in).
pub async fn csrf_token(session: &Session) -> Result<Option<CsrfToken>, ErrorKind> {
    Ok(session
        .get::<String>(CSRF_KEY)
        .await
        .map_err(internal)?
        .map(CsrfToken))
}

/// Signs out: the session is deleted from the store.
pub async fn end(session: &Session) -> Result<(), ErrorKind> {
    session.flush().await.map_err(internal)
}

/// The actor behind a session, if it is signed in to an enabled account,
/// calling from `address`.
pub async fn actor(
    services: &Services,
    session: &Session,
    address: &str,
) -> Result<Option<Actor>, ErrorKind> {
    let Some(account_id) = session.get::<String>(ACCOUNT_KEY).await.map_err(internal)? else {
        return Ok(None);
    };
    // Read with the session (`store::sessions`), else on its own.
    let loaded = session
        .get::<SignedIn>(SIGNED_IN_KEY)
        .await
        .map_err(internal)?
        .filter(|s| s.id == account_id);
    let account = match loaded {
        Some(s) => Some((
            Who {
                id: s.id,
                email: s.email,
                is_master: s.is_master,
            },
            s.disabled,
            s.rights_generation,
        )),
        None => services
            .db
            .account_with_rights_generation(&account_id)
            .await
            .map_err(internal)?
            .map(|(a, generation)| {
                let disabled = a.disabled;
                (Who::from(a), disabled, generation)
            }),
    };
    match account {
        Some((who, false, generation)) => build(
            services,
            who,
            generation,
            Credential::Session,
            address,
            None,
        )
        .await
        .map(Some),
        _ => {
            // Deleted or disabled: the session is worth nothing any more.
            session.flush().await.map_err(internal)?;
            Ok(None)
        }
    }
}

/// The `Set-Cookie` value handing the CSRF token to the page's scripts
/// (readable by JavaScript on purpose, unlike the session cookie).
pub fn csrf_cookie(token: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{CSRF_COOKIE}={token}; Path=/; SameSite=Lax{secure}")
}

/// The `Set-Cookie` value removing the CSRF cookie.
pub fn expired_csrf_cookie(secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{CSRF_COOKIE}=; Path=/; SameSite=Lax; Max-Age=0{secure}")
}

/// The same caller as the database sees it now: `None` when the account is
/// gone or disabled, or the token it used was revoked; otherwise fresh roles.
/// Long-lived work (an open terminal) calls this to notice revoked rights.
pub async fn refresh(services: &Services, actor: &Actor) -> Result<Option<Actor>, ErrorKind> {
    let account = services
        .db
        .account_by_id(&actor.account_id)
        .await
        .map_err(internal)?;
    let Some(account) = account.filter(|a| !a.disabled) else {
        return Ok(None);
    };
    if let Credential::Token { id, .. } = &actor.via {
        let tokens = services
            .db
            .tokens_of(&actor.account_id)
            .await
            .map_err(internal)?;
        if !tokens.iter().any(|t| &t.id == id) {
            return Ok(None);
        }
    }
    let mut fresh = actor_for(services, account, actor.via.clone(), &actor.address, None).await?;
    fresh.token_scope = actor.token_scope.clone();
    Ok(Some(fresh))
}
