//! Two-factor sign-in with an authenticator (TOTP, RFC 6238) and recovery
//! codes: an account enrols (a new secret, not in force until confirmed
//! with a code), gets ten recovery codes once (stored as SHA-256), and may
//! remove it with a code. A code (of the authenticator, or a recovery
//! code) is accepted once: the store's compare-and-set on the last time
//! step used, or on the recovery code's `used_at`.
//!
//! `sign_in` holds the two-step sign-in of the pages and the code taken by
//! `/auth` and the OAuth password grant; `admin` the master's requirement
//! and reset.

pub mod admin;
mod qr;
pub mod sign_in;
pub mod totp;

use domain::{
    two_factor::{is_totp_code, normalise_recovery_code, Enrolment, TwoFactorStatus},
    ErrorKind,
};

use crate::{audit, authz, internal, tokens, Actor, Services};

/// What the vault binds an account's secret to.
fn seal_context(account_id: &str) -> String {
    format!("two_factor/{account_id}")
}

/// Whether the account's enrolment is confirmed (sign-in asks for a code).
pub async fn enabled(services: &Services, account_id: &str) -> Result<bool, ErrorKind> {
    Ok(services
        .db
        .two_factor(account_id)
        .await
        .map_err(internal)?
        .is_some_and(|e| e.confirmed_at.is_some()))
}

/// The caller's two-factor sign-in: on or off, recovery codes left, and a
/// pending enrolment's secret (theirs alone: it shows again until
/// confirmed, so a page posted without JavaScript can show it).
pub async fn status(services: &Services, actor: &Actor) -> Result<TwoFactorStatus, ErrorKind> {
    authz::require_unscoped(actor, "view:two_factor")?;
    let enrolment = services
        .db
        .two_factor(&actor.account_id)
        .await
        .map_err(internal)?;
    let required = admin::required(services).await?;
    let Some(enrolment) = enrolment else {
        return Ok(TwoFactorStatus {
            required,
            ..TwoFactorStatus::default()
        });
    };
    if enrolment.confirmed_at.is_some() {
        let left = services
            .db
            .recovery_codes_left(&actor.account_id)
            .await
            .map_err(internal)?;
        return Ok(TwoFactorStatus {
            enabled: true,
            recovery_codes_left: left,
            required,
            pending: None,
        });
    }
    let secret = open_secret(services, &actor.account_id, &enrolment.secret)?;
    Ok(TwoFactorStatus {
        required,
        pending: Some(describe(&actor.email, &secret)?),
        ..TwoFactorStatus::default()
    })
}

/// Begins enrolment: a new secret, in force once [`confirm`]ed. A second
/// call replaces a pending secret; an account already enrolled is a 409.
pub async fn begin(services: &Services, actor: &Actor) -> Result<Enrolment, ErrorKind> {
    authz::require_unscoped(actor, "edit:two_factor")?;
    let mut secret = [0_u8; totp::SECRET_BYTES];
    getrandom::fill(&mut secret).map_err(internal)?;
    let sealed = services
        .vault
        .seal(&seal_context(&actor.account_id), &secret)?;
    let begun = services
        .db
        .begin_two_factor(&actor.account_id, &sealed, services.now())
        .await
        .map_err(internal)?;
    if !begun {
        return Err(ErrorKind::Conflict {
            message: "two-factor sign-in is on already; remove it first to enrol again".into(),
        });
    }
    describe(&actor.email, &secret)
}

/// Confirms the pending enrolment with a code of the authenticator: from
/// now on sign-in asks for a code. Returns the ten recovery codes, the
/// only time they are seen.
pub async fn confirm(
    services: &Services,
    actor: &Actor,
    code: &str,
) -> Result<Vec<String>, ErrorKind> {
    authz::require_unscoped(actor, "edit:two_factor")?;
    let enrolment = services
        .db
        .two_factor(&actor.account_id)
        .await
        .map_err(internal)?;
    let Some(enrolment) = enrolment.filter(|e| e.confirmed_at.is_none()) else {
        return Err(ErrorKind::Conflict {
            message: "there is no enrolment to confirm: begin one first".into(),
        });
    };
    let secret = open_secret(services, &actor.account_id, &enrolment.secret)?;
    let now = services.now();
    let step = totp::matching_step(&secret, code, now)
        .ok_or_else(|| ErrorKind::invalid("code", "is not the authenticator's current code"))?;
    let codes = (0..domain::two_factor::RECOVERY_CODES)
        .map(|_| new_recovery_code())
        .collect::<Result<Vec<_>, _>>()?;
    let hashes: Vec<String> = codes
        .iter()
        .map(|c| tokens::hash(&normalise_recovery_code(c)))
        .collect();
    let confirmed = services
        .db
        .confirm_two_factor(&actor.account_id, &enrolment.secret, step, &hashes, now)
        .await
        .map_err(internal)?;
    if !confirmed {
        return Err(ErrorKind::Conflict {
            message: "this enrolment was confirmed or replaced meanwhile".into(),
        });
    }
    audit::success(
        services,
        actor,
        "enable:two_factor",
        &format!("account/{}", actor.email),
        "",
    )
    .await?;
    Ok(codes)
}

