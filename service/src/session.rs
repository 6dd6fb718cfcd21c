//! Cookie sessions: who is signed in, and the CSRF token of their session.

use domain::ErrorKind;
use store::accounts::Account;
use tower_sessions::Session;

use crate::{credentials, internal, Services};

/// Session key holding the signed-in account's id.
pub const ACCOUNT_KEY: &str = "account_id";
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

/// Who is making a request, once authenticated.
#[derive(Debug, Clone)]
pub struct Actor {
    /// The account's id.
    pub account_id: String,
    /// The account's email.
    pub email: String,
    /// The installation's owner.
    pub is_master: bool,
    /// The session's CSRF token, when the request came with a session cookie.
    pub csrf: Option<String>,
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

/// Signs out: the session is deleted from the store.
pub async fn end(session: &Session) -> Result<(), ErrorKind> {
    session.flush().await.map_err(internal)
}

/// The actor behind a session, if it is signed in to an enabled account.
pub async fn actor(services: &Services, session: &Session) -> Result<Option<Actor>, ErrorKind> {
    let Some(account_id) = session.get::<String>(ACCOUNT_KEY).await.map_err(internal)? else {
        return Ok(None);
    };
    let account = services
        .db
        .account_by_id(&account_id)
        .await
        .map_err(internal)?;
    match account {
        Some(a) if !a.disabled => {
            let csrf = session.get::<String>(CSRF_KEY).await.map_err(internal)?;
            Ok(Some(Actor {
                account_id: a.id,
                email: a.email,
                is_master: a.is_master,
                csrf,
            }))
        }
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
