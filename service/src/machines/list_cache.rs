//! One backend's whole machine list as JSON, kept per caller's rights while
//! the backend's machines have not changed (`store`'s `machines_version`,
//! moved forward with every write to them on any instance). A caller whose
//! roles, token scope and mastery equal a kept entry's, asking for the same
//! backend (same id, title, provider and creation) at the same counter, is
//! answered the kept bytes without reading or serializing a machine.
//!
//! Bounded: a list over [`MAX_ENTRY`] bytes is never kept, and the entries
//! together stay under [`MAX_TOTAL`] (the oldest kept leaves first).

use std::sync::{Arc, Mutex};

use domain::rbac::Policy;
use store::backends::StoredBackend;

use crate::Actor;

/// The largest list kept (about 12,000 machines).
pub const MAX_ENTRY: usize = 4 << 20;
/// All kept lists together.
pub const MAX_TOTAL: usize = 12 << 20;

/// What decides which machines a caller sees (`authz::decide`): mastery,
/// the roles' scopes and a token's own scope. Two callers with equal
/// rights see the same machines.
#[derive(Debug, Clone)]
pub struct Rights {
    is_master: bool,
    roles: Arc<Vec<Policy>>,
    token_scope: Option<Arc<Policy>>,
}

impl Rights {
    /// `actor`'s rights.
    pub fn of(actor: &Actor) -> Self {
        Self {
            is_master: actor.is_master,
            roles: actor.roles.clone(),
            token_scope: actor.token_scope.clone(),
        }
    }

    /// Whether both decide alike (equal roles, found equal by pointer
    /// first: a session's roles are shared until they change).
    pub fn same(&self, other: &Self) -> bool {
        self.is_master == other.is_master
            && (self.is_master
                || Arc::ptr_eq(&self.roles, &other.roles)
                || self.roles == other.roles)
            && self.token_scope.as_deref() == other.token_scope.as_deref()
    }
}

/// What a list depends on besides the machines: the backend as a summary
/// shows it and the caller's rights.
#[derive(Debug, Clone)]
pub struct ListKey {
    backend_id: String,
    backend_title: String,
    provider: String,
    created_at: i64,
    version: i64,
    rights: Rights,
}

impl ListKey {
    /// The key of `actor`'s list of `backend` at `version`.
    pub fn new(actor: &Actor, backend: &StoredBackend, version: i64) -> Self {
        Self {
            backend_id: backend.id.clone(),
            backend_title: backend.title.clone(),
            provider: backend.provider.clone(),
            created_at: backend.created_at,
            version,
            rights: Rights::of(actor),
        }
    }

    /// The counter the list was (or is to be) read at.
    pub fn version(&self) -> i64 {
        self.version
    }

    fn same(&self, other: &Self) -> bool {
        self.rights.same(&other.rights)
            && self.version == other.version
            && self.created_at == other.created_at
            && self.backend_id == other.backend_id
            && self.backend_title == other.backend_title
            && self.provider == other.provider
    }
}

/// The kept lists, oldest first.
#[derive(Debug, Default)]
pub struct ListCache {
    entries: Mutex<Vec<(ListKey, bytes::Bytes)>>,
}

impl ListCache {
    /// The list kept under `key`, if any.
    pub fn get(&self, key: &ListKey) -> Option<bytes::Bytes> {
        let entries = self.entries.lock().ok()?;
        entries
            .iter()
            .find(|(k, _)| k.same(key))
            .map(|(_, body)| body.clone())
    }

    /// Keeps `body` under `key` (a list too large is not kept). Entries of
    /// the same backend at an older counter leave, as do the oldest while
    /// the total is over [`MAX_TOTAL`].
    pub fn put(&self, key: ListKey, body: bytes::Bytes) {
        if body.len() > MAX_ENTRY {
            return;
        }
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        let replaced = |k: &ListKey| {
            k.same(&key) || (k.backend_id == key.backend_id && k.version < key.version)
        };
        entries.retain(|(k, _)| !replaced(k));
        entries.push((key, body));
        let mut total: usize = entries.iter().map(|(_, b)| b.len()).sum();
        while total > MAX_TOTAL && !entries.is_empty() {
            total -= entries.remove(0).1.len();
        }
    }

