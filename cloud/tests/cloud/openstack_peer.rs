//! Keystone and Nova on loopback replaying Libcloud's recorded answers
//! (tests/fixtures/libcloud/openstack and openstack_v1.1, see their
//! READMEs). Answers Libcloud did not record are written here, marked "ours".
//!
//! The catalogue's URLs are served re-based onto the peer, the original host
//! kept as the first path segment (`https://ord.servers.api.rackspacecloud.com/v2/1337`
//! becomes `<peer>/ord.servers.api.rackspacecloud.com/v2/1337`), so a test
//! sees which endpoint the driver chose. The user name `bad` is refused.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, Uri};
use axum::response::Response;
use axum::Router;
use cloud::http::HttpConfig;
use cloud::openstack::{KeystoneVersion, OpenStack, OpenStackConfig, SecretKind};
use cloud::Secret;
use serde_json::Value;

use crate::peer_kit::{answer, Journal, Logged, Loopback};

macro_rules! fixture {
    ($dir:literal, $name:literal) => {
        include_str!(concat!("../fixtures/libcloud/", $dir, "/", $name))
    };
}

/// The v2 token id in Libcloud's recordings.
pub const V2_TOKEN: &str = "aaaaaaaaaaaa-bbb-cccccccccccccc";

/// One request as the peer saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// `"POST /v2.0/tokens"`.
    pub request: String,
    /// The `X-Auth-Token` sent, if any.
    pub token: Option<String>,
    /// The JSON body, if any.
    pub body: Option<Value>,
}

impl Logged for Seen {
    fn line(&self) -> String {
        self.request.clone()
    }
}

/// The peer's own state.
#[derive(Default)]
pub struct Peer {
    url: String,
    /// What the peer saw (it scripts no faults).
    journal: Arc<Journal<Seen, Infallible>>,
    /// Nova answers the next this many requests with 401.
    pub(crate) refuse: Mutex<usize>,
    /// `servers/detail` comes in two pages.
    pub(crate) paged: Mutex<bool>,
    /// v2 tokens are served as already expired.
    expired: Mutex<bool>,
    /// v3 tokens issued so far.
    issued: Mutex<usize>,
}

/// The Keystone and Nova peer; [`OpenStackPeer::start`] runs one.
pub struct OpenStackPeer;

impl OpenStackPeer {
    /// Starts the peer on a free loopback port; its URL is
    /// `http://127.0.0.1:<port>`.
    pub async fn start() -> Loopback<Seen, Infallible, Peer> {
        let state = |url, journal| Peer {
            url,
            journal,
            ..Peer::default()
        };
        Loopback::start(state, |peer| Router::new().fallback(serve).with_state(peer)).await
    }
}

impl Loopback<Seen, Infallible, Peer> {
    /// Nova refuses the next `n` requests' tokens (401), as after a revocation.
    pub fn refuse_tokens(&self, n: usize) {
        *self.state().refuse.lock().unwrap() = n;
    }

    /// `servers/detail` answers in two pages linked by `servers_links`.
    pub fn paginate(&self) {
        *self.state().paged.lock().unwrap() = true;
    }

    /// v2 tokens come with an expiry in the past (ours: the recorded
    /// answer's 2999 replaced by 2001).
    pub fn expire_tokens(&self) {
        *self.state().expired.lock().unwrap() = true;
    }

    /// The last request's JSON body.
    pub fn last_body(&self) -> Value {
        self.seen()
            .last()
            .and_then(|s| s.body.clone())
            .unwrap_or(Value::Null)
    }
}

/// A recorded Keystone answer with its URLs moved onto the peer.
fn rebased(peer: &Peer, recorded: &str) -> String {
    let here = format!("\"{}/", peer.url);
    recorded
        .replace("\"http://", &here)
        .replace("\"https://", &here)
}

