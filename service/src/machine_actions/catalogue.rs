//! What a backend offers to create machines from: sizes, images (starred
//! ones first) and locations, each read through the backend's driver.

use std::sync::Arc;

use cloud::{CloudDriver, Image, Location, Size};
use domain::{inventory::OfferedImage, resource, ErrorKind};
use store::backends::StoredBackend;

use super::{driver_of, title};
use crate::{audit, authz, drivers, internal, machines::prices, Actor, Services};

async fn catalogue_driver(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
) -> Result<(StoredBackend, Arc<dyn CloudDriver>), ErrorKind> {
    authz::authorize(actor, "view:backend", &resource::backend(backend_id))?;
    driver_of(services, backend_id).await
}

/// The sizes of a backend (remembered, with their prices, for the fleet
/// table).
pub async fn sizes(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
) -> Result<Vec<Size>, ErrorKind> {
    let (backend, driver) = catalogue_driver(services, actor, backend_id).await?;
    let sizes = driver
        .list_sizes()
        .await
        .map_err(|e| drivers::error(e, &title(&backend)))?;
    prices::remember(services, backend_id, &sizes).await;
    Ok(sizes)
}

/// The images of a backend, optionally searched.
pub async fn images(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    search: Option<&str>,
) -> Result<Vec<OfferedImage>, ErrorKind> {
    let (backend, driver) = catalogue_driver(services, actor, backend_id).await?;
    let search = search.map(str::trim).filter(|s| !s.is_empty());
    let images = driver
        .list_images(search)
        .await
        .map_err(|e| drivers::error(e, &title(&backend)))?;
    starred_first(services, backend_id, images).await
}

/// The images with their stars, starred ones first (each group in the
/// provider's order).
async fn starred_first(
    services: &Services,
    backend_id: &str,
    images: Vec<Image>,
) -> Result<Vec<OfferedImage>, ErrorKind> {
    let starred = services
        .db
        .starred_images(backend_id)
        .await
        .map_err(internal)?;
    let (mut first, rest): (Vec<_>, Vec<_>) = images
        .into_iter()
        .map(|image| OfferedImage {
            star: starred.contains(&image.id),
            image,
        })
        .partition(|i| i.star);
    first.extend(rest);
    Ok(first)
}

/// Stars an image on a backend, or unstars it when it was starred (needs
/// `edit:backend`); returns whether it is starred now.
pub async fn star_image(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    image_id: &str,
) -> Result<bool, ErrorKind> {
    authz::authorize(actor, "edit:backend", &resource::backend(backend_id))?;
    let image_id = image_id.trim();
    if image_id.is_empty() || image_id.len() > 255 || image_id.chars().any(char::is_control) {
        return Err(ErrorKind::invalid(
            "image",
            "name the image by its id (at most 255 printable characters)",
        ));
    }
    crate::backends::stored(services, backend_id).await?;
    let starred = services
        .db
        .toggle_star(backend_id, image_id, services.now())
        .await
        .map_err(internal)?;
    let verb = if starred { "starred" } else { "unstarred" };
    audit::success(
        services,
        actor,
        "edit:backend",
        &resource::backend(backend_id),
        &format!("{verb} image {image_id}"),
    )
    .await?;
    Ok(starred)
}

/// The locations of a backend.
pub async fn locations(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
) -> Result<Vec<Location>, ErrorKind> {
    let (backend, driver) = catalogue_driver(services, actor, backend_id).await?;
    driver
        .list_locations()
        .await
        .map_err(|e| drivers::error(e, &title(&backend)))
}

/// The sizes, images (optionally searched) and locations of a backend,
/// asked of its provider concurrently. The answer and the errors are those
/// of [`sizes`], [`images`] and [`locations`] asked in that order: when
/// more than one call fails, the first of them in that order is reported.
pub async fn catalogue(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    search: Option<&str>,
) -> Result<(Vec<Size>, Vec<OfferedImage>, Vec<Location>), ErrorKind> {
    let (backend, driver) = catalogue_driver(services, actor, backend_id).await?;
    let search = search.map(str::trim).filter(|s| !s.is_empty());
    let (sizes, images, locations) = tokio::join!(
        driver.list_sizes(),
        driver.list_images(search),
        driver.list_locations(),
    );
    let error = |e| drivers::error(e, &title(&backend));
    let (sizes, images, locations) = (
        sizes.map_err(error)?,
        images.map_err(error)?,
        locations.map_err(error)?,
    );
    prices::remember(services, backend_id, &sizes).await;
    Ok((
        sizes,
        starred_first(services, backend_id, images).await?,
        locations,
    ))
}