    /// The bytes kept in all.
    pub fn bytes(&self) -> usize {
        self.entries
            .lock()
            .map(|e| e.iter().map(|(_, b)| b.len()).sum())
            .unwrap_or(0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::session::Credential;

    fn backend(title: &str) -> StoredBackend {
        StoredBackend {
            id: "b1".into(),
            title: title.into(),
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

    fn actor(master: bool, roles: Vec<Policy>) -> Actor {
        Actor {
            account_id: "a".into(),
            email: "a@example.com".into(),
            is_master: master,
            address: String::new(),
            roles: Arc::new(roles),
            rights_generation: 0,
            token_scope: None,
            via: Credential::Session,
        }
    }

    fn policy(text: &str) -> Policy {
        Policy::parse_str(text).expect("a policy")
    }

    #[test]
    fn a_list_is_kept_per_rights_backend_and_version() {
        let cache = ListCache::default();
        let viewer = actor(
            false,
            vec![policy(
                r#"{"version":"2017-05-05","Statement":[{"Effect":"Allow","Action":["view:*"],"Resource":["*"]}]}"#,
            )],
        );
        let b = backend("prod");
        cache.put(
            ListKey::new(&viewer, &b, 3),
            bytes::Bytes::from_static(b"[1]"),
        );
        // The same rights read again (another Arc) find it.
        let again = actor(false, (*viewer.roles).clone());
        assert_eq!(
            cache.get(&ListKey::new(&again, &b, 3)).as_deref(),
            Some(&b"[1]"[..])
        );
        // Another counter, another title, other rights, a token scope: misses.
        assert!(cache.get(&ListKey::new(&viewer, &b, 4)).is_none());
        assert!(cache
            .get(&ListKey::new(&viewer, &backend("renamed"), 3))
            .is_none());
        assert!(cache
            .get(&ListKey::new(&actor(true, vec![]), &b, 3))
            .is_none());
        assert!(cache
            .get(&ListKey::new(&actor(false, vec![]), &b, 3))
            .is_none());
        let mut scoped = viewer.clone();
        scoped.token_scope = Some(Arc::new(policy(
            r#"{"version":"2017-05-05","Statement":[{"Effect":"Deny","Action":["view:*"],"Resource":["*"]}]}"#,
        )));
        assert!(cache.get(&ListKey::new(&scoped, &b, 3)).is_none());
        // A newer counter drops the older entry of that backend.
        cache.put(
            ListKey::new(&viewer, &b, 4),
            bytes::Bytes::from_static(b"[2]"),
        );
        assert!(cache.get(&ListKey::new(&viewer, &b, 3)).is_none());
        assert_eq!(cache.bytes(), 3);
    }

    #[test]
    fn the_cache_stays_under_its_bounds() {
        let cache = ListCache::default();
        let b = backend("prod");
        cache.put(
            ListKey::new(&actor(true, vec![]), &b, 1),
            bytes::Bytes::from(vec![b' '; MAX_ENTRY + 1]),
        );
        assert_eq!(cache.bytes(), 0, "a list over MAX_ENTRY is not kept");
        for i in 0..8 {
            let who = actor(
                false,
                vec![policy(&format!(
                    r#"{{"version":"2017-05-05","Statement":[{{"Effect":"Allow","Action":["view:*"],"Resource":["backend/b{i}/*"]}}]}}"#
                ))],
            );
            cache.put(
                ListKey::new(&who, &b, 1),
                bytes::Bytes::from(vec![b' '; MAX_ENTRY]),
            );
        }
        assert!(cache.bytes() <= MAX_TOTAL);
        assert!(cache.bytes() >= MAX_TOTAL - MAX_ENTRY);
    }
}
