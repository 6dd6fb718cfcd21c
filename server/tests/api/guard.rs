//! Walks the whole route table (every REST route in the OpenAPI document and
//! every registered server function) and proves that an anonymous caller
//! gets 401 and a user with no role gets 403 everywhere, but for the few
//! routes listed here with the reason they are open. A route added without
//! a guard fails this test.

use reqwest::{header, Method};
use serde_json::{json, Value};

use crate::helpers::*;

/// Reachable without credentials.
const PUBLIC: &[(&str, &str)] = &[
    ("GET /healthz", "liveness probe"),
    ("GET /readyz", "readiness probe"),
    (
        "GET /metrics",
        "open to a scraper on loopback, where the tests run",
    ),
    ("GET /api/session_info", "every page asks who is signed in"),
    ("POST /api/sign_in", "signing in"),
    (
        "POST /api/sign_in_code",
        "signing in, the two-factor code after the password",
    ),
    (
        "POST /api/create_master",
        "first-start setup (refused once set up)",
    ),
    (
        "POST /v3/access_token",
        "OAuth2: the credentials are in the body",
    ),
    (
        "POST /auth",
        "mist.io sign-in: the credentials are in the body",
    ),
    (
        "POST /api/set_password",
        "a one-time link's token is the credential",
    ),
];

/// Open to any signed-in user, whatever their roles: their own things.
const SELF_SERVICE: &[(&str, &str)] = &[
    ("GET /tokens", "one's own API tokens"),
    ("POST /tokens", "a token never exceeds its owner's rights"),
    ("DELETE /tokens/{id}", "revoking one's own token"),
    ("GET /v3/user/role", "one's own roles"),
    (
        "GET /v3/role/templates",
        "the built-in templates, no installation data",
    ),
    ("POST /api/sign_out", "signing out"),
    (
        "GET /api/stacks/may_create",
        "whether one's own roles allow making a stack: a yes or no, no installation data",
    ),
    ("PUT /v3/user/password", "changing one's own password"),
    ("GET /v3/user/two-factor", "one's own two-factor sign-in"),
    (
        "POST /v3/user/two-factor",
        "enrolling one's own authenticator",
    ),
    (
        "POST /v3/user/two-factor/confirm",
        "confirming one's own authenticator",
    ),
    (
        "DELETE /v3/user/two-factor",
        "removing one's own two-factor sign-in, with a code",
    ),
    (
        "GET /api/account/two_factor",
        "one's own two-factor sign-in (page)",
    ),
    (
        "POST /api/account/begin_two_factor",
        "enrolling one's own authenticator (page)",
    ),
    (
        "POST /api/account/confirm_two_factor",
        "confirming one's own authenticator (page)",
    ),
    (
        "POST /api/account/remove_two_factor",
        "removing one's own two-factor sign-in, with a code (page)",
    ),
    ("GET /api/account/tokens", "one's own API tokens (page)"),
    (
        "POST /api/account/create_token",
        "a token never exceeds its owner's rights (page)",
    ),
    (
        "POST /api/account/revoke_token",
        "revoking one's own token (page)",
    ),
    (
        "POST /api/account/change_password",
        "changing one's own password (page)",
    ),
    (
        "GET /openapi.json",
        "the API's description, no installation data",
    ),
    (
        "GET /providers",
        "the provider catalogue, no installation data",
    ),
    (
        "GET /v3/dashboard",
        "one's home page: what one may see, one's own activity",
    ),
    (
        "GET /api/dashboard",
        "one's home page: what one may see, one's own activity (page)",
    ),
];

fn listed(list: &[(&str, &str)], route: &str) -> bool {
    list.iter().any(|(r, _)| *r == route)
}

async fn route_table(app: &TestApp) -> Vec<(Method, String)> {
    let doc: Value = app.get_json("/openapi.json").await.json().await.unwrap();
    let mut routes: Vec<(Method, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| {
            ops.as_object()
                .unwrap()
                .keys()
                .map(|m| {
                    (
                        Method::from_bytes(m.to_uppercase().as_bytes()).unwrap(),
                        path.clone(),
                    )
                })
                .collect::<Vec<_>>()
        })
        .collect();
    for (path, method) in leptos::server_fn::axum::server_fn_paths() {
        routes.push((method, path.to_owned()));
    }
    routes.sort_by(|a, b| (&a.1, a.0.as_str()).cmp(&(&b.1, b.0.as_str())));
    routes
}

