//! Enabling and disabling a backend, with the state asked as either
//! mist.io door sends it.

use domain::{resource, ErrorKind};
use serde::Deserialize;

use super::not_found;
use crate::{audit, authz, internal, Actor, Services};

/// The state asked of a backend, as sent (the body of `POST
/// /backends/{id}`): mist.io's server read `newState`, its Python client
/// sends `new_state`; either holds `"True"`/`"False"`, `"1"`/`"0"` or a
/// JSON boolean. [`set_enabled`] reads it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewState {
    /// The mist.io client's name.
    pub new_state: Option<serde_json::Value>,
    /// The mist.io server's name.
    #[serde(rename = "newState")]
    pub new_state_camel: Option<serde_json::Value>,
}

impl NewState {
    /// The state as a form field carries it (`"true"`, `"0"`, ...).
    pub fn text(value: &str) -> Self {
        Self {
            new_state: Some(serde_json::Value::String(value.to_owned())),
            new_state_camel: None,
        }
    }

    /// Enabled (`true`) or disabled, or why the value says neither.
    pub fn enabled(&self) -> Result<bool, ErrorKind> {
        use serde_json::Value;
        let refused = || {
            ErrorKind::invalid(
                "new_state",
                "must be \"True\" or \"False\" (or \"1\"/\"0\", true/false)",
            )
        };
        match self.new_state.as_ref().or(self.new_state_camel.as_ref()) {
            Some(Value::Bool(b)) => Ok(*b),
            Some(Value::Number(n)) => match n.as_u64() {
                Some(1) => Ok(true),
                Some(0) => Ok(false),
                _ => Err(refused()),
            },
            Some(Value::String(s)) => match s.trim() {
                t if t.eq_ignore_ascii_case("true") || t == "1" => Ok(true),
                t if t.eq_ignore_ascii_case("false") || t == "0" => Ok(false),
                _ => Err(refused()),
            },
            _ => Err(refused()),
        }
    }
}

/// Enables or disables a backend, as `new_state` asks.
pub async fn set_enabled(
    services: &Services,
    actor: &Actor,
    id: &str,
    new_state: &NewState,
) -> Result<(), ErrorKind> {
    authz::authorize(actor, "edit:backend", &resource::backend(id))?;
    let enabled = new_state.enabled()?;
    if !services
        .db
        .set_backend_enabled(id, enabled)
        .await
        .map_err(internal)?
    {
        return Err(not_found(id));
    }
    crate::events::changes::backend(services, id).await;
    audit::success(
        services,
        actor,
        "edit:backend",
        &resource::backend(id),
        if enabled { "enabled" } else { "disabled" },
    )
    .await
}
