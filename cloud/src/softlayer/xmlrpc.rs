//! XML-RPC as SoftLayer speaks it: `methodCall` bodies written with every
//! string escaped, and `methodResponse` answers (or the bare `<params>`
//! Libcloud's recordings hold) read into JSON values; a `<fault>` is read
//! into its code and string.

use roxmltree::{Document, Node};
use serde_json::{Map, Number, Value};

use crate::error::DriverError;

/// A value sent in a call.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Rpc {
    /// `<int>`.
    Int(i64),
    /// `<boolean>`.
    Bool(bool),
    /// `<string>`, escaped when written.
    Str(String),
    /// `<array>`.
    Array(Vec<Rpc>),
    /// `<struct>`, members in order.
    Struct(Vec<(String, Rpc)>),
}

impl Rpc {
    /// A string value.
    pub(crate) fn str(s: impl Into<String>) -> Rpc {
        Rpc::Str(s.into())
    }

    /// A struct of `members`.
    pub(crate) fn fields<const N: usize>(members: [(&str, Rpc); N]) -> Rpc {
        Rpc::Struct(
            members
                .into_iter()
                .map(|(k, v)| (k.to_owned(), v))
                .collect(),
        )
    }

    fn write(&self, out: &mut String) -> Result<(), DriverError> {
        out.push_str("<value>");
        match self {
            Rpc::Int(n) => out.push_str(&format!("<int>{n}</int>")),
            Rpc::Bool(b) => out.push_str(if *b {
                "<boolean>1</boolean>"
            } else {
                "<boolean>0</boolean>"
            }),
            Rpc::Str(s) => {
                out.push_str("<string>");
                escape(s, out)?;
                out.push_str("</string>");
            }
            Rpc::Array(items) => {
                out.push_str("<array><data>");
                for item in items {
                    item.write(out)?;
                }
                out.push_str("</data></array>");
            }
            Rpc::Struct(members) => {
                out.push_str("<struct>");
                for (name, value) in members {
                    out.push_str("<member><name>");
                    escape(name, out)?;
                    out.push_str("</name>");
                    value.write(out)?;
                    out.push_str("</member>");
                }
                out.push_str("</struct>");
            }
        }
        out.push_str("</value>");
        Ok(())
    }
}

/// Appends `s` as XML character data: markup characters as entities, `\r`
/// as a character reference (a parser would turn a raw one into `\n`).
/// Characters XML 1.0 cannot carry at all (other control characters) are
/// refused rather than dropped.
fn escape(s: &str, out: &mut String) -> Result<(), DriverError> {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '\t' | '\n' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {
                return Err(DriverError::InvalidRequest(format!(
                    "the character U+{:04X} cannot be sent to SoftLayer (XML 1.0)",
                    c as u32
                )))
            }
            c => out.push(c),
        }
    }
    Ok(())
}

/// The whole `methodCall` document for `method` with `params`.
pub(crate) fn method_call(method: &str, params: &[Rpc]) -> Result<String, DriverError> {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<methodCall>");
    out.push_str("<methodName>");
    escape(method, &mut out)?;
    out.push_str("</methodName><params>");
    for param in params {
        out.push_str("<param>");
        param.write(&mut out)?;
        out.push_str("</param>");
    }
    out.push_str("</params></methodCall>");
    Ok(out)
}

/// What an answer held.
#[derive(Debug, PartialEq)]
pub(crate) enum Answer {
    /// The first `<param>`'s value (`null` when there is none).
    Value(Value),
    /// A `<fault>`: its `faultCode` (as text) and `faultString`.
    Fault { code: String, message: String },
}

/// Reads an answer body. DTDs are refused (roxmltree's default), so an
/// answer cannot expand entities.
pub(crate) fn read(body: &[u8]) -> Result<Answer, DriverError> {
    let text = std::str::from_utf8(body)
        .map_err(|e| DriverError::Protocol(format!("the answer is not UTF-8: {e}")))?;
    let doc = Document::parse(text).map_err(|e| {
        let start: String = text.chars().take(120).collect();
        DriverError::Protocol(format!("not XML-RPC: {e} (answer starts {start:?})"))
    })?;
    let root = doc.root_element();
    let top = match root.tag_name().name() {
        "methodResponse" => elements(root)
            .next()
            .ok_or_else(|| protocol("an empty methodResponse"))?,
        "params" | "fault" => root,
        other => return Err(protocol(&format!("a <{other}> answer"))),
    };
    match top.tag_name().name() {
        "params" => {
            let value = elements(top)
                .find(|p| p.tag_name().name() == "param")
                .and_then(|p| elements(p).find(|v| v.tag_name().name() == "value"));
            Ok(Answer::Value(match value {
                Some(v) => decode(v)?,
                None => Value::Null,
            }))
        }
        "fault" => {
            let value = elements(top)
                .find(|v| v.tag_name().name() == "value")
                .ok_or_else(|| protocol("a fault without a value"))?;
            let fault = decode(value)?;
            let text = |key: &str| match &fault[key] {
                Value::String(s) => s.trim().to_owned(),
                Value::Null => String::new(),
                other => other.to_string(),
            };
            Ok(Answer::Fault {
                code: text("faultCode"),
                message: text("faultString"),
            })
        }
        other => Err(protocol(&format!("a <{other}> in methodResponse"))),
    }
}

