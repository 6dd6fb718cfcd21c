//! Setting up the master account and signing in.

use domain::{Email, ErrorKind, NewPassword};
use store::accounts::{Account, NewAccount};

use crate::{audit, internal, password, throttle, Services};

/// Creates the master account of a new installation.
pub async fn create_master(
    services: &Services,
    email: &str,
    new_password: &str,
    address: &str,
) -> Result<Account, ErrorKind> {
    let email = Email::parse(email)?;
    let new_password = NewPassword::parse(new_password)?;
    if services.db.master_exists().await.map_err(internal)? {
        return Err(ErrorKind::Conflict {
            message: "the master account exists already".into(),
        });
    }
    let hash = password::hash(&new_password)?;
    let id = uuid::Uuid::new_v4().to_string();
    let created = services
        .db
        .create_master(NewAccount {
            id: &id,
            email: email.as_str(),
            name: "",
            password_hash: &hash,
            now: store::now_ms(),
        })
        .await;
    match created {
        Ok(()) => {}
        Err(e) if e.is_unique_violation() => {
            return Err(ErrorKind::Conflict {
                message: "the master account exists already".into(),
            })
        }
        Err(e) => return Err(internal(e)),
    }
    let resource = format!("account/{email}");
    audit::record(
        services,
        email.as_str(),
        address,
        "create_master",
        &resource,
        audit::outcome::SUCCESS,
        "",
    )
    .await?;
    services
        .db
        .account_by_id(&id)
        .await
        .map_err(internal)?
        .ok_or(ErrorKind::Internal)
}

/// Checks an email and password, with throttling and auditing. The error
/// never says which of the two was wrong.
pub async fn sign_in(
    services: &Services,
    email: &str,
    password_given: &str,
    address: &str,
) -> Result<Account, ErrorKind> {
    check_password(services, email, password_given, address, "").await
}

/// How long one audit record stands for every HTTP Basic success of an
/// account from one address (scripts authenticate on every request).
pub const BASIC_AUDIT_WINDOW_MS: i64 = 60 * 60 * 1000;

/// [`sign_in`] for `Authorization: Basic`: failures are recorded each time,
/// successes once per account and address per [`BASIC_AUDIT_WINDOW_MS`].
/// An account with two-factor sign-in is refused (Basic cannot carry the
/// code): it uses an API token.
pub async fn sign_in_basic(
    services: &Services,
    email: &str,
    password_given: &str,
    address: &str,
) -> Result<Account, ErrorKind> {
    let account = check_password(services, email, password_given, address, BASIC_DETAIL).await?;
    crate::two_factor::sign_in::refuse_basic(services, &account, address).await?;
    Ok(account)
}

const BASIC_DETAIL: &str = "HTTP Basic";

async fn recently_recorded(
    services: &Services,
    email: &str,
    address: &str,
    now: i64,
) -> Result<bool, ErrorKind> {
    let recent = services
        .db
        .audit_entries(&store::audit::AuditFilter {
            actor: Some(email.to_owned()),
            action: Some("sign_in".into()),
            outcome: Some(audit::outcome::SUCCESS.into()),
            since: Some(now - BASIC_AUDIT_WINDOW_MS),
            limit: 50,
        })
        .await
        .map_err(internal)?;
    Ok(recent
        .iter()
        .any(|e| e.actor == email && e.address == address && e.detail == BASIC_DETAIL))
}

async fn check_password(
    services: &Services,
    email: &str,
    password_given: &str,
    address: &str,
    detail: &str,
) -> Result<Account, ErrorKind> {
    let db = &services.db;
    // An unparseable email is simply a wrong credential: no hint.
    let email = email.trim().to_lowercase();
    let now = services.now();
    // Reserved before the check, so concurrent attempts cannot outrun the
    // limits; a failure keeps the reservation as the failure.
    let attempt = throttle::reserve(db, &email, address, now).await?;
    let account = db.account_by_email(&email).await.map_err(internal)?;
    let ok = password::verify_off_workers(
        account.as_ref().map(|a| a.password_hash.clone()),
        password_given,
    )
    .await;
    let resource = format!("account/{email}");
    match account {
        Some(account) if ok && !account.disabled => {
            throttle::succeeded(db, attempt, &account.id, now).await?;
            // With two-factor sign-in the password is only the first step
            // (and Basic is refused after it, audited there).
            let two_factor = crate::two_factor::enabled(services, &account.id).await?;
            let recorded = match (two_factor, detail == BASIC_DETAIL) {
                (true, true) => None,
                (true, false) => Some("password right; the two-factor code next"),
                (false, true) => (!recently_recorded(services, &email, address, now).await?)
                    .then_some(BASIC_DETAIL),
                (false, false) => Some(detail),
            };
            if let Some(detail) = recorded {
                audit::record(
                    services,
                    &email,
                    address,
                    "sign_in",
                    &resource,
                    audit::outcome::SUCCESS,
                    detail,
                )
                .await?;
            }
            Ok(account)
        }
        other => {
            let detail = match other {
                Some(a) if a.disabled && ok => "account disabled",
                _ => "wrong email or password",
            };
            audit::record(
                services,
                &email,
                address,
                "sign_in",
                &resource,
                audit::outcome::FAILURE,
                detail,
            )
            .await?;
            Err(ErrorKind::InvalidCredentials)
        }
    }
}
