//! The fleet table: one page of the machines the caller may see, searched,
//! filtered, sorted and counted on the server, with what its filters can
//! offer and the columns the caller chose.
//!
//! Memory stays bounded by the page: the machines are read one row at a
//! time; of each, only a small sort key is kept when it matches; the page's
//! rows are then read again by key.

use std::collections::{BTreeMap, HashMap, HashSet};

use domain::{
    compute::MachineState,
    fleet::{Choice, FleetPage, FleetQuery, FleetRow, FleetSort, StateCount},
    inventory::MachineSummary,
    resource, ErrorKind,
};
use serde_json::Value;
use store::backends::{StoredBackend, StoredMachine};

use super::{prices, shown};
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
    let backends: HashMap<String, StoredBackend> = services
        .db
        .backends()
        .await
        .map_err(internal)?
        .into_iter()
        .map(|b| (b.id.clone(), b))
        .collect();
    if let Some(id) = backend_id {
        if !backends.contains_key(id) {
            return Err(ErrorKind::NotFound {
                what: format!("backend {id:?}"),
            });
        }
    }
    let stacks = stacks_of(services, actor).await?;
    let filter = Filter::new(query);
    let mut scan = Scan::default();
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
    let Scan {
        mut keys,
        total,
        counts,
        backends_seen,
        stacks_seen,
    } = scan;

    keys.sort_unstable();
    if query.desc {
        keys.reverse();
    }
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
    let wanted: Vec<(String, String)> = keys
        .into_iter()
        .skip(skip)
        .take(take)
        .map(|k| (k.backend, k.id))
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

    let mut backend_choices: Vec<Choice> = backends_seen
        .iter()
        .filter_map(|id| backends.get(id))
        .map(|b| Choice {
            id: b.id.clone(),
            label: b.title.clone(),
        })
        .collect();
    backend_choices
        .sort_by(|a, b| (a.label.to_lowercase(), &a.id).cmp(&(b.label.to_lowercase(), &b.id)));
    let mut stack_choices: Vec<Choice> = stacks_seen.into_values().collect();
    stack_choices
        .sort_by(|a, b| (a.label.to_lowercase(), &a.id).cmp(&(b.label.to_lowercase(), &b.id)));
    Ok(FleetPage {
        query: answered,
        rows,
        matched,
        total,
        counts: MachineState::ALL
            .iter()
            .filter_map(|s| {
                counts
                    .get(s.as_str())
                    .map(|&count| StateCount { state: *s, count })
            })
            .collect(),
        backends: backend_choices,
        stacks: stack_choices,
        columns: super::fleet_columns(services, actor).await?,
    })
}

/// Which stack holds each machine: backend -> machine -> stack.
type Stacks = HashMap<String, HashMap<String, Choice>>;

fn stack_of<'a>(stacks: &'a Stacks, backend_id: &str, machine_id: &str) -> Option<&'a Choice> {
    stacks.get(backend_id)?.get(machine_id)
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

/// The query's filters, read once.
struct Filter {
    q: String,
    backend: String,
    state: Option<MachineState>,
    tag: String,
    stack: String,
}

impl Filter {
    fn new(query: &FleetQuery) -> Self {
        Filter {
            q: query.q.trim().to_lowercase(),
            backend: query.backend.trim().to_owned(),
            state: query.state,
            tag: query.tag.trim().to_lowercase(),
            stack: query.stack.trim().to_owned(),
        }
    }

    /// Whether the scan reads the machines' `extra` (a tag to match, a sort
    /// by size or location); else it is neither read nor parsed.
    fn needs_extra(&self, sort: FleetSort) -> bool {
        !self.tag.is_empty() || matches!(sort, FleetSort::Size | FleetSort::Location)
    }

    /// Whether `m` matches every filter but the state.
    fn keeps(&self, m: &StoredMachine, extra: &Extra, stack: Option<&Choice>) -> bool {
        (self.backend.is_empty() || m.backend_id == self.backend)
            && (self.stack.is_empty() || stack.is_some_and(|s| s.id == self.stack))
            && (self.tag.is_empty() || extra.tags.iter().any(|t| t.to_lowercase() == self.tag))
            && (self.q.is_empty() || searched(m, &self.q))
    }
}

