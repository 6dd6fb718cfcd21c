//! `/keys`: import, list, rename, default, public, private (guarded and
//! audited), delete; private parts never stored in clear.

use reqwest::Method;
use serde_json::{json, Value};
use ssh::{KeyAlgorithm, KeyPair};

use crate::{helpers::*, identity};

#[tokio::test]
async fn keys_import_list_rename_default_and_delete_in_the_mist_io_shapes() {
    let app = TestApp::signed_in().await;
    let ed = KeyPair::generate(KeyAlgorithm::Ed25519).unwrap();
    let res = app
        .api(
            Method::PUT,
            "/keys",
            Some(json!({"id": "ops", "priv": ed.private_openssh()})),
        )
        .await;
    assert_eq!(res.status(), 201);
    let key: Value = res.json().await.unwrap();
    assert_eq!(key["id"], "ops");
    assert_eq!(key["default_key"], true, "the first key is the default");
    assert_eq!(key["algorithm"], "ssh-ed25519");
    assert_eq!(key["fingerprint"], ed.fingerprint());

    // The same id again: 409, and nothing changes.
    let res = app
        .api(
            Method::PUT,
            "/keys",
            Some(json!({"id": "ops", "priv": ed.private_openssh()})),
        )
        .await;
    assert_eq!(res.status(), 409);

    let rsa = KeyPair::generate(KeyAlgorithm::Rsa4096).unwrap();
    let res = app
        .api(
            Method::PUT,
            "/keys",
            Some(json!({"id": "legacy", "priv": rsa.private_openssh()})),
        )
        .await;
    assert_eq!(res.status(), 201);

    let list: Value = app.get_json("/keys").await.json().await.unwrap();
    let names: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["id"].clone())
        .collect();
    assert_eq!(names, [json!("legacy"), json!("ops")]);
    assert_eq!(list[1]["machines"], json!([]));
    assert!(list[0].get("priv").is_none() && !list.to_string().contains("PRIVATE"));

    // Set default, rename, public part.
    assert_eq!(
        app.api(Method::POST, "/keys/legacy", None).await.status(),
        200
    );
    let list: Value = app.get_json("/keys").await.json().await.unwrap();
    assert_eq!(list[0]["default_key"], true);
    assert_eq!(list[1]["default_key"], false);
    let res = app
        .api(
            Method::PUT,
            "/keys/legacy",
            Some(json!({"new_id": "rsa-4096"})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .api(
            Method::PUT,
            "/keys/rsa-4096",
            Some(json!({"new_id": "ops"})),
        )
        .await;
    assert_eq!(res.status(), 409, "renaming onto a taken name");
    let public: Value = app
        .get_json("/keys/rsa-4096/public")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(public, json!(rsa.public_openssh()));
    let private: Value = app
        .api(Method::GET, "/keys/ops/private", None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        KeyPair::parse(private.as_str().unwrap(), None)
            .unwrap()
            .fingerprint(),
        ed.fingerprint()
    );

    // Deleting the default makes the other key the default.
    assert_eq!(
        app.api(Method::DELETE, "/keys/rsa-4096", None)
            .await
            .status(),
        200
    );
    assert_eq!(
        app.api(Method::DELETE, "/keys/rsa-4096", None)
            .await
            .status(),
        404
    );
    let list: Value = app.get_json("/keys").await.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["default_key"], true);
}

