//! Acting on machines through their backend's driver: reboot, start, stop,
//! destroy; creating machines; the sizes, images and locations to create
//! them with. Each is authorised on the machine or backend it touches.

use std::sync::Arc;

use cloud::{Action, CloudDriver};
use domain::{events::EventKind, inventory::MachineSummary, resource, ErrorKind};
use store::backends::StoredBackend;

use crate::{audit, authz, drivers, internal, machines, Actor, Services};

mod catalogue;
mod many;

pub use catalogue::{catalogue, images, locations, sizes, star_image};
pub use many::{create_many, names, parse_count, MAX_COUNT};

/// Parses the mist.io action word.
fn parse_action(word: &str) -> Result<Action, ErrorKind> {
    match word.trim().to_ascii_lowercase().as_str() {
        "reboot" => Ok(Action::Reboot),
        "start" => Ok(Action::Start),
        "stop" => Ok(Action::Stop),
        "destroy" => Ok(Action::Destroy),
        other => Err(ErrorKind::invalid(
            "action",
            format!("{other:?} is not an action: use reboot, start, stop or destroy"),
        )),
    }
}

pub(crate) fn title(backend: &StoredBackend) -> String {
    format!("{} ({})", backend.title, backend.provider)
}

async fn driver_of(
    services: &Services,
    backend_id: &str,
) -> Result<(StoredBackend, Arc<dyn CloudDriver>), ErrorKind> {
    let backend = crate::backends::stored(services, backend_id).await?;
    driver_for(services, backend).await
}

/// The driver of a backend already loaded, if it is enabled and has one.
async fn driver_for(
    services: &Services,
    backend: StoredBackend,
) -> Result<(StoredBackend, Arc<dyn CloudDriver>), ErrorKind> {
    if !backend.enabled {
        return Err(ErrorKind::Conflict {
            message: format!("backend {:?} is disabled; enable it first", backend.title),
        });
    }
    let driver = drivers::for_backend(services, &backend)
        .await?
        .ok_or_else(|| ErrorKind::Conflict {
            message: format!(
                "machines of a {} backend cannot be acted on through a provider",
                backend.provider
            ),
        })?;
    Ok((backend, driver))
}

/// Runs the action named by `word` (mist.io's: `reboot`, `start`, `stop`,
/// `destroy`, in any case) on a machine. A word that names no action is
/// refused, as bad input, only to a caller who may reboot the machine: a
/// refused caller learns nothing from validation.
pub async fn act(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
    word: &str,
) -> Result<(), ErrorKind> {
    let target = resource::machine(backend_id, machine_id);
    let action = match parse_action(word) {
        Ok(action) => action,
        Err(e) => {
            authz::authorize(actor, "reboot:machine", &target)?;
            return Err(e);
        }
    };
    let verb = format!("{}:machine", action.as_str());
    authz::authorize(actor, &verb, &target)?;
    let (_, backend) = machines::find(services, actor, backend_id, machine_id).await?;
    let (backend, driver) = driver_for(services, backend).await?;
    driver
        .machine_action(machine_id, action)
        .await
        .map_err(|e| drivers::error(e, &title(&backend)))?;
    let state = match action {
        Action::Reboot => "rebooting",
        Action::Start => "starting",
        Action::Stop => "stopping",
        Action::Destroy => "terminated",
    };
    services
        .db
        .set_machine_state(backend_id, machine_id, state)
        .await
        .map_err(internal)?;
    crate::events::changes::machine(services, EventKind::MachineChanged, backend_id, machine_id)
        .await;
    services.db.poll_soon(backend_id).await.map_err(internal)?;
    audit::success(services, actor, &verb, &target, "").await
}

/// What creating a machine takes (mist.io v1 body).
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, serde::Deserialize)]
#[serde(default)]
pub struct NewMachine {
    /// Name.
    pub name: String,
    /// Size id.
    pub size: String,
    /// Image id.
    pub image: String,
    /// Location id.
    pub location: String,
    /// Key name (the default key when empty).
    pub key: Option<String>,
    /// A script to run over SSH once the machine answers (needs
    /// `shell:machine`); its output is kept (see [`crate::scripts`]).
    pub script: Option<String>,
}

/// A machine just created, and its post-deploy script's run if it has one.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, serde::Serialize)]
pub struct CreatedMachine {
    /// The machine as the provider first reported it.
    #[serde(flatten)]
    pub machine: MachineSummary,
    /// The post-deploy script's run (`waiting` until the machine answers).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub script_run: Option<domain::shell::ScriptRunSummary>,
}

