//! Two-factor sign-in, one's own: enrolling, signing in with a code at
//! each door of the pages (the server function, a form posted without
//! JavaScript), a code accepted once, recovery codes, throttling, removal.

use reqwest::{header, Client, Method, Response};
use serde_json::{json, Value};
use service::two_factor::totp;

use crate::helpers::*;

/// The authenticator app of a test: codes of steps never used before,
/// within the server's one step of drift.
pub(crate) struct Authenticator {
    secret: Vec<u8>,
    last: i64,
}

impl Authenticator {
    /// An authenticator holding the base32 `secret`.
    pub(crate) fn from_secret(secret: &str) -> Self {
        Self {
            secret: totp::base32_decode(secret).unwrap(),
            last: -1,
        }
    }

    /// The next code the server has not accepted yet (waits for the clock
    /// when the window's steps are used up).
    pub(crate) async fn next(&mut self, app: &TestApp) -> String {
        loop {
            let now_ms = app.services().now();
            // Not at the very end of a step: the server reads the clock later.
            if now_ms.rem_euclid(totp::STEP_MS) > totp::STEP_MS - 1500 {
                tokio::time::sleep(std::time::Duration::from_millis(1600)).await;
                continue;
            }
            let now = totp::step_at(now_ms);
            let step = (now - 1).max(self.last + 1);
            if step <= now + 1 {
                self.last = step;
                return totp::code_at_step(&self.secret, step);
            }
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
        }
    }

    /// The code last given (accepted by now).
    pub(crate) fn used(&self) -> String {
        totp::code_at_step(&self.secret, self.last)
    }

    /// A code that is wrong at any step.
    pub(crate) fn wrong(&self) -> String {
        let now = totp::step_at(store::now_ms());
        (0..1_000_000)
            .map(|n| format!("{n:06}"))
            .find(|c| (now - 2..=now + 2).all(|s| &totp::code_at_step(&self.secret, s) != c))
            .unwrap()
    }
}

