//! Users: created, disabled, re-enabled and deleted by the master account;
//! each changes their own password.

use domain::{Email, ErrorKind, NewPassword};
use serde::Serialize;
use store::accounts::{Account, Ending, NewAccount};
use tower_sessions::Session;

use crate::{
    audit, authz::require_master, internal, password, session::Credential, Actor, Services,
};

/// A user as the API shows it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct UserView {
    /// Id.
    pub id: String,
    /// What the role routes take.
    pub username: String,
    /// What sign-in takes.
    pub email: String,
    /// Whether the account is disabled.
    pub disabled: bool,
    /// Whether this is the master account.
    pub is_master: bool,
    /// Creation time, Unix ms.
    pub created_at: i64,
}

impl From<Account> for UserView {
    fn from(a: Account) -> Self {
        Self {
            id: a.id,
            username: a.username,
            email: a.email,
            disabled: a.disabled,
            is_master: a.is_master,
            created_at: a.created_at,
        }
    }
}

/// Checks a username: 1 to 64 of `a-z 0-9 . _ -`, starting with a letter or digit.
pub fn parse_username(raw: &str) -> Result<String, ErrorKind> {
    domain::names::check_visible("username", raw)?;
    let name = raw.trim();
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'));
    let ok_start = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric());
    if name.is_empty() || name.len() > 64 || !ok_chars || !ok_start {
        return Err(ErrorKind::invalid(
            "username",
            "must be 1 to 64 lower-case letters, digits, '.', '_' or '-', starting with a letter or digit",
        ));
    }
    Ok(name.to_owned())
}

async fn find(services: &Services, username: &str) -> Result<Account, ErrorKind> {
    services
        .db
        .account_by_username(username.trim())
        .await
        .map_err(internal)?
        .ok_or(ErrorKind::NotFound {
            what: "user".into(),
        })
}

