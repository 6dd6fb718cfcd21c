//! The fleet table's REST doors: `GET /machines` (one page across every
//! backend, the whole [`FleetPage`]), the paged form of
//! `GET /backends/{b}/machines` (that page's rows as mist.io's array, with
//! `X-Total-Count` and an RFC 8288 `Link`), and the caller's saved columns
//! (`GET`/`PUT /v3/user/preferences/columns`).

use axum::{
    extract::State,
    http::{header, HeaderMap, HeaderValue},
    Json,
};
use domain::{
    compute::MachineState,
    fleet::{FleetPage, FleetQuery, FleetSort, DEFAULT_PER_PAGE},
    inventory::MachineSummary,
    ErrorKind,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::{
    http_error::ApiError,
    rest::extract::{Body, Caller, May, Path, Query, ViewMachineAction},
    AppState,
};

/// The fleet table's query, as the Machines page's address carries it.
/// Each is optional; a value that cannot be read is a 400 naming it.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(default)]
pub struct FleetParams {
    /// Searched in name, id and addresses (case-insensitive).
    q: Option<String>,
    /// One backend's id (`GET /machines` only; the other route names its
    /// backend in the path).
    backend: Option<String>,
    /// One state (`running`, `stopped`, ...).
    state: Option<String>,
    /// One tag (`env=prod`), matched whole, case-insensitive.
    tag: Option<String>,
    /// One stack's id.
    stack: Option<String>,
    /// `name` (default), `backend`, `state`, `size`, `location` or `age`.
    sort: Option<String>,
    /// `1` (or `true`) for descending.
    desc: Option<String>,
    /// Page number, from 1 (a page past the end answers the last page).
    #[param(minimum = 1)]
    page: Option<String>,
    /// Rows per page, 1 to 500 (more is taken as 500); default 50.
    #[param(minimum = 1)]
    per_page: Option<String>,
}

impl FleetParams {
    /// Whether a paging parameter was given (the backend list is then
    /// paged).
    pub fn paged(&self) -> bool {
        self.page.is_some() || self.per_page.is_some()
    }

    /// Whether a filter or sort was given (the backend list, unpaged, is
    /// then the whole match in its order).
    pub fn filtered(&self) -> bool {
        [
            &self.q,
            &self.state,
            &self.tag,
            &self.stack,
            &self.sort,
            &self.desc,
        ]
        .iter()
        .any(|v| v.is_some())
    }

    /// The query, refusing what cannot be read (a 400 naming the field).
    pub fn query(&self) -> Result<FleetQuery, ApiError> {
        let number = |field: &str, value: &Option<String>| -> Result<(), ApiError> {
            match value.as_deref().map(str::trim) {
                Some(v) if v.parse::<u32>().map_or(true, |n| n == 0) => Err(ApiError(
                    ErrorKind::invalid(field, format!("{v:?} is not a whole number from 1")),
                )),
                _ => Ok(()),
            }
        };
        number("page", &self.page)?;
        number("per_page", &self.per_page)?;
        if let Some(state) = self.state.as_deref().map(str::trim) {
            if !state.is_empty() && MachineState::parse(state).is_none() {
                let states: Vec<&str> = MachineState::ALL.iter().map(|s| s.as_str()).collect();
                return Err(ApiError(ErrorKind::invalid(
                    "state",
                    format!("{state:?} is not a state: use {}", states.join(", ")),
                )));
            }
        }
        if let Some(sort) = self.sort.as_deref().map(str::trim) {
            if !sort.is_empty() && !FleetSort::ALL.iter().any(|s| s.as_str() == sort) {
                let sorts: Vec<&str> = FleetSort::ALL.iter().map(|s| s.as_str()).collect();
                return Err(ApiError(ErrorKind::invalid(
                    "sort",
                    format!(
                        "{sort:?} is not a column to sort by: use {}",
                        sorts.join(", ")
                    ),
                )));
            }
        }
        if let Some(desc) = self.desc.as_deref().map(str::trim) {
            if !matches!(desc, "" | "0" | "1" | "true" | "false" | "yes" | "no") {
                return Err(ApiError(ErrorKind::invalid(
                    "desc",
                    format!("{desc:?} is neither 1 nor 0"),
                )));
            }
        }
        let pairs = [
            ("q", &self.q),
            ("backend", &self.backend),
            ("state", &self.state),
            ("tag", &self.tag),
            ("stack", &self.stack),
            ("sort", &self.sort),
            ("desc", &self.desc),
            ("page", &self.page),
            ("per_page", &self.per_page),
        ];
        Ok(FleetQuery::from_pairs(pairs.iter().filter_map(
            |(name, value)| value.as_deref().map(|v| (*name, v)),
        )))
    }
}

/// `X-Total-Count` (the machines matched) and an RFC 8288 `Link` to the
/// first, previous, next and last pages of `page` at `path`, each with its
/// `page` and `per_page` so it stays paged.
pub fn paging_headers(path: &str, page: &FleetPage) -> HeaderMap {
    let mut headers = HeaderMap::new();
    headers.insert("x-total-count", HeaderValue::from(page.matched));
    let filters = FleetQuery {
        page: 1,
        per_page: DEFAULT_PER_PAGE,
        ..page.query.clone()
    }
    .to_query_string();
    let link = |n: u32, rel: &str| {
        let sep = if filters.is_empty() { "" } else { "&" };
        format!(
            "<{path}?{filters}{sep}page={n}&per_page={}>; rel=\"{rel}\"",
            page.query.per_page
        )
    };
    let (current, last) = (page.query.page, page.pages());
    let mut links = vec![link(1, "first")];
    if current > 1 {
        links.push(link(current - 1, "prev"));
    }
    if current < last {
        links.push(link(current + 1, "next"));
    }
    links.push(link(last, "last"));
    if let Ok(value) = HeaderValue::from_str(&links.join(", ")) {
        headers.insert(header::LINK, value);
    }
    headers
}

/// The machines of one backend the caller may see: the whole list
/// (mist.io's answer) when no paging parameter is given (only those the
/// filters keep, in the order asked, when any is given); with `page` or
/// `per_page`, that page's machines as the fleet table finds, sorts and
/// pages them, with `X-Total-Count` (machines matched) and an RFC 8288
/// `Link` to the first, prev, next and last pages.
#[utoipa::path(get, path = "/backends/{backend_id}/machines", tag = "machines",
    params(("backend_id" = String, Path, description = "Backend"), FleetParams),
    responses((status = 200, description = "The machines as last seen (one page of them when paged)", body = Vec<MachineSummary>,
        headers(("X-Total-Count" = u64, description = "When paged: machines matched (all pages)"),
            ("Link" = String, description = "When paged: RFC 8288 links to the first, prev, next and last pages"))),
        (status = 404)))]
