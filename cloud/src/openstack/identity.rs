//! Keystone: the token request (v2 password or Rackspace API key, v3
//! password scoped to a project) and its answer (token, lifetime, catalogue).

use std::time::Duration;

use reqwest::header::DATE;
use serde::Deserialize;
use serde_json::{json, Value};

use super::catalogue::{Endpoint, Service};
use super::config::{KeystoneVersion, OpenStackConfig, SecretKind};
use super::errors::message;
use super::time::lifetime;
use crate::error::DriverError;
use crate::http::Response;
use crate::secret::Secret;

/// A token and what came with it.
#[derive(Debug)]
pub(crate) struct Token {
    /// The `X-Auth-Token` value.
    pub(crate) id: Secret,
    /// How long it stays valid from now, as Keystone's own clock says.
    pub(crate) lifetime: Duration,
    /// The service catalogue.
    pub(crate) catalogue: Vec<Service>,
}

/// The base URL the token path is appended to (`.../v2.0` or `.../v3`),
/// whether `auth_url` named the version, the token path, or neither.
pub(crate) fn base_url(auth_url: &str, version: KeystoneVersion) -> String {
    let url = auth_url.trim().trim_end_matches('/');
    let (suffix, tail) = match version {
        KeystoneVersion::V2 => ("/v2.0", "/tokens"),
        KeystoneVersion::V3 => ("/v3", "/auth/tokens"),
    };
    let url = url.strip_suffix(tail).unwrap_or(url);
    if url.ends_with(suffix) {
        url.to_owned()
    } else {
        format!("{url}{suffix}")
    }
}

/// The path under [`base_url`] tokens are requested at.
pub(crate) fn token_path(version: KeystoneVersion) -> &'static str {
    match version {
        KeystoneVersion::V2 => "/tokens",
        KeystoneVersion::V3 => "/auth/tokens",
    }
}

/// The JSON body that asks for a token.
pub(crate) fn request_body(c: &OpenStackConfig) -> Result<Value, DriverError> {
    let secret = c.secret.expose();
    Ok(match (c.version, c.secret_kind) {
        (KeystoneVersion::V2, kind) => {
            let credentials = match kind {
                SecretKind::Password => json!({ "passwordCredentials": {
                    "username": c.username, "password": secret } }),
                SecretKind::RackspaceApiKey => json!({ "RAX-KSKEY:apiKeyCredentials": {
                    "username": c.username, "apiKey": secret } }),
            };
            let mut auth = credentials;
            if let Some(tenant) = &c.tenant {
                auth["tenantName"] = json!(tenant);
            }
            json!({ "auth": auth })
        }
        (KeystoneVersion::V3, SecretKind::Password) => {
            let domain = json!({ "id": "default" });
            let user = json!({ "name": c.username, "domain": domain, "password": secret });
            let mut auth =
                json!({ "identity": { "methods": ["password"], "password": { "user": user } } });
            if let Some(project) = &c.tenant {
                auth["scope"] = json!({ "project": { "name": project, "domain": domain } });
            }
            json!({ "auth": auth })
        }
        (KeystoneVersion::V3, SecretKind::RackspaceApiKey) => {
            return Err(DriverError::InvalidRequest(
                "API keys are a Rackspace extension of Keystone v2, not v3".into(),
            ))
        }
    })
}

#[derive(Deserialize)]
struct V2Answer {
    access: V2Access,
}

#[derive(Deserialize)]
struct V2Access {
    token: V2Token,
    #[serde(default, rename = "serviceCatalog")]
    catalogue: Vec<V2Service>,
}

#[derive(Deserialize)]
struct V2Token {
    id: String,
    expires: Option<String>,
    issued_at: Option<String>,
}

#[derive(Deserialize)]
struct V2Service {
    #[serde(rename = "type")]
    kind: String,
    name: Option<String>,
    #[serde(default)]
    endpoints: Vec<V2Endpoint>,
}

#[derive(Deserialize)]
struct V2Endpoint {
    region: Option<String>,
    #[serde(rename = "publicURL")]
    public_url: Option<String>,
}

#[derive(Deserialize)]
struct V3Answer {
    token: V3Token,
}

#[derive(Deserialize)]
struct V3Token {
    expires_at: Option<String>,
    issued_at: Option<String>,
    #[serde(default)]
    catalog: Vec<V3Service>,
}

#[derive(Deserialize)]
struct V3Service {
    #[serde(rename = "type")]
    kind: String,
    name: Option<String>,
    #[serde(default)]
    endpoints: Vec<Endpoint>,
}

/// Reads a successful token answer; refusals become `BadCredentials`
/// quoting Keystone (401, 403), or `InvalidRequest` (a wrong URL, 400).
pub(crate) fn read_answer(resp: &Response, version: KeystoneVersion) -> Result<Token, DriverError> {
    let status = resp.status.as_u16();
    if !resp.status.is_success() {
        let (_, text) = message(resp);
        return Err(match status {
            401 | 403 => DriverError::BadCredentials(text),
            404 | 405 => DriverError::InvalidRequest(format!(
                "no Keystone {version:?} token API at this URL ({text})"
            )),
            _ => DriverError::from_status(status, text),
        });
    }
    let date = resp.headers.get(DATE).and_then(|d| d.to_str().ok());
    match version {
        KeystoneVersion::V2 => {
            let a: V2Answer = resp.json()?;
            let catalogue = a.access.catalogue.into_iter().map(|s| Service {
                kind: s.kind,
                name: s.name,
                endpoints: s
                    .endpoints
                    .into_iter()
                    .filter_map(|e| Endpoint::public(e.region, e.public_url?))
                    .collect(),
            });
            let t = a.access.token;
            Ok(Token {
                id: Secret::new(t.id),
                lifetime: lifetime(t.expires.as_deref(), t.issued_at.as_deref(), date),
                catalogue: catalogue.collect(),
            })
        }
        KeystoneVersion::V3 => {
            let id = resp
                .headers
                .get("x-subject-token")
                .and_then(|v| v.to_str().ok())
                .ok_or_else(|| DriverError::Protocol("Keystone sent no X-Subject-Token".into()))?;
            let t = resp.json::<V3Answer>()?.token;
            let lifetime = lifetime(t.expires_at.as_deref(), t.issued_at.as_deref(), date);
            let catalogue = t.catalog.into_iter().map(|s| Service {
                kind: s.kind,
                name: s.name,
                endpoints: s.endpoints,
            });
            Ok(Token {
                id: Secret::new(id),
                lifetime,
                catalogue: catalogue.collect(),
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_url_is_found_however_the_auth_url_is_written() {
        use KeystoneVersion::*;
        assert_eq!(
            base_url("https://id.example/v2.0/", V2),
            "https://id.example/v2.0"
        );
        assert_eq!(
            base_url("https://id.example/v2.0/tokens", V2),
            "https://id.example/v2.0"
        );
        assert_eq!(base_url("http://k:5000", V3), "http://k:5000/v3");
        assert_eq!(
            base_url("http://k:5000/v3/auth/tokens", V3),
            "http://k:5000/v3"
        );
    }
}
