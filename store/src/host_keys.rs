//! The `host_keys` table: each machine's host key pinned on first use, and
//! a different one presented since, awaiting acceptance.

use sqlx::Row;

use crate::{Db, StoreError};

/// A machine's pinned host key, and a different one seen since.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PinnedHostKey {
    /// OpenSSH public form.
    pub openssh: String,
    /// `SHA256:...`.
    pub fingerprint: String,
    /// When it was pinned, Unix ms.
    pub pinned_at: i64,
    /// A different key presented later, awaiting acceptance.
    pub pending: Option<(String, String)>,
}

impl Db {
    /// A machine's pinned host key.
    pub async fn host_key(
        &self,
        backend_id: &str,
        machine_id: &str,
    ) -> Result<Option<PinnedHostKey>, StoreError> {
        let row = sqlx::query(
            "SELECT openssh, fingerprint, pinned_at, pending_openssh, pending_fingerprint \
             FROM host_keys WHERE backend_id = $1 AND machine_id = $2",
        )
        .bind(backend_id)
        .bind(machine_id)
        .fetch_optional(self.pool())
        .await?;
        row.map(|r| -> Result<PinnedHostKey, StoreError> {
            let pending_openssh: Option<String> = r.try_get("pending_openssh")?;
            let pending_fingerprint: Option<String> = r.try_get("pending_fingerprint")?;
            Ok(PinnedHostKey {
                openssh: r.try_get("openssh")?,
                fingerprint: r.try_get("fingerprint")?,
                pinned_at: r.try_get("pinned_at")?,
                pending: pending_openssh.zip(pending_fingerprint),
            })
        })
        .transpose()
    }

    /// Pins a host key, unless one is pinned already (first use wins:
    /// returns `false` then).
    pub async fn pin_host_key(
        &self,
        backend_id: &str,
        machine_id: &str,
        openssh: &str,
        fingerprint: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "INSERT INTO host_keys (backend_id, machine_id, openssh, fingerprint, pinned_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (backend_id, machine_id) DO NOTHING",
        )
        .bind(backend_id)
        .bind(machine_id)
        .bind(openssh)
        .bind(fingerprint)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Remembers a different host key presented for a pinned machine.
    pub async fn note_changed_host_key(
        &self,
        backend_id: &str,
        machine_id: &str,
        openssh: &str,
        fingerprint: &str,
    ) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE host_keys SET pending_openssh = $3, pending_fingerprint = $4 \
             WHERE backend_id = $1 AND machine_id = $2",
        )
        .bind(backend_id)
        .bind(machine_id)
        .bind(openssh)
        .bind(fingerprint)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Pins the pending key in place of the old one, if it is still the one
    /// named by `fingerprint`; `false` otherwise.
    pub async fn accept_host_key(
        &self,
        backend_id: &str,
        machine_id: &str,
        fingerprint: &str,
        now: i64,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "UPDATE host_keys SET openssh = pending_openssh, fingerprint = pending_fingerprint, \
             pinned_at = $4, pending_openssh = NULL, pending_fingerprint = NULL \
             WHERE backend_id = $1 AND machine_id = $2 AND pending_fingerprint = $3",
        )
        .bind(backend_id)
        .bind(machine_id)
        .bind(fingerprint)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
