//! The Nova half of the recorded OpenStack peer (`openstack_peer`):
//! servers, flavours, images, key pairs, zones, actions and metadata under
//! `/<original host>/<version>/<tenant>/`, for a known token only.

use axum::http::{Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::Value;

use crate::openstack_peer::{Peer, V2_TOKEN};
use crate::peer_kit::answer;

macro_rules! fixture {
    ($dir:literal, $name:literal) => {
        include_str!(concat!("../fixtures/libcloud/", $dir, "/", $name))
    };
}

/// Nova under `/<host>/<version>/<tenant>/...`.
pub(crate) fn nova(
    peer: &Peer,
    method: &Method,
    uri: &Uri,
    token: Option<&str>,
    body: &Value,
) -> Response {
    let known = token.is_some_and(|t| t == V2_TOKEN || t.starts_with("v3-token-"));
    let refused = {
        let mut refuse = peer.refuse.lock().unwrap();
        let now = *refuse > 0;
        *refuse = refuse.saturating_sub(1);
        now
    };
    if !known || refused {
        // Ours: Nova's 401 for a token Keystone no longer knows.
        return answer(
            401,
            r#"{"unauthorized": {"message": "Authentication required", "code": 401}}"#,
        );
    }
    let segments: Vec<&str> = uri.path().trim_start_matches('/').split('/').collect();
    let (host, rest) = match segments.as_slice() {
        [host, _version, _tenant, rest @ ..] => (*host, rest),
        _ => {
            return answer(
                404,
                fixture!("openstack_v1.1", "_os_keypairs_not_found.json"),
            )
        }
    };
    let server =
        |id: &str| ["12065", "12064", "26f7fbee-8ce1-4c28-887a-bfe8e4bb10fe"].contains(&id);
    let not_found = || {
        answer(
            404,
            fixture!("openstack_v1.1", "_os_keypairs_not_found.json"),
        )
    };
    let paged = *peer.paged.lock().unwrap();
    match (method.as_str(), rest) {
        ("GET", ["servers", "detail"]) => match uri.query() {
            Some(q) if paged && q.contains("marker=12064") => answer(
                200,
                fixture!("openstack_v1.1", "_servers_detail_ERROR_STATE.json"),
            ),
            _ if paged => {
                // Ours: the recorded page with a link Nova built on its internal host.
                let mut page: Value =
                    serde_json::from_str(fixture!("openstack_v1.1", "_servers_detail.json"))
                        .unwrap();
                page["servers_links"] = serde_json::json!([{ "rel": "next",
                    "href": "http://controller:8774/v2/1337/servers/detail?limit=2&marker=12064" }]);
                answer(200, &page.to_string())
            }
            _ => answer(200, fixture!("openstack_v1.1", "_servers_detail.json")),
        },
        ("GET", ["flavors", "detail"]) => {
            answer(200, fixture!("openstack_v1.1", "_flavors_detail.json"))
        }
        ("GET", ["images", "detail"]) => {
            answer(200, fixture!("openstack_v1.1", "_images_detail.json"))
        }
        ("GET", ["os-keypairs"]) => answer(200, fixture!("openstack_v1.1", "_os_keypairs.json")),
        ("POST", ["os-keypairs"]) => answer(
            200,
            fixture!("openstack_v1.1", "_os_keypairs_create_import.json"),
        ),
        // Ours: Rackspace has no zone API (404); the plain clouds list two zones.
        ("GET", ["os-availability-zone"]) if host.contains("rackspacecloud") => not_found(),
        ("GET", ["os-availability-zone"]) => answer(
            200,
            r#"{"availabilityZoneInfo": [{"zoneName": "nova", "zoneState": {"available": true}, "hosts": null},
                {"zoneName": "az2", "zoneState": {"available": false}, "hosts": null}]}"#,
        ),
        ("POST", ["servers"]) => create(body),
        ("POST", ["servers", id, "action"]) if server(id) => StatusCode::ACCEPTED.into_response(),
        ("DELETE", ["servers", id]) if server(id) => StatusCode::NO_CONTENT.into_response(),
        ("PUT", ["servers", id, "metadata"]) if server(id) => answer(
            200,
            fixture!("openstack_v1.1", "_servers_12063_metadata_two_keys.json"),
        ),
        _ => not_found(),
    }
}

fn create(body: &Value) -> Response {
    let s = &body["server"];
    if ["name", "imageRef", "flavorRef"]
        .iter()
        .any(|k| !s[k].is_string())
    {
        // Ours: Nova's 400 for a malformed create.
        return answer(
            400,
            r#"{"badRequest": {"message": "Invalid input for field/attribute server.", "code": 400}}"#,
        );
    }
    match (s["imageRef"].as_str(), s["name"].as_str()) {
        // Ours: the answers for an unknown image and an exhausted quota.
        (Some("no-such-image"), _) => answer(
            400,
            r#"{"badRequest": {"message": "Can not find requested image", "code": 400}}"#,
        ),
        (_, Some("one-too-many")) => answer(
            413,
            r#"{"overLimit": {"message": "Quota exceeded for instances: Requested 1, but already used 10 of 10 instances", "code": 413}}"#,
        ),
        _ => answer(202, fixture!("openstack_v1.1", "_servers_create.json")),
    }
}
