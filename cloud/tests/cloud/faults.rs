//! The faults group every HTTP driver runs ([`every_fault`]): against a
//! peer that misbehaves on purpose (`fault_peer`), whatever it asks first
//! (a listing, a token, an XML-RPC call), the driver fails with the right
//! `DriverError`, never a panic or a hang:
//!
//! - 500: retried (the first request of a listing is a read), then
//!   `Unavailable` naming the status;
//! - 429: retried with growing waits, then `Unavailable` ("rate limited");
//!   a `Retry-After` beyond the longest wait ends the retries at once;
//! - garbage: `Protocol`, quoting what came back;
//! - a long refusal (an `apiurl` that is not the provider): quoted as a
//!   short excerpt, never whole;
//! - silence: `Unavailable` ("no answer within ...") once the request's
//!   timeout, or the caller's deadline (`http::within`), has passed;
//! - a refused connection: `Unavailable` ("connection failed").
//!
//! Each driver's test below is the constructor pointing it at the peer.

use std::sync::Arc;
use std::time::{Duration, Instant};

use cloud::digitalocean::DigitalOcean;
use cloud::ec2::Ec2;
use cloud::http::{within, HttpConfig, RetryPolicy};
use cloud::linode::Linode;
use cloud::nephoscale::NephoScale;
use cloud::openstack::OpenStack;
use cloud::rackspace_first_gen::{RackspaceFirstGen, Region};
use cloud::softlayer::SoftLayer;
use cloud::{guarded, CloudDriver, DriverError, Secret};

use crate::fault_peer::{start, Misbehaviour, GARBAGE, VERBOSE_TAIL};

/// A driver of the kind under test, reaching its provider as `config` says
/// (its endpoint the misbehaving peer).
pub type Build = fn(&HttpConfig) -> Arc<dyn CloudDriver>;

/// Three retries, 20 ms then 40 then 80 (half of each random), a 5 s
/// timeout.
const RETRY: RetryPolicy = RetryPolicy {
    max_retries: 3,
    base_delay: Duration::from_millis(20),
    max_delay: Duration::from_secs(1),
};

/// The least the three waits of [`RETRY`] add up to.
const LEAST_BACKOFF: Duration = Duration::from_millis(10 + 20 + 40);

fn config(url: &str) -> HttpConfig {
    HttpConfig {
        endpoint: Some(url.to_owned()),
        timeout: Duration::from_secs(5),
        retry: RETRY,
    }
}

/// The whole group, each fault on a fresh peer.
pub async fn every_fault(build: Build) {
    server_errors_are_retried_then_unavailable(build).await;
    rate_limits_are_retried_with_backoff_then_unavailable(build).await;
    a_retry_after_beyond_the_longest_wait_ends_the_retries(build).await;
    garbage_is_a_protocol_error_quoting_it(build).await;
    a_long_refusal_is_quoted_as_a_short_excerpt(build).await;
    silence_is_a_timeout_within_the_deadline(build).await;
    a_refused_connection_is_unavailable(build).await;
}

async fn server_errors_are_retried_then_unavailable(build: Build) {
    let peer = start(Misbehaviour::Status(500, None)).await;
    let d = guarded(build(&config(&peer.url)));
    let p = d.provider();
    let err = d.list_machines().await.unwrap_err();
    assert!(
        matches!(err, DriverError::Unavailable(ref m) if m.contains("500")),
        "{p}: a 500 gave {err:?}"
    );
    assert!(err.is_transient());
    let seen = peer.requests();
    assert_eq!(seen.len(), 4, "{p}: one try and three retries: {seen:?}");
}

async fn rate_limits_are_retried_with_backoff_then_unavailable(build: Build) {
    let peer = start(Misbehaviour::Status(429, None)).await;
    let d = guarded(build(&config(&peer.url)));
    let p = d.provider();
    let started = Instant::now();
    let err = d.list_machines().await.unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(err, DriverError::Unavailable(ref m) if m.contains("rate limited")),
        "{p}: a 429 gave {err:?}"
    );
    let seen = peer.requests();
    assert_eq!(seen.len(), 4, "{p}: one try and three retries: {seen:?}");
    assert!(took >= LEAST_BACKOFF, "{p}: no backoff ({took:?})");
}

async fn a_retry_after_beyond_the_longest_wait_ends_the_retries(build: Build) {
    let peer = start(Misbehaviour::Status(429, Some("3600"))).await;
    let d = guarded(build(&config(&peer.url)));
    let p = d.provider();
    let err = d.list_machines().await.unwrap_err();
    assert!(err.is_transient(), "{p}: {err:?}");
    assert_eq!(peer.requests().len(), 1, "{p}: waited for Retry-After");
}

