//! Plan and compare of two 200-layer templates: by `domain::stacks`
//! directly, through `POST /v3/alm/template/compare` (a stored version
//! against a body) and `POST /v3/alm/template?dry_run=true` (medians).

use std::time::{Duration, Instant};

use domain::stacks::{diff, plan, Template};
use reqwest::Method;
use serde_json::{json, Value};

use crate::{ec2::ACCESS_KEY, ec2::REGION, scenario::Single};

const LAYERS: usize = 200;
const RUNS: usize = 20;

/// Two templates of 200 layers (no machine in either: the stored one is
/// applied): the second inserts a layer at the top, drops the last,
/// changes every 10th layer's size and every 7th's count.
fn templates() -> (Value, Value) {
    let layer = |n: usize, size: &str, count: u32| {
        json!({
            "role": "web",
            "flag": format!("L{n:03}"),
            "provision": {"image": "${computed}", "instance_type": size,
                          "instance_count": count, "keypair": false}
        })
    };
    let wrap = |label: &str, layers: Vec<Value>| {
        json!({
            "version": "2017-03-03", "label": label,
            "vendor": {"aws": {"cred": ACCESS_KEY, "region": REGION}},
            "configurations": layers,
        })
    };
    let source = (1..=LAYERS).map(|n| layer(n, "t2.micro", 0)).collect();
    let mut target: Vec<Value> = vec![layer(0, "t2.micro", 0)];
    for n in 1..LAYERS {
        let size = if n % 10 == 0 { "t2.small" } else { "t2.micro" };
        let count = u32::from(n % 7 == 0);
        target.push(layer(n, size, count));
    }
    (wrap("source", source), wrap("target", target))
}

fn median(mut runs: Vec<Duration>) -> Duration {
    runs.sort_unstable();
    runs[runs.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Times `f` [`RUNS`] times; the median.
async fn timed<F, Fut>(mut f: F) -> Duration
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    let mut runs = Vec::new();
    for _ in 0..RUNS {
        let t = Instant::now();
        f().await;
        runs.push(t.elapsed());
    }
    median(runs)
}

pub async fn figures() {
    let (source, target) = templates();
    let (source_text, target_text) = (source.to_string(), target.to_string());

    let parse_plan = timed(|| async {
        let a = Template::parse(&source_text).unwrap();
        let b = Template::parse(&target_text).unwrap();
        std::hint::black_box(plan(Some(&a), &b));
    })
    .await;
    let compared = timed(|| async {
        std::hint::black_box(diff(&source, &target));
    })
    .await;
    let d = diff(&source, &target);
    println!(
        "two {LAYERS}-layer templates ({} new, {} removed, {} edited; medians of {RUNS}):",
        d.new.len(),
        d.removed.len(),
        d.edited.len()
    );
    println!(
        "  domain::stacks directly: parse both + plan {}, diff {}",
        ms(parse_plan),
        ms(compared)
    );

    let moto = crate::moto().await;
    let dir = tempfile::tempdir().unwrap();
    let single = Single::start(dir.path(), 30).await;
    let api = &single.api;
    api.add_ec2_backend(&moto.url).await;
    let stack_id = api.apply(&source).await;
    let stack = api
        .wait_for(&stack_id, "CREATE_COMPLETE", Duration::from_secs(60))
        .await;
    let version = stack["version_id"].as_str().unwrap().to_owned();
    let body = json!({"id": [{stack_id.clone(): {"version": version}}], "body": [target_text]});
    let rest_compare = timed(|| async {
        let res = api
            .call(Method::POST, "/v3/alm/template/compare")
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        std::hint::black_box(res.bytes().await.unwrap());
    })
    .await;
    let dry_run = timed(|| async {
        let res = api
            .call(Method::POST, "/v3/alm/template?dry_run=true")
            .json(&target)
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success(), "{}", res.status());
        std::hint::black_box(res.bytes().await.unwrap());
    })
    .await;
    println!(
        "  POST /v3/alm/template/compare (stored version vs body): {}",
        ms(rest_compare)
    );
    println!(
        "  POST /v3/alm/template?dry_run=true (plan of the target): {}",
        ms(dry_run)
    );
}
