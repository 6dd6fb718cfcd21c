//! EC2 against moto in mist.io's own shapes: an image search term in a GET
//! body, and the mist.io Python client's whole session from auth to destroy.

use reqwest::Method;
use serde_json::{json, Value};

use super::ec2::moto;
use crate::helpers::*;

#[tokio::test]
async fn an_image_search_term_in_a_get_body_searches_as_the_query_does() {
    let Some(moto) = moto().await else { return };
    let app = TestApp::signed_in().await;
    let res = app
        .api(
            Method::POST,
            "/backends",
            Some(json!({
                "title": "sydney", "provider": "ec2_ap_southeast_2",
                "apikey": "AKIDEXAMPLE", "apisecret": "secret-for-moto", "apiurl": moto.url,
            })),
        )
        .await;
    assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
    let b = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/backends/{b}/images");
    let ids = |images: &Value| -> Vec<String> {
        images
            .as_array()
            .unwrap()
            .iter()
            .map(|i| i["id"].as_str().unwrap().to_owned())
            .collect()
    };
    let every: Value = app.get_json(&path).await.json().await.unwrap();
    let queried: Value = app
        .get_json(&format!("{path}?search=amzn"))
        .await
        .json()
        .await
        .unwrap();
    assert!(!ids(&queried).is_empty());
    assert_ne!(ids(&every), ids(&queried), "the search narrows the list");
    // mistclient's `search_image`: the term in the body of the GET.
    for body in [json!({"search_term": "amzn"}), json!({"search": "amzn"})] {
        let res = app.api(Method::GET, &path, Some(body.clone())).await;
        assert_eq!(res.status(), 200, "{body}");
        let searched: Value = res.json().await.unwrap();
        assert_eq!(ids(&searched), ids(&queried), "{body}");
        for image in searched.as_array().unwrap() {
            let name = image["name"].as_str().unwrap().to_lowercase();
            assert!(name.contains("amzn"), "{body}: {name}");
        }
    }
    // The query still works beside an empty body; a body that is not JSON
    // is a 400 that says so.
    let res = app
        .api(Method::GET, &format!("{path}?search_term=amzn"), None)
        .await;
    assert_eq!(ids(&res.json::<Value>().await.unwrap()), ids(&queried));
    let res = app
        .client
        .get(app.url(&path))
        .header(reqwest::header::ACCEPT, "application/json")
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .body("{\"search_term\": ")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    assert_eq!(res.json::<Value>().await.unwrap()["field"], "body");
}

/// The mist.io Python client's whole session against moto, in its own
/// shapes: `POST /auth`, then `Authorization: mist_1 <email>:<token>` on
/// every call; a backend added, its catalogue read (the image search in a
/// GET body), a key generated with `POST /keys`, a machine created, acted
/// on, tagged and untagged one tag at a time, destroyed; the backend
/// disabled with `new_state` and deleted.
#[tokio::test]
async fn the_mist_io_client_drives_a_machine_from_auth_to_destroy() {
    let Some(moto) = moto().await else { return };
    let app = TestApp::signed_in().await;
    let client = app.anonymous_client();
    let auth: Value = client
        .post(app.url("/auth"))
        .json(&json!({"email": MASTER_EMAIL, "password": MASTER_PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let token = auth["mist_api_token"].as_str().unwrap().to_owned();
    let header = format!("mist_1 {MASTER_EMAIL}:{token}");
    let call = |method: Method, path: String, body: Option<Value>| {
        let (app, header) = (&app, header.clone());
        async move {
            let res = app.as_caller(method.clone(), &path, &header, body).await;
            let status = res.status().as_u16();
            let text = res.text().await.unwrap();
            assert!(
                (200..300).contains(&status),
                "{method} {path}: {status} {text}"
            );
            serde_json::from_str::<Value>(&text).unwrap_or(Value::Null)
        }
    };

    let backend = call(
        Method::POST,
        "/backends".into(),
        Some(json!({
            "title": "mist", "provider": "ec2_ap_southeast_2",
            "apikey": "AKIDEXAMPLE", "apisecret": "secret-for-moto", "apiurl": moto.url,
        })),
    )
    .await;
    let b = backend["id"].as_str().unwrap().to_owned();
    assert!(call(Method::GET, "/backends".into(), None)
        .await
        .as_array()
        .unwrap()
        .iter()
        .any(|x| x["id"] == b.as_str()));
    let images = call(
        Method::GET,
        format!("/backends/{b}/images"),
        Some(json!({"search_term": "amzn"})),
    )
    .await;
    let image = images[0]["id"].as_str().unwrap().to_owned();
    let zones = call(Method::GET, format!("/backends/{b}/locations"), None).await;
    let zone = zones[0]["id"].as_str().unwrap().to_owned();
    call(Method::GET, format!("/backends/{b}/sizes"), None).await;

    let key = call(Method::POST, "/keys".into(), Some(json!({"id": "mistkey"}))).await;
    assert!(
        key["priv"].as_str().unwrap().contains("PRIVATE KEY"),
        "{key}"
    );

    let machine = call(
        Method::POST,
        format!("/backends/{b}/machines"),
        Some(json!({"name": "mist-1", "key": "mistkey", "image": image, "size": "t2.micro", "location": zone})),
    )
    .await;
    let m = machine["id"].as_str().unwrap().to_owned();
    let machines = call(Method::GET, format!("/backends/{b}/machines"), None).await;
    let listed = machines
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["id"] == m.as_str())
        .unwrap()
        .clone();
    assert_eq!(listed["can_start"], false, "{listed}");

    let metadata = format!("/backends/{b}/machines/{m}/metadata");
    call(
        Method::POST,
        metadata.clone(),
        Some(json!({"tag": "team=ops"})),
    )
    .await;
    let tags = call(Method::DELETE, metadata, Some(json!({"tag": "team=ops"}))).await;
    assert_eq!(tags["tags"], json!([]));

    let path = format!("/backends/{b}/machines/{m}");
    for action in ["reboot", "stop", "start", "destroy"] {
        call(Method::POST, path.clone(), Some(json!({"action": action}))).await;
    }
    let gone = call(Method::GET, path, None).await;
    assert_eq!(gone["machine"]["state"], "terminated", "{gone}");

    call(
        Method::POST,
        format!("/backends/{b}"),
        Some(json!({"new_state": "0"})),
    )
    .await;
    let backends = call(Method::GET, "/backends".into(), None).await;
    assert_eq!(backends[0]["enabled"], false, "{backends}");
    call(Method::DELETE, format!("/backends/{b}"), None).await;
    assert_eq!(call(Method::GET, "/backends".into(), None).await, json!([]));

    // The same token with another email is refused.
    let res = app
        .as_caller(
            Method::GET,
            "/backends",
            &format!("mist_1 someone@example.com:{token}"),
            None,
        )
        .await;
    assert_eq!(res.status(), 401);
}
