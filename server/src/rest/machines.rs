//! `/backends/{b}/machines...`: machines as last seen, one machine, its
//! host key and tags, acting on it, creating one; the backend's sizes,
//! images and locations.

use axum::{extract::State, http::StatusCode, Json};
use domain::inventory::{MachineDetail, OfferedImage};
use serde::Deserialize;
use serde_json::Value;
use utoipa::ToSchema;

use crate::{
    http_error::ApiError,
    rest::{
        answers::{success, Star, Success, TagSet},
        extract::{
            Body, Caller, CreateMachineAction, EditMachineAction, May, Path, Query,
            TagMachineAction, ViewBackendAction, ViewMachineAction,
        },
    },
    AppState,
};

/// One machine: its summary, the keys that open it, its host key.
#[utoipa::path(get, path = "/backends/{backend_id}/machines/{machine_id}", tag = "machines",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine")),
    responses((status = 200, description = "The machine", body = MachineDetail), (status = 404)))]
pub async fn machine_detail(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((backend_id, machine_id)): Path<(String, String)>,
) -> Result<Json<MachineDetail>, ApiError> {
    Ok(Json(
        service::machines::detail(&state.services, &actor, &backend_id, &machine_id).await?,
    ))
}

/// Body of the host-key route.
#[derive(Debug, Deserialize, ToSchema)]
pub struct AcceptHostKey {
    /// The changed key's `SHA256:...` fingerprint, as the machine shows it.
    fingerprint: Option<String>,
}

/// Accepts a machine's changed host key, named by its fingerprint.
#[utoipa::path(post, path = "/backends/{backend_id}/machines/{machine_id}/host_key", tag = "machines",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine")),
    request_body(description = "`{\"fingerprint\"}`", content((AcceptHostKey = "application/json"), (AcceptHostKey = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "Accepted", body = Success), (status = 404), (status = 409, description = "No such changed key is waiting")))]
pub async fn accept_host_key(
    State(state): State<AppState>,
    May(actor, _): May<EditMachineAction>,
    Path((backend_id, machine_id)): Path<(String, String)>,
    Body(body): Body<AcceptHostKey>,
) -> Result<Json<Success>, ApiError> {
    service::machines::accept_host_key(
        &state.services,
        &actor,
        &backend_id,
        &machine_id,
        body.fingerprint.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(success())
}

/// Body of the probe route (mist.io's shape; both optional).
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct Probe {
    /// One of the machine's addresses (its first public one when absent).
    host: Option<String>,
    /// The key to log in with (the machine's own keys when absent).
    key: Option<String>,
}

/// Probes a machine (mist.io v1): whether its SSH port answers, and, for a
/// caller who may open a shell on it, its uptime, load, processors and
/// logged-in users.
#[utoipa::path(post, path = "/backends/{backend_id}/machines/{machine_id}/probe", tag = "machines",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine")),
    request_body(description = "mist.io's `{\"host\"?, \"key\"?}`", content((Probe = "application/json"), (Probe = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "What the probe found", body = domain::inventory::MachineProbe),
        (status = 400, description = "`host` is not one of the machine's addresses, or `key` names no key"), (status = 404)))]
pub async fn probe_machine(
    State(state): State<AppState>,
    May(actor, _): May<ViewMachineAction>,
    Path((backend_id, machine_id)): Path<(String, String)>,
    Body(body): Body<Probe>,
) -> Result<Json<domain::inventory::MachineProbe>, ApiError> {
    Ok(Json(
        service::probe::probe(
            &state.services,
            &actor,
            &backend_id,
            &machine_id,
            body.host.as_deref(),
            body.key.as_deref(),
        )
        .await?,
    ))
}

/// Body of the machine-action route.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MachineAction {
    /// `reboot`, `start`, `stop` or `destroy` (any case).
    #[schema(example = "reboot", pattern = "^(reboot|start|stop|destroy)$")]
    action: Option<String>,
}

/// Acts on a machine: `{"action": "reboot" | "start" | "stop" | "destroy"}`.
/// A body that cannot be read is judged as the service judges a word that
/// names no action: only for a caller who may reboot the machine.
#[utoipa::path(post, path = "/backends/{backend_id}/machines/{machine_id}", tag = "machines",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine")),
    request_body(description = "`{\"action\"}`", content((MachineAction = "application/json"), (MachineAction = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "Done; the machine is polled soon", body = Success), (status = 404), (status = 409, description = "The backend is disabled, or its provider cannot do that"), (status = 502)))]
pub async fn machine_action(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((backend_id, machine_id)): Path<(String, String)>,
    body: Result<Body<MachineAction>, ApiError>,
) -> Result<Json<Success>, ApiError> {
    let body = match body {
        Ok(Body(body)) => body,
        Err(e) => {
            service::authz::authorize(
                &actor,
                "reboot:machine",
                &domain::resource::machine(&backend_id, &machine_id),
            )?;
            return Err(e);
        }
    };
    service::machine_actions::act(
        &state.services,
        &actor,
        &backend_id,
        &machine_id,
        body.action.as_deref().unwrap_or_default(),
    )
    .await?;
    Ok(success())
}