/// Enrols the signed-in master through the REST routes: the
/// authenticator and the recovery codes.
pub(crate) async fn enrol_master(app: &TestApp) -> (Authenticator, Vec<String>) {
    let res = app.api(Method::POST, "/v3/user/two-factor", None).await;
    assert_eq!(res.status(), 200);
    let enrolment: Value = res.json().await.unwrap();
    let secret = enrolment["secret"].as_str().unwrap();
    assert!(enrolment["uri"]
        .as_str()
        .unwrap()
        .starts_with("otpauth://totp/Overcast:master@example.com?secret="));
    assert!(enrolment["qr_image"]
        .as_str()
        .unwrap()
        .starts_with("data:image/svg+xml;base64,"));
    let mut authenticator = Authenticator::from_secret(secret);
    let code = authenticator.next(app).await;
    let res = app
        .api(
            Method::POST,
            "/v3/user/two-factor/confirm",
            Some(json!({ "code": code })),
        )
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let codes: Vec<String> = body["recovery_codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect();
    assert_eq!(codes.len(), 10);
    (authenticator, codes)
}

/// Signs the master in with the password from a fresh client: the client
/// and the answer (the code step for an enrolled account).
pub(crate) async fn password_step(app: &TestApp, plain: bool) -> (Client, Response) {
    let client = TestApp::client_with_cookies();
    let mut req = client.post(app.url("/api/sign_in")).form(&[
        ("email", MASTER_EMAIL),
        ("password", MASTER_PASSWORD),
        ("next", "/keys"),
    ]);
    if plain {
        req = req.header(header::ACCEPT, "text/html");
    }
    let res = req.send().await.unwrap();
    (client, res)
}

/// The code step on `client`.
pub(crate) async fn code_step(app: &TestApp, client: &Client, code: &str, plain: bool) -> Response {
    let mut req = client
        .post(app.url("/api/sign_in_code"))
        .form(&[("code", code), ("next", "/keys")]);
    if plain {
        req = req
            .header(header::ACCEPT, "text/html")
            .header(header::REFERER, app.url("/signin/code?next=%2Fkeys"));
    }
    req.send().await.unwrap()
}

/// Who `client`'s session is signed in as.
pub(crate) async fn signed_in_as(app: &TestApp, client: &Client) -> Option<String> {
    let info: Value = client
        .get(app.url("/api/session_info"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    info["email"].as_str().map(str::to_owned)
}

fn header_of(res: &Response) -> String {
    location(res)
}

#[tokio::test]
async fn enrolling_then_signing_in_asks_for_the_code_which_is_accepted_once() {
    let app = TestApp::signed_in().await;
    let status: Value = app
        .api(Method::GET, "/v3/user/two-factor", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["enabled"], false);
    let (mut authenticator, _) = enrol_master(&app).await;
    let status: Value = app
        .api(Method::GET, "/v3/user/two-factor", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["enabled"], true);
    assert_eq!(status["recovery_codes_left"], 10);
    // A second enrolment is refused while one is on.
    let res = app.api(Method::POST, "/v3/user/two-factor", None).await;
    assert_eq!(res.status(), 409);

    // The server function's door (the hydrated page): the password leads
    // to the code step, not into the session.
    let (client, res) = password_step(&app, false).await;
    assert!(res.status().is_success() || res.status().is_redirection());
    assert_eq!(header_of(&res), "/signin/code?next=%2Fkeys");
    assert_eq!(signed_in_as(&app, &client).await, None);
    let res = client.get(app.url("/v3/user/role")).send().await.unwrap();
    assert_eq!(res.status(), 401, "a pending sign-in is no session");
    let code = authenticator.next(&app).await;
    let res = code_step(&app, &client, &code, false).await;
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "{}",
        res.status()
    );
    assert_eq!(header_of(&res), "/keys");
    assert_eq!(
        signed_in_as(&app, &client).await.as_deref(),
        Some(MASTER_EMAIL)
    );

    let audit: Value = app
        .api(Method::GET, "/v3/audit?action=sign_in&limit=2", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(audit[0]["detail"], "two-factor code");
    assert_eq!(
        audit[1]["detail"],
        "password right; the two-factor code next"
    );
    // The same code again, on another sign-in: refused.
    let (client, _) = password_step(&app, false).await;
    let res = code_step(&app, &client, &authenticator.used(), false).await;
    assert_eq!(res.status(), 401);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"], "credentials_refused");
    assert_eq!(signed_in_as(&app, &client).await, None);

    // Without JavaScript: a plain form post each step, redirects all along.
    let (client, res) = password_step(&app, true).await;
    assert_eq!(res.status(), 302);
    assert_eq!(header_of(&res), "/signin/code?next=%2Fkeys");
    let page = client
        .get(app.url("/signin/code?next=%2Fkeys"))
        .header(header::ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("sign-in-code"));
    let res = code_step(&app, &client, &authenticator.wrong(), true).await;
    assert_eq!(res.status(), 302);
    assert!(header_of(&res).contains("__err"), "{}", header_of(&res));
    let code = authenticator.next(&app).await;
    let res = code_step(&app, &client, &code, true).await;
    assert_eq!(res.status(), 302);
    assert_eq!(header_of(&res), "/keys");
    assert_eq!(
        signed_in_as(&app, &client).await.as_deref(),
        Some(MASTER_EMAIL)
    );
}

#[tokio::test]
async fn a_recovery_code_signs_in_once() {
    let app = TestApp::signed_in().await;
    let (_, codes) = enrol_master(&app).await;
    let (client, _) = password_step(&app, false).await;
    // Typed in capitals with spaces: the same code.
    let typed = codes[0].to_uppercase().replace('-', " ");
    let res = code_step(&app, &client, &typed, false).await;
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "{}",
        res.status()
    );
    assert_eq!(
        signed_in_as(&app, &client).await.as_deref(),
        Some(MASTER_EMAIL)
    );
    let (client, _) = password_step(&app, false).await;
    let res = code_step(&app, &client, &codes[0], false).await;
    assert_eq!(res.status(), 401, "a recovery code works once");
    assert_eq!(signed_in_as(&app, &client).await, None);
    let res = code_step(&app, &client, &codes[1], false).await;
    assert!(
        res.status().is_success() || res.status().is_redirection(),
        "{}",
        res.status()
    );
    let status: Value = app
        .api(Method::GET, "/v3/user/two-factor", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(status["recovery_codes_left"], 8);
}

#[tokio::test]
async fn wrong_codes_are_throttled_like_wrong_passwords() {
    let app = TestApp::signed_in().await;
    let (authenticator, codes) = enrol_master(&app).await;
    let (client, _) = password_step(&app, false).await;
    for _ in 0..service::throttle::MAX_PER_PAIR {
        let res = code_step(&app, &client, &authenticator.wrong(), false).await;
        assert_eq!(res.status(), 401);
    }
    // Past the limit even a right code is not looked at.
    let res = code_step(&app, &client, &codes[0], false).await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().get(header::RETRY_AFTER).is_some());
    assert_eq!(signed_in_as(&app, &client).await, None);
    // A right password does not lift it: the codes' count is their own.
    let (client, _) = password_step(&app, false).await;
    let res = code_step(&app, &client, &codes[0], false).await;
    assert_eq!(res.status(), 429);
}

#[tokio::test]
async fn removing_takes_a_code_and_sign_in_asks_for_the_password_alone_again() {
    let app = TestApp::signed_in().await;
    let (mut authenticator, _) = enrol_master(&app).await;
    let res = app
        .api(
            Method::DELETE,
            "/v3/user/two-factor",
            Some(json!({"code": authenticator.wrong()})),
        )
        .await;
    assert_eq!(res.status(), 401);
    let code = authenticator.next(&app).await;
    let res = app
        .api(
            Method::DELETE,
            "/v3/user/two-factor",
            Some(json!({ "code": code })),
        )
        .await;
    assert_eq!(res.status(), 200);
    // Audited once each: the wrong code, then the removal and its proof.
    let audit: Value = app
        .api(Method::GET, "/v3/audit?action=disable:two_factor", None)
        .await
        .json()
        .await
        .unwrap();
    let entries: Vec<(&str, &str)> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["outcome"].as_str().unwrap(),
                e["detail"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        entries,
        [
            ("success", "two-factor code"),
            ("failure", "wrong or used two-factor code")
        ]
    );
    let (client, res) = password_step(&app, false).await;
    assert_eq!(header_of(&res), "/keys");
    assert_eq!(
        signed_in_as(&app, &client).await.as_deref(),
        Some(MASTER_EMAIL)
    );
    // Removing again: there is nothing to remove.
    let res = app
        .api(
            Method::DELETE,
            "/v3/user/two-factor",
            Some(json!({"code": "123456"})),
        )
        .await;
    assert_eq!(res.status(), 409);
}

#[tokio::test]
async fn the_code_step_expires_and_refuses_other_sites() {
    let app = TestApp::signed_in().await;
    let (mut authenticator, _) = enrol_master(&app).await;
    // No password step on this client: nothing to finish, and the page
    // sends it to the start.
    let client = TestApp::client_with_cookies();
    let res = client
        .get(app.url("/signin/code"))
        .header(header::ACCEPT, "text/html")
        .send()
        .await
        .unwrap();
    assert_eq!(location(&res), "/signin");
    let code = authenticator.next(&app).await;
    let res = code_step(&app, &client, &code, false).await;
    assert_eq!(res.status(), 401);
    let body: Value = res.json().await.unwrap();
    assert!(
        body["message"].as_str().unwrap().contains("expired"),
        "{body}"
    );
    // Login CSRF: another site cannot post the code step.
    let (client, _) = password_step(&app, false).await;
    let res = client
        .post(app.url("/api/sign_in_code"))
        .header(header::ORIGIN, "https://evil.example")
        .form(&[("code", code.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
    assert_eq!(res.json::<Value>().await.unwrap()["error"], "csrf");
}
