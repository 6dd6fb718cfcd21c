//! The fleet's passes over the machines ([`Scanned`]), kept while nothing
//! they depend on changed: every backend as stored (id, title) with its
//! machines' counter (`store`'s `machines_version`, moved forward with
//! every write to them on any instance), the stacks' membership, the
//! caller's rights, and the query's filters and sort. A page of the fleet
//! then reads only its own rows, not every machine.
//!
//! Bounded: a pass over [`MAX_KEYS`] machines is never kept, and the kept
//! passes together hold at most [`MAX_KEYS`] keys and [`MAX_ENTRIES`]
//! entries (the oldest kept leaves first).

use std::sync::{Arc, Mutex};

use domain::fleet::FleetSort;
use store::backends::StoredBackend;

use super::{
    fleet_scan::{Filter, Scanned, Stacks},
    list_cache::Rights,
};
use crate::Actor;

/// The most keys kept in all (a key is about 150 bytes).
pub const MAX_KEYS: usize = 60_000;
/// The most passes kept.
pub const MAX_ENTRIES: usize = 64;

/// What a pass depends on.
#[derive(Debug, Clone)]
pub struct ScanKey {
    rights: Rights,
    /// Every backend: id, title (a sort by backend), machines' counter.
    backends: Vec<(String, String, i64)>,
    backend_id: Option<String>,
    filter: Filter,
    sort: FleetSort,
    stacks: Arc<Stacks>,
}

impl ScanKey {
    /// The key of `actor`'s pass over `backends` (with their counters).
    pub(super) fn new(
        actor: &Actor,
        backends: &[(StoredBackend, i64)],
        backend_id: Option<&str>,
        filter: &Filter,
        sort: FleetSort,
        stacks: Arc<Stacks>,
    ) -> Self {
        let mut backends: Vec<_> = backends
            .iter()
            .map(|(b, v)| (b.id.clone(), b.title.clone(), *v))
            .collect();
        backends.sort();
        Self {
            rights: Rights::of(actor),
            backends,
            backend_id: backend_id.map(str::to_owned),
            filter: filter.clone(),
            sort,
            stacks,
        }
    }

    /// Whether `versions` (id, counter; ordered by id) are the counters
    /// this key was read at: no machine changed since.
    pub fn still(&self, versions: &[(String, i64)]) -> bool {
        self.backends.len() == versions.len()
            && self
                .backends
                .iter()
                .zip(versions)
                .all(|((id, _, v), (id2, v2))| id == id2 && v == v2)
    }

    fn same(&self, other: &Self) -> bool {
        self.backends == other.backends
            && self.sort == other.sort
            && self.backend_id == other.backend_id
            && self.filter == other.filter
            && self.rights.same(&other.rights)
            && (Arc::ptr_eq(&self.stacks, &other.stacks) || self.stacks == other.stacks)
    }
}

/// The kept passes, oldest first.
#[derive(Debug, Default)]
pub struct ScanCache {
    entries: Mutex<Vec<(ScanKey, Arc<Scanned>)>>,
}

impl ScanCache {
    /// The pass kept under `key`, if any.
    pub(super) fn get(&self, key: &ScanKey) -> Option<Arc<Scanned>> {
        let entries = self.entries.lock().ok()?;
        entries
            .iter()
            .find(|(k, _)| k.same(key))
            .map(|(_, scanned)| scanned.clone())
    }