async fn serve(
    State(peer): State<Arc<Peer>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let body: Option<Value> = serde_json::from_slice(&body).ok();
    let token = headers
        .get("x-auth-token")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let path_and_query = uri.path_and_query().map_or(uri.path(), |p| p.as_str());
    peer.journal.record(Seen {
        request: format!("{method} {path_and_query}"),
        token: token.clone(),
        body: body.clone(),
    });
    let body = body.unwrap_or(Value::Null);
    let auth = &body["auth"];
    let user = [
        &auth["passwordCredentials"]["username"],
        &auth["RAX-KSKEY:apiKeyCredentials"]["username"],
        &auth["identity"]["password"]["user"]["name"],
    ]
    .into_iter()
    .find_map(Value::as_str);
    match (method.as_str(), uri.path()) {
        ("POST", "/v2.0/tokens" | "/lon/v2.0/tokens") if user == Some("bad") => {
            answer(401, fixture!("openstack", "_v1_1__auth_unauthorized.json"))
        }
        ("POST", "/v2.0/tokens") if user.is_some() => answer(
            200,
            &rebased(&peer, fixture!("openstack", "_v2_0__auth.json")).replace(
                "2999-11-23T21:00:14",
                if *peer.expired.lock().unwrap() {
                    "2001-11-23T21:00:14"
                } else {
                    "2999-11-23T21:00:14"
                },
            ),
        ),
        ("POST", "/lon/v2.0/tokens") if user.is_some() => answer(
            200,
            &rebased(&peer, fixture!("openstack", "_v2_0__auth_lon.json")),
        ),
        ("POST", "/v3/auth/tokens") if user == Some("bad") => {
            answer(401, fixture!("openstack", "_v3__auth_unauthorized.json"))
        }
        ("POST", "/v3/auth/tokens") if user.is_some() => {
            let n = {
                let mut issued = peer.issued.lock().unwrap();
                *issued += 1;
                *issued
            };
            let mut resp = answer(
                201,
                &rebased(&peer, fixture!("openstack", "_v3__auth.json")),
            );
            resp.headers_mut()
                .insert("x-subject-token", format!("v3-token-{n}").parse().unwrap());
            resp
        }
        // Ours: Keystone's 400 for a body it cannot read.
        (_, "/v2.0/tokens" | "/lon/v2.0/tokens" | "/v3/auth/tokens") => answer(
            400,
            r#"{"error": {"message": "Expecting to find auth in request body.", "code": 400}}"#,
        ),
        // Ours: a Keystone URL that is not one.
        (_, path) if path.ends_with("/tokens") => answer(
            404,
            r#"{"error": {"message": "The resource could not be found.", "code": 404}}"#,
        ),
        _ => crate::openstack_peer_nova::nova(&peer, &method, &uri, token.as_deref(), &body),
    }
}

/// Quick retries and short timeouts, the endpoint left to the config.
pub fn quick() -> HttpConfig {
    HttpConfig {
        endpoint: None,
        ..crate::fast_config("http://unused")
    }
}

/// A plain OpenStack driver: user `user` (password), project `demo`.
pub fn plain(
    auth_url: &str,
    version: KeystoneVersion,
    user: &str,
    region: Option<&str>,
    service: Option<&str>,
) -> OpenStack {
    let config = OpenStackConfig {
        auth_url: auth_url.to_owned(),
        version,
        username: user.to_owned(),
        secret: Secret::new("s3cret"),
        secret_kind: SecretKind::Password,
        tenant: Some("demo".into()),
        region: region.map(str::to_owned),
        service_name: service.map(str::to_owned),
    };
    OpenStack::with_config(config, &quick()).unwrap()
}

/// A Rackspace preset (`"rackspace:ord"`) whose identity is `identity`.
pub fn rackspace(provider: &str, identity: &str, user: &str) -> OpenStack {
    let http = crate::fast_config(identity);
    OpenStack::from_preset(
        provider,
        user,
        Secret::new("0123456789abcdef"),
        None,
        None,
        &http,
    )
    .unwrap()
}
