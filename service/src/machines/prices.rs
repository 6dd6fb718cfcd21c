//! The provider's price per hour in the fleet table: the sizes a backend's
//! provider lists are remembered when they are asked for (the REST list,
//! the create wizard, the create page), and the fleet reads each page's
//! prices back, one query per backend on the page.

use std::collections::{HashMap, HashSet};

use cloud::Size;
use domain::ErrorKind;

use crate::{internal, Services};

/// The price per hour of each size, by backend id, then size id.
pub(crate) type Prices = HashMap<String, HashMap<String, f64>>;

/// Remembers the sizes a backend's provider just listed, with their prices
/// per hour, in place of those listed before. A failure to store them is
/// logged and goes no further: the listing still answers.
pub(crate) async fn remember(services: &Services, backend_id: &str, sizes: &[Size]) {
    let kept: Vec<(String, Option<f64>)> = sizes
        .iter()
        .map(|s| (s.id.clone(), s.price_hourly))
        .collect();
    if let Err(e) = services
        .db
        .replace_sizes(backend_id, &kept, services.now())
        .await
    {
        tracing::warn!(error = %e, backend = backend_id, "could not keep the sizes listed");
    }
}

/// The remembered prices of the sizes of `backends` (each asked once).
pub(crate) async fn of_backends<'a>(
    services: &Services,
    backends: impl IntoIterator<Item = &'a str>,
) -> Result<Prices, ErrorKind> {
    let mut prices = Prices::new();
    for backend_id in backends.into_iter().collect::<HashSet<_>>() {
        let of_backend = services
            .db
            .size_prices(backend_id)
            .await
            .map_err(internal)?;
        if !of_backend.is_empty() {
            prices.insert(backend_id.to_owned(), of_backend);
        }
    }
    Ok(prices)
}

/// The price per hour of `size` on `backend_id`, if remembered.
pub(crate) fn price_of(prices: &Prices, backend_id: &str, size: Option<&str>) -> Option<f64> {
    prices.get(backend_id)?.get(size?).copied()
}
