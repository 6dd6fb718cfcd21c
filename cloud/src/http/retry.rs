//! When to try a request again, and how long to wait first; and the
//! overall deadline a caller may set around every request of a piece of
//! work ([`within`]).

use std::{
    future::Future,
    time::{Duration, SystemTime},
};

use reqwest::header::{HeaderMap, RETRY_AFTER};
use tokio::time::Instant;

tokio::task_local! {
    static BUDGET: Budget;
}

/// The time left for every request of a piece of work.
#[derive(Clone, Copy, Debug)]
struct Budget {
    deadline: Instant,
    limit: Duration,
}

/// A retry is not started with less time than this left before the
/// deadline.
const LEAST_TRY: Duration = Duration::from_millis(100);

/// Runs `work` with an overall limit on every request it sends (a
/// backend's poll: `limit` is the provider timeout): each try's timeout is
/// cut to the time left, and no retry is started, nor a backoff waited,
/// that would end at or past the deadline: the last answer or failure is
/// returned at once instead. Without it, each try gets the client's
/// timeout and retries follow the [`RetryPolicy`] alone. Nested, the
/// earlier deadline holds.
pub async fn within<F: Future>(limit: Duration, work: F) -> F::Output {
    let mine = Budget {
        deadline: Instant::now() + limit,
        limit,
    };
    let budget = match BUDGET.try_with(|b| *b) {
        Ok(outer) if outer.deadline <= mine.deadline => outer,
        _ => mine,
    };
    BUDGET.scope(budget, work).await
}

/// The timeout of a try starting now: the client's `per_try`, cut to the
/// time left under [`within`]; `None` when too little is left to try.
pub(super) fn try_timeout(per_try: Duration) -> Option<Duration> {
    match BUDGET.try_with(|b| *b) {
        Err(_) => Some(per_try),
        Ok(b) => {
            let left = b.deadline.saturating_duration_since(Instant::now());
            (left >= LEAST_TRY).then(|| per_try.min(left))
        }
    }
}

/// Whether waiting `wait` before the next try still leaves time for it
/// under [`within`] (always, without one).
pub(super) fn may_wait(wait: Duration) -> bool {
    BUDGET
        .try_with(|b| Instant::now() + wait + LEAST_TRY <= b.deadline)
        .unwrap_or(true)
}

/// The limit a timed-out try ran into, for its message: the client's
/// `per_try`, or the overall limit when the deadline cut the try short.
pub(super) fn limit_hit(per_try: Duration, used: Duration) -> Duration {
    match BUDGET.try_with(|b| b.limit) {
        Ok(limit) if used < per_try => limit,
        _ => per_try,
    }
}

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

    #[tokio::test]
    async fn under_a_deadline_tries_are_cut_and_late_retries_not_started() {
        let per_try = Duration::from_secs(30);
        let ms = Duration::from_millis;
        assert_eq!(try_timeout(per_try), Some(per_try), "no deadline");
        assert!(may_wait(Duration::from_secs(3600)));
        within(ms(1_000), async {
            let cut = try_timeout(per_try).unwrap();
            assert!(cut <= ms(1_000) && cut > ms(900), "{cut:?}");
            assert_eq!(
                try_timeout(ms(100)),
                Some(ms(100)),
                "shorter than what is left"
            );
            assert!(may_wait(ms(500)));
            assert!(!may_wait(ms(1_000)));
            assert_eq!(
                limit_hit(per_try, cut),
                ms(1_000),
                "named by the overall limit"
            );
            assert_eq!(limit_hit(ms(100), ms(100)), ms(100));
            // A nested, later deadline does not extend the first.
            within(Duration::from_secs(60), async {
                assert!(try_timeout(per_try).unwrap() <= ms(1_000));
            })
            .await;
            tokio::time::sleep(ms(950)).await;
            assert_eq!(try_timeout(per_try), None, "too little left");
        })
        .await;
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
