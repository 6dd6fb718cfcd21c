//! A SoftLayer XML-RPC peer on loopback replaying Libcloud's recorded
//! answers (tests/fixtures/libcloud/softlayer, see its README), with faults
//! scripted per test. Answers Libcloud did not record are written here and
//! marked "ours".
//!
//! Every call is `POST /xmlrpc/v3/<Service>`; the peer reads the
//! `methodCall` (refusing one that is not well-formed XML-RPC with a 400),
//! records it, and answers by service and method. The `apiKey` of the
//! `authenticate` header picks the scenario: `good`, `libcloud-bad`
//! (Libcloud's recorded credentials fault), anything else SoftLayer's
//! invalid-token fault.

use std::sync::Arc;

use axum::extract::{Path, State};
use axum::http::{header, HeaderMap};
use axum::response::Response;
use axum::routing::post;
use axum::Router;
use roxmltree::{Document, Node};
use serde_json::{json, Map, Value};

use crate::peer_kit::{self, typed, Journal, Logged, Loopback};

macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!("../fixtures/libcloud/softlayer/", $name))
    };
}

/// The guests the recordings know: the three listed and the one a create
/// returns.
pub const KNOWN: [i64; 4] = [2875152, 2875213, 2875273, 123456];

/// A fault the peer answers with instead of the next call's real answer.
#[derive(Clone, Debug)]
pub enum Fault {
    /// This status with a plain-text body.
    Status(u16),
}

/// One call as the peer saw it.
#[derive(Clone, Debug)]
pub struct Seen {
    /// The service named by the path (`SoftLayer_Account`).
    pub service: String,
    /// The `Content-Type` header.
    pub content_type: String,
    /// The body, as sent.
    pub body: String,
    /// The call read back; `None` when the body was not well-formed XML-RPC.
    pub call: Option<Call>,
}

/// A `methodCall` read back into JSON values.
#[derive(Clone, Debug)]
pub struct Call {
    /// `methodName`.
    pub method: String,
    /// The first parameter's `headers` struct.
    pub headers: Value,
    /// The parameters after the headers.
    pub params: Vec<Value>,
}

impl Call {
    /// `<service>InitParameters.id`.
    pub fn init_id(&self, service: &str) -> Option<i64> {
        self.headers[format!("{service}InitParameters")]["id"].as_i64()
    }
}

/// The SoftLayer peer; [`SoftLayerPeer::start`] runs one.
pub struct SoftLayerPeer;

impl SoftLayerPeer {
    /// Starts the peer on a free loopback port; its URL is
    /// `http://127.0.0.1:<port>/xmlrpc/v3`, the driver's `apiurl`.
    pub async fn start() -> Loopback<Seen, Fault> {
        let journal = Arc::new(Journal::default());
        let app = Router::new()
            .route("/xmlrpc/v3/{service}", post(serve))
            .with_state(journal.clone());
        let url = format!("{}/xmlrpc/v3", peer_kit::serve(app).await);
        Loopback::new(url, journal)
    }
}

impl Logged for Seen {
    /// `"Service.method"` (`"Service.?"` for a call not read back).
    fn line(&self) -> String {
        let method = self.call.as_ref().map_or("?", |c| c.method.as_str());
        format!("{}.{method}", self.service)
    }
}

impl Loopback<Seen, Fault> {
    /// Calls so far as `"Service.method"`.
    pub fn calls(&self) -> Vec<String> {
        self.requests()
    }
}

fn xml(status: u16, body: &str) -> Response {
    typed(status, "text/xml", body)
}

/// Ours: a `methodResponse` holding one value (already XML-RPC).
fn value(inner: &str) -> Response {
    xml(
        200,
        &format!("<?xml version=\"1.0\"?><methodResponse><params><param><value>{inner}</value></param></params></methodResponse>"),
    )
}

/// Ours: SoftLayer's fault shape.
fn fault(code: &str, message: &str) -> Response {
    xml(
        200,
        &format!(
            "<?xml version=\"1.0\"?><methodResponse><fault><value><struct>\
             <member><name>faultCode</name><value><string>{code}</string></value></member>\
             <member><name>faultString</name><value><string>{message}</string></value></member>\
             </struct></value></fault></methodResponse>"
        ),
    )
}

async fn serve(
    State(journal): State<Arc<Journal<Seen, Fault>>>,
    Path(service): Path<String>,
    headers: HeaderMap,
    body: String,
) -> Response {
    let call = read_call(&body);
    let content_type = headers.get(header::CONTENT_TYPE);
    let content_type = content_type.and_then(|v| v.to_str().ok()).unwrap_or("");
    journal.record(Seen {
        service: service.clone(),
        content_type: content_type.to_owned(),
        body,
        call: call.clone(),
    });
    if let Some(Fault::Status(status)) = journal.next_fault() {
        return xml(status, "upstream trouble");
    }
    let Some(call) = call else {
        return xml(400, "not a well-formed methodCall");
    };
    match call.headers["authenticate"]["apiKey"].as_str() {
        Some("good") => {}
        Some("libcloud-bad") => return xml(200, fixture!("SoftLayer_Account.xml")),
        // Ours: what SoftLayer answers a wrong API key.
        _ => {
            return fault(
                "SoftLayer_Exception_InvalidLegacyToken",
                "Invalid API token.",
            )
        }
    }
    answer(&service, &call)
}

