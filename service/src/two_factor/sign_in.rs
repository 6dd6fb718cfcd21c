//! Signing in with a second factor.
//!
//! The pages sign in in two steps: a right password for an account with
//! two-factor sign-in does not sign the session in; it leaves a marker
//! ([`PENDING_KEY`]: the account and an expiry, [`PENDING_MS`]) under a new
//! session id, and the code step ([`finish`]) signs in once a code is
//! accepted. When the master requires two-factor sign-in and the account
//! has none, the session is signed in with [`ENROL_ONLY_KEY`] set: the
//! server lets it reach only enrolment until the account is enrolled.
//!
//! `/auth` and the OAuth password grant take the code as a field
//! ([`with_code`]); HTTP Basic cannot carry one and is refused.
//!
//! Codes are throttled like passwords (`throttle`, under the account's
//! `two_factor:<email>` scopes, which a right password does not clear).

use domain::ErrorKind;
use serde::{Deserialize, Serialize};
use store::accounts::Account;
use tower_sessions::Session;

use super::{admin, enabled, use_code, Accepted};
use crate::{accounts, audit, internal, session, throttle, Services};

/// Session key of a sign-in waiting for its code.
pub const PENDING_KEY: &str = "two_factor_pending";
/// Session key saying the session may only enrol.
pub const ENROL_ONLY_KEY: &str = "two_factor_enrol_only";
/// How long a right password waits for its code.
pub const PENDING_MS: i64 = 5 * 60 * 1000;

/// A sign-in waiting for its code.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct Pending {
    account_id: String,
    expires_at: i64,
}

/// Where a sign-in stands once the password is right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignedIn {
    /// Signed in; the session's new CSRF token.
    Done(String),
    /// Signed in, but may only enrol (the master requires two factors);
    /// the session's new CSRF token.
    MustEnrol(String),
    /// The code is asked next ([`finish`]).
    CodeNeeded,
}

/// Marks a request whose session may only enrol (the server's middleware
/// puts it in the request's extensions beside the actor).
#[derive(Debug, Clone, Copy)]
pub struct EnrolOnly;

/// Signs `account` (its password just proven) in on `session`, or asks
/// for its code first.
pub async fn start(
    services: &Services,
    session: &Session,
    account: &Account,
) -> Result<SignedIn, ErrorKind> {
    if enabled(services, &account.id).await? {
        session.cycle_id().await.map_err(internal)?;
        for key in [session::ACCOUNT_KEY, session::CSRF_KEY, ENROL_ONLY_KEY] {
            session.remove_value(key).await.map_err(internal)?;
        }
        let pending = Pending {
            account_id: account.id.clone(),
            expires_at: services.now() + PENDING_MS,
        };
        session
            .insert(PENDING_KEY, pending)
            .await
            .map_err(internal)?;
        return Ok(SignedIn::CodeNeeded);
    }
    session.remove_value(PENDING_KEY).await.map_err(internal)?;
    let csrf = session::establish(session, account).await?;
    if admin::required(services).await? {
        session
            .insert(ENROL_ONLY_KEY, true)
            .await
            .map_err(internal)?;
        return Ok(SignedIn::MustEnrol(csrf));
    }
    session
        .remove_value(ENROL_ONLY_KEY)
        .await
        .map_err(internal)?;
    Ok(SignedIn::Done(csrf))
}

/// Whether `session` waits for a code, unexpired.
pub async fn is_pending(services: &Services, session: &Session) -> Result<bool, ErrorKind> {
    Ok(pending(services, session).await?.is_some())
}

async fn pending(services: &Services, session: &Session) -> Result<Option<Pending>, ErrorKind> {
    Ok(session
        .get::<Pending>(PENDING_KEY)
        .await
        .map_err(internal)?
        .filter(|p| p.expires_at > services.now()))
}

/// The code step: the session waiting for a code ([`start`]) is signed in
/// once `code` (the authenticator's or a recovery code) is accepted.
/// Returns the account and the session's new CSRF token.
pub async fn finish(
    services: &Services,
    session: &Session,
    code: &str,
    address: &str,
) -> Result<(Account, String), ErrorKind> {
    let expired = || ErrorKind::CredentialsRefused {
        reason: "this sign-in has expired: sign in with your email and password again".into(),
    };
    let pending = pending(services, session).await?.ok_or_else(expired)?;
    let account = services
        .db
        .account_by_id(&pending.account_id)
        .await
        .map_err(internal)?
        .filter(|a| !a.disabled)
        .ok_or_else(expired)?;
    verify_sign_in(services, &account, code, address).await?;
    session.remove_value(PENDING_KEY).await.map_err(internal)?;
    let csrf = session::establish(session, &account).await?;
    Ok((account, csrf))
}

