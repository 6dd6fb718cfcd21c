//! A backend's own settings, kept in its non-secret `config` object:
//! `default_image`, the image a stack template's `"image": "${computed}"`
//! takes on this backend.

use domain::{resource, ErrorKind};
use store::backends::StoredBackend;

use crate::{audit, authz, Actor, Services};

/// The setting's key (and the REST field's name).
pub const DEFAULT_IMAGE: &str = "default_image";

/// The backend's default image, if one is set.
pub fn default_image(b: &StoredBackend) -> Option<String> {
    let config: serde_json::Value = serde_json::from_str(&b.config).unwrap_or_default();
    config[DEFAULT_IMAGE]
        .as_str()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
}

/// Sets the backend's default image (an image id as the provider names
/// it); empty removes it.
pub async fn set_default_image(
    services: &Services,
    actor: &Actor,
    id: &str,
    image: &str,
) -> Result<(), ErrorKind> {
    authz::authorize(actor, "edit:backend", &resource::backend(id))?;
    let image = image.trim();
    if image.len() > 255 || image.chars().any(char::is_control) {
        return Err(ErrorKind::invalid(
            DEFAULT_IMAGE,
            "must be an image id of at most 255 characters, without control characters",
        ));
    }
    let value = (!image.is_empty()).then_some(image);
    if !services
        .db
        .set_backend_setting(id, DEFAULT_IMAGE, value)
        .await
        .map_err(crate::stored)?
    {
        return Err(ErrorKind::NotFound {
            what: format!("backend {id:?}"),
        });
    }
    crate::events::changes::backend(services, id).await;
    let detail = match value {
        Some(image) => format!("default image set to {image:?}"),
        None => "default image removed".to_owned(),
    };
    audit::success(
        services,
        actor,
        "edit:backend",
        &resource::backend(id),
        &detail,
    )
    .await
}
