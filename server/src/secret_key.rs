//! The installation's secret key: 32 random bytes in a file only the owner
//! can read, created on first start. It encrypts stored cloud credentials
//! and private keys.
//!
//! Several instances may start at once on one data directory: the key is
//! written whole to a temporary file and then hard-linked into place, which
//! fails if another instance got there first; the loser reads the winner's
//! key, so only one key is ever created and none is read half-written.
//! Instances that do not share a data directory must share the key file:
//! [`verify`] refuses to start one whose key does not open the check value
//! the database's first instance sealed.

use std::{io::Write, path::Path};

use service::vault::Vault;

/// Length of the key in bytes.
pub const KEY_LEN: usize = 32;

/// The `settings` row holding a value sealed with the installation's key.
pub const CHECK_SETTING: &str = "secret_key_check";
const CHECK_CONTEXT: &str = "settings:secret_key_check";
const CHECK_PLAIN: &str = "overcast secret key check v1";

/// The key bytes. Never printed.
#[derive(Clone)]
pub struct SecretKey(pub [u8; KEY_LEN]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretKey(<redacted>)")
    }
}

/// Reads the key at `path`, or creates it (mode 0600) when absent.
pub fn load_or_create(path: &Path) -> Result<SecretKey, String> {
    match read(path)? {
        Some(key) => Ok(key),
        None => create(path),
    }
}

fn read(path: &Path) -> Result<Option<SecretKey>, String> {
    match std::fs::read(path) {
        Ok(bytes) => {
            let key: [u8; KEY_LEN] = bytes.as_slice().try_into().map_err(|_| {
                format!(
                    "{} holds {} bytes; a secret key is exactly {KEY_LEN}",
                    path.display(),
                    bytes.len()
                )
            })?;
            Ok(Some(SecretKey(key)))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(format!("cannot read {}: {e}", path.display())),
    }
}

/// Writes a new key to a private temporary file beside `path`, then links
/// it into place: the link fails when `path` exists (another instance won
/// the race), and then that key is the one.
fn create(path: &Path) -> Result<SecretKey, String> {
    let mut key = [0u8; KEY_LEN];
    getrandom::fill(&mut key).map_err(|e| format!("no randomness: {e}"))?;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    store::files::create_private_dir(dir)
        .map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let mut suffix = [0u8; 8];
    getrandom::fill(&mut suffix).map_err(|e| format!("no randomness: {e}"))?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "secret.key".into());
    let temp = dir.join(format!(
        ".{name}.{}.{:016x}",
        std::process::id(),
        u64::from_le_bytes(suffix)
    ));
    let written = write_private(&temp, &key);
    let linked = written.and_then(|()| match std::fs::hard_link(&temp, path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(false),
        Err(e) => Err(format!("cannot create {}: {e}", path.display())),
    });
    let _ = std::fs::remove_file(&temp);
    if linked? {
        Ok(SecretKey(key))
    } else {
        // The winner's file was complete before it was linked into place.
        read(path)?.ok_or_else(|| format!("{} vanished as it was created", path.display()))
    }
}

fn write_private(path: &Path, key: &[u8; KEY_LEN]) -> Result<(), String> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options
        .open(path)
        .map_err(|e| format!("cannot create {}: {e}", path.display()))?;
    file.write_all(key)
        .and_then(|()| file.sync_all())
        .map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The check value sealed with `vault`, as [`verify`] stores it in
/// `settings` ([`CHECK_SETTING`]).
pub fn check_value(vault: &Vault) -> Result<String, String> {
    vault
        .seal_str(CHECK_CONTEXT, CHECK_PLAIN)
        .map_err(|e| format!("cannot seal the secret key's check value: {e}"))
}

/// Checks that `vault` (the key read from `path`) is the database's key:
/// the first instance on a database seals a check value with its key into
/// `settings`; every later one must open it, or refuses to start, instead
/// of failing to open the stored secrets later.
pub async fn verify(db: &store::Db, vault: &Vault, path: &Path, now: i64) -> Result<(), String> {
    let sealed = check_value(vault)?;
    let stored = db
        .insert_setting_if_absent(CHECK_SETTING, &sealed, now)
        .await
        .map_err(|e| format!("cannot read the secret key's check value: {e}"))?;
    match vault.open_str(CHECK_CONTEXT, &stored) {
        Ok(plain) if plain == CHECK_PLAIN => Ok(()),
        _ => Err(format!(
            "the secret key in {} does not open this database's secrets: every instance \
             needs the same key file (copy it from the first instance, or point \
             --secret-key-file at it)",
            path.display()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_key_is_created_once_and_read_back_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k/secret.key");
        let a = load_or_create(&path).unwrap();
        let b = load_or_create(&path).unwrap();
        assert_eq!(a.0, b.0);
        assert_eq!(format!("{a:?}"), "SecretKey(<redacted>)");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let left: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, vec![std::ffi::OsString::from("secret.key")]);
    }

    #[test]
    fn a_key_file_of_the_wrong_length_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        std::fs::write(&path, b"short").unwrap();
        assert!(load_or_create(&path).unwrap_err().contains("exactly 32"));
    }

    #[test]
    fn racing_creators_all_get_the_one_key_created() {
        for _ in 0..20 {
            let dir = tempfile::tempdir().unwrap();
            let path = dir.path().join("data/secret.key");
            let barrier = std::sync::Barrier::new(16);
            let keys: Vec<[u8; KEY_LEN]> = std::thread::scope(|s| {
                let handles: Vec<_> = (0..16)
                    .map(|_| {
                        s.spawn(|| {
                            barrier.wait();
                            load_or_create(&path).unwrap().0
                        })
                    })
                    .collect();
                handles.into_iter().map(|h| h.join().unwrap()).collect()
            });
            let on_disk = std::fs::read(&path).unwrap();
            assert!(keys.iter().all(|k| k[..] == on_disk[..]), "one key for all");
            assert_eq!(
                std::fs::read_dir(path.parent().unwrap()).unwrap().count(),
                1
            );
        }
    }

    #[tokio::test]
    async fn a_database_opens_only_under_the_key_it_first_met() {
        let dir = tempfile::tempdir().unwrap();
        let url = format!("sqlite://{}", dir.path().join("t.db").display());
        let db = store::Db::connect(&url).await.unwrap();
        let first = Vault::new(&[1u8; KEY_LEN]).unwrap();
        let other = Vault::new(&[2u8; KEY_LEN]).unwrap();
        let path = Path::new("/srv/b/secret.key");
        verify(&db, &first, path, 1).await.unwrap();
        verify(&db, &first, path, 2).await.unwrap();
        let refused = verify(&db, &other, path, 3).await.unwrap_err();
        assert!(
            refused.starts_with(
                "the secret key in /srv/b/secret.key does not open this database's secrets: \
                 every instance needs the same key file"
            ),
            "{refused}"
        );
        // Refusing changed nothing: the first key still opens it.
        verify(&db, &first, path, 4).await.unwrap();
        db.close().await;
    }
}