pub async fn list_machines(
    State(state): State<AppState>,
    Caller(actor): Caller,
    Path(backend_id): Path<String>,
    Query(params): Query<FleetParams>,
) -> Result<axum::response::Response, ApiError> {
    use axum::response::IntoResponse;
    // Refused before the query is judged, as the service would refuse.
    service::authz::authorize_listing(&actor, "view:machine")?;
    if !params.paged() && !params.filtered() {
        // Written as it is read: never held whole (issue 15's memory bound).
        let chunks = service::machines::list_json(&state.services, &actor, &backend_id).await?;
        let body = axum::body::Body::from_stream(futures_util::StreamExt::map(chunks, |chunk| {
            chunk.map_err(|kind| std::io::Error::other(format!("{kind:?}")))
        }));
        let mut response = body.into_response();
        response.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        return Ok(response);
    }
    let query = FleetQuery {
        backend: String::new(),
        ..params.query()?
    };
    if !params.paged() {
        let all =
            service::machines::matching(&state.services, &actor, &query, Some(&backend_id)).await?;
        return Ok(Json(all).into_response());
    }
    let page =
        service::machines::fleet_of(&state.services, &actor, &query, Some(&backend_id)).await?;
    let path = format!("/backends/{}/machines", encode_segment(&backend_id));
    let headers = paging_headers(&path, &page);
    let rows: Vec<MachineSummary> = page.rows.into_iter().map(|r| r.machine).collect();
    Ok((headers, Json(rows)).into_response())
}

/// A path segment percent-encoded (RFC 3986 unreserved characters kept).
fn encode_segment(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// One page of the fleet table across every backend: the machines the
/// caller may see, searched, filtered, sorted and paged on the server (the
/// Machines page's own answer), with the counts per state (every filter but
/// the state), the backends and stacks to filter by, and the caller's
/// columns. `X-Total-Count` and `Link` as the paged backend list has them.
#[utoipa::path(get, path = "/machines", tag = "machines", params(FleetParams),
    responses((status = 200, description = "One page of the fleet", body = FleetPage,
        headers(("X-Total-Count" = u64, description = "Machines matched (all pages)"),
            ("Link" = String, description = "RFC 8288 links to the first, prev, next and last pages")))))]
pub async fn fleet(
    State(state): State<AppState>,
    May(actor, _): May<ViewMachineAction>,
    Query(params): Query<FleetParams>,
) -> Result<(HeaderMap, Json<FleetPage>), ApiError> {
    let query = params.query()?;
    let page = service::machines::fleet(&state.services, &actor, &query).await?;
    Ok((paging_headers("/machines", &page), Json(page)))
}

/// The columns a user shows in the fleet table, each one of
/// `domain::fleet::COLUMNS` (`{"columns": [...]}`).
#[derive(Debug, Default, Serialize, Deserialize, ToSchema)]
#[serde(default)]
pub struct FleetColumns {
    /// The columns shown, in the table's order.
    #[schema(example = json!(["backend", "state", "size", "address", "tags"]))]
    pub columns: Vec<String>,
}

/// The columns the caller shows in the fleet table (their saved choice, or
/// the default ones).
#[utoipa::path(get, path = "/v3/user/preferences/columns", tag = "machines",
    responses((status = 200, description = "The caller's columns", body = FleetColumns)))]
pub async fn columns(
    State(state): State<AppState>,
    May(actor, _): May<ViewMachineAction>,
) -> Result<Json<FleetColumns>, ApiError> {
    Ok(Json(FleetColumns {
        columns: service::machines::fleet_columns(&state.services, &actor).await?,
    }))
}

/// Saves the columns the caller shows in the fleet table (per user; the
/// last save wins). Each must be one of the table's columns (a name that is
/// not is a 400 naming it); the answer is the choice as saved, in the
/// table's order.
#[utoipa::path(put, path = "/v3/user/preferences/columns", tag = "machines",
    request_body(description = "`{\"columns\": [...]}`", content((FleetColumns = "application/json"))),
    responses((status = 200, description = "The columns saved", body = FleetColumns)))]
pub async fn set_columns(
    State(state): State<AppState>,
    May(actor, _): May<ViewMachineAction>,
    Body(body): Body<FleetColumns>,
) -> Result<Json<FleetColumns>, ApiError> {
    Ok(Json(FleetColumns {
        columns: service::machines::set_fleet_columns(&state.services, &actor, &body.columns)
            .await?,
    }))
}
