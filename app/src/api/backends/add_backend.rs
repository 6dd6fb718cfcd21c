// One argument per field of the mist.io body (the form posts them all);
// the macro also writes the browser's copy of the function, so the lint is
// allowed for the file.
#![allow(clippy::too_many_arguments)]

use domain::inventory::BackendSummary;
use leptos::prelude::*;

use crate::{csrf_client::CsrfClient, error::AppError};

/// Adds a backend once its credentials work: for `bare_metal`, by logging
/// in to `machine_ip` with the key named `machine_key` as `machine_user`
/// (root) on `machine_port` (22), rebooted by `machine_reboot_command`
/// (`reboot`); the cloud providers take `apikey`,
/// `apisecret`, `apiurl`, `tenant_name` and `region`. Empty fields count as
/// absent, so a form may post them all. For bare metal, a key may be
/// imported on the way (`key_name` and `private_key`; removed again if the
/// host refuses). A plain form's "Show its fields" button (`then`) adds
/// nothing: it comes back to the page for that provider, the title kept.
#[server(endpoint = "backends/add", client = CsrfClient)]
pub async fn add_backend(
    #[server(default)] title: String,
    #[server(default)] provider: String,
    apikey: Option<String>,
    apisecret: Option<String>,
    apiurl: Option<String>,
    tenant_name: Option<String>,
    region: Option<String>,
    machine_ip: Option<String>,
    machine_key: Option<String>,
    machine_user: Option<String>,
    machine_port: Option<String>,
    machine_reboot_command: Option<String>,
    poll_interval: Option<String>,
    key_name: Option<String>,
    private_key: Option<String>,
    then: Option<String>,
) -> Result<BackendSummary, AppError> {
    use crate::{paths::encode_segment, ssr};
    if then.as_deref().is_some_and(|t| !t.trim().is_empty()) {
        let actor = ssr::require_actor()?;
        if !service::backends::may::may_add(&actor) {
            return Err(AppError(domain::ErrorKind::Forbidden {
                action: Some("create:backend".into()),
            }));
        }
        leptos_axum::redirect(&format!(
            "/backends?provider={}&title={}#add-backend",
            encode_segment(provider.trim()),
            encode_segment(title.trim())
        ));
        return Err(AppError(domain::ErrorKind::Conflict {
            message: "choose the provider's fields, then add the backend".into(),
        }));
    }
    let given = |v: Option<String>| v.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty());
    let new = service::backends::NewBackend {
        title,
        provider,
        apikey: given(apikey),
        apisecret: given(apisecret),
        apiurl: given(apiurl),
        tenant_name: given(tenant_name),
        region: given(region),
        machine_ip: given(machine_ip),
        machine_key: given(machine_key),
        machine_user: given(machine_user),
        machine_port: given(machine_port),
        machine_reboot_command: given(machine_reboot_command),
        poll_interval: given(poll_interval),
    };
    let key = service::backends::InlineKey {
        name: key_name.unwrap_or_default().trim().to_owned(),
        private_key: private_key.unwrap_or_default(),
    };
    let actor = ssr::require_actor()?;
    let added =
        service::backends::add_with_key(&ssr::services()?, &actor, &new, Some(&key)).await?;
    // A plain form comes back to a fresh form, not to the one it was
    // shown (whose address may name the provider and the title).
    if ssr::plain_form_post() {
        leptos_axum::redirect("/backends");
    }
    Ok(added)
}
