use reqwest::header;

use crate::helpers::*;

#[tokio::test]
async fn signing_in_shows_the_shell_with_the_user() {
    let app = TestApp::signed_in().await;
    let res = app.get_page("/").await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(body.contains(MASTER_EMAIL));
    for section in [
        "Backends", "Machines", "Keys", "Stacks", "Admin", "Sign out",
    ] {
        assert!(body.contains(section), "{section}");
    }
}

#[tokio::test]
async fn a_wrong_password_and_an_unknown_email_get_the_same_answer() {
    let app = TestApp::with_master().await;
    let wrong = app.sign_in(MASTER_EMAIL, "not the password").await;
    assert_eq!(wrong.status(), 401);
    let wrong: serde_json::Value = wrong.json().await.unwrap();
    let unknown = app.sign_in("nobody@example.com", MASTER_PASSWORD).await;
    assert_eq!(unknown.status(), 401);
    let unknown: serde_json::Value = unknown.json().await.unwrap();
    assert_eq!(wrong, unknown);
    assert_eq!(wrong["error"], "invalid_credentials");
    assert!(app.cookie("csrftoken").is_none());
}

#[tokio::test]
async fn repeated_failures_from_one_address_throttle_it_even_with_the_right_password() {
    let app = TestApp::with_master().await;
    for _ in 0..service::throttle::MAX_PER_PAIR {
        assert_eq!(app.sign_in(MASTER_EMAIL, "guess").await.status(), 401);
    }
    let res = app.sign_in(MASTER_EMAIL, MASTER_PASSWORD).await;
    assert_eq!(res.status(), 429);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "throttled");
    assert!(body["retry_after_secs"].as_u64().unwrap() > 0);
    let audit = app.services().db.recent_audit(20).await.unwrap();
    assert_eq!(
        audit
            .iter()
            .filter(|e| e.action == "sign_in" && e.outcome == "failure")
            .count(),
        service::throttle::MAX_PER_PAIR as usize
    );
    assert!(audit.iter().all(|e| !e.detail.contains("guess")));
}

#[tokio::test]
async fn an_address_is_throttled_across_accounts() {
    let app = TestApp::with_master().await;
    for i in 0..service::throttle::MAX_PER_ADDRESS {
        let res = app.sign_in(&format!("user{i}@example.com"), "guess").await;
        assert_eq!(res.status(), 401);
    }
    assert_eq!(
        app.sign_in(MASTER_EMAIL, MASTER_PASSWORD).await.status(),
        429
    );
}

#[tokio::test]
async fn a_server_function_write_needs_the_csrf_header() {
    let app = TestApp::signed_in().await;
    let missing = app.server_fn("sign_out", &[], None).await;
    assert_eq!(missing.status(), 403);
    let body: serde_json::Value = missing.json().await.unwrap();
    assert_eq!(body["error"], "csrf");
    assert!(body["reason"].as_str().unwrap().contains("missing"));

    let wrong = app.server_fn("sign_out", &[], Some("0123")).await;
    assert_eq!(wrong.status(), 403);
    let body: serde_json::Value = wrong.json().await.unwrap();
    assert!(body["reason"].as_str().unwrap().contains("does not match"));
    // Still signed in after both refusals.
    assert_eq!(app.get_page("/").await.status(), 200);

    let right = app.server_fn("sign_out", &[], Some(&app.csrf())).await;
    assert!(right.status().is_success(), "{}", right.status());
    let res = app.get_page("/").await;
    assert_eq!(location(&res), "/signin?next=/");
}

#[tokio::test]
async fn a_form_posted_without_javascript_carries_the_token_as_a_field() {
    let app = TestApp::signed_in().await;
    let post = |token: String| {
        app.client
            .post(app.url("/api/sign_out"))
            .header(header::ACCEPT, "text/html")
            .header(header::REFERER, app.url("/"))
            .form(&[("csrf_token", token)])
            .send()
    };
    let wrong = post("nope".into()).await.unwrap();
    assert_eq!(wrong.status(), 403);
    assert_eq!(app.get_page("/").await.status(), 200);
    let right = post(app.csrf()).await.unwrap();
    assert_eq!(right.status(), 302);
    assert_eq!(location(&right), "/signin");
    assert!(app.get_page("/").await.status().is_redirection());
}

#[tokio::test]
async fn a_session_survives_a_server_restart() {
    let app = TestApp::signed_in().await;
    let app = app.restart().await;
    let res = app.get_page("/").await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains(MASTER_EMAIL));
}

