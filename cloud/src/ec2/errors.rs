//! EC2's error answers (`<Response><Errors><Error><Code>..<Message>..`)
//! and what each code means to an operator.

use super::xml::{self, text};
use crate::error::DriverError;

/// One error answer: the HTTP status and EC2's code and message.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct AwsError {
    pub(crate) status: u16,
    pub(crate) code: Option<String>,
    pub(crate) message: String,
}

/// Codes that mean "slow down": retried, then `Unavailable`.
const THROTTLING: [&str; 5] = [
    "RequestLimitExceeded",
    "Throttling",
    "ThrottlingException",
    "RequestThrottled",
    "TooManyRequestsException",
];

/// Codes that mean the credentials (or the account's standing) are refused.
const CREDENTIALS: [&str; 8] = [
    "AuthFailure",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "OptInRequired",
    "UnauthorizedOperation",
    "InvalidAccessKeyId",
    "MissingAuthenticationToken",
    "Blocked",
];

/// Codes that mean AWS's side failed or is out of capacity for now.
const PROVIDER_SIDE: [&str; 5] = [
    "InternalError",
    "InternalFailure",
    "ServiceUnavailable",
    "Unavailable",
    "InsufficientInstanceCapacity",
];

impl AwsError {
    /// Reads an error answer; a body that is not EC2's XML (a proxy's page,
    /// Eucalyptus's bare `Failure: 403 Forbidden`) keeps its first line.
    pub(crate) fn read(status: u16, body: &[u8]) -> AwsError {
        if let Ok(doc) = xml::parse(body) {
            let error = doc
                .descendants()
                .find(|n| n.is_element() && n.tag_name().name() == "Error");
            if let Some(e) = error {
                return AwsError {
                    status,
                    code: text(e, "Code").map(str::to_owned),
                    message: text(e, "Message").unwrap_or("").to_owned(),
                };
            }
        }
        let first = String::from_utf8_lossy(body)
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .map(|l| l.chars().take(200).collect::<String>());
        let message = first.unwrap_or_else(|| {
            let reason = reqwest::StatusCode::from_u16(status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("error");
            format!("HTTP {status} {reason}")
        });
        AwsError {
            status,
            code: None,
            message,
        }
    }

    /// Whether trying again later may succeed (and is safe: see `client`).
    pub(crate) fn is_transient(&self) -> bool {
        let code = self.code.as_deref().unwrap_or("");
        self.status == 429
            || self.status >= 500
            || THROTTLING.contains(&code)
            || PROVIDER_SIDE.contains(&code)
    }

    /// `Code: message`, as operators search for it (an excerpt).
    pub(crate) fn text(&self) -> String {
        let text = match (&self.code, self.message.is_empty()) {
            (Some(code), true) => code.clone(),
            (Some(code), false) => format!("{code}: {}", self.message),
            (None, _) => self.message.clone(),
        };
        crate::error::excerpt(&text)
    }

    /// The neutral error: EC2's code decides where it has one, the status
    /// otherwise.
    pub(crate) fn into_driver_error(self) -> DriverError {
        let text = self.text();
        let Some(code) = self.code.as_deref() else {
            return DriverError::from_status(self.status, text);
        };
        if CREDENTIALS.contains(&code) || code.starts_with("AuthFailure.") {
            DriverError::BadCredentials(text)
        } else if code.starts_with("InvalidInstanceID") || code == "InvalidID" {
            DriverError::NotFound(text)
        } else if THROTTLING.contains(&code) {
            DriverError::Unavailable(format!("rate limited: {text}"))
        } else if PROVIDER_SIDE.contains(&code) {
            DriverError::Unavailable(text)
        } else if code.ends_with("LimitExceeded") || code == "MaxSpotInstanceCountExceeded" {
            DriverError::Quota(text)
        } else if code.starts_with("Invalid")
            || code.starts_with("Unsupported")
            || code.starts_with("Missing")
            || code.starts_with("Incorrect")
        {
            DriverError::InvalidRequest(text)
        } else {
            DriverError::from_status(self.status, text)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ec2(status: u16, code: &str) -> DriverError {
        let body = format!(
            "<Response><Errors><Error><Code>{code}</Code><Message>m</Message></Error></Errors></Response>"
        );
        AwsError::read(status, body.as_bytes()).into_driver_error()
    }

    #[test]
    fn codes_map_to_the_kinds_operators_act_on() {
        let auth = ec2(401, "AuthFailure");
        assert_eq!(auth, DriverError::BadCredentials("AuthFailure: m".into()));
        assert!(matches!(
            ec2(403, "SignatureDoesNotMatch"),
            DriverError::BadCredentials(_)
        ));
        assert!(matches!(
            ec2(400, "InvalidInstanceID.NotFound"),
            DriverError::NotFound(_)
        ));
        assert!(matches!(
            ec2(400, "InvalidInstanceID.Malformed"),
            DriverError::NotFound(_)
        ));
        assert!(matches!(
            ec2(400, "InstanceLimitExceeded"),
            DriverError::Quota(_)
        ));
        assert!(matches!(
            ec2(400, "VcpuLimitExceeded"),
            DriverError::Quota(_)
        ));
        assert!(matches!(
            ec2(503, "RequestLimitExceeded"),
            DriverError::Unavailable(_)
        ));
        assert!(matches!(
            ec2(400, "InvalidAMIID.NotFound"),
            DriverError::InvalidRequest(_)
        ));
        assert!(matches!(
            ec2(400, "InvalidParameterValue"),
            DriverError::InvalidRequest(_)
        ));
        assert!(matches!(
            ec2(400, "Unsupported"),
            DriverError::InvalidRequest(_)
        ));
        assert!(matches!(
            ec2(400, "DryRunOperation"),
            DriverError::InvalidRequest(_)
        ));
        let throttled = AwsError::read(
            400,
            b"<Response><Errors><Error><Code>Throttling</Code></Error></Errors></Response>",
        );
        assert!(throttled.is_transient());
        assert!(!AwsError::read(400, b"<Response/>").is_transient());
    }

    #[test]
    fn answers_that_are_not_ec2_xml_keep_their_first_line() {
        let e = AwsError::read(403, b"Failure: 403 Forbidden\n");
        assert_eq!(
            e.into_driver_error(),
            DriverError::BadCredentials("Failure: 403 Forbidden".into())
        );
        let e = AwsError::read(502, b"");
        assert_eq!(e.message, "HTTP 502 Bad Gateway");
    }
}
