//! What the recorded EC2 peer (`ec2_recorded_peer`) answers to each
//! `Action`: Libcloud's recordings, paged or multiplied for the listing
//! scenarios, and the errors Libcloud did not record (marked "ours").

use std::sync::OnceLock;

use axum::response::Response;

use crate::ec2_recorded_peer::{error_body, fixture, xml, Seen};

/// Instance ids the recordings know.
const KNOWN: [&str; 3] = ["i-4382922a", "i-8474834a", "i-2ba64342"];

/// Ours: the error for an instance id the recordings do not know.
fn unknown_instance(seen: &Seen) -> Option<Response> {
    let id = seen.get("InstanceId.1").or(seen.get("ResourceId.1"))?;
    (!KNOWN.contains(&id)).then(|| {
        let message = format!("The instance ID '{id}' does not exist");
        xml(400, &error_body("InvalidInstanceID.NotFound", &message))
    })
}

/// The answer to a request signed with access key `key`.
pub fn answer(key: &str, seen: &Seen) -> Response {
    if let Some(refusal) = unknown_instance(seen) {
        return refusal;
    }
    let body = match seen.get("Action").unwrap_or("") {
        "DescribeAccountAttributes" => fixture!("describe_account_attributes.xml"),
        "DescribeInstances" => return instances(key, seen.get("NextToken")),
        "DescribeInstanceTypes" => fixture!("describe_instance_types.xml"),
        "DescribeImages" => return images(seen),
        "DescribeAvailabilityZones" => fixture!("describe_availability_zones.xml"),
        "DescribeKeyPairs" => fixture!("describe_key_pairs.xml"),
        "ImportKeyPair" => fixture!("import_key_pair.xml"),
        "RunInstances" => fixture!("run_instances.xml"),
        "RebootInstances" => fixture!("reboot_instances.xml"),
        "StartInstances" => fixture!("start_instances.xml"),
        "StopInstances" => fixture!("stop_instances.xml"),
        "TerminateInstances" => fixture!("terminate_instances.xml"),
        "CreateTags" => fixture!("create_tags.xml"),
        "DeleteTags" => fixture!("delete_tags.xml"),
        other => {
            let message = format!("The action {other} is not valid for this web service.");
            return xml(400, &error_body("InvalidAction", &message));
        }
    };
    xml(200, body)
}

/// The recorded answer with a `nextToken` (ours) before its end.
fn with_token(body: &str, token: &str) -> String {
    let end = "</DescribeInstancesResponse>";
    body.replace(end, &format!("<nextToken>{token}</nextToken>{end}"))
}

fn instances(key: &str, token: Option<&str>) -> Response {
    let recorded = fixture!("describe_instances.xml");
    match (key, token) {
        ("paged", None) => xml(200, &with_token(recorded, "page-2")),
        ("loop", _) => xml(200, &with_token(recorded, "again")),
        ("many", None) => xml(200, &with_token(&built(1, 1000), "page-2")),
        ("many", Some("page-2")) => xml(200, &with_token(&built(2, 1000), "page-3")),
        ("many", Some("page-3")) => xml(200, &built(3, 1000)),
        ("huge", _) => xml(200, huge()),
        _ => xml(200, recorded),
    }
}

fn huge() -> &'static str {
    static HUGE: OnceLock<String> = OnceLock::new();
    HUGE.get_or_init(|| built(9, 5000))
}

/// Ours: `count` instances (page `page`) made of the two recorded
/// reservations with new instance ids.
pub fn built(page: usize, count: usize) -> String {
    let recorded = fixture!("describe_instances.xml");
    let (open, close) = ("<reservationSet>", "</reservationSet>");
    let start = recorded.find(open).unwrap() + open.len();
    let end = recorded.find(close).unwrap();
    let pair = &recorded[start..end];
    let mut out = String::with_capacity(pair.len() * count / 2 + 400);
    out.push_str(&recorded[..start]);
    for n in 0..count / 2 {
        let id = |k: usize| format!("i-{:08x}", page * 100_000 + n * 2 + k);
        out.push_str(
            &pair
                .replace("i-4382922a", &id(0))
                .replace("i-8474834a", &id(1)),
        );
    }
    out.push_str(&recorded[end..]);
    out
}

fn images(seen: &Seen) -> Response {
    let filtered = seen.get("Filter.1.Name") == Some("name");
    let values: Vec<&str> = seen
        .params
        .iter()
        .filter(|(k, _)| k.starts_with("Filter.1.Value."))
        .map(|(_, v)| v.trim_matches('*'))
        .collect();
    let names = ["Test Image", "Test Image 2", "Test Image 3"];
    if filtered && !names.iter().any(|n| values.iter().any(|v| n.contains(v))) {
        // Ours: no image matches.
        let empty = "<DescribeImagesResponse xmlns=\"http://ec2.amazonaws.com/doc/2016-11-15/\">\
                     <requestId>ours</requestId><imagesSet/></DescribeImagesResponse>";
        return xml(200, empty);
    }
    xml(200, fixture!("describe_images.xml"))
}
