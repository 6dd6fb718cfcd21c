//! The fleet table: one page of the machines the caller may see, searched,
//! filtered, sorted and counted on the server, with what its filters can
//! offer and the columns the caller chose.
//!
//! Memory stays bounded by the page: the machines are read one row at a
//! time; of each, only a small sort key is kept when it matches
//! (`fleet_scan`); the page's rows are then read again by key. The pass is
//! kept while the machines, backends, stacks and rights it read stand
//! (`scan_cache`), so a page read again reads only its rows.

use std::{collections::HashMap, sync::Arc};

use domain::{
    compute::MachineState,
    fleet::{Choice, FleetPage, FleetQuery, FleetRow, StateCount},
    inventory::MachineSummary,
    ErrorKind,
};
use store::backends::{StoredBackend, StoredMachine};

use super::{
    fleet_scan::{stack_of, Extra, Filter, Scanned, Stacks},
    prices,
    scan_cache::ScanKey,
    shown,
};
use crate::{authz, internal, Actor, Services};

/// One page of the machines the caller may see (`view:machine` somewhere,
/// then on each machine), as `query` asks. A page past the end answers the
/// last page (`query.page` says which).
pub async fn fleet(
    services: &Services,
    actor: &Actor,
    query: &FleetQuery,
) -> Result<FleetPage, ErrorKind> {
    fleet_of(services, actor, query, None).await
}

/// [`fleet`], of one backend's machines when `backend_id` names one (the
/// REST list of a backend; an unknown backend is a 404).
pub async fn fleet_of(
    services: &Services,
    actor: &Actor,
    query: &FleetQuery,
    backend_id: Option<&str>,
) -> Result<FleetPage, ErrorKind> {
    answer(services, actor, query, backend_id, false).await
}

/// Every machine `query` matches (its page and page size aside), in its
/// order, of one backend when `backend_id` names one: the unpaged REST
/// list asked for with filters. It holds the whole match, as an unpaged
/// list does.
pub async fn matching(
    services: &Services,
    actor: &Actor,
    query: &FleetQuery,
    backend_id: Option<&str>,
) -> Result<Vec<MachineSummary>, ErrorKind> {
    let page = answer(services, actor, query, backend_id, true).await?;
    Ok(page.rows.into_iter().map(|r| r.machine).collect())
}

