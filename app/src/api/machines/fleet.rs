// The server function takes the address's nine parameters as they come
// (the browser-side function it generates carries them too).
#![allow(clippy::too_many_arguments)]

use domain::fleet::FleetPage;
use leptos::prelude::*;
use server_fn::codec::GetUrl;

use crate::error::AppError;

/// One page of the fleet table: the machines the caller may see, searched,
/// filtered, sorted and paged on the server as the address says
/// (`?q=&backend=&state=&tag=&stack=&sort=&desc=1&page=&per_page=`; what is
/// missing or unreadable takes its default, see
/// `domain::fleet::FleetQuery::from_pairs`).
#[server(endpoint = "machines/fleet", input = GetUrl)]
pub async fn fleet(
    q: Option<String>,
    backend: Option<String>,
    state: Option<String>,
    tag: Option<String>,
    stack: Option<String>,
    sort: Option<String>,
    desc: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
) -> Result<FleetPage, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    let pairs = [
        ("q", q),
        ("backend", backend),
        ("state", state),
        ("tag", tag),
        ("stack", stack),
        ("sort", sort),
        ("desc", desc),
        ("page", page),
        ("per_page", per_page),
    ];
    let query = domain::fleet::FleetQuery::from_pairs(
        pairs
            .iter()
            .filter_map(|(name, value)| value.as_deref().map(|v| (*name, v))),
    );
    Ok(service::machines::fleet(&ssr::services()?, &actor, &query).await?)
}
