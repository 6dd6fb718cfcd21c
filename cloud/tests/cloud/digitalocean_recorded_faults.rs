//! How the DigitalOcean driver fails: provider refusals mapped to
//! `DriverError`s, retries on 429/5xx, timeouts, refused connections and
//! garbage.

use std::time::{Duration, Instant};

use cloud::http::{HttpConfig, RetryPolicy};
use cloud::{Action, CloudDriver, CreateMachine, DriverError};

use crate::recorded::{Fault, Recorded};
use crate::{digitalocean, fast_config};

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
async fn a_retry_after_beyond_the_longest_wait_ends_the_retries() {
    let peer = Recorded::start().await;
    peer.fail_next([Fault::Status(429, "API rate limit exceeded", Some("3600"))]);
    let err = digitalocean(&peer.url, "good")
        .list_sizes()
        .await
        .unwrap_err();
    assert!(
        matches!(err, DriverError::Unavailable(ref m) if m.contains("rate limit")),
        "{err:?}"
    );
    assert_eq!(peer.requests().len(), 1);
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
async fn a_peer_that_does_not_answer_in_time_is_unavailable() {
    let peer = Recorded::start().await;
    peer.fail_next(vec![Fault::Delay(Duration::from_secs(2)); 4]);
    let config = HttpConfig {
        timeout: Duration::from_millis(200),
        ..fast_config(&peer.url)
    };
    let d = cloud::digitalocean::DigitalOcean::with_config("good".into(), &config).unwrap();
    let started = Instant::now();
    let err = d.list_sizes().await.unwrap_err();
    assert_eq!(
        err,
        DriverError::Unavailable("no answer within 200ms".into())
    );
    assert_eq!(peer.requests().len(), 4);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn a_refused_connection_is_unavailable_after_retries() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    drop(listener);
    let config = HttpConfig {
        retry: RetryPolicy {
            max_retries: 2,
            ..fast_config(&url).retry
        },
        ..fast_config(&url)
    };
    let d = cloud::digitalocean::DigitalOcean::with_config("good".into(), &config).unwrap();
    let err = d.check_credentials().await.unwrap_err();
    assert!(
        matches!(err, DriverError::Unavailable(ref m) if m.starts_with("connection failed")),
        "{err:?}"
    );
}

#[tokio::test]
async fn an_answer_that_is_not_json_is_a_protocol_error() {
    let peer = Recorded::start().await;
    peer.fail_next([Fault::Garbage]);
    let err = digitalocean(&peer.url, "good")
        .list_machines()
        .await
        .unwrap_err();
    assert!(
        matches!(err, DriverError::Protocol(ref m) if m.contains("<html>")),
        "{err:?}"
    );
}

#[tokio::test]
async fn the_token_never_shows_in_debug_output() {
    let d = digitalocean("http://127.0.0.1:9", "dop_v1_0123456789abcdef");
    let shown = format!("{d:?}");
    assert!(!shown.contains("dop_v1"), "{shown}");
}