    /// Keeps `scanned` under `key`. Passes over other backends' counters
    /// leave (the machines moved on), as do the oldest while the bounds
    /// are exceeded.
    pub(super) fn put(&self, key: ScanKey, scanned: Arc<Scanned>) {
        if scanned.len() > MAX_KEYS {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        entries.retain(|(k, _)| k.backends == key.backends && !k.same(&key));
        entries.push((key, scanned));
        let mut keys: usize = entries.iter().map(|(_, s)| s.len()).sum();
        while (keys > MAX_KEYS || entries.len() > MAX_ENTRIES) && !entries.is_empty() {
            keys -= entries.remove(0).1.len();
        }
    }

    /// The passes kept.
    pub fn len(&self) -> usize {
        self.entries.lock().map(|e| e.len()).unwrap_or(0)
    }

    /// Whether none is kept.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use domain::fleet::{FleetQuery, FleetSort};

    use super::*;
    use crate::session::Credential;

    fn backend(id: &str) -> StoredBackend {
        StoredBackend {
            id: id.into(),
            title: id.to_uppercase(),
            provider: "ec2_us_east".into(),
            region: None,
            apikey: None,
            apiurl: None,
            config: "{}".into(),
            secret_sealed: None,
            enabled: true,
            state: "online".into(),
            state_reason: None,
            poll_interval: 10_000,
            polled_at: None,
            created_at: 1,
        }
    }

    fn master() -> Actor {
        Actor {
            account_id: "a".into(),
            email: "a@example.com".into(),
            is_master: true,
            address: String::new(),
            roles: Arc::new(Vec::new()),
            rights_generation: 0,
            token_scope: None,
            via: Credential::Session,
        }
    }

    fn key(versions: &[(&str, i64)], q: &str) -> ScanKey {
        key_with(versions, q, Arc::default())
    }

    fn key_with(versions: &[(&str, i64)], q: &str, stacks: Arc<Stacks>) -> ScanKey {
        let backends: Vec<_> = versions.iter().map(|(id, v)| (backend(id), *v)).collect();
        let query = FleetQuery {
            q: q.into(),
            ..FleetQuery::default()
        };
        ScanKey::new(
            &master(),
            &backends,
            None,
            &Filter::new(&query),
            FleetSort::Name,
            stacks,
        )
    }

    #[test]
    fn a_pass_is_found_under_its_key_only_while_the_counters_stand() {
        let cache = ScanCache::default();
        let now = key(&[("b", 3), ("a", 1)], "");
        cache.put(now.clone(), Arc::new(Scanned::default()));
        assert!(cache.get(&key(&[("a", 1), ("b", 3)], "")).is_some());
        assert!(cache.get(&key(&[("a", 1), ("b", 4)], "")).is_none());
        assert!(cache.get(&key(&[("a", 1)], "")).is_none());
        assert!(cache.get(&key(&[("a", 1), ("b", 3)], "web")).is_none());
        assert!(now.still(&[("a".into(), 1), ("b".into(), 3)]));
        assert!(!now.still(&[("a".into(), 2), ("b".into(), 3)]));
        assert!(!now.still(&[("a".into(), 1)]));

        // A machine joining a stack is another pass (a stack filter, the
        // stacks offered).
        let mut joined = Stacks::new();
        joined.entry("a".into()).or_default().insert(
            "m1".into(),
            domain::fleet::Choice {
                id: "s1".into(),
                label: "web".into(),
            },
        );
        let in_stack = key_with(&[("a", 1), ("b", 3)], "", Arc::new(joined));
        assert!(cache.get(&in_stack).is_none());
        cache.put(in_stack.clone(), Arc::new(Scanned::default()));
        assert!(cache.get(&in_stack).is_some());
    }

    #[test]
    fn newer_counters_push_the_older_passes_out_and_the_bounds_hold() {
        let cache = ScanCache::default();
        cache.put(key(&[("a", 1)], ""), Arc::new(Scanned::default()));
        cache.put(key(&[("a", 1)], "x"), Arc::new(Scanned::default()));
        assert_eq!(cache.len(), 2);
        cache.put(key(&[("a", 2)], ""), Arc::new(Scanned::default()));
        assert_eq!(cache.len(), 1, "the passes at the old counter left");
        for n in 0..(MAX_ENTRIES + 10) {
            cache.put(
                key(&[("a", 2)], &n.to_string()),
                Arc::new(Scanned::default()),
            );
        }
        assert_eq!(cache.len(), MAX_ENTRIES);
    }
}
