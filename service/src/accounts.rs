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
    let db = &services.db;
    // An unparseable email is simply a wrong credential: no hint.
    let email = email.trim().to_lowercase();
    let now = store::now_ms();
    throttle::check(db, &email, address, now).await?;
    let account = db.account_by_email(&email).await.map_err(internal)?;
    let ok = password::verify(account.as_ref().map(|a| &a.password_hash), password_given);
    let resource = format!("account/{email}");
    match account {
        Some(account) if ok && !account.disabled => {
            throttle::record_success(db, &email).await?;
            audit::record(
                services,
                &email,
                address,
                "sign_in",
                &resource,
                audit::outcome::SUCCESS,
                "",
            )
            .await?;
            Ok(account)
        }
        other => {
            let detail = match other {
                Some(a) if a.disabled && ok => "account disabled",
                _ => "wrong email or password",
            };
            let entry = store::audit::AuditEntry {
                at: now,
                actor: email.clone(),
                address: address.to_owned(),
                action: "sign_in".into(),
                resource,
                outcome: audit::outcome::FAILURE.into(),
                detail: detail.into(),
            };
            throttle::record_failure(db, &email, address, now, &entry).await?;
            Err(ErrorKind::InvalidCredentials)
        }
    }
}
