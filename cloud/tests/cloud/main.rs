//! The cloud crate's integration tests: one binary, one module per subject.
//!
//! - `digitalocean_recorded`: the DigitalOcean driver against Libcloud's
//!   recorded answers served on loopback (`recorded`), error mapping and
//!   retries included.
//! - `digitalocean_prism`: the same driver against Prism serving
//!   DigitalOcean's own OpenAPI description (`prism`).
//!
//! A test whose peer (Prism, moto, mimic, openssl) is absent calls
//! `testkit::peer_missing`: it skips, saying how to install the peer, under
//! a plain `cargo test`, and fails under `OVERCAST_REQUIRE_PEERS=1`
//! (`make test`).
//! - `softlayer_recorded`: the SoftLayer driver against Libcloud's recorded
//!   XML-RPC answers, served by `softlayer_peer`.
//! - `peer_kit`: what the loopback peers share (serving, the journal of
//!   requests and scripted faults, the observing middleware).
//! - `conformance_fake`: the suite (`conformance::run`) against an
//!   in-memory driver, proving the suite itself. Every driver's test runs
//!   the same entry point with what its peer can prove.
//! - `faults`: the faults group every HTTP driver runs (500, 429, garbage,
//!   silence, a refused connection) against `fault_peer`, a peer that
//!   misbehaves on purpose.

#![allow(clippy::unwrap_used, clippy::expect_used)] // helpers outside #[test] fns

mod conformance_fake;
mod digitalocean_prism;
mod digitalocean_recorded;
mod digitalocean_recorded_faults;
mod ec2_moto;
mod ec2_moto_peer;
mod ec2_recorded;
mod ec2_recorded_answers;
mod ec2_recorded_create;
mod ec2_recorded_faults;
mod ec2_recorded_peer;
mod ec2_sigv4;
mod fault_peer;
mod faults;
mod libvirt_test_driver;
mod linode_recorded;
mod nephoscale_peer;
mod nephoscale_recorded;
mod openstack_mimic;
mod openstack_mimic_lifecycle;
mod openstack_peer;
mod openstack_peer_nova;
mod openstack_recorded;
mod openstack_recorded_conformance;
mod openstack_recorded_nova;
mod peer_kit;
mod peer_process;
mod prism;
mod rackspace_first_gen_peer;
mod rackspace_first_gen_recorded;
mod recorded;
mod softlayer_peer;
mod softlayer_recorded;
mod softlayer_recorded_faults;

use std::time::Duration;

use cloud::digitalocean::DigitalOcean;
use cloud::http::{HttpConfig, RetryPolicy};
use cloud::Secret;

/// Short timeouts and quick retries, so fault tests take milliseconds.
pub fn fast_config(endpoint: &str) -> HttpConfig {
    HttpConfig {
        endpoint: Some(endpoint.to_owned()),
        timeout: Duration::from_secs(5),
        retry: RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(5),
            max_delay: Duration::from_secs(5),
        },
    }
}

/// A DigitalOcean driver for `endpoint` with `token`.
pub fn digitalocean(endpoint: &str, token: &str) -> DigitalOcean {
    DigitalOcean::with_config(Secret::new(token), &fast_config(endpoint)).unwrap()
}
