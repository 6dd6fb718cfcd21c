//! The master's part: requiring two-factor sign-in of every account, and
//! resetting a user's enrolment (a lost authenticator). Both audited.

use domain::ErrorKind;
use store::two_factor::TWO_FACTOR_REQUIRED;

use crate::{audit, authz, internal, Actor, Services};

/// Whether the master requires two-factor sign-in of every account.
pub async fn required(services: &Services) -> Result<bool, ErrorKind> {
    Ok(services
        .db
        .setting(TWO_FACTOR_REQUIRED)
        .await
        .map_err(internal)?
        .is_some_and(|v| v == "true"))
}

/// Requires (or stops requiring) two-factor sign-in of every account:
/// accounts without it are sent to enrol at their next sign-in.
pub async fn set_required(
    services: &Services,
    actor: &Actor,
    required: Option<bool>,
) -> Result<(), ErrorKind> {
    authz::require_master(actor, "edit:settings")?;
    let required =
        required.ok_or_else(|| ErrorKind::invalid("required", "is required (true or false)"))?;
    services
        .db
        .set_setting(TWO_FACTOR_REQUIRED, &required.to_string(), services.now())
        .await
        .map_err(internal)?;
    let detail = if required { "required" } else { "not required" };
    audit::success(
        services,
        actor,
        "edit:settings",
        "settings/two_factor_required",
        detail,
    )
    .await
}

/// Removes a user's enrolment and recovery codes, so they sign in with
/// their password alone (and enrol again, if required).
pub async fn reset(services: &Services, actor: &Actor, username: &str) -> Result<(), ErrorKind> {
    authz::require_master(actor, "edit:user")?;
    let not_found = || ErrorKind::NotFound {
        what: "user".into(),
    };
    if username.trim().is_empty() {
        return Err(not_found());
    }
    let account = services
        .db
        .account_by_username(username.trim())
        .await
        .map_err(internal)?
        .ok_or_else(not_found)?;
    let removed = services
        .db
        .remove_two_factor(&account.id)
        .await
        .map_err(internal)?;
    let detail = if removed { "" } else { "had none" };
    audit::success(
        services,
        actor,
        "reset:two_factor",
        &format!("user/{}", account.username),
        detail,
    )
    .await
}

/// The ids of the accounts with two-factor sign-in (master only).
pub async fn enrolled_accounts(
    services: &Services,
    actor: &Actor,
) -> Result<Vec<String>, ErrorKind> {
    authz::require_master(actor, "view:user")?;
    services.db.two_factor_accounts().await.map_err(internal)
}
