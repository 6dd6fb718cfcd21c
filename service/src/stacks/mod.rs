//! Stacks (Mobingi ALM v3): applying a template creates a stack, its first
//! version and a journal of steps (one per machine), then a runner carries
//! the operation in the background under the lease `("stack", id)`; a stack
//! whose operation lost its runner (an instance stopped) is resumed by the
//! [`crate::jobs::StackResume`] job from its unfinished steps, safely, as
//! every step reconciles with the provider's list first.
//!
//! - [`apply`]: parse, resolve the vendor's backend, authorise, plan, and
//!   (unless a dry run) store and start.
//! - [`update`]: the plan from the current version to a new one, then its
//!   steps (`layout`: which machines, by name).
//! - [`delete`]: destroy the stack's machines, then mark it deleted.
//! - `runner`: the operation itself (create, update, delete), and
//!   `rollback` when a create or update fails.

use domain::{
    providers::Provider,
    resource,
    stacks::{plan, Plan, Template, Vendor},
    ErrorKind,
};
use serde::Serialize;
use store::{
    backends::StoredBackend,
    stacks::{BeginOperation, NewStack, NewVersion, Stack},
};

use crate::{authz, internal, stored, Actor, Services};

pub mod agents;
pub mod computed;
mod describe;
pub mod key;
pub mod layout;
mod membership;
mod names;
mod rollback;
pub(crate) mod runner;
pub mod secrets;
mod status;
mod steps;
mod update;

pub use describe::*;
pub use membership::*;
pub use status::*;
pub use update::*;

/// The lease kind a stack's runner holds.
pub const LEASE_KIND: &str = "stack";

/// What applying a template answered.
#[derive(Debug, Clone, Serialize)]
pub struct Applied {
    /// The stack's id (absent on a dry run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack_id: Option<String>,
    /// Its first version (absent on a dry run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version_id: Option<String>,
    /// Its nickname (absent on a dry run).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    /// `CREATE_IN_PROGRESS` (`UPDATE_IN_PROGRESS`), or absent on a dry
    /// run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stack_status: Option<String>,
    /// What the caller should know (an update's vendor ignored).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The values chosen for `"${computed}"` fields, per flag.
    pub computed: serde_json::Value,
    /// What applying does (or would do).
    pub plan: Plan,
}

/// Parses `text` as a template: every fault, each with its pointer, in one
/// 400.
pub fn parse(text: &str) -> Result<Template, ErrorKind> {
    Template::parse(text).map_err(|faults| {
        let field = faults
            .first()
            .map(|f| f.pointer.clone())
            .filter(|p| !p.is_empty())
            .unwrap_or_else(|| "body".into());
        let message = faults
            .iter()
            .map(|f| {
                format!(
                    "{}: {}",
                    if f.pointer.is_empty() {
                        "/"
                    } else {
                        &f.pointer
                    },
                    f.message
                )
            })
            .collect::<Vec<_>>()
            .join("; ");
        ErrorKind::InvalidInput { field, message }
    })
}

/// The backend a template's `vendor` names: by id, title, or API key (and
/// region, when given); its provider must be of the vendor's family.
pub async fn resolve_backend(
    services: &Services,
    vendor: &Vendor,
) -> Result<StoredBackend, ErrorKind> {
    let backends = services.db.backends().await.map_err(internal)?;
    let pointer = format!("/vendor/{}/cred", vendor.cloud);
    let named: Vec<StoredBackend> = backends
        .into_iter()
        .filter(|b| {
            b.id == vendor.cred
                || b.title == vendor.cred
                || (b.apikey.as_deref() == Some(vendor.cred.as_str())
                    && vendor.region.as_deref().is_none_or(|r| {
                        b.region.as_deref() == Some(r)
                            || cloud::ec2::region_of(&b.provider) == Some(r)
                    }))
        })
        .collect();
    if named.is_empty() {
        return Err(ErrorKind::invalid(
            &pointer,
            format!("no backend has the id, title or API key {:?}", vendor.cred),
        ));
    }
    named
        .into_iter()
        .find(|b| Provider::parse(&b.provider).is_some_and(|p| p.kind == vendor.kind))
        .ok_or_else(|| {
            ErrorKind::invalid(
                &pointer,
                format!("the backend named is not a {} backend", vendor.cloud),
            )
        })
}

/// How to apply a template.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ApplyOptions {
    /// Only plan: nothing is created.
    pub dry_run: bool,
    /// On a failure, keep what was made (`CREATE_FAILED`) instead of
    /// rolling back (`"on_failure": "keep"`).
    pub keep_on_failure: bool,
}

