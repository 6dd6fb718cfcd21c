//! The fleet's one pass over the machines: of each the caller may see and
//! the query's filters keep, a small sort key, plus what the filters can
//! offer (states counted, backends and stacks seen). Its result
//! ([`Scanned`]) depends only on the machines, the backends, the stacks'
//! membership, the caller's rights and the query's filters and sort, so
//! it can be kept while those stand (`scan_cache`).

use std::collections::{BTreeMap, HashMap, HashSet};

use domain::{
    compute::MachineState,
    fleet::{Choice, FleetQuery, FleetSort},
    resource,
};
use serde_json::Value;
use store::backends::{StoredBackend, StoredMachine};

use crate::{authz, Actor};

/// Which stack holds each machine: backend -> machine -> stack.
pub(super) type Stacks = HashMap<String, HashMap<String, Choice>>;

pub(super) fn stack_of<'a>(
    stacks: &'a Stacks,
    backend_id: &str,
    machine_id: &str,
) -> Option<&'a Choice> {
    stacks.get(backend_id)?.get(machine_id)
}

/// A finished pass: the matching machines' keys in ascending order, and
/// what the filters can offer.
#[derive(Debug, Default)]
pub(super) struct Scanned {
    pub keys: Vec<Key>,
    pub total: u64,
    pub counts: BTreeMap<&'static str, u64>,
    pub backends_seen: HashSet<String>,
    pub stacks_seen: HashMap<String, Choice>,
}

impl Scanned {
    /// The keys held, for the cache's bound.
    pub fn len(&self) -> usize {
        self.keys.len()
    }
}

/// The query's filters, read once.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Filter {
    q: String,
    backend: String,
    state: Option<MachineState>,
    tag: String,
    stack: String,
}

impl Filter {
    pub fn new(query: &FleetQuery) -> Self {
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
    pub fn needs_extra(&self, sort: FleetSort) -> bool {
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
pub(super) struct Extra {
    pub size: Option<String>,
    pub image: Option<String>,
    pub location: Option<String>,
    pub tags: Vec<String>,
}

impl Extra {
    pub fn of(m: &StoredMachine) -> Self {
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
pub(super) struct Key {
    text: String,
    number: i64,
    name: String,
    pub backend: String,
    pub id: String,
}

impl Scanned {
    /// Takes one machine into the pass (skipped unless the caller may see
    /// it and the filters keep it). Sort [`Scanned::keys`] once done.
    #[expect(clippy::too_many_arguments)]
    pub fn take(
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
