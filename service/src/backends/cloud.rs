//! A backend reached through a cloud driver.

use domain::{
    providers::{Provider, ProviderKind},
    ErrorKind,
};
use store::backends::{StoredBackend, StoredMachine};

use super::{short_id, NewBackend};
use crate::{drivers, internal, Services};

/// A backend with a cloud driver: the credentials are proved with the
/// provider before anything is stored, then sealed.
pub(super) async fn cloud_backend(
    services: &Services,
    title: &str,
    entry: &Provider,
    new: &NewBackend,
) -> Result<StoredBackend, ErrorKind> {
    // A token given as `apikey` alone (as some mist.io clients send a
    // DigitalOcean token) is a secret too.
    let (apikey, apisecret) = match (&new.apikey, &new.apisecret) {
        (key, Some(secret)) => (key.clone(), Some(secret.clone())),
        (Some(token), None)
            if matches!(
                entry.kind,
                ProviderKind::DigitalOcean | ProviderKind::Linode
            ) =>
        {
            (None, Some(token.clone()))
        }
        (key, None) if !entry.kind.needs_secret() => (key.clone(), None),
        (_, None) => {
            return Err(ErrorKind::invalid(
                "apisecret",
                format!(
                    "give the {} secret (API token, secret key or password)",
                    entry.title
                ),
            ))
        }
    };
    if let Some(url) = &new.apiurl {
        let scheme_ok = if entry.kind == ProviderKind::Libvirt {
            url.contains("://")
        } else {
            url.starts_with("https://") || url.starts_with("http://")
        };
        if !scheme_ok {
            return Err(ErrorKind::invalid(
                "apiurl",
                "must be an http:// or https:// URL (a libvirt URI for libvirt)",
            ));
        }
    }
    let access = drivers::Access {
        provider: entry.provider,
        apikey: apikey.as_deref(),
        tenant: new.tenant_name.as_deref(),
        region: new.region.as_deref(),
        apiurl: new.apiurl.as_deref(),
        apisecret: apisecret.as_deref(),
        timeout: services.settings.provider_timeout,
    };
    let driver = drivers::build(&access)
        .await?
        .ok_or_else(|| internal(format!("no driver for {}", entry.provider)))?;
    driver
        .check_credentials()
        .await
        .map_err(|e| drivers::error(e, entry.title))?;
    let id = short_id();
    let sealed = match apisecret {
        Some(apisecret) => Some(
            services.vault.seal_str(
                &drivers::sealing_context(&id),
                &serde_json::to_string(&drivers::Secrets {
                    apisecret: Some(apisecret),
                })
                .map_err(internal)?,
            )?,
        ),
        None => None,
    };
    Ok(StoredBackend {
        region: new.region.clone(),
        apikey,
        apiurl: new.apiurl.clone(),
        config: serde_json::json!({ "tenant_name": new.tenant_name }).to_string(),
        secret_sealed: sealed,
        ..super::proved(services, id, title, entry.provider, new)?
    })
}

/// The machines a cloud backend has now.
pub async fn cloud_machines(
    services: &Services,
    backend: &StoredBackend,
) -> Result<Vec<StoredMachine>, ErrorKind> {
    let driver = drivers::for_backend(services, backend)
        .await?
        .ok_or_else(|| internal(format!("no driver for {}", backend.provider)))?;
    let title = Provider::parse(&backend.provider).map_or(backend.provider.as_str(), |p| p.title);
    let now = services.now();
    Ok(driver
        .list_machines()
        .await
        .map_err(|e| drivers::error(e, title))?
        .iter()
        .map(|m| drivers::to_stored(&backend.id, m, now))
        .collect())
}
