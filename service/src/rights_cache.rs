//! The parsed scopes of each caller's roles, kept between requests while
//! the database's rights generation (`store::rights`) has not moved. Every
//! change to what an account may do moves it in the same transaction, on
//! whichever instance makes it; every request reads it (with the account,
//! in one statement), so no request is served rights older than the last
//! change committed before it began.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use domain::rbac::Policy;

/// Most accounts kept at once; past it the map starts over.
pub const CAPACITY: usize = 1024;

/// The cache: every entry was read at `generation` or later.
#[derive(Debug, Default)]
pub struct RightsCache {
    inner: Mutex<Inner>,
}

#[derive(Debug, Default)]
struct Inner {
    generation: i64,
    roles: HashMap<String, Arc<Vec<Policy>>>,
}

impl RightsCache {
    /// The roles kept for `account_id`, if they were read at `generation`
    /// (an older or newer generation is a miss).
    pub fn get(&self, account_id: &str, generation: i64) -> Option<Arc<Vec<Policy>>> {
        let inner = self.inner.lock().ok()?;
        if inner.generation != generation {
            return None;
        }
        inner.roles.get(account_id).cloned()
    }

    /// Keeps `roles`, read after the counter was seen at `generation`. A
    /// newer generation drops every entry of the older one; an entry for
    /// an older one than the cache holds is not kept.
    pub fn put(&self, account_id: &str, generation: i64, roles: Arc<Vec<Policy>>) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        if generation < inner.generation {
            return;
        }
        if generation > inner.generation || inner.roles.len() >= CAPACITY {
            inner.roles.clear();
            inner.generation = generation;
        }
        inner.roles.insert(account_id.to_owned(), roles);
    }

    /// How many accounts are kept.
    pub fn len(&self) -> usize {
        self.inner.lock().map(|i| i.roles.len()).unwrap_or(0)
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moved_generation_is_a_miss_and_drops_the_older_entries() {
        let cache = RightsCache::default();
        let roles = Arc::new(Vec::new());
        cache.put("a", 3, roles.clone());
        assert!(cache.get("a", 3).is_some());
        assert!(cache.get("a", 4).is_none());
        assert!(cache.get("a", 2).is_none());
        cache.put("b", 4, roles.clone());
        assert!(cache.get("a", 4).is_none(), "a's entry was of generation 3");
        cache.put("a", 3, roles.clone());
        assert!(cache.get("a", 3).is_none(), "an older read is not kept");
        assert_eq!(cache.len(), 1);
    }

    #[test]
    fn it_never_holds_more_than_its_capacity() {
        let cache = RightsCache::default();
        for i in 0..CAPACITY * 3 {
            cache.put(&i.to_string(), 1, Arc::new(Vec::new()));
        }
        assert!(cache.len() <= CAPACITY);
    }
}
