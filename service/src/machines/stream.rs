//! One backend's whole machine list (mist.io's unpaged
//! `GET /backends/{b}/machines`) as JSON written while it is read: the
//! machines come from the store in batches ([`BATCH`] at a time, by name
//! then id, as [`super::list`] orders them), each batch serialized and
//! handed on before the next is read, so however many machines there are
//! the answer is never held whole. The bytes are those of serializing
//! [`super::list`]'s `Vec` at once.

use domain::{resource, ErrorKind};
use futures_util::Stream;
use store::backends::StoredBackend;

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
}

/// The caller's machines of `backend_id` as the bytes of a JSON array, in
/// chunks; refused (`view:machine` nowhere) or not found before the first
/// byte. A read that fails midway ends the stream with the error (logged).
pub async fn list_json(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
) -> Result<impl Stream<Item = Result<Vec<u8>, ErrorKind>> + Send + 'static, ErrorKind> {
    authz::authorize_listing(actor, "view:machine")?;
    let backend = crate::backends::stored(services, backend_id).await?;
    let cursor = Cursor {
        services: services.clone(),
        actor: actor.clone(),
        backend,
        after: None,
        opened: false,
        wrote_any: false,
        done: false,
    };
    // Fused: a body may be polled again after its end (the compression
    // layer is), which a bare `unfold` refuses with a panic.
    Ok(futures_util::StreamExt::fuse(futures_util::stream::unfold(
        cursor,
        |mut c| async move {
            if c.done {
                return None;
            }
            let chunk = next_chunk(&mut c).await;
            if chunk.is_err() {
                c.done = true;
            }
            Some((chunk, c))
        },
    )))
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
    Ok(out)
}
