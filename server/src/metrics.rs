//! Request metrics in Prometheus text format: requests by route and status,
//! a latency histogram per route, the database pool, and which instance
//! answers.

use std::{collections::BTreeMap, fmt::Write, sync::Mutex, time::Duration};

use store::PoolStats;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Default)]
struct Inner {
    requests: BTreeMap<(String, String, u16), u64>,
    latency: BTreeMap<String, Histogram>,
}

/// The counters, updated by the metrics middleware.
#[derive(Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Metrics {
    /// Counts one finished request.
    pub fn observe(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        *inner
            .requests
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
        let h = inner.latency.entry(route.to_owned()).or_default();
        let secs = elapsed.as_secs_f64();
        for (i, bound) in BUCKETS.iter().enumerate() {
            if secs <= *bound {
                h.counts[i] += 1;
            }
        }
        h.count += 1;
        h.sum += secs;
    }

    /// The exposition text of instance `instance`.
    pub fn render(&self, pool: PoolStats, instance: &str) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP overcast_instance_info The instance answering (its id names its leases and log lines)."
        );
        let _ = writeln!(out, "# TYPE overcast_instance_info gauge");
        let _ = writeln!(
            out,
            "overcast_instance_info{{instance=\"{}\"}} 1",
            escape(instance)
        );
        let _ = writeln!(
            out,
            "# HELP overcast_http_requests_total HTTP requests by route and status."
        );
        let _ = writeln!(out, "# TYPE overcast_http_requests_total counter");
        if let Ok(inner) = self.inner.lock() {
            for ((method, route, status), n) in &inner.requests {
                let _ = writeln!(
                    out,
                    "overcast_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
            let _ = writeln!(
                out,
                "# HELP overcast_http_request_duration_seconds Request latency by route."
            );
            let _ = writeln!(
                out,
                "# TYPE overcast_http_request_duration_seconds histogram"
            );
            for (route, h) in &inner.latency {
                let route = escape(route);
                for (bound, count) in BUCKETS.iter().zip(h.counts) {
                    let _ = writeln!(
                        out,
                        "overcast_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}"
                    );
                }
                let _ = writeln!(
                    out,
                    "overcast_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "overcast_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                    h.sum
                );
                let _ = writeln!(
                    out,
                    "overcast_http_request_duration_seconds_count{{route=\"{route}\"}} {}",
                    h.count
                );
            }
        }
        let _ = writeln!(
            out,
            "# HELP overcast_db_pool_connections Open database connections."
        );
        let _ = writeln!(out, "# TYPE overcast_db_pool_connections gauge");
        let _ = writeln!(out, "overcast_db_pool_connections {}", pool.size);
        let _ = writeln!(
            out,
            "# HELP overcast_db_pool_idle_connections Idle database connections."
        );
        let _ = writeln!(out, "# TYPE overcast_db_pool_idle_connections gauge");
        let _ = writeln!(out, "overcast_db_pool_idle_connections {}", pool.idle);
        let _ = writeln!(
            out,
            "# HELP overcast_db_pool_max_connections Configured pool size."
        );
        let _ = writeln!(out, "# TYPE overcast_db_pool_max_connections gauge");
        let _ = writeln!(out, "overcast_db_pool_max_connections {}", pool.max);
        out
    }
}

/// The kept pages' figures, appended to `out`.
pub fn page_cache(out: &mut String, cache: &crate::middleware::page_cache::PageCache) {
    let _ = writeln!(
        out,
        "# HELP overcast_page_cache_hits_total Page views answered with a page kept rendered."
    );
    let _ = writeln!(out, "# TYPE overcast_page_cache_hits_total counter");
    let _ = writeln!(out, "overcast_page_cache_hits_total {}", cache.hits());
    let _ = writeln!(
        out,
        "# HELP overcast_page_cache_pages Pages kept rendered (expired ones until the next is kept)."
    );
    let _ = writeln!(out, "# TYPE overcast_page_cache_pages gauge");
    let _ = writeln!(out, "overcast_page_cache_pages {}", cache.len());
}

fn escape(label: &str) -> String {
    label.replace('\\', "\\\\").replace('"', "\\\"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn observations_show_up_as_counters_and_cumulative_buckets() {
        let m = Metrics::default();
        m.observe("GET", "/healthz", 200, Duration::from_millis(3));
        m.observe("GET", "/healthz", 200, Duration::from_millis(30));
        let text = m.render(
            PoolStats {
                size: 2,
                idle: 1,
                max: 8,
            },
            "web-1-0a1b2c3d",
        );
        assert!(text.contains("overcast_instance_info{instance=\"web-1-0a1b2c3d\"} 1"));
        assert!(text.contains(
            "overcast_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2"
        ));
        assert!(text.contains("le=\"0.005\"} 1"));
        assert!(text.contains("le=\"0.05\"} 2"));
        assert!(text.contains("overcast_db_pool_max_connections 8"));
    }
}
