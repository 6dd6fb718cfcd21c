//! Integration tests: the whole server in-process, on a real loopback port
//! and a fresh database per test.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod assets;
mod cli;
mod compression;
mod contract;
mod dashboard;
mod doors;
mod events;
mod fleet;
mod guard;
mod hardening;
mod helpers;
pub mod identity;
mod keep_alive;
pub mod machines;
mod oauth;
mod openapi;
mod rights;
mod rights_cache;
mod sessions;
mod setup;
mod shown_once;
mod split_preloads;
mod stacks;
mod system;
mod token_clock;
mod users;
