//! Updating a stack (`PUT /v3/alm/template/{stack_id}`): the plan between
//! its current version and the new template, journalled as steps (new
//! machines first, then the old destroyed) and carried by the runner as
//! operation `update`. The new version is stored, and made current, only
//! if the operation begins, and only if the stack is still at the version
//! the plan was made from; a failed update goes back to the previous
//! version's machines (`UPDATE_ROLLBACK_COMPLETE`).

use domain::{resource, stacks::plan, ErrorKind};
use store::stacks::{BeginOperation, NewVersion, Stack};

use super::{find, layout, parse, runner, secrets, status::*, Applied};
use crate::{authz, internal, Actor, Services};

/// How to update a stack.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpdateOptions {
    /// Only plan: nothing changes.
    pub dry_run: bool,
    /// Refuse (409) unless the stack is at this version (the version the
    /// caller planned against: `expected_version_id` or `If-Match`).
    pub expected_version: Option<String>,
}

/// What an update's operation records, so a resumed or rolled-back update
/// knows where it came from.
pub const PREVIOUS_VERSION: &str = "previous_version";

/// The stack's current template, its secrets opened, and the values
/// chosen for its computed fields.
pub async fn current_template(
    services: &Services,
    stack: &Stack,
) -> Result<(domain::stacks::Template, serde_json::Value), ErrorKind> {
    let version = services
        .db
        .stack_version(&stack.id, &stack.version_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| internal("a stack's current version is missing"))?;
    let stored = domain::stacks::Template::parse(&version.template)
        .map_err(|_| internal("a stored template does not parse"))?;
    let chosen = serde_json::from_str(&version.computed).unwrap_or_default();
    Ok((secrets::open(&services.vault, &stack.id, &stored)?, chosen))
}

fn stale(stack: &Stack, expected: &str) -> ErrorKind {
    ErrorKind::Conflict {
        message: format!(
            "stack {:?} moved on: its current version is {}, not {expected}; \
             look at the plan again",
            stack.id, stack.version_id
        ),
    }
}

/// Updates a stack to the template `text` (or, with `dry_run`, only plans).
pub async fn update(
    services: &Services,
    actor: &Actor,
    stack_id: &str,
    text: &str,
    options: UpdateOptions,
) -> Result<Applied, ErrorKind> {
    authz::authorize(actor, "edit:alm.stack", &resource::stack(stack_id))?;
    let mut next = parse(text)?;
    let stack = find(services, stack_id).await?;
    if stack.deleted_at.is_some() {
        return Err(ErrorKind::Conflict {
            message: format!("stack {stack_id:?} is deleted"),
        });
    }
    if let Some(expected) = options.expected_version.as_deref() {
        if expected != stack.version_id {
            return Err(stale(&stack, expected));
        }
    }
    let (current, chosen_before) = current_template(services, &stack).await?;
    // A secret sent back masked (as the Update editor shows it) keeps its
    // value.
    secrets::unmask(&current, &mut next)?;
    let stored_backend = services
        .db
        .backend(&stack.backend_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| ErrorKind::Conflict {
            message: format!("stack {stack_id:?}'s backend is gone"),
        })?;
    let chosen =
        super::computed::resolve(services, &stored_backend, &next, Some(&chosen_before)).await?;
    let history = services.db.stack_steps(stack_id).await.map_err(internal)?;
    let held = runner::held(&history);
    let mut plan = plan(Some(&current), &next);
    let steps = layout::steps(&stack.nickname, &mut plan, &held, &history);
    let backend = resource::backend(&stack.backend_id);
    if !steps.create.is_empty() {
        authz::authorize(actor, "create:machine", &format!("{backend}/machine/*"))?;
    }
    for (_, _, id) in &steps.destroy {
        authz::authorize(
            actor,
            "destroy:machine",
            &resource::machine(&stack.backend_id, id),
        )?;
    }
    let message = plan.vendor_changed.then(|| {
        "the template's vendor differs from the stack's: ignored, a stack never moves \
         clouds (its machines stay on its backend)"
            .to_owned()
    });
    if options.dry_run {
        return Ok(Applied {
            stack_id: Some(stack.id),
            version_id: None,
            nickname: Some(stack.nickname),
            stack_status: None,
            message,
            computed: chosen,
            plan,
        });
    }
    if next.configurations.iter().any(|l| l.provision.keypair()) {
        super::key::ensure(services, &stack.nickname).await?;
    }
    if !runner::claim_soon(services, stack_id).await? {
        return Err(super::busy(services, stack_id).await);
    }
    let now = services.now();
    let version = NewVersion {
        version_id: uuid::Uuid::new_v4().simple().to_string(),
        template: secrets::seal(&services.vault, stack_id, &next)?
            .to_value()
            .to_string(),
        computed: chosen.to_string(),
        created_at: now,
    };
    let op_id = uuid::Uuid::new_v4().simple().to_string();
    let detail = serde_json::json!({ PREVIOUS_VERSION: stack.version_id }).to_string();
    let why = format!(
        "updating to version {}: {} machine(s) to create, {} to destroy",
        version.version_id,
        steps.create.len(),
        steps.destroy.len()
    );
    let change = change(stack_id, UPDATE_IN_PROGRESS, &why);
    let begun = services
        .db
        .begin_operation(
            stack_id,
            &BeginOperation {
                kind: "update",
                id: &op_id,
                detail: &detail,
                from: SETTLED,
                to: UPDATE_IN_PROGRESS,
                expected_version: Some(&stack.version_id),
                new_version: Some(&version),
                now,
                status_event: &change.to_string(),
            },
        )
        .await
        .map_err(internal)?;
    if !begun {
        runner::release_unless_running(services, stack_id).await;
        let now_stack = find(services, stack_id).await?;
        if now_stack.version_id != stack.version_id {
            return Err(stale(&now_stack, &stack.version_id));
        }
        return Err(super::busy(services, stack_id).await);
    }
    steps.journal(services, stack_id, &op_id, now).await?;
    publish(services, stack_id, &change).await;
    runner::spawn(services.clone(), stack_id.to_owned());
    crate::audit::success(
        services,
        actor,
        "edit:alm.stack",
        &resource::stack(stack_id),
        &format!("{} to version {}", stack.nickname, version.version_id),
    )
    .await?;
    Ok(Applied {
        stack_id: Some(stack.id),
        version_id: Some(version.version_id),
        nickname: Some(stack.nickname),
        stack_status: Some(UPDATE_IN_PROGRESS.into()),
        message,
        computed: chosen,
        plan,
    })
}