fn concrete(path: &str) -> String {
    path.split('/')
        .map(|seg| {
            if seg.starts_with('{') {
                "nonexistent"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

#[tokio::test]
async fn every_route_refuses_anonymous_callers_and_role_less_users() {
    let app = TestApp::signed_in().await;
    let res = app
        .api(Method::POST, "/v3/user", Some(json!({"username": "nobody", "email": "nobody@example.com", "password": MASTER_PASSWORD})))
        .await;
    assert_eq!(res.status(), 200);
    let routes = route_table(&app).await;
    assert!(routes.len() >= 20, "the table was read: {routes:?}");
    // The Stacks pages' server functions are walked like every other.
    for f in [
        "GET /api/stacks/list",
        "GET /api/stacks/get",
        "POST /api/stacks/apply",
        "POST /api/stacks/update",
        "POST /api/stacks/delete",
        "GET /api/stacks/versions",
        "GET /api/stacks/template",
        "GET /api/stacks/compare",
        "GET /api/stacks/membership",
    ] {
        assert!(routes.iter().any(|(m, p)| format!("{m} {p}") == f), "{f}");
    }
    let anon = app.anonymous_client();
    let role_less = basic("nobody@example.com", MASTER_PASSWORD);

    let mut checked = 0;
    for (method, path) in &routes {
        let route = format!("{method} {path}");
        let url = app.url(&concrete(path));
        if !listed(PUBLIC, &route) {
            let res = anon
                .request(method.clone(), &url)
                .header(header::ACCEPT, "application/json")
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 401, "anonymous {route}");
        }
        if !listed(PUBLIC, &route) && !listed(SELF_SERVICE, &route) {
            let res = anon
                .request(method.clone(), &url)
                .header(header::ACCEPT, "application/json")
                .header(header::AUTHORIZATION, &role_less)
                .json(&json!({}))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status(), 403, "role-less user on {route}");
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["RBAC"], "Action not allowed", "{route}");
            assert!(body["action"].is_string(), "{route} names its action");
        }
        checked += 1;
    }
    assert_eq!(checked, routes.len());
    // Every exception names a route that exists.
    for (route, _) in PUBLIC.iter().chain(SELF_SERVICE) {
        assert!(
            routes.iter().any(|(m, p)| format!("{m} {p}") == *route),
            "{route} is listed but not routed"
        );
    }
}

/// The GET routes that act rather than read (with the reason), each of
/// which needs more than the cookie: the CSRF token, or for the terminal's
/// websocket this installation's own `Origin`.
const ACTING_GETS: &[(&str, &str)] = &[
    (
        "GET /backends/{backend_id}/machines/{machine_id}/shell",
        "runs a command (mist.io's iframe route: token as a query parameter)",
    ),
    (
        "GET /keys/{key_id}/private",
        "reveals a private key, and the reading is audited",
    ),
    (
        "GET /backends/{backend_id}/machines/{machine_id}/terminal",
        "opens a terminal (websocket: Origin checked instead)",
    ),
];

/// Every GET route is either one of the [`ACTING_GETS`] or only reads: a
/// new GET route fails here until it is put in one list or the other.
const READING_GETS: &[&str] = &[
    "GET /healthz",
    "GET /readyz",
    "GET /metrics",
    "GET /openapi.json",
    "GET /tokens",
    "GET /v3/role",
    "GET /v3/role/templates",
    "GET /v3/user/role",
    "GET /v3/user/{username}/role",
    "GET /v3/user",
    "GET /v3/audit",
    "GET /v3/user/two-factor",
    "GET /v3/settings/two-factor",
    "GET /v3/oauth/clients",
    "GET /keys",
    "GET /keys/{key_id}/public",
    "GET /providers",
    "GET /backends",
    "GET /backends/{backend_id}/machines",
    "GET /machines",
    "GET /v3/user/preferences/columns",
    "GET /backends/{backend_id}/machines/{machine_id}",
    "GET /backends/{backend_id}/sizes",
    "GET /backends/{backend_id}/images",
    "GET /backends/{backend_id}/locations",
    "GET /backends/{backend_id}/machines/{machine_id}/scripts",
    "GET /backends/{backend_id}/machines/{machine_id}/scripts/{run_id}",
    "GET /backends/{backend_id}/machines/{machine_id}/scripts/{run_id}/stream",
    "GET /events",
    "GET /v3/alm/stack",
    "GET /v3/alm/stack/{stack_id}",
    "GET /v3/alm/template",
    "GET /v3/alm/template/{stack_id}",
    "GET /v3/alm/agent/config",
    "GET /v3/dashboard",
];

#[tokio::test]
async fn every_get_route_only_reads_or_needs_more_than_the_cookie() {
    let app = TestApp::signed_in().await;
    let routes = route_table(&app).await;
    let mut acting = Vec::new();
    for (method, path) in &routes {
        if method != Method::GET {
            continue;
        }
        let route = format!("{method} {path}");
        // Server functions read with GET; every one that acts is a POST.
        if path.starts_with("/api/") {
            continue;
        }
        if listed(ACTING_GETS, &route) {
            acting.push(route);
            continue;
        }
        assert!(
            READING_GETS.contains(&route.as_str()),
            "{route} is neither listed as reading nor as acting: classify it"
        );
    }
    assert_eq!(acting.len(), ACTING_GETS.len(), "{acting:?}");
    // The server's own list is the same, less the websocket.
    let server: Vec<String> = server::middleware::gate::ACTING_GETS
        .iter()
        .map(|p| format!("GET {p}"))
        .collect();
    for route in &server {
        assert!(listed(ACTING_GETS, route), "{route}");
    }
    assert_eq!(server.len(), ACTING_GETS.len() - 1);
    // With the cookie alone, each is refused before anything happens.
    for route in &server {
        let path = concrete(route.trim_start_matches("GET "));
        let res = app.get_json(&path).await;
        assert_eq!(res.status(), 403, "{route} without the token");
        let body: Value = res.json().await.unwrap();
        assert_eq!(body["error"], "csrf", "{route}: {body}");
    }
}
