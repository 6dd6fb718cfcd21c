//! `"${computed}"` fields (an image or zone left out counts too), filled in
//! at plan time and recorded with the version (`computed`, per flag), so
//! describe shows what was chosen and every machine of the version uses
//! the same: `image` = the backend's default image (its `default_image`
//! setting; without one the plan fails naming the backend and the
//! setting), `availability_zone` = the backend's first location,
//! `volume_type`/`volume_size` = the provider's default. A layer kept from
//! the previous version keeps the values chosen then.

use std::sync::Arc;

use cloud::CloudDriver;
use domain::{stacks::Template, ErrorKind};
use serde_json::{json, Map, Value};
use store::backends::StoredBackend;

use crate::{backends::settings, drivers, Services};

/// What `volume_type`/`volume_size` left to Overcast are recorded as.
pub const PROVIDER_DEFAULT: &str = "provider default";

/// The values chosen for `template`'s computed fields on `backend`:
/// `{"<flag>": {"image": ..., "availability_zone": ..., ...}}`.
pub async fn resolve(
    services: &Services,
    backend: &StoredBackend,
    template: &Template,
    previous: Option<&Value>,
) -> Result<Value, ErrorKind> {
    let title = crate::machine_actions::title(backend);
    let mut driver: Option<Arc<dyn CloudDriver>> = None;
    let mut first_location: Option<String> = None;
    let mut out = Map::new();
    for (i, layer) in template.configurations.iter().enumerate() {
        let before = previous.map(|p| &p[&layer.flag]);
        let kept = |field: &str| {
            before
                .and_then(|b| b[field].as_str())
                .map(|v| Value::String(v.to_owned()))
        };
        let p = &layer.provision;
        let mut chosen = Map::new();
        if p.image.as_ref().and_then(|i| i.known()).is_none() {
            let image = match kept("image") {
                Some(v) => v,
                None => Value::String(settings::default_image(backend).ok_or_else(|| {
                    ErrorKind::invalid(
                        &format!("/configurations/{i}/provision/image"),
                        format!(
                            "is ${{computed}}, and backend {title} has no default image: set its \
                             `{}` setting (on the backend's page, or PUT /backends/{} \
                             {{\"{0}\": \"<image id>\"}}), or name an image",
                            settings::DEFAULT_IMAGE,
                            backend.id
                        ),
                    )
                })?),
            };
            chosen.insert("image".into(), image);
        }
        if p.availability_zone
            .as_ref()
            .and_then(|z| z.known())
            .is_none()
        {
            let zone = match kept("availability_zone") {
                Some(v) => v,
                None => {
                    if first_location.is_none() {
                        if driver.is_none() {
                            driver = Some(super::steps::driver(services, &backend.id).await?.1);
                        }
                        let locations = match &driver {
                            Some(d) => d
                                .list_locations()
                                .await
                                .map_err(|e| drivers::error(e, &title))?,
                            None => Vec::new(),
                        };
                        first_location =
                            Some(locations.first().map(|l| l.id.clone()).unwrap_or_default());
                    }
                    Value::String(first_location.clone().unwrap_or_default())
                }
            };
            chosen.insert("availability_zone".into(), zone);
        }
        if p.volume_type.as_ref().is_some_and(|v| v.is_computed()) {
            chosen.insert("volume_type".into(), json!(PROVIDER_DEFAULT));
        }
        if p.volume_size.as_ref().is_some_and(|v| v.is_computed()) {
            chosen.insert("volume_size".into(), json!(PROVIDER_DEFAULT));
        }
        out.insert(layer.flag.clone(), Value::Object(chosen));
    }
    Ok(Value::Object(out))
}
