//! The columns each user shows in the fleet table (the Machines list),
//! saved per account in `user_preferences`.

use domain::{
    fleet::{COLUMNS, DEFAULT_COLUMNS},
    ErrorKind,
};

use crate::{authz, internal, Actor, Services};

/// The name the column choice is saved under (`user_preferences`).
const COLUMNS_PREFERENCE: &str = "fleet.columns";

/// The columns the caller chose to show in the fleet table (their saved
/// choice, else [`DEFAULT_COLUMNS`]).
pub async fn fleet_columns(services: &Services, actor: &Actor) -> Result<Vec<String>, ErrorKind> {
    authz::authorize_listing(actor, "view:machine")?;
    let saved = services
        .db
        .preference(&actor.account_id, COLUMNS_PREFERENCE)
        .await
        .map_err(internal)?
        .and_then(|text| serde_json::from_str::<Vec<String>>(&text).ok());
    Ok(match saved {
        Some(columns) => columns
            .into_iter()
            .filter(|c| COLUMNS.contains(&c.as_str()))
            .collect(),
        None => DEFAULT_COLUMNS.iter().map(|c| (*c).to_owned()).collect(),
    })
}

/// Saves the columns the caller shows in the fleet table (each one of
/// [`COLUMNS`]; kept in the order of [`COLUMNS`], each once). A name that
/// is not a column is refused, naming it. Needs `view:machine` somewhere:
/// the table is the machine list's.
pub async fn set_fleet_columns(
    services: &Services,
    actor: &Actor,
    columns: &[String],
) -> Result<Vec<String>, ErrorKind> {
    authz::authorize_listing(actor, "view:machine")?;
    let asked: Vec<&str> = columns
        .iter()
        .flat_map(|c| c.split(','))
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    if let Some(unknown) = asked.iter().find(|c| !COLUMNS.contains(c)) {
        return Err(ErrorKind::invalid(
            "columns",
            format!(
                "{unknown:?} is not a column: choose from {}",
                COLUMNS.join(", ")
            ),
        ));
    }
    let chosen: Vec<String> = COLUMNS
        .iter()
        .filter(|c| asked.contains(c))
        .map(|c| (*c).to_owned())
        .collect();
    let value = serde_json::to_string(&chosen).map_err(internal)?;
    services
        .db
        .set_preference(
            &actor.account_id,
            COLUMNS_PREFERENCE,
            &value,
            services.now(),
        )
        .await
        .map_err(internal)?;
    Ok(chosen)
}
