//! One backend's whole machine list (mist.io's unpaged
//! `GET /backends/{b}/machines`) as JSON written while it is read: the
//! machines come from the store in batches ([`BATCH`] at a time, by name
//! then id, as [`super::list`] orders them), each batch serialized and
//! handed on before the next is read, so however many machines there are
//! the answer is never held whole. The bytes are those of serializing
//! [`super::list`]'s `Vec` at once.
//!
//! A list read whole while the backend's machines did not change is kept
//! ([`super::list_cache`]); the next caller with the same rights is
//! answered those bytes until the machines change.

use domain::{resource, ErrorKind};
use futures_util::{future::Either, Stream, StreamExt};
use store::backends::StoredBackend;

use super::list_cache::{ListKey, MAX_ENTRY};
use crate::{authz, internal, Actor, Services};

/// Machines read (and written out) at a time.
pub const BATCH: u32 = 250;

struct Cursor {
    services: Services,
    actor: Actor,
    backend: StoredBackend,
    after: Option<(String, String)>,
    opened: bool,
    wrote_any: bool,
    done: bool,
    /// What was written so far, while it may still be kept.
    kept: Option<Vec<u8>>,
    key: ListKey,
}

/// The caller's machines of `backend_id` as the bytes of a JSON array, in
/// chunks; refused (`view:machine` nowhere) or not found before the first
/// byte. A read that fails midway ends the stream with the error (logged).
pub async fn list_json(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
) -> Result<impl Stream<Item = Result<bytes::Bytes, ErrorKind>> + Send + 'static, ErrorKind> {
    authz::authorize_listing(actor, "view:machine")?;
    let (backend, version) = services
        .db
        .backend_with_machines_version(backend_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| crate::backends::not_found(backend_id))?;
    let key = ListKey::new(actor, &backend, version);
    if let Some(body) = services.machine_lists.get(&key) {
        return Ok(Either::Left(futures_util::stream::once(
            std::future::ready(Ok(body)),
        )));
    }
    let cursor = Cursor {
        services: services.clone(),
        actor: actor.clone(),
        backend,
        after: None,
        opened: false,
        wrote_any: false,
        done: false,
        kept: Some(Vec::new()),
        key,
    };
    // Fused: a body may be polled again after its end (the compression
    // layer is), which a bare `unfold` refuses with a panic.
    Ok(Either::Right(
        futures_util::stream::unfold(cursor, |mut c| async move {
            if c.done {
                return None;
            }
            let chunk = next_chunk(&mut c).await;
            match &chunk {
                Err(_) => c.done = true,
                Ok(_) if c.done => keep(&mut c).await,
                Ok(_) => {}
            }
            Some((chunk.map(bytes::Bytes::from), c))
        })
        .fuse(),
    ))
}

async fn next_chunk(c: &mut Cursor) -> Result<Vec<u8>, ErrorKind> {
    let after = c.after.as_ref().map(|(n, i)| (n.as_str(), i.as_str()));
    let batch = c
        .services
        .db
        .machines_of_after(&c.backend.id, after, BATCH)
        .await
        .map_err(internal)?;
    let mut out = Vec::with_capacity(batch.len() * 320 + 2);
    if !c.opened {
        out.push(b'[');
        c.opened = true;
    }
    for m in &batch {
        let target = resource::machine(&m.backend_id, &m.id);
        if !authz::decide(&c.actor, "view:machine", &target).is_allowed() {
            continue;
        }
        if c.wrote_any {
            out.push(b',');
        }
        c.wrote_any = true;
        serde_json::to_writer(&mut out, &super::shown(&c.actor, m, &c.backend))
            .map_err(internal)?;
    }
    if batch.len() < BATCH as usize {
        out.push(b']');
        c.done = true;
    } else if let Some(last) = batch.last() {
        c.after = Some((last.name.clone(), last.id.clone()));
    }
    if let Some(kept) = &mut c.kept {
        if kept.len() + out.len() > MAX_ENTRY {
            c.kept = None;
        } else {
            kept.extend_from_slice(&out);
        }
    }
    Ok(out)
}

/// Keeps the list just written whole when the machines did not change
/// while it was read (the counter it was read at still stands), so it is
/// the list as of that counter.
async fn keep(c: &mut Cursor) {
    let Some(body) = c.kept.take() else {
        return;
    };
    match c.services.db.machines_version(&c.backend.id).await {
        Ok(Some(now)) if now == c.key.version() => {
            c.services.machine_lists.put(c.key.clone(), body.into());
        }
        _ => {}
    }
}
