//! Keystone's service catalogue and the choice of the compute endpoint.

use serde::Deserialize;

use crate::error::DriverError;

/// One service of the catalogue.
#[derive(Clone, Debug)]
pub(crate) struct Service {
    /// Its type (`compute`, `image`, `object-store`).
    pub(crate) kind: String,
    /// Its name (`nova`, `cloudServersOpenStack`); v3 may leave it out.
    pub(crate) name: Option<String>,
    /// Where it answers.
    pub(crate) endpoints: Vec<Endpoint>,
}

/// One endpoint of a service (v3's shape; v2's `publicURL` becomes one
/// with the interface `public`).
#[derive(Clone, Debug, Deserialize)]
pub(crate) struct Endpoint {
    /// `public`, `internal` or `admin`.
    #[serde(default)]
    pub(crate) interface: String,
    /// The region's name (v2, and v3 before Mitaka).
    pub(crate) region: Option<String>,
    /// The region's id (v3).
    pub(crate) region_id: Option<String>,
    /// The endpoint's URL.
    pub(crate) url: String,
}

impl Endpoint {
    /// A v2 `publicURL`.
    pub(crate) fn public(region: Option<String>, url: String) -> Option<Endpoint> {
        Some(Endpoint {
            interface: "public".into(),
            region,
            region_id: None,
            url,
        })
    }

    /// The endpoint's region (name or id), if it has one.
    fn region(&self) -> Option<&str> {
        self.region
            .as_deref()
            .or(self.region_id.as_deref())
            .filter(|r| !r.is_empty())
    }

    fn in_region(&self, wanted: &str) -> bool {
        [self.region.as_deref(), self.region_id.as_deref()]
            .into_iter()
            .flatten()
            .any(|r| r.eq_ignore_ascii_case(wanted))
    }
}

/// The compute endpoint chosen, and the region it serves.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Compute {
    /// Nova's URL (with the tenant where the cloud puts it there).
    pub(crate) url: String,
    /// The endpoint's region, if the catalogue names one.
    pub(crate) region: Option<String>,
}

/// The public endpoint of the compute service named `name` (any compute
/// service if `None`) in `region` (the only region if `None`). An absent or
/// ambiguous choice is `InvalidRequest` naming what the catalogue offers.
pub(crate) fn compute(
    catalogue: &[Service],
    region: Option<&str>,
    name: Option<&str>,
) -> Result<Compute, DriverError> {
    let services: Vec<&Service> = catalogue
        .iter()
        .filter(|s| s.kind == "compute")
        .filter(|s| name.is_none_or(|n| s.name.as_deref() == Some(n)))
        .collect();
    let offered: Vec<(&str, &Endpoint)> = services
        .iter()
        .flat_map(|s| {
            let name = s.name.as_deref().unwrap_or("compute");
            let all = s.endpoints.iter();
            all.filter(|e| e.interface.eq_ignore_ascii_case("public"))
                .map(move |e| (name, e))
        })
        .collect();
    let what = name.map_or("compute".to_owned(), |n| format!("compute service {n:?}"));
    if offered.is_empty() {
        return Err(DriverError::InvalidRequest(format!(
            "the catalogue has no public {what} endpoint{}",
            listing(
                catalogue
                    .iter()
                    .filter(|s| s.kind == "compute")
                    .map(|s| { s.name.clone().unwrap_or_else(|| "unnamed".into()) })
            )
        )));
    }
    let chosen: Vec<&(&str, &Endpoint)> = match region {
        Some(r) => offered.iter().filter(|(_, e)| e.in_region(r)).collect(),
        None => offered.iter().collect(),
    };
    let regions = || {
        listing(
            offered
                .iter()
                .map(|(_, e)| e.region().unwrap_or("none").to_owned()),
        )
    };
    let first = match chosen.as_slice() {
        [] => {
            let r = region.unwrap_or_default();
            return Err(DriverError::InvalidRequest(format!(
                "the catalogue has no {what} endpoint in region {r:?}{}",
                regions()
            )));
        }
        [first, rest @ ..] => {
            if rest.iter().any(|(_, e)| e.url != first.1.url) {
                let why = match region {
                    Some(_) => format!(
                        "several compute services answer there{}; set the service name",
                        listing(chosen.iter().map(|(n, _)| (*n).to_owned()))
                    ),
                    None => format!("choose a region{}", regions()),
                };
                return Err(DriverError::InvalidRequest(format!(
                    "the catalogue offers more than one {what} endpoint: {why}"
                )));
            }
            first
        }
    };
    Ok(Compute {
        url: first.1.url.clone(),
        region: first.1.region().map(str::to_owned),
    })
}

/// `" (a, b)"`, or nothing for an empty list; duplicates once.
fn listing(items: impl Iterator<Item = String>) -> String {
    let mut all: Vec<String> = items.collect();
    all.sort();
    all.dedup();
    if all.is_empty() {
        String::new()
    } else {
        format!(" ({})", all.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(kind: &str, name: &str, endpoints: &[(&str, Option<&str>, &str)]) -> Service {
        Service {
            kind: kind.into(),
            name: Some(name.into()),
            endpoints: endpoints
                .iter()
                .map(|(i, r, u)| Endpoint {
                    interface: (*i).into(),
                    region: r.map(str::to_owned),
                    region_id: None,
                    url: (*u).into(),
                })
                .collect(),
        }
    }

    #[test]
    fn the_endpoint_is_chosen_by_region_and_name_and_ambiguity_is_named() {
        let cat = [
            service("compute", "cloudServers", &[("public", None, "https://v1")]),
            service(
                "compute",
                "cloudServersOpenStack",
                &[
                    ("public", Some("DFW"), "https://dfw"),
                    ("public", Some("ORD"), "https://ord"),
                ],
            ),
            service(
                "compute",
                "cloudServersPreprod",
                &[("public", Some("DFW"), "https://pre")],
            ),
            service("image", "glance", &[("public", Some("ORD"), "https://img")]),
        ];
        let ord = compute(&cat, Some("ord"), Some("cloudServersOpenStack")).unwrap();
        assert_eq!(
            ord,
            Compute {
                url: "https://ord".into(),
                region: Some("ORD".into())
            }
        );
        let err = compute(&cat, Some("DFW"), None).unwrap_err();
        assert!(
            err.to_string()
                .contains("cloudServersOpenStack, cloudServersPreprod"),
            "{err}"
        );
        let err = compute(&cat, Some("SYD"), Some("cloudServersOpenStack")).unwrap_err();
        assert!(err.to_string().contains("(DFW, ORD)"), "{err}");
        let err = compute(&cat, None, Some("nova")).unwrap_err();
        assert!(
            err.to_string()
                .contains("no public compute service \"nova\""),
            "{err}"
        );
    }

    #[test]
    fn only_public_interfaces_count_and_one_region_needs_no_naming() {
        let cat = [service(
            "compute",
            "nova",
            &[
                ("internal", Some("r1"), "http://controller"),
                ("public", Some("r1"), "http://public"),
            ],
        )];
        assert_eq!(compute(&cat, None, None).unwrap().url, "http://public");
    }
}
