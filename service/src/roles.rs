//! Roles (named scope documents), their templates, and attaching them to
//! users. Every change is the master account's alone and is audited.

use domain::{
    rbac::{Effect, Policy, Statement, POLICY_VERSION},
    ErrorKind,
};
use serde::Serialize;
use store::roles::Role;

use crate::{audit, authz::require_master, internal, stored, Actor, Services};

/// A role as the API shows it.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RoleView {
    /// Id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The scope document.
    pub scope: serde_json::Value,
    /// Creation time, Unix ms.
    pub created_at: i64,
    /// Last change, Unix ms.
    pub updated_at: i64,
}

impl From<Role> for RoleView {
    fn from(r: Role) -> Self {
        Self {
            scope: serde_json::from_str(&r.scope).unwrap_or(serde_json::Value::Null),
            id: r.id,
            name: r.name,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A ready-made scope offered when creating a role.
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RoleTemplate {
    /// Stable id of the template.
    pub id: &'static str,
    /// Name.
    pub name: &'static str,
    /// The scope document.
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub scope: Policy,
}

fn statement(effect: Effect, actions: &[&str]) -> Statement {
    Statement {
        effect,
        actions: actions.iter().map(|a| (*a).to_owned()).collect(),
        resources: vec!["*".into()],
    }
}

fn policy(statements: Vec<Statement>) -> Policy {
    Policy {
        version: POLICY_VERSION.into(),
        statements,
    }
}

/// The built-in templates.
pub fn templates() -> Vec<RoleTemplate> {
    vec![
        RoleTemplate {
            id: "management",
            name: "Management Role",
            scope: policy(vec![statement(Effect::Allow, &["*"])]),
        },
        RoleTemplate {
            id: "read-only",
            name: "Read-only",
            scope: policy(vec![statement(Effect::Allow, &["view:*"])]),
        },
        RoleTemplate {
            id: "machine-operator",
            name: "Machine operator",
            scope: policy(vec![
                statement(Effect::Allow, &["view:*", "*:machine"]),
                statement(Effect::Deny, &["read_private:key"]),
            ]),
        },
        RoleTemplate {
            id: "shell-only",
            name: "Shell only",
            scope: policy(vec![statement(
                Effect::Allow,
                &["view:machine", "shell:machine"],
            )]),
        },
    ]
}

fn name_of(raw: &str) -> Result<String, ErrorKind> {
    domain::names::check_visible("name", raw)?;
    let name = raw.trim();
    if name.is_empty() || name.len() > 100 {
        return Err(ErrorKind::invalid("name", "must be 1 to 100 characters"));
    }
    Ok(name.to_owned())
}

fn not_found() -> ErrorKind {
    ErrorKind::NotFound {
        what: "role".into(),
    }
}

/// Every role.
pub async fn list(services: &Services, actor: &Actor) -> Result<Vec<RoleView>, ErrorKind> {
    require_master(actor, "view:role")?;
    Ok(services
        .db
        .roles()
        .await
        .map_err(internal)?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// Creates a role from a name and a scope document.
pub async fn create(
    services: &Services,
    actor: &Actor,
    name: &str,
    scope: &serde_json::Value,
) -> Result<RoleView, ErrorKind> {
    require_master(actor, "create:role")?;
    let name = name_of(name)?;
    let scope = Policy::parse(scope)?;
    let id = uuid::Uuid::new_v4().to_string();
    let text = serde_json::to_string(&scope).map_err(internal)?;
    services
        .db
        .create_role(&id, &name, &text, services.now())
        .await
        .map_err(stored)?;
    audit::success(services, actor, "create:role", &format!("role/{id}"), &name).await?;
    services
        .db
        .role(&id)
        .await
        .map_err(internal)?
        .map(Into::into)
        .ok_or(ErrorKind::Internal)
}

/// Replaces a role's name and scope.
pub async fn update(
    services: &Services,
    actor: &Actor,
    id: &str,
    name: &str,
    scope: &serde_json::Value,
) -> Result<RoleView, ErrorKind> {
    require_master(actor, "edit:role")?;
    let name = name_of(name)?;
    let text = serde_json::to_string(&Policy::parse(scope)?).map_err(internal)?;
    if !services
        .db
        .update_role(id, &name, &text, services.now())
        .await
        .map_err(stored)?
    {
        return Err(not_found());
    }
    audit::success(services, actor, "edit:role", &format!("role/{id}"), &name).await?;
    services
        .db
        .role(id)
        .await
        .map_err(internal)?
        .map(Into::into)
        .ok_or_else(not_found)
}

/// Deletes a role (detaching it from everyone).
pub async fn delete(services: &Services, actor: &Actor, id: &str) -> Result<(), ErrorKind> {
    require_master(actor, "delete:role")?;
    if !services.db.delete_role(id).await.map_err(internal)? {
        return Err(not_found());
    }
    audit::success(services, actor, "delete:role", &format!("role/{id}"), "").await
}

async fn user_id(services: &Services, username: &str) -> Result<String, ErrorKind> {
    services
        .db
        .account_by_username(username.trim())
        .await
        .map_err(internal)?
        .map(|a| a.id)
        .ok_or(ErrorKind::NotFound {
            what: "user".into(),
        })
}

/// Attaches a role to a user; returns the attachment's id.
pub async fn attach(
    services: &Services,
    actor: &Actor,
    username: &str,
    role_id: &str,
) -> Result<String, ErrorKind> {
    require_master(actor, "attach:role")?;
    let account_id = user_id(services, username).await?;
    if services.db.role(role_id).await.map_err(internal)?.is_none() {
        return Err(not_found());
    }
    let id = uuid::Uuid::new_v4().to_string();
    services
        .db
        .attach_role(&id, &account_id, role_id, services.now())
        .await
        .map_err(stored)?;
    audit::success(
        services,
        actor,
        "attach:role",
        &format!("user/{username}/role/{role_id}"),
        "",
    )
    .await?;
    Ok(id)
}

/// Detaches a role from a user.
pub async fn detach(
    services: &Services,
    actor: &Actor,
    username: &str,
    role_id: &str,
) -> Result<(), ErrorKind> {
    require_master(actor, "detach:role")?;
    let account_id = user_id(services, username).await?;
    if !services
        .db
        .detach_role(&account_id, role_id)
        .await
        .map_err(internal)?
    {
        return Err(ErrorKind::NotFound {
            what: "attachment of this role to this user".into(),
        });
    }
    audit::success(
        services,
        actor,
        "detach:role",
        &format!("user/{username}/role/{role_id}"),
        "",
    )
    .await
}

/// The roles of a user (the master account, or the user themself).
pub async fn roles_of(
    services: &Services,
    actor: &Actor,
    username: Option<&str>,
) -> Result<Vec<RoleView>, ErrorKind> {
    let account_id = match username {
        None => actor.account_id.clone(),
        // Others may ask only about themselves, and learn nothing else
        // (not even whether a username exists).
        Some(name) if require_master(actor, "view:role").is_err() => {
            let found = services
                .db
                .account_by_username(name.trim())
                .await
                .map_err(internal)?;
            match found {
                Some(a) if a.id == actor.account_id => a.id,
                _ => {
                    return Err(ErrorKind::Forbidden {
                        action: Some("view:role".into()),
                    })
                }
            }
        }
        Some(name) => user_id(services, name).await?,
    };
    Ok(services
        .db
        .roles_of(&account_id)
        .await
        .map_err(internal)?
        .into_iter()
        .map(Into::into)
        .collect())
}

/// The roles of every user, keyed by account id (master only): one query
/// for all users, each user's roles by name.
pub async fn roles_of_all(
    services: &Services,
    actor: &Actor,
) -> Result<std::collections::HashMap<String, Vec<RoleView>>, ErrorKind> {
    require_master(actor, "view:role")?;
    let mut all: std::collections::HashMap<String, Vec<RoleView>> =
        std::collections::HashMap::new();
    for (account_id, role) in services.db.user_roles().await.map_err(internal)? {
        all.entry(account_id).or_default().push(role.into());
    }
    Ok(all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_template_is_a_valid_scope() {
        for t in templates() {
            let json = serde_json::to_value(&t.scope).unwrap();
            assert_eq!(Policy::parse(&json).unwrap(), t.scope, "{}", t.id);
        }
    }
}