/// Checks and uses a code of `account`, throttled like a password: a
/// wrong or used code is a failure, audited under `action`; the caller
/// audits the success (what the code was for).
pub async fn verify(
    services: &Services,
    account: &Account,
    code: &str,
    address: &str,
    action: &str,
) -> Result<Accepted, ErrorKind> {
    let db = &services.db;
    let now = services.now();
    let attempt =
        throttle::reserve(db, &format!("two_factor:{}", account.email), address, now).await?;
    if let Some(kind) = use_code(services, &account.id, code).await? {
        throttle::succeeded(db, attempt, &account.id, now).await?;
        return Ok(kind);
    }
    audit::record(
        services,
        &account.email,
        address,
        action,
        &format!("account/{}", account.email),
        audit::outcome::FAILURE,
        "wrong or used two-factor code",
    )
    .await?;
    Err(wrong_code())
}

/// Verifies a sign-in's code and audits the sign-in.
async fn verify_sign_in(
    services: &Services,
    account: &Account,
    code: &str,
    address: &str,
) -> Result<(), ErrorKind> {
    let kind = verify(services, account, code, address, "sign_in").await?;
    audit::record(
        services,
        &account.email,
        address,
        "sign_in",
        &format!("account/{}", account.email),
        audit::outcome::SUCCESS,
        kind.detail(),
    )
    .await
}

/// A wrong or used code.
pub fn wrong_code() -> ErrorKind {
    ErrorKind::CredentialsRefused {
        reason: "wrong or used two-factor code".into(),
    }
}

/// Signs in with email, password and, for an account with two-factor
/// sign-in, `code` (`/auth`, the OAuth password grant).
pub async fn with_code(
    services: &Services,
    email: &str,
    password: &str,
    code: Option<&str>,
    address: &str,
) -> Result<Account, ErrorKind> {
    let account = accounts::sign_in(services, email, password, address).await?;
    if !enabled(services, &account.id).await? {
        return Ok(account);
    }
    match code.map(str::trim).filter(|c| !c.is_empty()) {
        Some(code) => {
            verify_sign_in(services, &account, code, address).await?;
            Ok(account)
        }
        None => Err(ErrorKind::CredentialsRefused {
            reason: "this account signs in with two factors: give the authenticator's code \
                     (or a recovery code) as the `code` field"
                .into(),
        }),
    }
}

/// HTTP Basic cannot carry a code: refused for an account with two-factor
/// sign-in (its password just proven), which uses an API token instead.
pub async fn refuse_basic(
    services: &Services,
    account: &Account,
    address: &str,
) -> Result<(), ErrorKind> {
    if !enabled(services, &account.id).await? {
        return Ok(());
    }
    audit::record(
        services,
        &account.email,
        address,
        "sign_in",
        &format!("account/{}", account.email),
        audit::outcome::FAILURE,
        "HTTP Basic refused: two-factor sign-in is on",
    )
    .await?;
    Err(ErrorKind::CredentialsRefused {
        reason: "this account signs in with two factors, which HTTP Basic cannot carry: \
                 use an API token (Authorization: Token <token>)"
            .into(),
    })
}

/// Whether the session may only enrol, and still must: the flag is
/// dropped once the account is enrolled or the master no longer requires
/// it.
pub async fn enrol_only(
    services: &Services,
    session: &Session,
    account_id: &str,
) -> Result<bool, ErrorKind> {
    let flagged = session
        .get::<bool>(ENROL_ONLY_KEY)
        .await
        .map_err(internal)?
        .unwrap_or(false);
    if !flagged {
        return Ok(false);
    }
    if admin::required(services).await? && !enabled(services, account_id).await? {
        return Ok(true);
    }
    session
        .remove_value(ENROL_ONLY_KEY)
        .await
        .map_err(internal)?;
    Ok(false)
}