/// Whether `q` (lower case) is in the machine's name, id or an address.
fn searched(m: &StoredMachine, q: &str) -> bool {
    let has = |text: &str| text.to_lowercase().contains(q);
    has(&m.name)
        || has(&m.id)
        || [&m.public_ips, &m.private_ips]
            .into_iter()
            .flat_map(|ips| serde_json::from_str::<Vec<String>>(ips).unwrap_or_default())
            .any(|ip| has(&ip))
}

/// What the fleet reads of a stored machine's `extra` (as
/// `drivers::to_stored` writes it).
#[derive(Default)]
struct Extra {
    size: Option<String>,
    image: Option<String>,
    location: Option<String>,
    tags: Vec<String>,
}

impl Extra {
    fn of(m: &StoredMachine) -> Self {
        /// Only the four fields read; the rest of the document is skipped
        /// unbuilt (a provider's `extra` can be large).
        #[derive(serde::Deserialize, Default)]
        #[serde(default)]
        struct Read {
            size: Value,
            image: Value,
            location: Value,
            tags: Value,
        }
        let extra: Read = if m.extra.trim_start().starts_with('{') {
            serde_json::from_str(&m.extra).unwrap_or_default()
        } else {
            Read::default()
        };
        let text = |value: &Value| {
            value
                .as_str()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
        };
        Extra {
            size: text(&extra.size),
            image: text(&extra.image),
            location: text(&extra.location),
            tags: serde_json::from_value(extra.tags).unwrap_or_default(),
        }
    }
}

/// Where a matching machine sorts, and which it is: the sorted column
/// (text or number), then its name, backend and id, so the order is total.
#[derive(Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Key {
    text: String,
    number: i64,
    name: String,
    backend: String,
    id: String,
}

/// What one pass over the machines keeps.
#[derive(Default)]
struct Scan {
    keys: Vec<Key>,
    total: u64,
    counts: BTreeMap<&'static str, u64>,
    backends_seen: HashSet<String>,
    stacks_seen: HashMap<String, Choice>,
}

impl Scan {
    #[expect(clippy::too_many_arguments)]
    fn take(
        &mut self,
        actor: &Actor,
        backends: &HashMap<String, StoredBackend>,
        stacks: &Stacks,
        filter: &Filter,
        sort: FleetSort,
        m: StoredMachine,
        first_seen: i64,
    ) {
        let Some(backend) = backends.get(&m.backend_id) else {
            return;
        };
        if !authz::decide(
            actor,
            "view:machine",
            &resource::machine(&m.backend_id, &m.id),
        )
        .is_allowed()
        {
            return;
        }
        self.total += 1;
        if !self.backends_seen.contains(&m.backend_id) {
            self.backends_seen.insert(m.backend_id.clone());
        }
        let stack = stack_of(stacks, &m.backend_id, &m.id);
        if let Some(s) = stack {
            if !self.stacks_seen.contains_key(&s.id) {
                self.stacks_seen.insert(s.id.clone(), s.clone());
            }
        }
        let extra = if filter.needs_extra(sort) {
            Extra::of(&m)
        } else {
            Extra::default()
        };
        if !filter.keeps(&m, &extra, stack) {
            return;
        }
        let state = MachineState::parse(&m.state).unwrap_or(MachineState::Unknown);
        *self.counts.entry(state.as_str()).or_default() += 1;
        if filter.state.is_some_and(|s| s != state) {
            return;
        }
        let (text, number) = match sort {
            FleetSort::Name => (String::new(), 0),
            FleetSort::Backend => (backend.title.to_lowercase(), 0),
            FleetSort::State => (state.as_str().to_owned(), 0),
            FleetSort::Size => (extra.size.unwrap_or_default().to_lowercase(), 0),
            FleetSort::Location => (extra.location.unwrap_or_default().to_lowercase(), 0),
            FleetSort::Age => (String::new(), first_seen),
        };
        self.keys.push(Key {
            text,
            number,
            name: m.name.to_lowercase(),
            backend: m.backend_id,
            id: m.id,
        });
    }
}