/// Creates a machine; it shows in the list at once as the provider first
/// reports it. A script, when given, runs over SSH once the machine answers.
pub async fn create(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    new: &NewMachine,
) -> Result<CreatedMachine, ErrorKind> {
    let machines_of_backend = format!("{}/machine/*", resource::backend(backend_id));
    authz::authorize(actor, "create:machine", &machines_of_backend)?;
    let script = new.script.as_deref().filter(|s| !s.trim().is_empty());
    if let Some(script) = script {
        // Refused before anything is created: the script runs as a shell.
        authz::authorize(actor, "shell:machine", &machines_of_backend)?;
        crate::scripts::validate(script)?;
    }
    for (field, value) in [
        ("name", &new.name),
        ("size", &new.size),
        ("image", &new.image),
        ("location", &new.location),
    ] {
        if value.trim().is_empty() {
            return Err(ErrorKind::invalid(field, "is required"));
        }
    }
    let (backend, driver) = driver_of(services, backend_id).await?;
    let key = match new.key.as_deref().filter(|k| !k.trim().is_empty()) {
        Some(name) => Some(
            services
                .db
                .key_by_name(name)
                .await
                .map_err(internal)?
                .ok_or_else(|| ErrorKind::invalid("key", format!("no key is named {name:?}")))?,
        ),
        None => services.db.default_key().await.map_err(internal)?,
    };
    let spec = crate::provision::MachineSpec {
        name: new.name.trim().to_owned(),
        size: new.size.trim().to_owned(),
        image: new.image.trim().to_owned(),
        location: new.location.trim().to_owned(),
        key,
    };
    let (stored, _) =
        crate::provision::provision(services, &backend, &driver, &spec, &actor.audit_name())
            .await?;
    let machine = &stored;
    audit::success(
        services,
        actor,
        "create:machine",
        &resource::machine(backend_id, &machine.id),
        &spec.audit_detail(),
    )
    .await?;
    let script_run = match script {
        Some(script) => {
            Some(crate::scripts::start(services, actor, backend_id, &machine.id, script).await?)
        }
        None => None,
    };
    Ok(CreatedMachine {
        machine: machines::shown(actor, &stored, &backend),
        script_run,
    })
}

/// Makes `tags` the machine's whole tag set (`key` or `key=value` each),
/// from what a door was given: a list of strings, or their text separated
/// by commas (a form field's); absent (`null`), none.
pub async fn set_tags(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
    tags: &serde_json::Value,
) -> Result<Vec<String>, ErrorKind> {
    let target = resource::machine(backend_id, machine_id);
    authz::authorize(actor, "tag:machine", &target)?;
    let not_a_list = || ErrorKind::invalid("tags", "must be a list of strings");
    let tags: Vec<String> = match tags {
        serde_json::Value::Array(items) => items
            .iter()
            .map(|v| v.as_str().map(str::to_owned).ok_or_else(not_a_list))
            .collect::<Result<_, _>>()?,
        serde_json::Value::String(text) => text.split(',').map(str::to_owned).collect(),
        serde_json::Value::Null => Vec::new(),
        _ => return Err(not_a_list()),
    };
    replace_tags(services, actor, backend_id, machine_id, &tags).await
}

/// Makes `tags` the machine's whole tag set (`key` or `key=value` each).
pub(crate) async fn replace_tags(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    machine_id: &str,
    tags: &[String],
) -> Result<Vec<String>, ErrorKind> {
    let target = resource::machine(backend_id, machine_id);
    authz::authorize(actor, "tag:machine", &target)?;
    let mut clean: Vec<String> = Vec::new();
    for tag in tags.iter().map(|t| t.trim()).filter(|t| !t.is_empty()) {
        if tag.len() > 128 || tag.chars().any(char::is_control) {
            return Err(ErrorKind::invalid(
                "tags",
                format!("{tag:?}: a tag is at most 128 printable characters"),
            ));
        }
        if !clean.iter().any(|t| t == tag) {
            clean.push(tag.to_owned());
        }
    }
    let (stored, backend) = machines::find(services, actor, backend_id, machine_id).await?;
    let (backend, driver) = driver_for(services, backend).await?;
    driver
        .set_tags(machine_id, &clean)
        .await
        .map_err(|e| drivers::error(e, &title(&backend)))?;
    let mut extra: serde_json::Value = serde_json::from_str(&stored.extra).unwrap_or_default();
    extra["tags"] = serde_json::json!(clean);
    services
        .db
        .upsert_machine(&store::backends::StoredMachine {
            extra: extra.to_string(),
            ..stored
        })
        .await
        .map_err(internal)?;
    crate::events::changes::machine(services, EventKind::MachineChanged, backend_id, machine_id)
        .await;
    audit::success(
        services,
        actor,
        "tag:machine",
        &target,
        &format!("tags: {}", clean.join(", ")),
    )
    .await?;
    Ok(clean)
}
