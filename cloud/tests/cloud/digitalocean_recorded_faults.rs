//! How the DigitalOcean driver fails: provider refusals mapped to
//! `DriverError`s, retries on 429/5xx that then succeed, a create not
//! repeated. Timeouts, refused connections and garbage: the `faults` group.

use std::time::{Duration, Instant};

use cloud::{Action, CloudDriver, CreateMachine, DriverError};

use crate::digitalocean;
use crate::recorded::{Fault, Recorded};

fn create() -> CreateMachine {
    CreateMachine {
        name: "web-1".into(),
        size: "512mb".into(),
        image: "no-such-image".into(),
        location: "nyc1".into(),
        key: None,
        user_data: None,
    }
}

#[tokio::test]
async fn a_refused_token_is_bad_credentials_quoting_digitalocean() {
    let peer = Recorded::start().await;
    let err = digitalocean(&peer.url, "bad")
        .check_credentials()
        .await
        .unwrap_err();
    assert_eq!(
        err,
        DriverError::BadCredentials("Unable to authenticate you.".into())
    );
    assert_eq!(peer.requests(), ["GET /v2/account"], "a 401 is not retried");
}

#[tokio::test]
async fn unknown_droplets_are_not_found_and_bad_requests_quote_the_reason() {
    let peer = Recorded::start().await;
    let d = digitalocean(&peer.url, "good");
    let err = d.machine_action("4242", Action::Reboot).await.unwrap_err();
    assert!(
        matches!(err, DriverError::NotFound(ref m) if m.contains("could not be found")),
        "{err:?}"
    );
    let err = d.create_machine(&create()).await.unwrap_err();
    let reason = "You specified an invalid image for Droplet creation.";
    assert_eq!(err, DriverError::InvalidRequest(reason.into()));
    let err = d
        .set_tags("3164444", &["no spaces".into()])
        .await
        .unwrap_err();
    assert!(matches!(err, DriverError::InvalidRequest(_)), "{err:?}");
}

#[tokio::test]
async fn a_droplet_limit_refusal_is_a_quota() {
    let peer = Recorded::start().await;
    let limit = "creating this/these droplet(s) will exceed your droplet limit";
    peer.fail_next([Fault::Status(422, limit, None)]);
    let err = digitalocean(&peer.url, "good")
        .create_machine(&create())
        .await
        .unwrap_err();
    assert_eq!(err, DriverError::Quota(limit.into()));
}

#[tokio::test]
async fn a_429_is_retried_after_the_time_it_names() {
    let peer = Recorded::start().await;
    peer.fail_next([Fault::Status(429, "API rate limit exceeded", Some("1"))]);
    let started = Instant::now();
    let sizes = digitalocean(&peer.url, "good").list_sizes().await.unwrap();
    assert_eq!(sizes.len(), 2);
    assert!(
        started.elapsed() >= Duration::from_secs(1),
        "Retry-After: 1 was not honoured"
    );
    assert_eq!(peer.requests().len(), 2);
}

#[tokio::test]
async fn three_500s_are_retried_and_a_fourth_is_unavailable() {
    let peer = Recorded::start().await;
    let d = digitalocean(&peer.url, "good");
    peer.fail_next(vec![Fault::Status(500, "Server Error", None); 3]);
    assert_eq!(d.list_locations().await.unwrap().len(), 3);
    assert_eq!(peer.requests().len(), 4);

    peer.fail_next(vec![Fault::Status(500, "Server Error", None); 4]);
    let err = d.list_locations().await.unwrap_err();
    assert_eq!(
        err,
        DriverError::Unavailable("HTTP 500: Server Error".into())
    );
    assert_eq!(peer.requests().len(), 8);
}

#[tokio::test]
async fn a_create_is_not_repeated_after_a_500() {
    let peer = Recorded::start().await;
    peer.fail_next([Fault::Status(500, "Server Error", None)]);
    let err = digitalocean(&peer.url, "good")
        .create_machine(&create())
        .await
        .unwrap_err();
    assert!(matches!(err, DriverError::Unavailable(_)), "{err:?}");
    assert_eq!(peer.requests(), ["POST /v2/droplets"]);
}

#[tokio::test]
async fn the_token_never_shows_in_debug_output() {
    let d = digitalocean("http://127.0.0.1:9", "dop_v1_0123456789abcdef");
    let shown = format!("{d:?}");
    assert!(!shown.contains("dop_v1"), "{shown}");
}