/// Creates a machine: `{name, size, image, location, key?, script?}`. A
/// script runs over SSH once the machine answers; the answer's
/// `script_run` names the run to follow.
#[utoipa::path(post, path = "/backends/{backend_id}/machines", tag = "machines",
    params(("backend_id" = String, Path, description = "Backend")),
    request_body(description = "mist.io v1's `{name, size, image, location, key?, script?}`",
        content((service::machine_actions::NewMachine = "application/json"), (service::machine_actions::NewMachine = "application/x-www-form-urlencoded"))),
    responses((status = 201, description = "The machine as first reported, with `script_run` when a script was given", body = service::machine_actions::CreatedMachine), (status = 404), (status = 409, description = "The backend is disabled, or its provider cannot create machines"), (status = 502)))]
pub async fn create_machine(
    State(state): State<AppState>,
    May(actor, _): May<CreateMachineAction>,
    Path(backend_id): Path<String>,
    Body(body): Body<service::machine_actions::NewMachine>,
) -> Result<(StatusCode, Json<service::machine_actions::CreatedMachine>), ApiError> {
    let machine =
        service::machine_actions::create(&state.services, &actor, &backend_id, &body).await?;
    Ok((StatusCode::CREATED, Json(machine)))
}

/// The sizes machines of this backend can have.
#[utoipa::path(get, path = "/backends/{backend_id}/sizes", tag = "backends",
    params(("backend_id" = String, Path, description = "Backend")),
    responses((status = 200, description = "The sizes", body = Vec<domain::compute::Size>), (status = 404), (status = 409, description = "The backend is disabled, or machines of its provider are not created here"), (status = 502)))]
pub async fn sizes(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(backend_id): Path<String>,
) -> Result<Json<Vec<cloud::Size>>, ApiError> {
    Ok(Json(
        service::machine_actions::sizes(&state.services, &actor, &backend_id).await?,
    ))
}

/// Query (or body) of the images route.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct ImageSearch {
    /// Name, slug or OS contains.
    search: Option<String>,
    /// mist.io's name for `search`.
    search_term: Option<String>,
}

/// The images of this backend; `?search=` looks beyond the default list,
/// and so does a body `{"search_term": "..."}` (the mist.io client's
/// `search_image` sends its term in the body of this GET).
#[utoipa::path(get, path = "/backends/{backend_id}/images", tag = "backends",
    params(("backend_id" = String, Path, description = "Backend"), ("search" = Option<String>, Query, description = "Name, slug or OS contains"), ("search_term" = Option<String>, Query, description = "The same (mist.io's name)")),
    request_body(description = "mist.io compatibility: the mist.io client's `search_image` sends `{\"search_term\"}` in the body of this GET; prefer the query, or `POST` to this path",
        content((ImageSearch = "application/json"), (ImageSearch = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "The images, starred first", body = Vec<OfferedImage>), (status = 404), (status = 409, description = "The backend is disabled, or machines of its provider are not created here"), (status = 502)))]
pub async fn images(
    State(state): State<AppState>,
    May(actor, _): May<ViewBackendAction>,
    Path(backend_id): Path<String>,
    Query(query): Query<ImageSearch>,
    Body(body): Body<ImageSearch>,
) -> Result<Json<Vec<OfferedImage>>, ApiError> {
    let search = [
        query.search,
        query.search_term,
        body.search_term,
        body.search,
    ]
    .into_iter()
    .flatten()
    .find(|term| !term.trim().is_empty());
    Ok(Json(
        service::machine_actions::images(&state.services, &actor, &backend_id, search.as_deref())
            .await?,
    ))
}

/// Searches the images of this backend (mist.io: `{"search_term": "..."}`).
#[utoipa::path(post, path = "/backends/{backend_id}/images", tag = "backends",
    params(("backend_id" = String, Path, description = "Backend")),
    request_body(description = "`{\"search_term\"}` (mist.io), or `{\"search\"}`", content((ImageSearch = "application/json"), (ImageSearch = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "The images, starred first", body = Vec<OfferedImage>), (status = 404), (status = 409, description = "The backend is disabled, or machines of its provider are not created here"), (status = 502)))]
pub async fn search_images(
    State(state): State<AppState>,
    May(actor, _): May<ViewBackendAction>,
    Path(backend_id): Path<String>,
    Body(body): Body<ImageSearch>,
) -> Result<Json<Vec<OfferedImage>>, ApiError> {
    let search = body.search_term.or(body.search);
    Ok(Json(
        service::machine_actions::images(&state.services, &actor, &backend_id, search.as_deref())
            .await?,
    ))
}

/// Stars an image on this backend, or unstars it when it was starred
/// (mist.io's `POST /backends/{b}/images/{image}`); starred images come
/// first in image answers and the create form.
#[utoipa::path(post, path = "/backends/{backend_id}/images/{image_id}", tag = "backends",
    params(("backend_id" = String, Path, description = "Backend"), ("image_id" = String, Path, description = "The image's id")),
    responses((status = 200, description = "Whether it is starred now", body = Star), (status = 404)))]
