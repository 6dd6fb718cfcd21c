use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use server_fn::codec::GetUrl;

use crate::error::AppError;

/// One choice of the create form: an id and what people read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    /// What the provider calls it.
    pub id: String,
    /// What the form shows.
    pub label: String,
}

/// What machines of a backend can be created with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Catalogue {
    /// The backend's title.
    pub title: String,
    /// Sizes.
    pub sizes: Vec<Choice>,
    /// Images (the provider's default list, or those matching `search`),
    /// starred ones first and marked ★.
    pub images: Vec<Choice>,
    /// Locations.
    pub locations: Vec<Choice>,
}

/// The sizes, images (optionally searched) and locations of a backend,
/// asked of its provider (needs `view:backend`).
#[server(endpoint = "backends/catalogue", input = GetUrl)]
pub async fn get_catalogue(
    #[server(default)] backend: String,
    #[server(default)] search: String,
) -> Result<Catalogue, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let services = ssr::services()?;
    let title = service::backends::get(&services, &actor, &backend)
        .await?
        .title;
    let search = Some(search.as_str()).filter(|s| !s.trim().is_empty());
    let (sizes, images, locations) =
        service::machine_actions::catalogue(&services, &actor, &backend, search).await?;
    let choice = |id: String, name: String| Choice {
        label: if name.is_empty() || name == id {
            id.clone()
        } else {
            format!("{name} ({id})")
        },
        id,
    };
    Ok(Catalogue {
        title,
        sizes: sizes.into_iter().map(|s| choice(s.id, s.name)).collect(),
        images: images
            .into_iter()
            .take(500)
            .map(|i| {
                let mut c = choice(i.image.id, i.image.name);
                if i.star {
                    c.label = format!("★ {}", c.label);
                }
                c
            })
            .collect(),
        locations: locations
            .into_iter()
            .map(|l| choice(l.id, l.name))
            .collect(),
    })
}