#[tokio::test]
async fn anonymous_callers_are_redirected_from_pages_and_refused_by_the_api() {
    let app = TestApp::with_master().await;
    let res = app.get_page("/machines").await;
    assert_eq!(location(&res), "/signin?next=/machines");
    for path in [
        "/openapi.json",
        "/api/session_info_nonexistent",
        "/anything",
    ] {
        let res = app.get_json(path).await;
        assert_eq!(res.status(), 401, "{path}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["error"], "unauthenticated", "{path}");
    }
    let res = app.server_fn("sign_out", &[], None).await;
    assert_eq!(res.status(), 401);
    // The sign-in page and the public server functions stay reachable.
    assert_eq!(app.get_page("/signin").await.status(), 200);
    assert_eq!(app.get_json("/api/session_info").await.status(), 200);
}

#[tokio::test]
async fn the_session_cookie_is_http_only_and_same_site_lax() {
    let app = TestApp::with_master().await;
    let res = app.sign_in(MASTER_EMAIL, MASTER_PASSWORD).await;
    let cookies: Vec<String> = res
        .headers()
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("overcast_session="))
        .unwrap();
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Lax"), "{session}");
    let csrf = cookies
        .iter()
        .find(|c| c.starts_with("csrftoken="))
        .unwrap();
    assert!(!csrf.contains("HttpOnly"), "{csrf}");
}

