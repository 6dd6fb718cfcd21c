//! Open shell sessions per account, and the limit on them.

use std::{
    collections::HashMap,
    sync::{Arc, Mutex},
};

use domain::ErrorKind;

use crate::internal;

/// Open shell sessions per account.
#[derive(Debug, Default)]
pub struct Sessions {
    open: Mutex<HashMap<String, usize>>,
}

/// Holds one of an account's session slots until dropped.
#[derive(Debug)]
pub struct SessionSlot {
    sessions: Arc<Sessions>,
    account: String,
}

impl Sessions {
    pub(crate) fn take(
        self: &Arc<Self>,
        account: &str,
        limit: usize,
    ) -> Result<SessionSlot, ErrorKind> {
        let mut open = self
            .open
            .lock()
            .map_err(|_| internal("session table poisoned"))?;
        let n = open.entry(account.to_owned()).or_insert(0);
        if *n >= limit {
            return Err(ErrorKind::Conflict {
                message: format!(
                    "you have {limit} shell sessions open already; \
                     close one (or wait for a command to end) first"
                ),
            });
        }
        *n += 1;
        Ok(SessionSlot {
            sessions: self.clone(),
            account: account.to_owned(),
        })
    }

    /// How many sessions `account` has open.
    pub fn count(&self, account: &str) -> usize {
        self.open
            .lock()
            .map(|open| open.get(account).copied().unwrap_or(0))
            .unwrap_or(0)
    }
}

impl Drop for SessionSlot {
    fn drop(&mut self) {
        if let Ok(mut open) = self.sessions.open.lock() {
            if let Some(n) = open.get_mut(&self.account) {
                *n = n.saturating_sub(1);
                if *n == 0 {
                    open.remove(&self.account);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_account_cannot_hold_more_than_its_share_of_sessions() {
        let sessions = Arc::new(Sessions::default());
        let slots: Vec<_> = (0..3).map(|_| sessions.take("a", 3).unwrap()).collect();
        assert!(matches!(
            sessions.take("a", 3),
            Err(ErrorKind::Conflict { .. })
        ));
        assert!(sessions.take("b", 3).is_ok());
        drop(slots);
        assert_eq!(sessions.count("a"), 0);
        assert!(sessions.take("a", 3).is_ok());
    }
}
