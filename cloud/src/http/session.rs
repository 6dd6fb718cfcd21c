//! A token-bearing session shared by every call of a driver: renewed before
//! it expires, and once (not once per caller) after a refusal.

use std::future::Future;

use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::error::DriverError;

/// A session as handed to a caller.
#[derive(Clone, Debug)]
pub(crate) struct Held<S> {
    /// What authenticating gave (clients carrying the token, endpoints).
    pub(crate) value: S,
    /// Counts authentications, so callers that saw the same refusal renew
    /// once.
    pub(crate) generation: u64,
    renew_at: Instant,
}

/// The current session, if any.
#[derive(Debug)]
pub(crate) struct Renewing<S>(Mutex<Option<Held<S>>>);

impl<S> Default for Renewing<S> {
    fn default() -> Self {
        Renewing(Mutex::new(None))
    }
}

impl<S: Clone> Renewing<S> {
    /// The current session unless it is due for renewal or is the `stale`
    /// generation a caller saw refused; else `authenticate` makes a new one
    /// (the value and when to renew it), once for all waiting callers.
    pub(crate) async fn get<F, Fut>(
        &self,
        stale: Option<u64>,
        authenticate: F,
    ) -> Result<Held<S>, DriverError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(S, Instant), DriverError>>,
    {
        let mut current = self.0.lock().await;
        let generation = match current.as_ref() {
            Some(s) if Some(s.generation) != stale && Instant::now() < s.renew_at => {
                return Ok(s.clone())
            }
            Some(s) => s.generation + 1,
            None => 1,
        };
        let (value, renew_at) = authenticate().await?;
        let fresh = Held {
            value,
            generation,
            renew_at,
        };
        *current = Some(fresh.clone());
        Ok(fresh)
    }

    /// Authenticates now, whatever the current session (a credential check).
    pub(crate) async fn renew<F, Fut>(&self, authenticate: F) -> Result<(), DriverError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<(S, Instant), DriverError>>,
    {
        let seen = self.0.lock().await.as_ref().map(|s| s.generation);
        self.get(seen.or(Some(0)), authenticate).await.map(|_| ())
    }
}