async fn garbage_is_a_protocol_error_quoting_it(build: Build) {
    let peer = start(Misbehaviour::Garbage).await;
    let d = guarded(build(&config(&peer.url)));
    let p = d.provider();
    let err = d.list_machines().await.unwrap_err();
    assert!(
        matches!(err, DriverError::Protocol(ref m) if m.contains(GARBAGE)),
        "{p}: garbage gave {err:?}"
    );
}

async fn a_long_refusal_is_quoted_as_a_short_excerpt(build: Build) {
    let peer = start(Misbehaviour::Verbose).await;
    let d = guarded(build(&config(&peer.url)));
    let p = d.provider();
    let err = d.list_machines().await.unwrap_err();
    let said = err.to_string();
    // The excerpt, and the few words around it that say what failed.
    let most = cloud::error::EXCERPT_CHARS + 80;
    assert!(
        said.chars().count() <= most,
        "{p}: {} characters quoted: {said}",
        said.chars().count()
    );
    assert!(!said.contains(VERBOSE_TAIL), "{p}: {said}");
    assert!(!said.contains('\n'), "{p}: {said:?}");
}

async fn silence_is_a_timeout_within_the_deadline(build: Build) {
    let peer = start(Misbehaviour::Silence).await;
    let ms = Duration::from_millis;
    let impatient = HttpConfig {
        timeout: ms(300),
        retry: RetryPolicy {
            max_retries: 1,
            ..RETRY
        },
        ..config(&peer.url)
    };
    let d = guarded(build(&impatient));
    let p = d.provider();
    let started = Instant::now();
    let err = d.list_machines().await.unwrap_err();
    let took = started.elapsed();
    let said = DriverError::Unavailable("no answer within 300ms".into());
    assert_eq!(err, said, "{p}");
    assert_eq!(peer.requests().len(), 2, "{p}: a read is tried again");
    assert!(took < ms(1500), "{p}: {took:?}");

    // Under a caller's deadline shorter than the timeout: cut to it.
    let d = guarded(build(&config(&peer.url)));
    let started = Instant::now();
    let err = within(ms(400), d.list_machines()).await.unwrap_err();
    let took = started.elapsed();
    let said = DriverError::Unavailable("no answer within 400ms".into());
    assert_eq!(err, said, "{p}");
    assert!(took < ms(1000), "{p}: {took:?} past the deadline");
}

async fn a_refused_connection_is_unavailable(build: Build) {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let d = guarded(build(&config(&url)));
    let p = d.provider();
    let err = d.list_machines().await.unwrap_err();
    assert!(
        matches!(err, DriverError::Unavailable(ref m) if m.starts_with("connection failed")),
        "{p}: a closed port gave {err:?}"
    );
}

#[tokio::test]
async fn digitalocean_fails_cleanly_on_every_fault() {
    every_fault(|c| Arc::new(DigitalOcean::with_config(Secret::new("token"), c).unwrap())).await;
}

#[tokio::test]
async fn linode_fails_cleanly_on_every_fault() {
    every_fault(|c| Arc::new(Linode::with_config(Secret::new("token"), c).unwrap())).await;
}

#[tokio::test]
async fn ec2_fails_cleanly_on_every_fault() {
    every_fault(|c| {
        let secret = Secret::new("secret");
        Arc::new(Ec2::with_config("AKID".into(), secret, "us-east-1", c).unwrap())
    })
    .await;
}

#[tokio::test]
async fn openstack_fails_cleanly_on_every_fault() {
    every_fault(|c| {
        let (tenant, region) = (Some("demo".into()), Some("RegionOne".into()));
        let secret = Secret::new("secret");
        let d = OpenStack::from_preset("openstack", "demo", secret, tenant, region, c);
        Arc::new(d.unwrap())
    })
    .await;
}

#[tokio::test]
async fn rackspace_first_gen_fails_cleanly_on_every_fault() {
    every_fault(|c| {
        let key = Secret::new("0123456789abcdef");
        Arc::new(RackspaceFirstGen::with_config(Region::Us, "ops", key, c).unwrap())
    })
    .await;
}

#[tokio::test]
async fn softlayer_fails_cleanly_on_every_fault() {
    every_fault(|c| Arc::new(SoftLayer::with_config("sammy", Secret::new("key"), c).unwrap()))
        .await;
}

#[tokio::test]
async fn nephoscale_fails_cleanly_on_every_fault() {
    every_fault(|c| Arc::new(NephoScale::with_config("user", Secret::new("pw"), c).unwrap())).await;
}