/// Removes the caller's two-factor sign-in, proven with a code of the
/// authenticator or a recovery code (throttled like sign-in).
pub async fn remove(services: &Services, actor: &Actor, code: &str) -> Result<(), ErrorKind> {
    authz::require_unscoped(actor, "edit:two_factor")?;
    if !enabled(services, &actor.account_id).await? {
        return Err(ErrorKind::Conflict {
            message: "two-factor sign-in is off already".into(),
        });
    }
    let account = services
        .db
        .account_by_id(&actor.account_id)
        .await
        .map_err(internal)?
        .ok_or(ErrorKind::Unauthenticated)?;
    let kind = sign_in::verify(
        services,
        &account,
        code,
        &actor.address,
        "disable:two_factor",
    )
    .await?;
    services
        .db
        .remove_two_factor(&actor.account_id)
        .await
        .map_err(internal)?;
    audit::success(
        services,
        actor,
        "disable:two_factor",
        &format!("account/{}", actor.email),
        kind.detail(),
    )
    .await
}

/// Which kind of code was accepted, for the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Accepted {
    /// The authenticator's code of the moment.
    Totp,
    /// One of the recovery codes, now used.
    RecoveryCode,
}

impl Accepted {
    /// How the audit log says it.
    pub fn detail(self) -> &'static str {
        match self {
            Self::Totp => "two-factor code",
            Self::RecoveryCode => "recovery code",
        }
    }
}

/// Checks `code` against the account's confirmed enrolment and uses it:
/// `None` when it is wrong or was used (each code is accepted once).
async fn use_code(
    services: &Services,
    account_id: &str,
    code: &str,
) -> Result<Option<Accepted>, ErrorKind> {
    let Some(enrolment) = services
        .db
        .two_factor(account_id)
        .await
        .map_err(internal)?
        .filter(|e| e.confirmed_at.is_some())
    else {
        return Ok(None);
    };
    let now = services.now();
    if is_totp_code(code) {
        let secret = open_secret(services, account_id, &enrolment.secret)?;
        let Some(step) = totp::matching_step(&secret, code, now) else {
            return Ok(None);
        };
        let accepted = services
            .db
            .accept_two_factor_step(account_id, step)
            .await
            .map_err(internal)?;
        return Ok(accepted.then_some(Accepted::Totp));
    }
    let normalised = normalise_recovery_code(code);
    if normalised.is_empty() {
        return Ok(None);
    }
    let used = services
        .db
        .use_recovery_code(account_id, &tokens::hash(&normalised), now)
        .await
        .map_err(internal)?;
    Ok(used.then_some(Accepted::RecoveryCode))
}

fn open_secret(services: &Services, account_id: &str, sealed: &str) -> Result<Vec<u8>, ErrorKind> {
    services.vault.open(&seal_context(account_id), sealed)
}

/// The secret as an authenticator takes it: text, URI, QR code.
fn describe(email: &str, secret: &[u8]) -> Result<Enrolment, ErrorKind> {
    let secret = totp::base32_encode(secret);
    let uri = format!(
        "otpauth://totp/Overcast:{}?secret={secret}&issuer=Overcast",
        percent_encode(email)
    );
    let qr_image = qr::svg_data_uri(&uri)?;
    Ok(Enrolment {
        secret,
        uri,
        qr_image,
    })
}

/// A recovery code: 80 random bits as four groups of four base32
/// characters, `abcd-efgh-ijkl-mnop`.
fn new_recovery_code() -> Result<String, ErrorKind> {
    let mut bytes = [0_u8; 10];
    getrandom::fill(&mut bytes).map_err(internal)?;
    let text = totp::base32_encode(&bytes).to_ascii_lowercase();
    let groups: Vec<&str> = (0..4).map(|i| &text[i * 4..i * 4 + 4]).collect();
    Ok(groups.join("-"))
}

/// Percent-encodes all but unreserved characters (and `@`, which an
/// otpauth label keeps).
fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' | b'@' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recovery_codes_are_four_groups_of_four_and_differ() {
        let a = new_recovery_code().unwrap();
        let b = new_recovery_code().unwrap();
        assert_eq!(a.len(), 19);
        assert_eq!(a.split('-').count(), 4);
        assert_ne!(a, b);
        assert!(!is_totp_code(&a));
    }

    #[test]
    fn the_uri_names_overcast_and_the_email() {
        let e = describe("a+b@example.com", b"12345678901234567890").unwrap();
        assert_eq!(e.secret, "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
        assert_eq!(
            e.uri,
            "otpauth://totp/Overcast:a%2Bb@example.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ&issuer=Overcast"
        );
        assert!(e.qr_image.starts_with("data:image/svg+xml;base64,"));
    }
}