#[tokio::test]
async fn post_keys_generates_as_mist_io_routed_it_and_keys_say_is_default() {
    let app = TestApp::signed_in().await;
    // mist.io's `POST /keys`: a new key pair, the private part answered.
    let res = app.api(Method::POST, "/keys", None).await;
    assert_eq!(res.status(), 200);
    let generated: Value = res.json().await.unwrap();
    let private = generated["priv"].as_str().unwrap();
    assert!(private.starts_with("-----BEGIN "), "{private}");
    assert!(KeyPair::parse(private, None).is_ok());
    assert_eq!(
        generated["key"],
        Value::Null,
        "nothing stored without an id"
    );
    assert_eq!(
        app.get_json("/keys").await.json::<Value>().await.unwrap(),
        json!([])
    );
    // With an id it is stored, and the stored key carries both flags.
    let res = app
        .api(Method::POST, "/keys", Some(json!({"id": "first"})))
        .await;
    assert_eq!(res.status(), 200);
    let generated: Value = res.json().await.unwrap();
    assert!(generated["priv"]
        .as_str()
        .unwrap()
        .starts_with("-----BEGIN "));
    assert_eq!(generated["key"]["default_key"], true);
    assert_eq!(generated["key"]["isDefault"], true);
    // `POST /keys/generate` stays.
    let res = app
        .api(
            Method::POST,
            "/keys/generate",
            Some(json!({"id": "second"})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let generated: Value = res.json().await.unwrap();
    assert_eq!(generated["key"]["isDefault"], false);
    assert_eq!(generated["key"]["default_key"], false);

    // Every answer that carries a key: import, list, rename.
    let ed = KeyPair::generate(KeyAlgorithm::Ed25519).unwrap();
    let res = app
        .api(
            Method::PUT,
            "/keys",
            Some(json!({"id": "imported", "priv": ed.private_openssh()})),
        )
        .await;
    assert_eq!(res.status(), 201);
    let imported: Value = res.json().await.unwrap();
    assert_eq!(imported["isDefault"], false);
    assert_eq!(imported["default_key"], false);
    assert_eq!(
        app.api(Method::POST, "/keys/imported", None).await.status(),
        200
    );
    let res = app
        .api(
            Method::PUT,
            "/keys/imported",
            Some(json!({"new_id": "renamed"})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let renamed: Value = res.json().await.unwrap();
    assert_eq!(renamed["isDefault"], true);
    assert_eq!(renamed["default_key"], true);
    let list: Value = app.get_json("/keys").await.json().await.unwrap();
    let flags: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|k| {
            (
                k["id"].clone(),
                k["isDefault"].clone(),
                k["default_key"].clone(),
            )
        })
        .collect();
    assert_eq!(
        flags,
        [
            (json!("first"), json!(false), json!(false)),
            (json!("renamed"), json!(true), json!(true)),
            (json!("second"), json!(false), json!(false)),
        ]
    );
}

#[tokio::test]
async fn bad_keys_and_names_get_a_400_that_says_what_is_wrong() {
    let app = TestApp::signed_in().await;
    let ed = KeyPair::generate(KeyAlgorithm::Ed25519).unwrap();
    let private = ed.private_openssh();
    let cases: Vec<(Value, &str, &str)> = vec![
        (json!({"id": "k", "priv": ""}), "priv", "no key"),
        (
            json!({"id": "k", "priv": "hello world"}),
            "priv",
            "not a private key",
        ),
        (
            json!({"id": "k", "priv": ed.public_openssh()}),
            "priv",
            "public key",
        ),
        (
            json!({"id": "k", "priv": private[..private.len() / 2]}),
            "priv",
            "truncated",
        ),
        (json!({"id": "", "priv": private}), "id", "needs a name"),
        (json!({"id": "a/b", "priv": private}), "id", "not '/'"),
    ];
    for (body, field, says) in cases {
        let res = app.api(Method::PUT, "/keys", Some(body.clone())).await;
        assert_eq!(res.status(), 400, "{body}");
        let err: Value = res.json().await.unwrap();
        assert_eq!(err["field"], field, "{body}: {err}");
        assert!(
            err["message"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .contains(says),
            "{body}: {err}"
        );
    }
    let list: Value = app.get_json("/keys").await.json().await.unwrap();
    assert_eq!(list, json!([]), "nothing was stored");
}

#[tokio::test]
async fn generated_keys_come_back_once_and_can_be_stored() {
    let app = TestApp::signed_in().await;
    let res = app
        .api(Method::POST, "/keys/generate", Some(json!({"id": "fresh"})))
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let pair = KeyPair::parse(body["priv"].as_str().unwrap(), None).unwrap();
    assert_eq!(pair.algorithm(), "ssh-ed25519");
    assert_eq!(body["public"], pair.public_openssh());
    assert_eq!(body["key"]["id"], "fresh");
    let res = app
        .api(
            Method::POST,
            "/keys/generate",
            Some(json!({"algorithm": "rsa"})),
        )
        .await;
    let body: Value = res.json().await.unwrap();
    assert!(body["public"].as_str().unwrap().starts_with("ssh-rsa "));
    assert!(body["key"].is_null(), "not stored without an id");
    let res = app
        .api(
            Method::POST,
            "/keys/generate",
            Some(json!({"algorithm": "dsa"})),
        )
        .await;
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn private_keys_are_sealed_at_rest() {
    let app = TestApp::signed_in().await;
    let ed = KeyPair::generate(KeyAlgorithm::Ed25519).unwrap();
    let private = ed.private_openssh();
    let res = app
        .api(
            Method::PUT,
            "/keys",
            Some(json!({"id": "k", "priv": private})),
        )
        .await;
    assert_eq!(res.status(), 201);
    // Every file of the data directory (database, WAL), byte for byte.
    let body: String = private
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(app.data_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            seen.extend(std::fs::read(&path).unwrap());
        }
    }
    let seen = String::from_utf8_lossy(&seen);
    assert!(!seen.contains("PRIVATE KEY"));
    assert!(!seen.contains(&body[..40]), "the key's body is in a file");
}

#[tokio::test]
async fn reading_a_private_key_needs_its_own_right_and_is_audited_either_way() {
    let app = identity::with_user(Some("machine-operator")).await;
    let ed = KeyPair::generate(KeyAlgorithm::Ed25519).unwrap();
    app.api(
        Method::PUT,
        "/keys",
        Some(json!({"id": "k", "priv": ed.private_openssh()})),
    )
    .await;
    let user = basic(identity::USER_EMAIL, identity::USER_PASSWORD);
    // The operator template sees keys but may not read private parts.
    let res = app.as_caller(Method::GET, "/keys", &user, None).await;
    assert_eq!(res.status(), 200);
    let res = app
        .as_caller(Method::GET, "/keys/k/private", &user, None)
        .await;
    assert_eq!(res.status(), 403);
    let err: Value = res.json().await.unwrap();
    assert_eq!(err["RBAC"], "Action not allowed");
    assert_eq!(err["action"], "read_private:key");
    assert_eq!(
        app.api(Method::GET, "/keys/k/private", None).await.status(),
        200
    );

    let audit: Value = app
        .get_json("/v3/audit?action=read_private:key")
        .await
        .json()
        .await
        .unwrap();
    let outcomes: Vec<_> = audit
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["actor"].as_str().unwrap().to_owned(),
                e["outcome"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        outcomes.contains(&(identity::USER_EMAIL.to_owned(), "denied".to_owned())),
        "{audit}"
    );
    assert!(
        outcomes.contains(&(MASTER_EMAIL.to_owned(), "success".to_owned())),
        "{audit}"
    );
    assert!(!audit.to_string().contains("PRIVATE KEY"));
}
