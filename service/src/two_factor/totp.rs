//! TOTP (RFC 6238) over HOTP (RFC 4226) with HMAC-SHA1: six digits, 30 s
//! steps, one step of drift either way; and base32 (RFC 4648, no padding)
//! for the secret as authenticators take it.

use ring::hmac;

use crate::credentials::constant_time_eq;

/// Digits of a code.
pub const DIGITS: u32 = 6;
/// Length of a time step, ms.
pub const STEP_MS: i64 = 30_000;
/// Steps of clock drift accepted either way.
pub const DRIFT_STEPS: i64 = 1;
/// Bytes of a new secret (160 bits, as RFC 4226 recommends).
pub const SECRET_BYTES: usize = 20;

/// The HOTP value of `counter` under `secret`, `digits` long.
pub fn hotp(secret: &[u8], counter: u64, digits: u32) -> u32 {
    let key = hmac::Key::new(hmac::HMAC_SHA1_FOR_LEGACY_USE_ONLY, secret);
    let tag = hmac::sign(&key, &counter.to_be_bytes());
    let mac = tag.as_ref();
    let offset = usize::from(mac[mac.len() - 1] & 0x0f);
    let binary = (u32::from(mac[offset]) & 0x7f) << 24
        | u32::from(mac[offset + 1]) << 16
        | u32::from(mac[offset + 2]) << 8
        | u32::from(mac[offset + 3]);
    binary % 10_u32.pow(digits)
}

/// The time step of `now_ms` (Unix ms).
pub fn step_at(now_ms: i64) -> i64 {
    now_ms.div_euclid(STEP_MS)
}

/// The code of time step `step`, zero-padded to [`DIGITS`].
pub fn code_at_step(secret: &[u8], step: i64) -> String {
    let counter = u64::try_from(step).unwrap_or(0);
    format!(
        "{:0width$}",
        hotp(secret, counter, DIGITS),
        width = DIGITS as usize
    )
}

/// The step within [`DRIFT_STEPS`] of `now_ms` whose code is `code`
/// (spaces ignored), if any.
pub fn matching_step(secret: &[u8], code: &str, now_ms: i64) -> Option<i64> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    let now = step_at(now_ms);
    let mut found = None;
    // Every candidate is computed and compared, so the time taken does not
    // say which step matched.
    for step in (now - DRIFT_STEPS)..=(now + DRIFT_STEPS) {
        if step >= 0 && constant_time_eq(code_at_step(secret, step).as_bytes(), code.as_bytes()) {
            found = Some(step);
        }
    }
    found
}

const ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Base32 (RFC 4648) without padding.
pub fn base32_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(5) * 8);
    let (mut buffer, mut bits) = (0_u32, 0_u32);
    for &b in bytes {
        buffer = (buffer << 8) | u32::from(b);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(ALPHABET[((buffer >> bits) & 31) as usize]));
        }
    }
    if bits > 0 {
        out.push(char::from(ALPHABET[((buffer << (5 - bits)) & 31) as usize]));
    }
    out
}

/// Reads base32 (RFC 4648; case, spaces and padding ignored).
pub fn base32_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 5 / 8);
    let (mut buffer, mut bits) = (0_u32, 0_u32);
    for c in text.chars().filter(|c| !c.is_whitespace() && *c != '=') {
        let c = u8::try_from(c.to_ascii_uppercase()).ok()?;
        let value = ALPHABET.iter().position(|&a| a == c)?;
        buffer = (buffer << 5) | u32::try_from(value).ok()?;
        bits += 5;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((buffer >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const RFC_SECRET: &[u8] = b"12345678901234567890";

    #[test]
    fn rfc_6238_sha1_test_vectors() {
        // RFC 6238, appendix B (SHA-1, 8 digits, 30 s steps).
        for (t, want) in [
            (59_u64, 94_287_082_u32),
            (1_111_111_109, 7_081_804),
            (1_111_111_111, 14_050_471),
            (1_234_567_890, 89_005_924),
            (2_000_000_000, 69_279_037),
            (20_000_000_000, 65_353_130),
        ] {
            assert_eq!(hotp(RFC_SECRET, t / 30, 8), want, "T = {t}");
        }
    }

    #[test]
    fn rfc_4226_hotp_test_vectors() {
        let want = [755_224, 287_082, 359_152, 969_429, 338_314];
        for (counter, want) in want.into_iter().enumerate() {
            assert_eq!(hotp(RFC_SECRET, counter as u64, 6), want);
        }
    }

    #[test]
    fn a_code_matches_its_step_and_one_either_side_only() {
        let now = 1_111_111_111_000;
        let step = step_at(now);
        assert_eq!(code_at_step(RFC_SECRET, step), "050471");
        assert_eq!(matching_step(RFC_SECRET, "050471", now), Some(step));
        assert_eq!(
            matching_step(RFC_SECRET, "050 471", now + STEP_MS),
            Some(step)
        );
        assert_eq!(
            matching_step(RFC_SECRET, "050471", now - STEP_MS),
            Some(step)
        );
        assert_eq!(matching_step(RFC_SECRET, "050471", now + 2 * STEP_MS), None);
        assert_eq!(matching_step(RFC_SECRET, "000000", now), None);
        assert_eq!(matching_step(RFC_SECRET, "", now), None);
    }

    #[test]
    fn base32_round_trips_and_matches_rfc_4648() {
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI");
        assert_eq!(base32_encode(b"f"), "MY");
        assert_eq!(
            base32_encode(RFC_SECRET),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
        assert_eq!(base32_decode("mzxw 6ytb oi==").unwrap(), b"foobar");
        assert_eq!(
            base32_decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ").unwrap(),
            RFC_SECRET
        );
        assert_eq!(base32_decode("M1"), None);
    }
}