/// Every account.
pub async fn list(services: &Services, actor: &Actor) -> Result<Vec<UserView>, ErrorKind> {
    if !actor.is_master {
        crate::authz::authorize(actor, "view:user", "*")?;
    }
    Ok(services
        .db
        .accounts()
        .await
        .map_err(internal)?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// How long a password link stays valid.
pub const PASSWORD_LINK_HOURS: i64 = 72;

/// Creates a user. Without a password, the user cannot sign in until they
/// set one through the one-time link returned with the user.
pub async fn create(
    services: &Services,
    actor: &Actor,
    username: &str,
    email: &str,
    new_password: Option<&str>,
) -> Result<(UserView, Option<String>), ErrorKind> {
    require_master(actor, "create:user")?;
    let username = parse_username(username)?;
    let email = Email::parse(email)?;
    let new_password = new_password.filter(|p| !p.is_empty());
    let hash = match new_password {
        Some(p) => password::hash(&NewPassword::parse(p)?)?,
        None => store::accounts::PasswordHash(password::NO_LOGIN.to_owned()),
    };
    let id = uuid::Uuid::new_v4().to_string();
    services
        .db
        .create_user(
            NewAccount {
                id: &id,
                email: email.as_str(),
                name: "",
                password_hash: &hash,
                now: services.now(),
            },
            &username,
        )
        .await
        .map_err(crate::stored)?;
    audit::success(
        services,
        actor,
        "create:user",
        &format!("user/{username}"),
        email.as_str(),
    )
    .await?;
    let link = match new_password {
        Some(_) => None,
        None => Some(issue_link(services, &id).await?),
    };
    let account = services.db.account_by_id(&id).await.map_err(internal)?;
    Ok((account.map(Into::into).ok_or(ErrorKind::Internal)?, link))
}

async fn issue_link(services: &Services, account_id: &str) -> Result<String, ErrorKind> {
    let token = crate::credentials::random_hex(32)?;
    let now = services.now();
    services
        .db
        .put_password_link(
            account_id,
            &crate::tokens::hash(&token),
            now + PASSWORD_LINK_HOURS * 3_600_000,
            now,
        )
        .await
        .map_err(internal)?;
    Ok(format!(
        "{}/set-password?token={token}",
        services.settings.public_url.trim_end_matches('/')
    ))
}

/// A new one-time link for a user to set their password (master only);
/// any earlier link of theirs stops working.
pub async fn password_link(
    services: &Services,
    actor: &Actor,
    username: &str,
) -> Result<String, ErrorKind> {
    require_master(actor, "edit:user")?;
    let user = find(services, username).await?;
    let link = issue_link(services, &user.id).await?;
    audit::success(
        services,
        actor,
        "edit:user",
        &format!("user/{}", user.username),
        "password link issued",
    )
    .await?;
    Ok(link)
}

/// Sets a password through a one-time link (no sign-in needed).
pub async fn set_password_with_link(
    services: &Services,
    token: &str,
    new_password: &str,
    address: &str,
) -> Result<(), ErrorKind> {
    let hash = password::hash(&NewPassword::parse(new_password)?)?;
    let used = services
        .db
        .use_password_link(&crate::tokens::hash(token.trim()), &hash, services.now())
        .await
        .map_err(internal)?;
    let Some(account_id) = used else {
        return Err(ErrorKind::invalid(
            "token",
            "this link is not valid (used, replaced or expired); ask for a new one",
        ));
    };
    let who = services
        .db
        .account_by_id(&account_id)
        .await
        .map_err(internal)?
        .map(|a| a.email)
        .unwrap_or_default();
    audit::record(
        services,
        &who,
        address,
        "edit:password",
        &format!("account/{who}"),
        audit::outcome::SUCCESS,
        "set through a one-time link (sessions ended, tokens revoked)",
    )
    .await
}

/// Disables or enables a user and/or sets their password (master only).
/// Disabling ends the user's sessions and revokes their API tokens at once
/// (enabling them again brings none back); a password set here is a reset:
/// it ends the user's sessions and revokes their tokens too.
pub async fn update(
    services: &Services,
    actor: &Actor,
    username: &str,
    disabled: Option<bool>,
    new_password: Option<&str>,
) -> Result<UserView, ErrorKind> {
    require_master(actor, "edit:user")?;
    let user = find(services, username).await?;
    let hash = new_password
        .map(|p| NewPassword::parse(p).and_then(|p| password::hash(&p)))
        .transpose()?;
    if let Some(disabled) = disabled {
        services
            .db
            .set_disabled(&user.id, disabled)
            .await
            .map_err(internal)?;
    }
    if let Some(hash) = &hash {
        let reset = Ending {
            keep_session: None,
            revoke_tokens: true,
        };
        services
            .db
            .set_password(&user.id, hash, reset)
            .await
            .map_err(internal)?;
    }
    let detail = match (disabled, hash.is_some()) {
        (Some(true), false) => "disabled (sessions ended, tokens revoked)",
        (Some(true), true) => "disabled; password reset",
        (Some(false), false) => "enabled",
        (Some(false), true) => "enabled; password reset (sessions ended, tokens revoked)",
        (None, true) => "password reset (sessions ended, tokens revoked)",
        (None, false) => "no change",
    };
    audit::success(
        services,
        actor,
        "edit:user",
        &format!("user/{}", user.username),
        detail,
    )
    .await?;
    find(services, username).await.map(Into::into)
}

/// Deletes a user with their sessions, roles and tokens (master only).
pub async fn delete(services: &Services, actor: &Actor, username: &str) -> Result<(), ErrorKind> {
    require_master(actor, "delete:user")?;
    let user = find(services, username).await?;
    services
        .db
        .delete_sessions_of(&user.id)
        .await
        .map_err(internal)?;
    if !services.db.delete_user(&user.id).await.map_err(internal)? {
        return Err(ErrorKind::NotFound {
            what: "user".into(),
        });
    }
    audit::success(
        services,
        actor,
        "delete:user",
        &format!("user/{}", user.username),
        "",
    )
    .await
}

/// A user changes their own password, proving the current one. Their
/// other sessions end (the one making the change, `this_session`, stays
/// when the caller uses it) and, with `revoke_tokens`, their API tokens
/// are revoked. A narrowed token is refused: it takes a session or an
/// unscoped credential.
pub async fn change_own_password(
    services: &Services,
    actor: &Actor,
    current: &str,
    new_password: &str,
    revoke_tokens: bool,
    this_session: Option<&Session>,
) -> Result<(), ErrorKind> {
    crate::authz::require_unscoped(actor, "edit:password")?;
    let account = services
        .db
        .account_by_id(&actor.account_id)
        .await
        .map_err(internal)?
        .ok_or(ErrorKind::Unauthenticated)?;
    if !password::verify_off_workers(Some(account.password_hash.clone()), current).await {
        audit::record(
            services,
            &actor.audit_name(),
            &actor.address,
            "edit:password",
            &format!("account/{}", account.email),
            audit::outcome::FAILURE,
            "wrong current password",
        )
        .await?;
        return Err(ErrorKind::invalid(
            "current_password",
            "is not your current password",
        ));
    }
    let hash = password::hash(&NewPassword::parse(new_password)?)?;
    let keep = match (&actor.via, this_session) {
        (Credential::Session, Some(session)) => session.id().map(|id| id.to_string()),
        _ => None,
    };
    let ending = Ending {
        keep_session: keep.as_deref(),
        revoke_tokens,
    };
    let ended = services
        .db
        .set_password(&account.id, &hash, ending)
        .await
        .map_err(internal)?
        .ok_or(ErrorKind::Unauthenticated)?;
    audit::success(
        services,
        actor,
        "edit:password",
        &format!("account/{}", account.email),
        &format!(
            "{} other session(s) ended, {} token(s) revoked",
            ended.sessions, ended.tokens
        ),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::parse_username;

    #[test]
    fn usernames_are_short_lower_case_words() {
        assert_eq!(parse_username(" ops.team-1 ").unwrap(), "ops.team-1");
        for bad in ["", "Ops", "-x", "a b", "é", &"a".repeat(65)] {
            assert!(parse_username(bad).is_err(), "{bad}");
        }
    }
}