fn answer(service: &str, call: &Call) -> Response {
    match (service, call.method.as_str()) {
        // Ours: Libcloud recorded no getObject of the account.
        ("SoftLayer_Account", "getObject") => value(
            "<struct><member><name>id</name><value><int>282402</int></value></member></struct>",
        ),
        ("SoftLayer_Account", "getVirtualGuests") => {
            xml(200, fixture!("v3_SoftLayer_Account_getVirtualGuests.xml"))
        }
        ("SoftLayer_Account", "getSshKeys") => {
            xml(200, fixture!("v3__SoftLayer_Account_getSshKeys.xml"))
        }
        ("SoftLayer_Security_Ssh_Key", "createObject") => xml(
            200,
            fixture!("v3__SoftLayer_Security_Ssh_Key_createObject.xml"),
        ),
        ("SoftLayer_Location_Datacenter", "getDatacenters") => xml(
            200,
            fixture!("v3_SoftLayer_Location_Datacenter_getDatacenters.xml"),
        ),
        ("SoftLayer_Virtual_Guest", "getCreateObjectOptions") => xml(
            200,
            fixture!("v3__SoftLayer_Virtual_Guest_getCreateObjectOptions.xml"),
        ),
        ("SoftLayer_Virtual_Guest", "createObject") => {
            let template = &call.params.first().cloned().unwrap_or(Value::Null);
            if template["operatingSystemReferenceCode"] == "NO_SUCH_OS" {
                return xml(200, fixture!("fail.xml"));
            }
            xml(
                200,
                fixture!("v3__SoftLayer_Virtual_Guest_createObject.xml"),
            )
        }
        (
            "SoftLayer_Virtual_Guest",
            "rebootSoft" | "powerOff" | "powerOn" | "deleteObject" | "setTags",
        ) => {
            match call.init_id(service) {
                // Ours: SoftLayer answers these `true`.
                Some(id) if KNOWN.contains(&id) => value("<boolean>1</boolean>"),
                // Ours: SoftLayer's fault for an id that is not the account's.
                Some(id) => fault(
                    "SoftLayer_Exception_ObjectNotFound",
                    &format!("Unable to find object with id of '{id}'."),
                ),
                None => fault(
                    "SoftLayer_Exception_MissingInitParameters",
                    "Object id required.",
                ),
            }
        }
        // Ours: SoftLayer's fault for a method the service lacks.
        _ => fault(
            "SoftLayer_Exception_Public",
            &format!(
                "Function (\"{}\") is not a valid method for this service.",
                call.method
            ),
        ),
    }
}

/// The body read as a `methodCall` whose first parameter is a struct with
/// a `headers` struct; `None` for anything else.
fn read_call(body: &str) -> Option<Call> {
    let doc = Document::parse(body).ok()?;
    let root = doc.root_element();
    if root.tag_name().name() != "methodCall" {
        return None;
    }
    let method = child(root, "methodName")?.text()?.trim().to_owned();
    let mut params = child(root, "params")?
        .children()
        .filter(|p| p.is_element())
        .map(|p| {
            (p.tag_name().name() == "param")
                .then(|| child(p, "value"))
                .flatten()
                .and_then(decode)
        })
        .collect::<Option<Vec<_>>>()?;
    if params.is_empty() {
        return None;
    }
    let first = params.remove(0);
    let headers = first.get("headers").filter(|h| h.is_object())?.clone();
    Some(Call {
        method,
        headers,
        params,
    })
}

fn child<'a, 'i>(node: Node<'a, 'i>, name: &str) -> Option<Node<'a, 'i>> {
    node.children()
        .find(|c| c.is_element() && c.tag_name().name() == name)
}

/// A `<value>` as JSON; `None` for a type XML-RPC does not have.
fn decode(value: Node<'_, '_>) -> Option<Value> {
    let Some(typed) = value.children().find(|c| c.is_element()) else {
        return Some(json!(value.text().unwrap_or("")));
    };
    let text = typed.text().unwrap_or("");
    Some(match typed.tag_name().name() {
        "int" | "i4" => json!(text.trim().parse::<i64>().ok()?),
        "boolean" => match text {
            "1" => json!(true),
            "0" => json!(false),
            _ => return None,
        },
        "string" => json!(text),
        "array" => {
            let data = child(typed, "data")?;
            let items = data.children().filter(|c| c.is_element());
            Value::Array(items.map(decode).collect::<Option<_>>()?)
        }
        "struct" => {
            let mut map = Map::new();
            for member in typed.children().filter(|c| c.is_element()) {
                let name = child(member, "name")?.text()?.to_owned();
                map.insert(name, decode(child(member, "value")?)?);
            }
            Value::Object(map)
        }
        _ => return None,
    })
}
