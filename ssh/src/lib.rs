//! Overcast's SSH client layer, on russh: private keys as operators paste
//! them ([`KeyPair`]), connections with host-key pinning ([`connect`]),
//! commands with streamed output ([`Execution`]) and interactive terminals
//! ([`Terminal`]). Feature `testing` adds a throwaway sshd for tests.

pub mod client;
pub mod key;
#[cfg(feature = "testing")]
pub mod testing;

pub use client::{
    connect, ConnectError, Connection, Execution, HostKey, Output, Target, Terminal, TerminalEvent,
    TerminalReader, TerminalWriter,
};
pub use key::{KeyAlgorithm, KeyError, KeyPair};

#[cfg(test)]
mod tests {
    use super::*;

    /// The server moves these across tasks (websocket loops, jobs).
    #[test]
    fn handles_are_send_and_sync_where_needed() {
        fn send<T: Send + 'static>() {}
        fn sync<T: Sync>() {}
        send::<KeyPair>();
        sync::<KeyPair>();
        send::<Connection>();
        sync::<Connection>();
        send::<Execution>();
        send::<Terminal>();
        send::<TerminalReader>();
        send::<TerminalWriter>();
        sync::<TerminalWriter>();
        send::<ConnectError>();
        sync::<ConnectError>();
    }

    #[allow(dead_code)]
    fn futures_are_send(conn: Connection, mut exec: Execution, mut term: Terminal) {
        fn send<T: Send>(_: T) {}
        let key = KeyPair::generate(KeyAlgorithm::Ed25519);
        if let Ok(key) = key {
            let target = Target {
                host: String::new(),
                port: 22,
                user: String::new(),
            };
            send(async move { connect(&target, &key, None, std::time::Duration::ZERO).await });
        }
        send(async move { conn.exec("").await });
        send(async move { exec.next().await });
        send(async move { term.next().await });
    }
}
