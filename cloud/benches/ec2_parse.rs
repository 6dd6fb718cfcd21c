//! Prints how long the EC2 driver takes to read a DescribeInstances answer
//! of 5,000 instances: the answer is built from Libcloud's recorded
//! `describe_instances.xml` (its two reservations repeated with unique
//! instance ids) and served by a loopback peer; the driver's public
//! `list_machines` is timed (request, SigV4, transfer, XML parse,
//! conversion to `Machine`s, de-duplication), next to the same call on an
//! empty answer (the round trip alone) and roxmltree's parse of the body
//! alone. Median of several runs; instances per second.
//! Run: `cargo bench -p cloud --bench ec2_parse`.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use axum::{extract::State, http::header, response::IntoResponse, Router};
use cloud::{ec2::Ec2, http::HttpConfig, CloudDriver, Secret};

const RECORDED: &str = include_str!("../tests/fixtures/libcloud/ec2/describe_instances.xml");
const INSTANCES: usize = 5_000;
const RUNS: usize = 15;

/// `count` instances: the recorded reservations repeated with new ids.
fn built(count: usize) -> String {
    let (open, close) = ("<reservationSet>", "</reservationSet>");
    let start = RECORDED.find(open).unwrap() + open.len();
    let end = RECORDED.find(close).unwrap();
    let pair = &RECORDED[start..end];
    let mut out = String::with_capacity(pair.len() * count / 2 + 400);
    out.push_str(&RECORDED[..start]);
    for n in 0..count / 2 {
        let id = |k: usize| format!("i-{:08x}", n * 2 + k);
        out.push_str(
            &pair
                .replace("i-4382922a", &id(0))
                .replace("i-8474834a", &id(1)),
        );
    }
    out.push_str(&RECORDED[end..]);
    out
}

fn empty() -> String {
    let (open, close) = ("<reservationSet>", "</reservationSet>");
    let start = RECORDED.find(open).unwrap() + open.len();
    let end = RECORDED.find(close).unwrap();
    format!("{}{}", &RECORDED[..start], &RECORDED[end..])
}

async fn serve(body: &'static str) -> String {
    async fn answer(State(body): State<&'static str>) -> impl IntoResponse {
        ([(header::CONTENT_TYPE, "text/xml")], body)
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    let app = Router::new().fallback(answer).with_state(body);
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    url
}

fn driver(url: &str) -> Ec2 {
    let config = HttpConfig {
        endpoint: Some(url.to_owned()),
        timeout: Duration::from_secs(60),
        ..HttpConfig::default()
    };
    Ec2::with_config(
        "AKIAOVERCASTBENCH".into(),
        Secret::new("bench-secret"),
        "ec2_us_east",
        &config,
    )
    .unwrap()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn time_list(d: &Ec2, expect: usize) -> Duration {
    let mut runs = Vec::with_capacity(RUNS);
    // One unmeasured run: the connection and the allocator warm up.
    assert_eq!(d.list_machines().await.unwrap().len(), expect);
    for _ in 0..RUNS {
        let t = Instant::now();
        let machines = d.list_machines().await.unwrap();
        runs.push(t.elapsed());
        assert_eq!(machines.len(), expect);
    }
    median(runs)
}

fn main() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(run());
}

async fn run() {
    let huge: &'static str = Box::leak(built(INSTANCES).into_boxed_str());
    let nothing: &'static str = Box::leak(empty().into_boxed_str());

    let full = time_list(&driver(&serve(huge).await), INSTANCES).await;
    let round_trip = time_list(&driver(&serve(nothing).await), 0).await;

    let mut parse_only = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t = Instant::now();
        let doc = roxmltree::Document::parse(huge).unwrap();
        parse_only.push(t.elapsed());
        assert!(doc.descendants().count() > INSTANCES);
    }
    let parse_only = median(parse_only);

    let rate = |d: Duration| INSTANCES as f64 / d.as_secs_f64();
    println!(
        "DescribeInstances of {INSTANCES} instances ({:.1} MB of XML), median of {RUNS} runs:",
        huge.len() as f64 / 1e6
    );
    println!(
        "  list_machines through a loopback peer: {:.1} ms ({:.0} instances/s)",
        full.as_secs_f64() * 1e3,
        rate(full)
    );
    let net = full.saturating_sub(round_trip);
    println!(
        "  minus the round trip of an empty answer ({:.2} ms): {:.1} ms ({:.0} instances/s)",
        round_trip.as_secs_f64() * 1e3,
        net.as_secs_f64() * 1e3,
        rate(net)
    );
    println!(
        "  of which roxmltree's parse of the body alone: {:.1} ms ({:.0} instances/s)",
        parse_only.as_secs_f64() * 1e3,
        rate(parse_only)
    );
}