/// The fleet's answer: one page, or with `all` every matched row.
async fn answer(
    services: &Services,
    actor: &Actor,
    query: &FleetQuery,
    backend_id: Option<&str>,
    all: bool,
) -> Result<FleetPage, ErrorKind> {
    authz::authorize_listing(actor, "view:machine")?;
    let versioned = services
        .db
        .backends_with_machines_versions()
        .await
        .map_err(internal)?;
    let backends: HashMap<String, StoredBackend> = versioned
        .iter()
        .map(|(b, _)| (b.id.clone(), b.clone()))
        .collect();
    if let Some(id) = backend_id {
        if !backends.contains_key(id) {
            return Err(ErrorKind::NotFound {
                what: format!("backend {id:?}"),
            });
        }
    }
    let stacks = Arc::new(stacks_of(services, actor).await?);
    let filter = Filter::new(query);
    let key = ScanKey::new(
        actor,
        &versioned,
        backend_id,
        &filter,
        query.sort,
        stacks.clone(),
    );
    let scanned = match services.fleet_scans.get(&key) {
        Some(scanned) => scanned,
        None => {
            let mut scan = Scanned::default();
            services
                .db
                .each_machine(
                    backend_id,
                    filter.needs_extra(query.sort),
                    |m, first_seen| {
                        scan.take(
                            actor, &backends, &stacks, &filter, query.sort, m, first_seen,
                        )
                    },
                )
                .await
                .map_err(internal)?;
            scan.keys.sort_unstable();
            let scanned = Arc::new(scan);
            // Kept only if no machine changed while it was read.
            let versions = services.db.machines_versions().await.map_err(internal)?;
            if key.still(&versions) {
                services.fleet_scans.put(key, scanned.clone());
            }
            scanned
        }
    };
    let keys = &scanned.keys;
    let matched = keys.len() as u64;
    let per_page = query.per_page.clamp(1, domain::fleet::MAX_PER_PAGE);
    let pages = u32::try_from(matched.div_ceil(u64::from(per_page)))
        .unwrap_or(u32::MAX)
        .max(1);
    let answered = FleetQuery {
        page: query.page.clamp(1, pages),
        per_page,
        ..query.clone()
    };
    let (skip, take) = if all {
        (0, keys.len())
    } else {
        (answered.offset(), per_page as usize)
    };
    // Ascending as kept; a descending page reads them from the end.
    let nth = |i: usize| {
        if query.desc {
            &keys[keys.len() - 1 - i]
        } else {
            &keys[i]
        }
    };
    let wanted: Vec<(String, String)> = (skip..keys.len().min(skip.saturating_add(take)))
        .map(nth)
        .map(|k| (k.backend.clone(), k.id.clone()))
        .collect();
    let mut found: HashMap<(String, String), (StoredMachine, i64)> = services
        .db
        .machines_named(&wanted)
        .await
        .map_err(internal)?
        .into_iter()
        .map(|(m, seen)| ((m.backend_id.clone(), m.id.clone()), (m, seen)))
        .collect();
    // The unpaged list answers machines only: it needs no price.
    let prices = if all {
        prices::Prices::new()
    } else {
        prices::of_backends(services, wanted.iter().map(|k| k.0.as_str())).await?
    };
    let rows = wanted
        .iter()
        .filter_map(|key| {
            let (m, first_seen) = found.remove(key)?;
            let backend = backends.get(&m.backend_id)?;
            let extra = Extra::of(&m);
            let price_hourly = prices::price_of(&prices, &m.backend_id, extra.size.as_deref());
            Some(FleetRow {
                machine: shown(actor, &m, backend),
                size: extra.size,
                image: extra.image,
                location: extra.location,
                first_seen: (first_seen > 0).then_some(first_seen / 1000),
                price_hourly,
                stack: stack_of(&stacks, &key.0, &key.1).cloned(),
            })
        })
        .collect();

    let mut backend_choices: Vec<Choice> = scanned
        .backends_seen
        .iter()
        .filter_map(|id| backends.get(id))
        .map(choice)
        .collect();
    by_label(&mut backend_choices);
    let mut create_on: Vec<Choice> = backends
        .values()
        .filter(|b| may_create_on(actor, b))
        .map(choice)
        .collect();
    by_label(&mut create_on);
    let mut stack_choices: Vec<Choice> = scanned.stacks_seen.values().cloned().collect();
    by_label(&mut stack_choices);
    Ok(FleetPage {
        query: answered,
        rows,
        matched,
        total: scanned.total,
        counts: MachineState::ALL
            .iter()
            .filter_map(|s| {
                scanned
                    .counts
                    .get(s.as_str())
                    .map(|&count| StateCount { state: *s, count })
            })
            .collect(),
        backends: backend_choices,
        create_on,
        stacks: stack_choices,
        columns: super::fleet_columns(services, actor).await?,
    })
}

/// Which stack holds each machine, of the stacks the caller may see (none
/// for a caller who may see no stack).
async fn stacks_of(services: &Services, actor: &Actor) -> Result<Stacks, ErrorKind> {
    let members = match crate::stacks::membership(services, actor, None).await {
        Ok(members) => members,
        Err(ErrorKind::Forbidden { .. }) => Vec::new(),
        Err(e) => return Err(e),
    };
    let mut stacks = Stacks::new();
    for m in members {
        stacks.entry(m.backend_id).or_default().insert(
            m.machine_id,
            Choice {
                id: m.stack_id,
                label: m.nickname,
            },
        );
    }
    Ok(stacks)
}

/// Whether `actor` may create machines on `b` from the Machines page: `b`
/// can create machines, and `create:machine` is allowed on its machines
/// (`machine_actions::create`'s check).
fn may_create_on(actor: &Actor, b: &StoredBackend) -> bool {
    let machines = format!("{}/machine/*", domain::resource::backend(&b.id));
    crate::backends::can_create(b) && authz::decide(actor, "create:machine", &machines).is_allowed()
}

/// A backend as a filter offers it.
fn choice(b: &StoredBackend) -> Choice {
    Choice {
        id: b.id.clone(),
        label: b.title.clone(),
    }
}

/// Sorts a filter's choices as people read them: by label, case aside,
/// then by id.
fn by_label(choices: &mut [Choice]) {
    choices.sort_by(|a, b| (a.label.to_lowercase(), &a.id).cmp(&(b.label.to_lowercase(), &b.id)));
}
