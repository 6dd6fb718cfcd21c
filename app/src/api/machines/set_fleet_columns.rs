use leptos::prelude::*;
use server_fn::{
    codec::{Encoding, FromReq, IntoReq},
    error::{FromServerFnError, IntoAppError, ServerFnErrorErr},
    request::{ClientReq, Req},
    ContentType,
};

use crate::{csrf_client::CsrfClient, error::AppError};

/// Saves the columns the caller shows in the fleet table (each one of
/// `domain::fleet::COLUMNS`; a comma list in one value works too). Posted
/// by a form of checkboxes all named `columns`, with JavaScript or without
/// ([`CheckboxForm`]); a name that is not a column is a 400 naming it.
#[server(endpoint = "machines/columns", client = CsrfClient, input = CheckboxForm)]
pub async fn set_fleet_columns(#[server(default)] columns: Vec<String>) -> Result<(), AppError> {
    use crate::ssr;
    let actor = ssr::require_actor()?;
    service::machines::set_fleet_columns(&ssr::services()?, &actor, &columns).await?;
    Ok(())
}

/// A form posted as `application/x-www-form-urlencoded` in which one name
/// may repeat (`columns=size&columns=tags`, as checkboxes send it); the
/// default encoding refuses a repeated name.
pub struct CheckboxForm;

impl ContentType for CheckboxForm {
    const CONTENT_TYPE: &'static str = "application/x-www-form-urlencoded";
}

impl Encoding for CheckboxForm {
    const METHOD: http::Method = http::Method::POST;
}

impl<E, Request> IntoReq<CheckboxForm, Request, E> for SetFleetColumns
where
    Request: ClientReq<E>,
    E: FromServerFnError,
{
    fn into_req(self, path: &str, accepts: &str) -> Result<Request, E> {
        let body = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(self.columns.iter().map(|c| ("columns", c)))
            .finish();
        Request::try_new_post(path, CheckboxForm::CONTENT_TYPE, accepts, body)
    }
}

impl<E, Request> FromReq<CheckboxForm, Request, E> for SetFleetColumns
where
    Request: Req<E> + Send + 'static,
    E: FromServerFnError,
{
    async fn from_req(req: Request) -> Result<Self, E> {
        let body = req.try_into_string().await?;
        if body.trim_start().starts_with('{') {
            // A JSON body (`{"columns": [...]}`), as an API client might.
            #[derive(serde::Deserialize, Default)]
            #[serde(default)]
            struct Json {
                columns: Vec<String>,
            }
            let json: Json = serde_json::from_str(&body)
                .map_err(|e| ServerFnErrorErr::Args(e.to_string()).into_app_error())?;
            return Ok(SetFleetColumns {
                columns: json.columns,
            });
        }
        // `columns`, `columns[]` and `columns[0]` all name the one list;
        // other fields (the form's `csrf_token`) are not arguments.
        let columns = form_urlencoded::parse(body.as_bytes())
            .filter(|(name, _)| name == "columns" || name.starts_with("columns["))
            .map(|(_, value)| value.into_owned())
            .collect();
        Ok(SetFleetColumns { columns })
    }
}