fn protocol(what: &str) -> DriverError {
    DriverError::Protocol(format!("not an XML-RPC answer: {what}"))
}

fn elements<'a, 'i>(node: Node<'a, 'i>) -> impl Iterator<Item = Node<'a, 'i>> {
    node.children().filter(|c| c.is_element())
}

/// One `<value>` as JSON: `int`/`i4`/`i8` and `double` as numbers,
/// `boolean` as a bool, `nil` as null, `string`, `dateTime.iso8601`,
/// `base64` and untyped text as strings, `array` and `struct` as arrays and
/// objects (a repeated member keeps its last value).
fn decode(value: Node<'_, '_>) -> Result<Value, DriverError> {
    let Some(typed) = elements(value).next() else {
        return Ok(Value::String(value.text().unwrap_or("").to_owned()));
    };
    let text = typed.text().unwrap_or("");
    let bad = || protocol(&format!("<{}>{text}</{0}>", typed.tag_name().name()));
    Ok(match typed.tag_name().name() {
        "int" | "i4" | "i8" => Value::Number(text.trim().parse::<i64>().map_err(|_| bad())?.into()),
        "double" => {
            let f: f64 = text.trim().parse().map_err(|_| bad())?;
            Number::from_f64(f).map_or(Value::Null, Value::Number)
        }
        "boolean" => match text.trim() {
            "1" | "true" => Value::Bool(true),
            "0" | "false" => Value::Bool(false),
            _ => return Err(bad()),
        },
        "nil" => Value::Null,
        "string" | "dateTime.iso8601" | "base64" => Value::String(text.to_owned()),
        "array" => {
            let data = elements(typed).find(|d| d.tag_name().name() == "data");
            let items = data.into_iter().flat_map(elements);
            Value::Array(items.map(decode).collect::<Result<_, _>>()?)
        }
        "struct" => {
            let mut map = Map::new();
            for member in elements(typed).filter(|m| m.tag_name().name() == "member") {
                let name = elements(member).find(|n| n.tag_name().name() == "name");
                let name = name.and_then(|n| n.text()).unwrap_or("").trim().to_owned();
                let value = elements(member).find(|v| v.tag_name().name() == "value");
                let value = value.map(decode).transpose()?.unwrap_or(Value::Null);
                map.insert(name, value);
            }
            Value::Object(map)
        }
        other => return Err(protocol(&format!("an unknown type <{other}>"))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn calls_escape_every_string_and_read_back_the_same() {
        let call = method_call(
            "createObject",
            &[Rpc::fields([
                ("hostname", Rpc::str("a<b>&\"c'\r\n")),
                ("n", Rpc::Int(-3)),
                ("ok", Rpc::Bool(true)),
                ("list", Rpc::Array(vec![Rpc::str("x")])),
            ])],
        )
        .unwrap();
        assert!(call.contains("<string>a&lt;b&gt;&amp;&quot;c&apos;&#13;\n</string>"));
        let doc = Document::parse(&call).unwrap();
        let params = elements(doc.root_element()).nth(1).unwrap();
        let value = elements(elements(params).next().unwrap()).next().unwrap();
        assert_eq!(
            decode(value).unwrap(),
            json!({"hostname": "a<b>&\"c'\r\n", "n": -3, "ok": true, "list": ["x"]})
        );
        let err = method_call("m", &[Rpc::str("bell\u{7}")]).unwrap_err();
        assert!(matches!(err, DriverError::InvalidRequest(_)), "{err:?}");
    }

    #[test]
    fn answers_faults_and_garbage_are_told_apart() {
        let ok = b"<methodResponse><params><param><value><struct><member><name>a</name>\
            <value><i4>7</i4></value></member><member><name>b</name><value>plain</value>\
            </member></struct></value></param></params></methodResponse>";
        assert_eq!(
            read(ok).unwrap(),
            Answer::Value(json!({"a": 7, "b": "plain"}))
        );
        let bare = b"<?xml version='1.0'?><params><param><value><double>.5</double></value></param></params>";
        assert_eq!(read(bare).unwrap(), Answer::Value(json!(0.5)));
        let fault = b"<methodResponse><fault><value><struct><member><name>faultCode</name>\
            <value><int>3</int></value></member><member><name>faultString</name><value>\
            <string>no</string></value></member></struct></value></fault></methodResponse>";
        assert_eq!(
            read(fault).unwrap(),
            Answer::Fault {
                code: "3".into(),
                message: "no".into()
            }
        );
        for garbage in [
            &b"<html>502</html>"[..],
            b"{}",
            b"<params><param><value><int>x</int></value></param></params>",
        ] {
            assert!(matches!(read(garbage), Err(DriverError::Protocol(_))));
        }
        assert!(read(b"<!DOCTYPE x [<!ENTITY a 'b'>]><params>&a;</params>").is_err());
    }
}
