use crate::helpers::*;

#[tokio::test]
async fn an_empty_installation_sends_every_page_to_setup() {
    let app = TestApp::new().await;
    for path in ["/", "/machines", "/signin"] {
        let res = app.get_page(path).await;
        assert!(res.status().is_redirection(), "{path}: {}", res.status());
        assert_eq!(location(&res), "/setup", "{path}");
    }
    let res = app.get_page("/setup").await;
    assert_eq!(res.status(), 200);
    let body = res.text().await.unwrap();
    assert!(body.contains("Create master account"), "{body}");
}

#[tokio::test]
async fn creating_the_master_signs_it_in_with_a_csrf_cookie() {
    let app = TestApp::new().await;
    let res = app
        .server_fn(
            "create_master",
            &[
                ("email", "Owner@Example.com"),
                ("password", MASTER_PASSWORD),
                ("password_confirm", MASTER_PASSWORD),
            ],
            None,
        )
        .await;
    assert!(res.status().is_success(), "{}", res.status());
    assert_eq!(app.csrf().len(), 64);
    let res = app.get_page("/").await;
    assert_eq!(res.status(), 200);
    assert!(res.text().await.unwrap().contains("owner@example.com"));
    let res = app.get_page("/setup").await;
    assert_eq!(location(&res), "/");
}

#[tokio::test]
async fn a_second_master_account_is_refused_with_409() {
    let app = TestApp::with_master().await;
    let res = app
        .server_fn(
            "create_master",
            &[
                ("email", "intruder@example.com"),
                ("password", MASTER_PASSWORD),
                ("password_confirm", MASTER_PASSWORD),
            ],
            None,
        )
        .await;
    assert_eq!(res.status(), 409);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "conflict");
    let res = app.sign_in("intruder@example.com", MASTER_PASSWORD).await;
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn setup_validates_each_field_and_says_which_is_wrong() {
    let app = TestApp::new().await;
    for (email, pw, confirm, field) in [
        ("not-an-email", MASTER_PASSWORD, MASTER_PASSWORD, "email"),
        ("a@example.com", "short", "short", "password"),
        (
            "a@example.com",
            MASTER_PASSWORD,
            "different password!",
            "password_confirm",
        ),
    ] {
        let res = app
            .server_fn(
                "create_master",
                &[
                    ("email", email),
                    ("password", pw),
                    ("password_confirm", confirm),
                ],
                None,
            )
            .await;
        assert_eq!(res.status(), 400, "{field}");
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["field"], field);
    }
    assert!(!app.services().db.master_exists().await.unwrap());
}

#[tokio::test]
async fn create_master_from_the_command_line_path_refuses_a_second_one() {
    let app = TestApp::with_master().await;
    let err =
        service::accounts::create_master(app.services(), "b@example.com", MASTER_PASSWORD, "cli")
            .await
            .unwrap_err();
    assert_eq!(err.http_status(), 409);
}
