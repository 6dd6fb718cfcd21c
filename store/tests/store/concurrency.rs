//! Many writers at once. For every write operation of the store, [`N`] calls
//! race on one `Db` (one shared pool) on a multi-threaded runtime: every call
//! must succeed (SQLite's "database is locked" was the bug: a deferred
//! transaction that read and then wrote failed at once when another
//! connection had written meanwhile) and every row must be there afterwards.
//!
//! A test notes every failed round and every broken expectation and fails
//! at its end with the whole list, so one run names every operation that
//! failed and how often.

mod access;
mod accounts;
mod events;
mod images;
mod inventory;
mod keys;
mod leases;
mod scripts;
mod sessions;
mod stacks;
mod throttle_and_audit;
mod two_factor;

use std::{collections::BTreeMap, fmt::Debug, fmt::Display, future::Future, sync::Arc};

use store::{
    accounts::{NewAccount, PasswordHash},
    backends::StoredBackend,
    Db,
};
use tokio::sync::Barrier;

/// How many writers race in each round.
pub const N: usize = 50;

/// Rounds of racing writers on one database, and what went wrong in them.
pub struct Races {
    db: Db,
    engine: String,
    problems: Vec<String>,
}

impl Races {
    pub fn new(db: &Db, engine: &str) -> Self {
        Self {
            db: db.clone(),
            engine: engine.to_owned(),
            problems: Vec::new(),
        }
    }

    /// Calls `op(db, i)` for every `i` in `0..N`, each in its own task, all
    /// released together. Returns what the successful calls returned (in
    /// the order of `i`) and notes the failures under `name`.
    pub async fn run<T, E, F, Fut>(&mut self, name: &str, op: F) -> Vec<T>
    where
        F: Fn(Db, usize) -> Fut,
        Fut: Future<Output = Result<T, E>> + Send + 'static,
        T: Send + 'static,
        E: Display,
    {
        let gate = Arc::new(Barrier::new(N));
        let tasks: Vec<_> = (0..N)
            .map(|i| {
                let call = op(self.db.clone(), i);
                let gate = Arc::clone(&gate);
                tokio::spawn(async move {
                    gate.wait().await;
                    call.await.map_err(|e| e.to_string())
                })
            })
            .collect();
        let mut values = Vec::with_capacity(N);
        let mut errors = BTreeMap::<String, usize>::new();
        for task in tasks {
            match task.await {
                Ok(Ok(value)) => values.push(value),
                Ok(Err(e)) => *errors.entry(e).or_default() += 1,
                Err(e) => *errors.entry(format!("task failed: {e}")).or_default() += 1,
            }
        }
        if !errors.is_empty() {
            let failed: usize = errors.values().sum();
            let causes: Vec<_> = errors
                .iter()
                .map(|(e, n)| format!("{n} times: {e}"))
                .collect();
            self.problems.push(format!(
                "{name}: {failed} of {N} calls failed ({})",
                causes.join("; ")
            ));
        }
        values
    }

    /// Notes a broken expectation about what a round left: `got != want`.
    pub fn check_eq<T: PartialEq + Debug>(&mut self, name: &str, got: T, want: T) {
        if got != want {
            self.problems
                .push(format!("{name}: got {got:?}, expected {want:?}"));
        }
    }

    /// Notes unless every call of a round answered `true` (found, claimed...).
    pub fn check_all(&mut self, name: &str, answers: &[bool]) {
        let yes = answers.iter().filter(|a| **a).count();
        self.check_eq(&format!("{name}: calls answering true"), yes, N);
    }

    /// Fails the test with every problem noted.
    pub fn finish(self) {
        assert!(
            self.problems.is_empty(),
            "{}: {} problem(s) with concurrent writers:\n  {}",
            self.engine,
            self.problems.len(),
            self.problems.join("\n  ")
        );
    }
}

/// Creates user `u<i>` (`user<i>`), one at a time.
pub async fn users(db: &Db, count: usize) {
    let hash = PasswordHash("$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA".into());
    for i in 0..count {
        let new = NewAccount {
            id: &format!("u{i}"),
            email: &format!("user{i}@example.com"),
            name: "",
            password_hash: &hash,
            now: 1,
        };
        db.create_user(new, &format!("user{i}")).await.unwrap();
    }
}

/// Backend `b<i>`, bare metal, enabled.
pub fn backend(i: usize) -> StoredBackend {
    crate::rows::backend(&format!("b{i}"), &format!("rack {i}"))
}

pub use crate::rows::machine;
