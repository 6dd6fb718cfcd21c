//! The parameters of the calls the driver builds from a request, checked
//! before anything is sent.

use base64::Engine as _;

use super::client::{list_param, Params};
use super::convert::NAME_TAG;
use crate::error::DriverError;
use crate::types::CreateMachine;

/// `DescribeImages`: without a search, the account's own images and
/// Amazon's; with one, every image the account can see (public ones
/// included) whose name contains it. EC2's wildcards are case-sensitive,
/// so the usual spellings are asked for (the values of one filter are ORed).
pub(crate) fn images(search: Option<&str>) -> Params {
    let mut params = Params::new();
    let Some(term) = search.map(str::trim).filter(|t| !t.is_empty()) else {
        list_param(&mut params, "Owner", &["self", "amazon"]);
        return params;
    };
    params.push(("Filter.1.Name".into(), "name".into()));
    let lower = term.to_lowercase();
    let mut chars = lower.chars();
    let capital: String = chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default();
    let spellings = [term.to_owned(), lower.clone(), term.to_uppercase(), capital];
    let mut n = 0;
    for (i, s) in spellings.iter().enumerate() {
        if !spellings[..i].contains(s) {
            n += 1;
            params.push((format!("Filter.1.Value.{n}"), format!("*{s}*")));
        }
    }
    params
}

/// `RunInstances` for one machine, its key pair aside: the image, type,
/// zone, the `Name` tag, user data (base64) and a fresh `ClientToken`.
pub(crate) fn run_instances(request: &CreateMachine) -> Result<Params, DriverError> {
    for (what, value) in [
        ("name", &request.name),
        ("size", &request.size),
        ("image", &request.image),
    ] {
        if value.trim().is_empty() {
            return Err(DriverError::InvalidRequest(format!("give the {what}")));
        }
    }
    let mut params: Params = [
        ("ImageId", request.image.trim()),
        ("InstanceType", request.size.trim()),
        ("MinCount", "1"),
        ("MaxCount", "1"),
        ("TagSpecification.1.ResourceType", "instance"),
        ("TagSpecification.1.Tag.1.Key", NAME_TAG),
        ("TagSpecification.1.Tag.1.Value", request.name.as_str()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    params.push(("ClientToken".into(), client_token()));
    if !request.location.trim().is_empty() {
        let zone = request.location.trim().to_owned();
        params.push(("Placement.AvailabilityZone".into(), zone));
    }
    if let Some(data) = &request.user_data {
        let encoded = base64::engine::general_purpose::STANDARD.encode(data);
        params.push(("UserData".into(), encoded));
    }
    Ok(params)
}

/// A random `ClientToken`: it makes `RunInstances` idempotent, so a retry
/// after a lost answer cannot start a second machine.
fn client_token() -> String {
    format!(
        "overcast-{:016x}{:016x}",
        fastrand::u64(..),
        fastrand::u64(..)
    )
}

/// Instance ids go into a form field, not a URL; anything that cannot be
/// one is `NotFound` without a request.
pub(crate) fn instance_id(id: &str) -> Result<&str, DriverError> {
    if !id.is_empty() && id.len() <= 64 && id.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(id)
    } else {
        Err(DriverError::NotFound(format!("no instance {id:?}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_asks_for_each_spelling_once() {
        let values = |term| {
            let p = images(Some(term));
            p.into_iter().skip(1).map(|(_, v)| v).collect::<Vec<_>>()
        };
        assert_eq!(values("ubuntu"), ["*ubuntu*", "*UBUNTU*", "*Ubuntu*"]);
        assert_eq!(values("Ünïx"), ["*Ünïx*", "*ünïx*", "*ÜNÏX*"]);
        assert_eq!(images(Some("  ")), images(None));
        assert!(matches!(instance_id("i 1"), Err(DriverError::NotFound(_))));
    }
}
