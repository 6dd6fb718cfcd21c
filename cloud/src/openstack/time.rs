//! Token lifetimes: Keystone's RFC 3339 times, measured on its own clock.

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Assumed when Keystone names no expiry (its default lifetime).
const DEFAULT_LIFETIME: Duration = Duration::from_secs(3600);
/// Longest lifetime believed (a recording says 2999).
const MAX_LIFETIME: Duration = Duration::from_secs(24 * 3600);

/// How long a token lives, measured on Keystone's clock (its `issued_at`,
/// else the answer's `Date`, else ours), so a skewed clock on either side
/// neither discards good tokens nor keeps dead ones; capped at a day.
pub(crate) fn lifetime(
    expires: Option<&str>,
    issued: Option<&str>,
    date: Option<&str>,
) -> Duration {
    let Some(expires) = expires.and_then(unix_seconds) else {
        return DEFAULT_LIFETIME;
    };
    let now = issued
        .and_then(unix_seconds)
        .or_else(|| {
            let at = httpdate::parse_http_date(date?).ok()?;
            Some(at.duration_since(UNIX_EPOCH).ok()?.as_secs_f64())
        })
        .unwrap_or_else(|| {
            let now = SystemTime::now().duration_since(UNIX_EPOCH);
            now.map(|d| d.as_secs_f64()).unwrap_or(0.0)
        });
    let secs = (expires - now).clamp(0.0, MAX_LIFETIME.as_secs_f64());
    Duration::from_secs_f64(secs)
}

/// Seconds since 1970 of an RFC 3339 / ISO 8601 time as Keystone writes
/// them (`2014-08-10T19:15:57.096078Z`, `2999-11-23T21:00:14.000-06:00`).
pub(crate) fn unix_seconds(text: &str) -> Option<f64> {
    let t = text.trim();
    let num = |a: usize, b: usize| t.get(a..b)?.parse::<i64>().ok();
    let (y, mo, d) = (num(0, 4)?, num(5, 7)?, num(8, 10)?);
    let (h, mi, s) = (num(11, 13)?, num(14, 16)?, num(17, 19)?);
    let mut rest = t.get(19..)?;
    let mut frac = 0.0;
    if let Some(after) = rest.strip_prefix('.') {
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        frac = format!("0.{}", &after[..digits]).parse().ok()?;
        rest = &after[digits..];
    }
    let offset = match rest {
        "" | "Z" | "z" => 0,
        _ => {
            let sign = if rest.starts_with('-') { -1 } else { 1 };
            let hhmm = rest.get(1..)?.replace(':', "");
            let (oh, om) = (
                hhmm.get(0..2)?.parse::<i64>().ok()?,
                hhmm.get(2..4)?.parse::<i64>().ok()?,
            );
            sign * (oh * 3600 + om * 60)
        }
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if mo <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (mo + if mo > 2 { -3 } else { 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + h * 3600 + mi * 60 + s - offset) as f64 + frac)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keystone_times_read_with_their_offsets() {
        assert_eq!(unix_seconds("1970-01-01T00:00:00Z"), Some(0.0));
        assert_eq!(unix_seconds("2014-08-10T19:15:57Z"), Some(1_407_698_157.0));
        let west = unix_seconds("2014-08-10T13:15:57.500-06:00").unwrap();
        assert!((west - 1_407_698_157.5).abs() < 1e-6);
        assert_eq!(unix_seconds("yesterday"), None);
    }

    #[test]
    fn lifetimes_are_measured_on_keystones_clock() {
        let v3 = lifetime(
            Some("2014-08-10T19:15:57.096078Z"),
            Some("2014-08-10T18:15:57.096107Z"),
            None,
        );
        assert_eq!(v3.as_secs(), 3599);
        let by_date = lifetime(
            Some("2026-11-24T04:36:27.999-05:00"),
            None,
            Some("Mon, 23 Nov 2026 04:36:27 GMT"),
        );
        assert_eq!(by_date, MAX_LIFETIME);
        let by_date = lifetime(
            Some("2026-11-23T05:06:27Z"),
            None,
            Some("Mon, 23 Nov 2026 04:36:27 GMT"),
        );
        assert_eq!(by_date.as_secs(), 1800);
        assert_eq!(lifetime(None, None, None), DEFAULT_LIFETIME);
        assert_eq!(
            lifetime(Some("2001-01-01T00:00:00Z"), None, None),
            Duration::ZERO
        );
    }
}
