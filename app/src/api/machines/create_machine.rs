// One argument per field of the create form (it posts them all); the macro
// also writes the browser's copy of the function, so the lint is allowed
// for the file.
#![allow(clippy::too_many_arguments)]

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{csrf_client::CsrfClient, error::AppError, paths::encode_segment};

/// The create form's fields an address may carry across a search, a
/// review or a failed plain post: never a secret, and not the script
/// (which may hold one).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptFields {
    /// Name (of the first machine).
    pub name: String,
    /// Size id.
    pub size: String,
    /// Image id.
    pub image: String,
    /// Location id.
    pub location: String,
    /// Key name.
    pub key: String,
    /// How many machines.
    pub count: String,
    /// The image search.
    pub search: String,
}

impl KeptFields {
    /// The fields, by name, as the create page's address carries them.
    pub fn pairs(&self) -> [(&'static str, &str); 7] {
        [
            ("name", &self.name),
            ("size", &self.size),
            ("image", &self.image),
            ("location", &self.location),
            ("key", &self.key),
            ("count", &self.count),
            ("search", &self.search),
        ]
    }

    /// The create page of `backend` with these fields in its address.
    pub fn href(&self, backend: &str) -> String {
        let query: Vec<String> = self
            .pairs()
            .iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| format!("{k}={}", encode_segment(v)))
            .collect();
        let page = format!("/backends/{}/create", encode_segment(backend));
        if query.is_empty() {
            page
        } else {
            format!("{page}?{}", query.join("&"))
        }
    }
}

/// The names `count` machines called `name` get (as the service gives
/// them): the first keeps it, the others add `-2`, `-3`…
pub fn names(name: &str, count: u32) -> Vec<String> {
    let name = name.trim();
    (1..=count.max(1))
        .map(|i| {
            if i == 1 {
                name.to_owned()
            } else {
                format!("{name}-{i}")
            }
        })
        .collect()
}

/// Creates `count` machines (1 when empty; `name`, `name-2`…) on a backend
/// (needs `create:machine` on `backend/<id>/machine/*`); returns the first
/// one's id. A plain form's Search or Review button (`then`) creates
/// nothing: it comes back to the page with the fields in its address, as
/// a refused plain post does.
#[server(endpoint = "machines/create", client = CsrfClient)]
pub async fn create_machine(
    #[server(default)] backend: String,
    #[server(default)] name: String,
    #[server(default)] size: String,
    #[server(default)] image: String,
    #[server(default)] location: String,
    #[server(default)] key: String,
    #[server(default)] script: String,
    #[server(default)] count: String,
    #[server(default)] search: String,
    #[server(default)] then: String,
) -> Result<String, AppError> {
    use crate::ssr;
    use domain::ErrorKind;
    use server_fn::{error::ServerFnUrlError, ServerFn};
    let actor = ssr::require_actor()?;
    let kept = KeptFields {
        name: name.clone(),
        size: size.clone(),
        image: image.clone(),
        location: location.clone(),
        key: key.clone(),
        count: count.clone(),
        search,
    };
    if !then.trim().is_empty() {
        if !service::backends::may::may_create_machine(&actor, &backend) {
            return Err(AppError(ErrorKind::Forbidden {
                action: Some("create:machine".into()),
            }));
        }
        leptos_axum::redirect(&kept.href(&backend));
        return Ok(String::new());
    }
    let new = service::machine_actions::NewMachine {
        name: name.clone(),
        size,
        image,
        location,
        key: Some(key),
        script: Some(script),
    };
    let services = ssr::services()?;
    let created = match service::machine_actions::create_many(
        &services, &actor, &backend, &new, &count,
    )
    .await
    {
        Ok(created) => created,
        Err(e) => {
            let e = AppError(e);
            // A plain form comes back to its page with what was
            // entered, and the error where the page reads it.
            if ssr::plain_form_post() {
                let base = format!("http://overcast{}", kept.href(&backend));
                if let Ok(url) = ServerFnUrlError::new(CreateMachine::PATH, e.clone()).to_url(&base)
                {
                    if let Some(back) = url.as_str().strip_prefix("http://overcast") {
                        leptos_axum::redirect(back);
                    }
                }
            }
            return Err(e);
        }
    };
    let first = created.first().ok_or(AppError(ErrorKind::Internal))?;
    // One machine: to its page (on its script's run, if it has one); several:
    // to the Machines page, searched for their name.
    let page = if created.len() > 1 {
        format!("/machines?q={}", encode_segment(name.trim()))
    } else {
        let page = crate::paths::machine_href(&backend, &first.machine.id);
        match &first.script_run {
            Some(run) => format!("{page}?script={}#scripts", run.id),
            None => page,
        }
    };
    leptos_axum::redirect(&page);
    Ok(first.machine.id.clone())
}
