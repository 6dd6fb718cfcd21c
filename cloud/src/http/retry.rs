//! When to try a request again, and how long to wait first.

use std::time::{Duration, SystemTime};

use reqwest::header::{HeaderMap, RETRY_AFTER};

/// Retries after 429, 5xx and connection failures.
///
/// Requests that are not idempotent (POST) are retried only when the
/// provider cannot have acted on them: a 429, or a connection that never
/// opened. A 5xx or a timeout on a POST may have created a machine already.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries after the first one (3: at most four requests).
    pub max_retries: u32,
    /// The first backoff; each retry doubles it, half of it random jitter.
    pub base_delay: Duration,
    /// The longest wait between tries. A `Retry-After` beyond it ends the
    /// retries at once instead of holding the caller.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(30),
        }
    }
}

impl RetryPolicy {
    /// The wait before retry number `retry` (0-based): `base * 2^retry`,
    /// the upper half random, capped at `max_delay`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let full = self.base_delay.saturating_mul(1 << retry.min(16));
        let full = full.min(self.max_delay);
        let half = full / 2;
        half + half.mul_f64(fastrand::f64())
    }
}

/// `Retry-After` as delta-seconds or an HTTP date.
pub(super) fn retry_after(headers: &HeaderMap) -> Option<Duration> {
    let value = headers.get(RETRY_AFTER)?.to_str().ok()?.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = httpdate::parse_http_date(value).ok()?;
    Some(
        at.duration_since(SystemTime::now())
            .unwrap_or(Duration::ZERO),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_with_jitter_and_stops_at_the_cap() {
        let p = RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_millis(300),
        };
        for _ in 0..50 {
            let first = p.backoff(0);
            assert!(first >= Duration::from_millis(50) && first <= Duration::from_millis(100));
            let second = p.backoff(1);
            assert!(second >= Duration::from_millis(100) && second <= Duration::from_millis(200));
            assert!(p.backoff(10) <= Duration::from_millis(300));
        }
    }

    #[test]
    fn retry_after_reads_seconds_and_dates() {
        let mut h = HeaderMap::new();
        h.insert(RETRY_AFTER, "2".parse().unwrap());
        assert_eq!(retry_after(&h), Some(Duration::from_secs(2)));
        let later = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(60));
        h.insert(RETRY_AFTER, later.parse().unwrap());
        let wait = retry_after(&h).unwrap();
        assert!(wait > Duration::from_secs(55) && wait <= Duration::from_secs(60));
    }
}