#[tokio::test]
async fn the_sessions_csrf_token_reaches_its_pages_and_no_api_caller() {
    let app = TestApp::signed_in().await;
    let csrf = app.csrf();
    // The forms a page offers without JavaScript carry it.
    let res = app.get_page("/admin").await;
    assert_eq!(res.status(), 200);
    let page = res.text().await.unwrap();
    let fields = page.matches(&format!("value=\"{csrf}\"")).count();
    assert!(fields >= 2, "{fields} fields carry the token");
    let info: serde_json::Value = app
        .get_json("/api/session_info")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(info["csrf_token"], csrf.as_str());
    // API credentials come without a session, so without a token.
    let token = app
        .api(
            reqwest::Method::POST,
            "/tokens",
            Some(serde_json::json!({"name": "no session"})),
        )
        .await
        .json::<serde_json::Value>()
        .await
        .unwrap()["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let info: serde_json::Value = app
        .anonymous_client()
        .get(app.url("/api/session_info"))
        .header(header::ACCEPT, "application/json")
        .header(header::AUTHORIZATION, format!("Token {token}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["email"], MASTER_EMAIL);
    assert_eq!(info["csrf_token"], "");
}

/// Sign-in failures recorded in the audit log: one per password check that
/// failed.
async fn failed_checks(app: &TestApp) -> usize {
    app.services()
        .db
        .recent_audit(1000)
        .await
        .unwrap()
        .iter()
        .filter(|e| e.action == "sign_in" && e.outcome == "failure")
        .count()
}

#[tokio::test]
async fn concurrent_wrong_passwords_run_no_more_password_checks_than_the_limit() {
    let app = TestApp::with_master().await;
    let attempts = (0..40).map(|_| async {
        let res = app.sign_in_fresh(MASTER_EMAIL, "guess").await;
        let status = res.status().as_u16();
        let body: serde_json::Value = res.json().await.unwrap();
        (status, body)
    });
    let answers = futures_util::future::join_all(attempts).await;
    for (status, body) in &answers {
        assert!(matches!(status, 401 | 429), "{status}: {body}");
        let want = if *status == 401 {
            "invalid_credentials"
        } else {
            "throttled"
        };
        assert_eq!(body["error"], want, "{body}");
        assert!(body["message"].is_string(), "{body}");
    }
    let refused = answers.iter().filter(|(s, _)| *s == 401).count();
    let checks = failed_checks(&app).await;
    println!("40 concurrent wrong passwords: {checks} password checks, {refused} answered 401");
    assert_eq!(refused, checks, "every 401 is one recorded check");
    assert!(
        checks <= service::throttle::MAX_PER_PAIR as usize,
        "{checks} password checks against a limit of {}",
        service::throttle::MAX_PER_PAIR
    );
    // Throttled, the right password is refused from this address too.
    assert_eq!(
        app.sign_in_fresh(MASTER_EMAIL, MASTER_PASSWORD)
            .await
            .status(),
        429
    );
}

mod per_address {
    //! Throttling per account and address on a controllable clock: an
    //! address is blocked, the account only slowed down, and an address it
    //! signed in from before is not slowed at all.

    use std::sync::atomic::Ordering;

    use domain::ErrorKind;
    use service::{throttle, Services};

    use crate::token_clock::{master, services_on_a_clock};

    const EMAIL: &str = "m@example.com";
    const PASSWORD: &str = "a long master password";
    const HOME: &str = "198.51.100.1";

    async fn sign_in(services: &Services, password: &str, address: &str) -> Result<(), ErrorKind> {
        service::accounts::sign_in(services, EMAIL, password, address)
            .await
            .map(|_| ())
    }

    fn throttled(answer: &Result<(), ErrorKind>) -> Option<u64> {
        match answer {
            Err(ErrorKind::Throttled { retry_after_secs }) => Some(*retry_after_secs),
            _ => None,
        }
    }

    #[tokio::test]
    async fn wrong_passwords_from_one_address_do_not_lock_the_account_out_elsewhere() {
        let (services, clock, _dir) = services_on_a_clock().await;
        master(&services).await;
        let attacker = "203.0.113.7";
        for _ in 0..throttle::MAX_PER_PAIR {
            assert_eq!(
                sign_in(&services, "guess", attacker).await,
                Err(ErrorKind::InvalidCredentials)
            );
        }
        // That address is blocked, even with the right password.
        let blocked = throttled(&sign_in(&services, PASSWORD, attacker).await);
        assert!(blocked.is_some_and(|s| s > 60), "{blocked:?}");
        // Elsewhere the account is slowed down by seconds, not locked.
        let answer = sign_in(&services, PASSWORD, HOME).await;
        let wait = match &answer {
            Ok(()) => 0,
            other => throttled(other).unwrap_or_else(|| panic!("{other:?}")),
        };
        assert!(wait <= 2, "the master waits {wait} s");
        clock.fetch_add(i64::try_from(wait).unwrap() * 1000, Ordering::SeqCst);
        assert_eq!(sign_in(&services, PASSWORD, HOME).await, Ok(()));
    }

    #[tokio::test]
    async fn failures_from_many_addresses_slow_the_account_with_a_growing_capped_delay() {
        let (services, clock, _dir) = services_on_a_clock().await;
        master(&services).await;
        let mut waits = Vec::new();
        for i in 0..16 {
            let address = format!("192.0.2.{i}");
            let answer = sign_in(&services, "guess", &address).await;
            let wait = if answer == Err(ErrorKind::InvalidCredentials) {
                0
            } else {
                throttled(&answer).unwrap_or_else(|| panic!("{answer:?}"))
            };
            waits.push(wait);
            if wait > 0 {
                // Slowed, not blocked: once the wait is over, the next
                // guess is checked (and fails).
                clock.fetch_add(i64::try_from(wait).unwrap() * 1000, Ordering::SeqCst);
                assert_eq!(
                    sign_in(&services, "guess", &address).await,
                    Err(ErrorKind::InvalidCredentials),
                    "after waiting {wait} s"
                );
            }
        }
        let free = usize::try_from(throttle::ACCOUNT_FREE_FAILURES).unwrap();
        let first = u64::try_from(throttle::FIRST_DELAY_MS / 1000).unwrap();
        let cap = u64::try_from(throttle::MAX_DELAY_MS / 1000).unwrap();
        let expected: Vec<u64> = (0..16)
            .map(|k| {
                if k < free {
                    0
                } else {
                    (first << (k - free)).min(cap)
                }
            })
            .collect();
        assert_eq!(waits, expected);
        assert_eq!(*waits.last().unwrap(), cap, "the delay is capped");
        // The right password, after the wait, signs in from a new address.
        let answer = sign_in(&services, PASSWORD, HOME).await;
        let wait = throttled(&answer).unwrap_or(0);
        assert!(wait <= cap);
        clock.fetch_add(i64::try_from(wait).unwrap() * 1000, Ordering::SeqCst);
        assert_eq!(sign_in(&services, PASSWORD, HOME).await, Ok(()));
    }

    #[tokio::test]
    async fn an_address_that_signed_in_before_keeps_signing_in_while_others_guess() {
        let (services, _clock, _dir) = services_on_a_clock().await;
        master(&services).await;
        assert_eq!(sign_in(&services, PASSWORD, HOME).await, Ok(()));
        for i in 0..30 {
            let answer = sign_in(&services, "guess", &format!("192.0.2.{i}")).await;
            assert!(
                answer == Err(ErrorKind::InvalidCredentials) || throttled(&answer).is_some(),
                "{answer:?}"
            );
        }
        assert_eq!(sign_in(&services, PASSWORD, HOME).await, Ok(()));
        // An address the account never signed in from is slowed down.
        assert!(throttled(&sign_in(&services, PASSWORD, "198.51.100.2").await).is_some());
        // The known address is still held to its own limit.
        for _ in 0..throttle::MAX_PER_PAIR {
            assert_eq!(
                sign_in(&services, "guess", HOME).await,
                Err(ErrorKind::InvalidCredentials)
            );
        }
        assert!(throttled(&sign_in(&services, PASSWORD, HOME).await).is_some());
    }
}
