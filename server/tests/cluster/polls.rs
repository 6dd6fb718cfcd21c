//! A backend is polled by exactly one instance per interval (the provider
//! counts the lists); an instance killed mid-poll (SIGKILL) is taken over
//! when its lease expires, one stopped (SIGTERM) hands over at once; nginx's
//! callers see no failure throughout.

use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{json, Value};
use sqlx::Row;

use crate::{
    harness::{provider::Provider, Cluster, Options},
    traffic::Traffic,
};

const INTERVAL: Duration = Duration::from_secs(2);
/// What a poll's lease lasts: the provider timeout (2 s) plus 10 s.
const POLL_LEASE: Duration = Duration::from_secs(12);

/// The owner of the backend's poll lease, if anyone holds it.
pub async fn poll_owner(pool: &sqlx::AnyPool, backend: &str) -> Option<String> {
    let row = sqlx::query("SELECT owner FROM leases WHERE kind = 'poll' AND key = $1")
        .bind(backend)
        .fetch_optional(pool)
        .await
        .unwrap()?;
    Some(row.get::<String, _>("owner"))
}

/// Adds a DigitalOcean backend on `provider`, polled every `interval`.
pub async fn add_backend(cluster: &Cluster, provider: &Provider, interval: Duration) -> String {
    let res = cluster
        .api(Method::POST, &cluster.nginx.url("/backends"))
        .json(&json!({
            "title": "do", "provider": "digitalocean", "apisecret": crate::harness::provider::TOKEN,
            "apiurl": provider.url, "poll_interval": interval.as_millis() as u64,
        }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let backend: Value = res.json().await.unwrap();
    backend["id"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_backend_is_polled_once_per_interval_and_its_poller_is_taken_over_when_killed_or_stopped()
{
    let Some(mut cluster) = Cluster::start(Options::default()).await else {
        return;
    };
    let pool = cluster.db.pool().await;
    let provider = Provider::start(20, Duration::from_millis(600)).await;
    let backend = add_backend(&cluster, &provider, INTERVAL).await;
    let traffic = Traffic::start(cluster.nginx.url("/backends"), cluster.token.clone());

    // Steady: over five intervals, one list per interval, never two at once.
    let first = provider.polls().len();
    provider
        .next_poll(first, Duration::from_secs(10))
        .await
        .expect("a first poll");
    tokio::time::sleep(INTERVAL * 5).await;
    let polls = provider.polls()[first..].to_vec();
    let gaps: Vec<Duration> = polls.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(
        (5..=7).contains(&polls.len()),
        "{} polls in five intervals: {gaps:?}",
        polls.len()
    );
    assert!(
        gaps.iter()
            .all(|g| *g >= INTERVAL - Duration::from_millis(300)),
        "two polls within one interval: {gaps:?}"
    );

    // SIGKILL the instance holding the lease, mid-poll.
    let seen = provider.polls().len();
    let started = provider
        .next_poll(seen, INTERVAL * 3)
        .await
        .expect("a poll");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let owner = poll_owner(&pool, &backend)
        .await
        .expect("a poll lease held");
    let killed_at = Instant::now();
    cluster.by_id(&owner).kill();
    let next = provider
        .next_poll(seen + 1, POLL_LEASE + INTERVAL * 3)
        .await
        .unwrap_or_else(|| panic!("nobody took the poll over: {}", cluster.logs()));
    let taken_over = next - killed_at;
    let new_owner = poll_owner(&pool, &backend).await;
    assert_ne!(new_owner.as_deref(), Some(owner.as_str()));
    assert!(
        next - started >= POLL_LEASE - Duration::from_millis(500),
        "taken over before the lease expired: {:?}",
        next - started
    );
    assert!(
        next - started <= POLL_LEASE + INTERVAL + Duration::from_secs(1),
        "taken over late: {:?}",
        next - started
    );
    println!("figure: poll taken over {taken_over:?} after SIGKILL (lease {POLL_LEASE:?})");

    // SIGTERM the next poller, mid-poll: its poll ends within the grace,
    // its leases are released, the next poll comes on time elsewhere.
    let seen = provider.polls().len();
    let started = provider
        .next_poll(seen, INTERVAL * 3)
        .await
        .expect("a poll");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let owner = poll_owner(&pool, &backend)
        .await
        .expect("a poll lease held");
    let stopping = cluster.by_id(&owner);
    let took = stopping.terminate().await;
    let left: i64 = sqlx::query("SELECT COUNT(*) AS n FROM leases WHERE owner = $1")
        .bind(&owner)
        .fetch_one(&pool)
        .await
        .unwrap()
        .get("n");
    assert_eq!(left, 0, "a stopped instance holds no lease");
    let next = provider
        .next_poll(seen + 1, INTERVAL * 3)
        .await
        .unwrap_or_else(|| panic!("no poll after SIGTERM: {}", cluster.logs()));
    assert!(
        next - started <= INTERVAL + Duration::from_millis(1500),
        "the next poll came {:?} after the stopped one's",
        next - started
    );
    println!(
        "figure: SIGTERM stopped the poller in {took:?}; next poll {:?} after its poll began \
         (interval {INTERVAL:?})",
        next - started
    );

    // Nginx's callers saw nothing of it; nothing committed was lost.
    let (sent, failures) = traffic.stop().await;
    assert!(failures.is_empty(), "{failures:?} of {sent}");
    let retried = cluster
        .nginx
        .upstreams_of("/backends")
        .iter()
        .filter(|tried| tried.len() > 1)
        .count();
    println!("figure: {sent} requests through nginx during the faults, {retried} retried by nginx, 0 failed");
    let list: Value = cluster
        .api(
            Method::GET,
            &cluster.nginx.url(&format!("/backends/{backend}/machines")),
        )
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list.as_array().map(Vec::len), Some(20), "{list}");
    pool.close().await;
    cluster.finish().await;
}
