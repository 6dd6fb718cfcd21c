//! Two-factor sign-in: the Account and Admin pages' server functions and
//! the REST routes answer alike.

use super::*;

#[tokio::test]
async fn two_factor_operations_answer_alike_at_both_doors() {
    let app = TestApp::signed_in().await;
    // Nothing to confirm or remove yet: 409 at both doors.
    for (server_fn, form, method, path, body) in [
        (
            "account/confirm_two_factor",
            vec![("code", "123456")],
            Method::POST,
            "/v3/user/two-factor/confirm",
            json!({"code": "123456"}),
        ),
        (
            "account/remove_two_factor",
            vec![("code", "123456")],
            Method::DELETE,
            "/v3/user/two-factor",
            json!({"code": "123456"}),
        ),
        (
            "admin/reset_two_factor",
            vec![("username", "nobody")],
            Method::POST,
            "/v3/user/nobody/two-factor",
            json!({}),
        ),
        (
            "admin/require_two_factor",
            vec![],
            Method::PUT,
            "/v3/settings/two-factor",
            json!({}),
        ),
    ] {
        // The reset's REST route is a DELETE.
        let method = if path.ends_with("nobody/two-factor") {
            Method::DELETE
        } else {
            method
        };
        let (page, api) = both(&app, server_fn, &form, (method, path, body)).await;
        assert!(page.0 >= 400, "{server_fn}: {page:?}");
        assert_eq!(page, api, "{server_fn}");
    }
    // A pending enrolment and a code that is not its authenticator's.
    let begun = answer(
        app.server_fn("account/begin_two_factor", &[], Some(&app.csrf()))
            .await,
    )
    .await;
    assert_eq!(begun.0, 200, "{begun:?}");
    assert!(begun.1["secret"].is_string());
    for code in ["", "abc", "000000x"] {
        let (page, api) = both(
            &app,
            "account/confirm_two_factor",
            &[("code", code)],
            (
                Method::POST,
                "/v3/user/two-factor/confirm",
                json!({ "code": code }),
            ),
        )
        .await;
        assert_eq!(page.0, 400, "{code:?}: {page:?}");
        assert_eq!(page.1["field"], "code");
        assert_eq!(page, api, "{code:?}");
    }
    // The pending secret shows again, the same at both doors.
    let page = answer(app.get_json("/api/account/two_factor").await).await;
    let api = answer(app.api(Method::GET, "/v3/user/two-factor", None).await).await;
    assert_eq!(page.0, 200);
    assert_eq!(page, api);
    assert_eq!(page.1["pending"]["secret"], begun.1["secret"]);
}
