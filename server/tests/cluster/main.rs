//! Several instances, proved: three `overcast serve` processes on one
//! PostgreSQL database behind Debian's nginx (configured from
//! docs/nginx-overcast.conf), checked through nginx and directly. Missing
//! PostgreSQL, nginx or sshd: `testkit::peer_missing` (a skip under a plain
//! `cargo test`, a failure under `make test`).
//!
//! - `sessions`: a session, its CSRF token and an API token made on one
//!   instance work on all; behind nginx each client is throttled by its own
//!   address (`--trusted-proxy`).
//! - `polls`: a backend is polled once per interval by one instance; a
//!   poller killed mid-poll (SIGKILL) is taken over at its lease's expiry,
//!   one stopped by SIGTERM at once; nginx's callers see no failure.
//! - `scripts`: a terminal's websocket through nginx; a change through A
//!   reaches an event stream on B; a run
//!   started through A is followed live through B; its carrier killed, the
//!   run is ended with its output kept; stopped by SIGTERM, at once.
//! - `startup`: instances started together migrate once and make one key;
//!   one with another key refuses to start.
//! - `stacks_crash`: a stack's server killed (SIGKILL) mid-create, on
//!   SQLite restarted and on PostgreSQL taken over by the other instance,
//!   ends complete with nothing made twice (moto).
//! - `abandoned_pages`: readers leaving a page midway leave no panic in
//!   the server's log.
//! - `docs`: docs/scaling.md shows the nginx configuration run here.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod abandoned_pages;
mod docs;
mod harness;
mod polls;
mod scripts;
mod sessions;
mod stacks_crash;
mod startup;
mod terminal;
mod traffic;