pub async fn star_image(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((backend_id, image_id)): Path<(String, String)>,
) -> Result<Json<Star>, ApiError> {
    let star =
        service::machine_actions::star_image(&state.services, &actor, &backend_id, &image_id)
            .await?;
    Ok(Json(Star { star }))
}

/// The locations machines of this backend can be created in.
#[utoipa::path(get, path = "/backends/{backend_id}/locations", tag = "backends",
    params(("backend_id" = String, Path, description = "Backend")),
    responses((status = 200, description = "The locations", body = Vec<domain::compute::Location>), (status = 404), (status = 409, description = "The backend is disabled, or machines of its provider are not created here"), (status = 502)))]
pub async fn locations(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(backend_id): Path<String>,
) -> Result<Json<Vec<cloud::Location>>, ApiError> {
    Ok(Json(
        service::machine_actions::locations(&state.services, &actor, &backend_id).await?,
    ))
}

/// Body of the tags route: a list of strings, or their text separated by
/// commas (the service reads either).
#[derive(Debug, Deserialize, ToSchema)]
pub struct Tags {
    /// `["env=prod", "web"]`, or `"env=prod,web"`.
    tags: Option<Value>,
}

/// Makes `{"tags": ["env=prod", "web"]}` the machine's whole tag set.
#[utoipa::path(put, path = "/backends/{backend_id}/machines/{machine_id}/tags", tag = "machines",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine")),
    request_body(description = "`{\"tags\"}`", content((Tags = "application/json"), (Tags = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "The machine's tags now", body = TagSet), (status = 404), (status = 409, description = "The provider has no tags"), (status = 502)))]
pub async fn set_tags(
    State(state): State<AppState>,
    May(actor, _): May<TagMachineAction>,
    Path((backend_id, machine_id)): Path<(String, String)>,
    Body(body): Body<Tags>,
) -> Result<Json<TagSet>, ApiError> {
    let tags = service::machine_actions::set_tags(
        &state.services,
        &actor,
        &backend_id,
        &machine_id,
        &body.tags.unwrap_or_default(),
    )
    .await?;
    Ok(Json(TagSet { tags }))
}

/// Body of mist.io's add-a-tag route.
#[derive(Debug, Default, Deserialize, ToSchema)]
#[serde(default)]
pub struct NewTag {
    /// `key` or `key=value`.
    tag: String,
}

/// Adds one tag (mist.io's `POST .../metadata {"tag"}`).
#[utoipa::path(post, path = "/backends/{backend_id}/machines/{machine_id}/metadata", tag = "machines",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine")),
    request_body(description = "mist.io's `{\"tag\"}`", content((NewTag = "application/json"), (NewTag = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "The machine's tags now", body = TagSet), (status = 404), (status = 409, description = "The provider has no tags"), (status = 502)))]
pub async fn add_tag(
    State(state): State<AppState>,
    May(actor, _): May<TagMachineAction>,
    Path((backend_id, machine_id)): Path<(String, String)>,
    Body(body): Body<NewTag>,
) -> Result<Json<TagSet>, ApiError> {
    let tags =
        service::machine_tags::add(&state.services, &actor, &backend_id, &machine_id, &body.tag)
            .await?;
    Ok(Json(TagSet { tags }))
}

/// Removes one tag named in the body (mist.io's `DELETE .../metadata
/// {"tag"}`).
#[utoipa::path(delete, path = "/backends/{backend_id}/machines/{machine_id}/metadata", tag = "machines",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine")),
    request_body(description = "mist.io's `{\"tag\"}`", content((NewTag = "application/json"), (NewTag = "application/x-www-form-urlencoded"))),
    responses((status = 200, description = "The machine's tags now", body = TagSet), (status = 404), (status = 409, description = "The provider has no tags"), (status = 502)))]
pub async fn remove_tag_named(
    State(state): State<AppState>,
    May(actor, _): May<TagMachineAction>,
    Path((backend_id, machine_id)): Path<(String, String)>,
    Body(body): Body<NewTag>,
) -> Result<Json<TagSet>, ApiError> {
    let tags =
        service::machine_tags::remove(&state.services, &actor, &backend_id, &machine_id, &body.tag)
            .await?;
    Ok(Json(TagSet { tags }))
}

/// Removes one tag.
#[utoipa::path(delete, path = "/backends/{backend_id}/machines/{machine_id}/metadata/{tag}", tag = "machines",
    params(("backend_id" = String, Path, description = "Backend"), ("machine_id" = String, Path, description = "Machine"), ("tag" = String, Path, description = "The tag")),
    responses((status = 200, description = "The machine's tags now", body = TagSet), (status = 404), (status = 409, description = "The provider has no tags"), (status = 502)))]
pub async fn remove_tag(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path((backend_id, machine_id, tag)): Path<(String, String, String)>,
) -> Result<Json<TagSet>, ApiError> {
    let tags =
        service::machine_tags::remove(&state.services, &actor, &backend_id, &machine_id, &tag)
            .await?;
    Ok(Json(TagSet { tags }))
}
