use domain::inventory::MachineDetail;
use leptos::prelude::*;
use server_fn::codec::GetUrl;

use crate::error::AppError;

/// One machine: its summary, the keys that open it, its host key.
#[server(endpoint = "machines/detail", input = GetUrl)]
pub async fn get_machine(
    #[server(default)] backend: String,
    #[server(default)] machine: String,
) -> Result<MachineDetail, AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    Ok(service::machines::detail(&ssr::services()?, &actor, &backend, &machine).await?)
}
