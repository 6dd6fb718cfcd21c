//! Keys and host keys.

use super::*;

#[tokio::test]
async fn key_generation_answers_alike_at_both_doors() {
    let app = TestApp::signed_in().await;
    for (algorithm, id) in [("dsa", "k1"), ("rsa", "  "), ("ed25519", "bad/name")] {
        let (page, api) = both(
            &app,
            "keys/generate",
            &[("id", id), ("algorithm", algorithm)],
            (
                Method::POST,
                "/keys/generate",
                json!({"id": id, "algorithm": algorithm}),
            ),
        )
        .await;
        assert_eq!(page.0, 400, "{algorithm} {id:?}: {page:?}");
        assert_eq!(page, api, "{algorithm} {id:?}");
    }
    // RSA 4096 by any of its names, at both doors.
    for (door, name) in [("page", "rsa-a"), ("api", "rsa-b")] {
        let status = if door == "page" {
            app.server_fn(
                "keys/generate",
                &[("id", name), ("algorithm", "rsa4096")],
                Some(&app.csrf()),
            )
            .await
            .status()
        } else {
            app.api(
                Method::POST,
                "/keys/generate",
                Some(json!({"id": name, "algorithm": "RSA4096"})),
            )
            .await
            .status()
        };
        assert_eq!(status, 200, "{door}");
    }
}

#[tokio::test]
async fn accepting_a_host_key_answers_alike_at_both_doors() {
    let app = TestApp::signed_in().await;
    let (page, api) = both(
        &app,
        "machines/accept_host_key",
        &[("backend", "b"), ("machine", "m"), ("fingerprint", " ")],
        (
            Method::POST,
            "/backends/b/machines/m/host_key",
            json!({"fingerprint": " "}),
        ),
    )
    .await;
    assert_eq!(page.0, 400, "{page:?}");
    assert_eq!(page, api);
    // Named, but for a machine that is not there: 404 at both.
    let (page, api) = both(
        &app,
        "machines/accept_host_key",
        &[
            ("backend", "b"),
            ("machine", "m"),
            ("fingerprint", "SHA256:x"),
        ],
        (
            Method::POST,
            "/backends/b/machines/m/host_key",
            json!({"fingerprint": "SHA256:x"}),
        ),
    )
    .await;
    assert_eq!(page.0, 404, "{page:?}");
    assert_eq!(page, api);
}

#[tokio::test]
async fn importing_renaming_and_deleting_keys_answer_alike_at_both_doors() {
    let app = TestApp::signed_in().await;
    let good = ssh::KeyPair::generate(ssh::KeyAlgorithm::Ed25519)
        .unwrap()
        .private_openssh();
    let truncated = good[..good.len() / 2].to_owned();
    for (id, private, passphrase, status) in [
        ("k", "not a key", None, 400),
        ("k", "", None, 400),
        ("k", truncated.as_str(), None, 400),
        (
            "k",
            good.as_str(),
            Some("a passphrase it does not have"),
            201,
        ),
        ("", good.as_str(), None, 400),
        ("bad/name", good.as_str(), None, 400),
        ("   ", "not a key", None, 400),
    ] {
        let what = format!("{id:?} {} bytes {passphrase:?}", private.len());
        let mut form = vec![("id", id), ("private_key", private)];
        let mut body = json!({"id": id, "priv": private});
        if let Some(p) = passphrase {
            form.push(("passphrase", p));
            body["passphrase"] = json!(p);
        }
        let (page, api) = both(&app, "keys/import", &form, (Method::PUT, "/keys", body)).await;
        if status == 201 {
            // An unencrypted key ignores the passphrase: stored by the page,
            // then a conflict at REST.
            assert_eq!(page.0, 200, "{what}: {page:?}");
            assert_eq!(api.0, 409, "{what}: {api:?}");
            let again = answer(app.server_fn("keys/import", &form, Some(&app.csrf())).await).await;
            assert_eq!(again, api, "{what}");
        } else {
            assert_eq!(page.0, status, "{what}: {page:?}");
            assert_eq!(page, api, "{what}");
        }
    }
    for name in ["taken", "mine"] {
        let res = app
            .api(
                Method::POST,
                "/keys/generate",
                Some(json!({"id": name, "algorithm": "ed25519"})),
            )
            .await;
        assert_eq!(res.status(), 200);
    }
    for (id, new_id, status) in [
        ("mine", "taken", 409),
        ("mine", "", 400),
        ("mine", "  ", 400),
        ("mine", "bad/name", 400),
        ("mine", &"n".repeat(65), 400),
        ("no-such-key", "fresh", 404),
        ("no-such-key", "", 400),
    ] {
        let what = format!("{id:?} -> {new_id:?}");
        let (page, api) = both(
            &app,
            "keys/rename",
            &[("id", id), ("new_id", new_id)],
            (
                Method::PUT,
                &format!("/keys/{id}"),
                json!({"new_id": new_id}),
            ),
        )
        .await;
        assert_eq!(page.0, status, "{what}: {page:?}");
        assert_eq!(page, api, "{what}");
    }
    let (page, api) = both(
        &app,
        "keys/rename",
        &[("id", "mine")],
        (Method::PUT, "/keys/mine", json!({})),
    )
    .await;
    assert_eq!(page.0, 400, "{page:?}");
    assert_eq!(page, api);
    let (page, api) = both(
        &app,
        "keys/delete",
        &[("id", "no-such-key")],
        (Method::DELETE, "/keys/no-such-key", json!({})),
    )
    .await;
    assert_eq!(page.0, 404, "{page:?}");
    assert_eq!(page, api);
}