/// Applies a template: a new stack (or, with `dry_run`, only the plan).
pub async fn apply(
    services: &Services,
    actor: &Actor,
    text: &str,
    options: ApplyOptions,
) -> Result<Applied, ErrorKind> {
    let dry_run = options.dry_run;
    authz::authorize(actor, "create:alm.stack", &resource::stack("*"))?;
    let template = parse(text)?;
    let backend = resolve_backend(services, &template.vendor).await?;
    authz::authorize(
        actor,
        "create:machine",
        &format!("{}/machine/*", resource::backend(&backend.id)),
    )?;
    let mut plan = plan(None, &template);
    let chosen = computed::resolve(services, &backend, &template, None).await?;
    if dry_run {
        layout::steps("<nickname>", &mut plan, &[], &[]);
        return Ok(Applied {
            stack_id: None,
            version_id: None,
            nickname: None,
            stack_status: None,
            message: None,
            computed: chosen,
            plan,
        });
    }
    let now = services.now();
    let id = uuid::Uuid::new_v4().simple().to_string();
    let nickname = names::unused(services).await?;
    let steps = layout::steps(&nickname, &mut plan, &[], &[]);
    if template
        .configurations
        .iter()
        .any(|l| l.provision.keypair())
    {
        key::ensure(services, &nickname).await?;
    }
    let token = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let version = NewVersion {
        version_id: uuid::Uuid::new_v4().simple().to_string(),
        template: secrets::seal(&services.vault, &id, &template)?
            .to_value()
            .to_string(),
        computed: chosen.to_string(),
        created_at: now,
    };
    services
        .db
        .create_stack(
            &NewStack {
                id: id.clone(),
                nickname: nickname.clone(),
                owner_id: actor.account_id.clone(),
                backend_id: backend.id.clone(),
                status: REVIEW_IN_PROGRESS.into(),
                auth_token_sealed: services.vault.seal_str(&token_context(&id), &token)?,
                now,
            },
            &version,
        )
        .await
        .map_err(stored)?;
    runner::claim(services, &id).await?;
    let op_id = uuid::Uuid::new_v4().simple().to_string();
    let detail = serde_json::json!({
        "on_failure": if options.keep_on_failure { "keep" } else { "rollback" },
    })
    .to_string();
    let change = status::change(&id, CREATE_IN_PROGRESS, "the stack was created");
    let begun = services
        .db
        .begin_operation(
            &id,
            &BeginOperation {
                kind: "create",
                id: &op_id,
                detail: &detail,
                from: &[REVIEW_IN_PROGRESS],
                to: CREATE_IN_PROGRESS,
                expected_version: None,
                new_version: None,
                now,
                status_event: &change.to_string(),
            },
        )
        .await
        .map_err(internal)?;
    if !begun {
        return Err(internal("a new stack's operation did not begin"));
    }
    steps.journal(services, &id, &op_id, now).await?;
    status::publish(services, &id, &change).await;
    runner::spawn(services.clone(), id.clone());
    crate::audit::success(
        services,
        actor,
        "create:alm.stack",
        &resource::stack(&id),
        &format!("{nickname} on backend {}", backend.title),
    )
    .await?;
    Ok(Applied {
        stack_id: Some(id),
        version_id: Some(version.version_id),
        nickname: Some(nickname),
        stack_status: Some(CREATE_IN_PROGRESS.into()),
        message: None,
        computed: chosen,
        plan,
    })
}

/// Deletes a stack: its machines destroyed, then `DELETE_COMPLETE`.
pub async fn delete(
    services: &Services,
    actor: &Actor,
    stack_id: &str,
) -> Result<Stack, ErrorKind> {
    authz::authorize(actor, "delete:alm.stack", &resource::stack(stack_id))?;
    let stack = find(services, stack_id).await?;
    let held = runner::machines(services, &stack).await?;
    for (_, _, id) in &held {
        authz::authorize(
            actor,
            "destroy:machine",
            &resource::machine(&stack.backend_id, id),
        )?;
    }
    if !runner::claim_soon(services, stack_id).await? {
        return Err(busy(services, stack_id).await);
    }
    let op_id = uuid::Uuid::new_v4().simple().to_string();
    let now = services.now();
    let change = status::change(stack_id, DELETE_IN_PROGRESS, "deleting");
    let begun = services
        .db
        .begin_operation(
            stack_id,
            &BeginOperation {
                kind: "delete",
                id: &op_id,
                detail: "{}",
                from: SETTLED,
                to: DELETE_IN_PROGRESS,
                expected_version: None,
                new_version: None,
                now,
                status_event: &change.to_string(),
            },
        )
        .await
        .map_err(internal)?;
    if !begun {
        runner::release_unless_running(services, stack_id).await;
        return Err(busy(services, stack_id).await);
    }
    layout::Steps {
        create: Vec::new(),
        destroy: held,
    }
    .journal(services, stack_id, &op_id, now)
    .await?;
    status::publish(services, stack_id, &change).await;
    runner::spawn(services.clone(), stack_id.to_owned());
    crate::audit::success(
        services,
        actor,
        "delete:alm.stack",
        &resource::stack(stack_id),
        &stack.nickname,
    )
    .await?;
    find(services, stack_id).await
}

/// A live or deleted stack, or 404.
pub async fn find(services: &Services, stack_id: &str) -> Result<Stack, ErrorKind> {
    services
        .db
        .stack(stack_id)
        .await
        .map_err(internal)?
        .ok_or_else(|| ErrorKind::NotFound {
            what: format!("stack {stack_id:?}"),
        })
}

/// The 409 of a stack that cannot begin an operation now.
pub(crate) async fn busy(services: &Services, stack_id: &str) -> ErrorKind {
    match find(services, stack_id).await {
        Ok(s) if s.deleted_at.is_some() => ErrorKind::Conflict {
            message: format!("stack {stack_id:?} is deleted"),
        },
        Ok(s) => ErrorKind::Conflict {
            message: match &s.operation {
                Some(op) => format!(
                    "stack {stack_id:?} is {} (operation {} {}); wait for it to end",
                    s.status, op.kind, op.id
                ),
                None => format!("stack {stack_id:?} is {}", s.status),
            },
        },
        Err(e) => e,
    }
}

/// What a stack's agents' secret is sealed to.
pub fn token_context(stack_id: &str) -> String {
    format!("stack:{stack_id}")
}
