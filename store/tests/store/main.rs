//! The store's tests, each run on SQLite and, when
//! `OVERCAST_TEST_POSTGRES_URL` names a PostgreSQL server (the test command
//! starts one), on a fresh PostgreSQL database too.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod accounts;
mod cancelled_writes;
mod concurrency;
mod events;
mod harness;
mod identity;
mod inventory;
mod leases;
mod machine_records;
mod rows;
mod sessions;
mod settings;
mod sizes;
mod stacks;
mod throttle_and_audit;
mod two_factor;
