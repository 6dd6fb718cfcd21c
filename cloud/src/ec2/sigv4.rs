//! AWS Signature Version 4 (`AWS4-HMAC-SHA256`) for header-signed requests,
//! as AWS's "Signature Version 4 signing process" describes it: canonical
//! request, string to sign, derived key, signature. Every step is returned,
//! so tests can hold each one against AWS's published examples.

use std::time::{SystemTime, UNIX_EPOCH};

use hmac::{Hmac, Mac};
use reqwest::Url;
use sha2::{Digest, Sha256};

use crate::secret::Secret;

/// The algorithm name that opens the `Authorization` header.
pub const ALGORITHM: &str = "AWS4-HMAC-SHA256";

/// Who signs, for which region and service, and when.
#[derive(Clone, Copy, Debug)]
pub struct Scope<'a> {
    /// The access key id (`AKIA...`).
    pub access_key: &'a str,
    /// The secret access key.
    pub secret: &'a Secret,
    /// The region (`us-east-1`); services take it from here, not the host.
    pub region: &'a str,
    /// The service (`ec2`).
    pub service: &'a str,
    /// The request time as `X-Amz-Date` carries it (`20150830T123600Z`).
    pub amz_date: &'a str,
}

impl Scope<'_> {
    /// `<date>/<region>/<service>/aws4_request`.
    pub fn credential_scope(&self) -> String {
        let date = self.amz_date.get(..8).unwrap_or(self.amz_date);
        format!("{date}/{}/{}/aws4_request", self.region, self.service)
    }
}

/// A signature and the steps that led to it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    /// The canonical request.
    pub canonical_request: String,
    /// The string to sign.
    pub string_to_sign: String,
    /// The signed header names, `;`-separated (`host;x-amz-date`).
    pub signed_headers: String,
    /// The signature, lowercase hex.
    pub signature: String,
    /// The `Authorization` header value.
    pub authorization: String,
}

/// Signs a request. `headers` are every header to sign (names in any case;
/// `host` and `x-amz-date` among them), with the values sent.
pub fn sign(
    scope: &Scope<'_>,
    method: &str,
    url: &Url,
    headers: &[(&str, &str)],
    body: &[u8],
) -> Signed {
    let mut canon: Vec<(String, String)> = headers
        .iter()
        .map(|(n, v)| {
            (
                n.to_ascii_lowercase(),
                v.split_whitespace().collect::<Vec<_>>().join(" "),
            )
        })
        .collect();
    // Stable: repeated headers keep the order they were given in.
    canon.sort_by(|a, b| a.0.cmp(&b.0));
    let mut merged: Vec<(String, String)> = Vec::with_capacity(canon.len());
    for (name, value) in canon {
        match merged.last_mut() {
            Some((last, values)) if *last == name => {
                values.push(',');
                values.push_str(&value);
            }
            _ => merged.push((name, value)),
        }
    }
    let signed_headers = merged
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(";");
    let header_lines: String = merged.iter().map(|(n, v)| format!("{n}:{v}\n")).collect();
    let canonical_request = format!(
        "{method}\n{}\n{}\n{header_lines}\n{signed_headers}\n{}",
        canonical_uri(url),
        canonical_query(url),
        sha256_hex(body)
    );
    let string_to_sign = format!(
        "{ALGORITHM}\n{}\n{}\n{}",
        scope.amz_date,
        scope.credential_scope(),
        sha256_hex(canonical_request.as_bytes())
    );
    let date = scope.amz_date.get(..8).unwrap_or(scope.amz_date);
    let key = signing_key(scope.secret, date, scope.region, scope.service);
    let signature = hex(&hmac(&key, string_to_sign.as_bytes()));
    let authorization = format!(
        "{ALGORITHM} Credential={}/{}, SignedHeaders={signed_headers}, Signature={signature}",
        scope.access_key,
        scope.credential_scope()
    );
    Signed {
        canonical_request,
        string_to_sign,
        signed_headers,
        signature,
        authorization,
    }
}

/// The derived signing key: `HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date),
/// region), service), "aws4_request")`.
pub fn signing_key(secret: &Secret, date: &str, region: &str, service: &str) -> [u8; 32] {
    let k_secret = format!("AWS4{}", secret.expose());
    let k_date = hmac(k_secret.as_bytes(), date.as_bytes());
    let k_region = hmac(&k_date, region.as_bytes());
    let k_service = hmac(&k_region, service.as_bytes());
    hmac(&k_service, b"aws4_request")
}

/// The `Host` header a client sends for `url` (the port only when it is
/// not the scheme's default), which is what gets signed.
pub fn host_header(url: &Url) -> String {
    let host = url.host_str().unwrap_or_default();
    match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_owned(),
    }
}

/// `time` as `X-Amz-Date` writes it: `YYYYMMDD'T'HHMMSS'Z'`, UTC.
pub fn amz_date(time: SystemTime) -> String {
    let secs = time
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = i64::try_from(secs / 86_400).unwrap_or(0);
    let rest = secs % 86_400;
    let (y, m, d) = civil_from_days(days);
    let (hh, mm, ss) = (rest / 3600, rest % 3600 / 60, rest % 60);
    format!("{y:04}{m:02}{d:02}T{hh:02}{mm:02}{ss:02}Z")
}

/// Howard Hinnant's `civil_from_days`: days since 1970-01-01 to a date.
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    (y, m, d)
}

/// RFC 3986 encoding as SigV4 wants it: everything but `A-Za-z0-9-_.~`
/// as `%XX` (upper case). Also the encoding of the EC2 form bodies.
pub fn uri_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// The path with each segment encoded (again: the URL holds it encoded
/// once, and services other than S3 sign it encoded twice).
fn canonical_uri(url: &Url) -> String {
    let path = url.path();
    if path.is_empty() {
        return "/".into();
    }
    path.split('/')
        .map(uri_encode)
        .collect::<Vec<_>>()
        .join("/")
}

/// The query's pairs, encoded and sorted.
fn canonical_query(url: &Url) -> String {
    let mut pairs: Vec<(String, String)> = url
        .query_pairs()
        .map(|(k, v)| (uri_encode(&k), uri_encode(&v)))
        .collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}

fn hmac(key: &[u8], data: &[u8]) -> [u8; 32] {
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key) else {
        unreachable!("HMAC takes keys of any length")
    };
    mac.update(data);
    mac.finalize().into_bytes().into()
}

/// Lowercase hex of SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    hex(&Sha256::digest(data))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
