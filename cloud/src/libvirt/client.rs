//! The connection to libvirt and the mapping of its errors.
//!
//! libvirt's calls block (a remote URI is an RPC over SSH or TCP), so each
//! runs on tokio's blocking pool, under a time limit, against the one
//! `Connect` the driver keeps behind a mutex (about 30 µs a call with the
//! test driver, thread hop included). One connection, not one per call: the
//! test driver's machines live only while a connection to it is open, and
//! a `qemu+ssh://` open is an SSH handshake and login. The mutex serialises
//! one host's calls, as one RPC stream would anyway. A connection found
//! dead (the SSH link dropped) is reopened by the next call.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use virt::connect::{Connect, ConnectAuth, ConnectCredential, ConnectCredentialType};
use virt::error::{Error as VirtError, ErrorNumber};

use super::PROVIDER;
use crate::error::DriverError;

/// One libvirt connection shared by a driver's clones.
#[derive(Clone)]
pub(super) struct Conn {
    shared: Arc<Shared>,
}

struct Shared {
    uri: String,
    timeout: Duration,
    conn: Mutex<Option<Connect>>,
}

impl Conn {
    /// Opens `uri` (blocking, on the blocking pool, within `timeout`).
    pub async fn open(uri: &str, timeout: Duration) -> Result<Self, DriverError> {
        let conn = Conn {
            shared: Arc::new(Shared {
                uri: uri.to_owned(),
                timeout,
                conn: Mutex::new(None),
            }),
        };
        conn.call("open", |_| Ok(())).await?;
        Ok(conn)
    }

    /// The URI, with any password in it replaced by `***`.
    pub fn redacted_uri(&self) -> String {
        redact(&self.shared.uri)
    }

    /// Runs `f` with the connection on the blocking pool, reopening it first
    /// when it is closed or dead. `what` names the call in a timeout error.
    pub async fn call<T, F>(&self, what: &'static str, f: F) -> Result<T, DriverError>
    where
        T: Send + 'static,
        F: FnOnce(&Connect) -> Result<T, DriverError> + Send + 'static,
    {
        let shared = Arc::clone(&self.shared);
        let task = tokio::task::spawn_blocking(move || {
            let mut guard = shared.conn.lock().unwrap_or_else(PoisonError::into_inner);
            let alive = guard
                .as_ref()
                .is_some_and(|c| c.is_alive().unwrap_or(false));
            if !alive {
                // Keep libvirt from printing each error on stderr: they are
                // returned, and logged by whoever handles them.
                virt::error::clear_error_callback();
                *guard = None;
                *guard = Some(open(&shared.uri)?);
            }
            match guard.as_ref() {
                Some(conn) => f(conn),
                None => Err(DriverError::Unavailable("no libvirt connection".into())),
            }
        });
        match tokio::time::timeout(self.shared.timeout, task).await {
            Ok(Ok(result)) => result,
            Ok(Err(join)) => Err(DriverError::Unavailable(format!(
                "the libvirt call ({what}) failed: {join}"
            ))),
            Err(_) => Err(DriverError::Unavailable(format!(
                "libvirt did not answer ({what}) within {:?}",
                self.shared.timeout
            ))),
        }
    }
}

/// Opens `uri` with an authentication callback that answers every question
/// with an empty string: a host that wants a login (SASL, the test driver's
/// `<auth>`) then fails as an authentication failure with its reason, where
/// without a callback libvirt calls the arguments invalid (or would prompt
/// on a terminal the server does not have).
fn open(uri: &str) -> Result<Connect, DriverError> {
    fn no_answers(creds: &mut Vec<ConnectCredential>) {
        for cred in creds {
            cred.result = Some(String::new());
        }
    }
    let asked = vec![
        ConnectCredentialType::AuthName,
        ConnectCredentialType::Passphrase,
    ];
    let mut auth = ConnectAuth::new(asked, no_answers);
    Connect::open_auth(Some(uri), &mut auth, 0).map_err(|e| match map_error(&e) {
        refused @ DriverError::BadCredentials(_) => refused,
        // Nothing was asked yet but to reach the host: whatever else went
        // wrong (no driver for the scheme, no socket, refused, a file the
        // test driver cannot read) leaves it unreachable.
        _ => DriverError::Unavailable(e.message().to_owned()),
    })
}

/// `uri` with the password of its user part (`user:password@`) hidden.
fn redact(uri: &str) -> String {
    let Some((scheme, rest)) = uri.split_once("://") else {
        return uri.to_owned();
    };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rsplit_once('@') {
        Some((user, host)) if user.contains(':') => {
            let name = user.split(':').next().unwrap_or_default();
            format!("{scheme}://{name}:***@{host}{}", &rest[authority_end..])
        }
        _ => uri.to_owned(),
    }
}

/// libvirt's error, as the driver's: the kind from its `virErrorNumber`,
/// the message (libvirt's own reason) kept whole.
pub(super) fn map_error(e: &VirtError) -> DriverError {
    use ErrorNumber::*;
    let message = e.message().to_owned();
    match e.code().known() {
        Some(NoDomain | NoStorageVolume | NoStoragePool | NoNetwork) => {
            DriverError::NotFound(message)
        }
        Some(AuthFailed | AuthCancelled | AuthUnavailable | AccessDenied | OperationDenied) => {
            DriverError::BadCredentials(message)
        }
        Some(
            OperationInvalid | InvalidArg | XmlError | XmlDetail | XmlInvalidSchema | DomExist
            | ConfigUnsupported | NoName | NoOs | OperationFailed,
        ) => DriverError::InvalidRequest(message),
        Some(NoSupport | OperationUnsupported) => DriverError::Unsupported {
            provider: PROVIDER,
            what: message,
        },
        // NoConnect (no driver for the URI), SystemError (refused, reset,
        // ssh failed), Rpc, InternalError, OperationTimeout, ...
        _ => DriverError::Unavailable(message),
    }
}

/// `.lv()?`: a libvirt result as the driver's.
pub(super) trait Lv<T> {
    /// Maps the error with [`map_error`].
    fn lv(self) -> Result<T, DriverError>;
}

impl<T> Lv<T> for Result<T, VirtError> {
    fn lv(self) -> Result<T, DriverError> {
        self.map_err(|e| map_error(&e))
    }
}

/// Whether `e` says the object is gone (it may vanish between two calls).
pub(super) fn is_gone(e: &VirtError) -> bool {
    e.code()
        .is_any(vec![ErrorNumber::NoDomain, ErrorNumber::NoStorageVolume])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_in_uris_are_hidden() {
        assert_eq!(
            redact("qemu+tcp://ops:hunter2@kvm1/system"),
            "qemu+tcp://ops:***@kvm1/system"
        );
        let plain = "qemu+ssh://ops@kvm1/system?keyfile=/k";
        assert_eq!(redact(plain), plain);
        assert_eq!(redact("test:///default"), "test:///default");
    }
}
