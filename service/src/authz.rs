//! The one authorisation function every door calls: the actor, the action
//! (from `domain::rbac::ACTIONS`), the resource.

use domain::{
    rbac::{evaluate, grants_somewhere, Decision},
    ErrorKind,
};

use crate::Actor;

/// Decides without side effects: the master account holds every right;
/// anyone else has what their roles allow; a token never has more than its
/// owner and, with a scope of its own, no more than that scope either.
pub fn decide(actor: &Actor, action: &str, resource: &str) -> Decision {
    let owner = if actor.is_master {
        Decision::Allow
    } else {
        evaluate(actor.roles.iter(), action, resource)
    };
    match (owner, &actor.token_scope) {
        (Decision::Allow, Some(scope)) => evaluate([scope.as_ref()], action, resource),
        (decision, _) => decision,
    }
}

/// `Ok` when `actor` may do `action` on `resource`, else
/// [`ErrorKind::Forbidden`] naming the action.
pub fn authorize(actor: &Actor, action: &str, resource: &str) -> Result<(), ErrorKind> {
    if decide(actor, action, resource).is_allowed() {
        Ok(())
    } else {
        Err(ErrorKind::Forbidden {
            action: Some(action.to_owned()),
        })
    }
}

/// For a list: `Ok` when `actor` may do `action` on at least some
/// resource (the list then shows only the items [`decide`] allows), else
/// [`ErrorKind::Forbidden`], so a caller with no such right at all hears so
/// rather than getting an empty list.
pub fn authorize_listing(actor: &Actor, action: &str) -> Result<(), ErrorKind> {
    let owner = actor.is_master || grants_somewhere(actor.roles.iter(), action);
    let token = match &actor.token_scope {
        Some(scope) => grants_somewhere([scope.as_ref()], action),
        None => true,
    };
    if owner && token {
        Ok(())
    } else {
        Err(ErrorKind::Forbidden {
            action: Some(action.to_owned()),
        })
    }
}

/// Administration (users, roles, OAuth clients) is the master account's
/// alone, and no role can grant it. A master token narrowed by a scope of
/// its own cannot administer either.
pub fn require_master(actor: &Actor, action: &str) -> Result<(), ErrorKind> {
    if actor.is_master && actor.token_scope.is_none() {
        Ok(())
    } else {
        Err(ErrorKind::Forbidden {
            action: Some(action.to_owned()),
        })
    }
}

/// Managing one's own credentials (API tokens, the password) takes a
/// session, Basic credentials or a token without a scope of its own: a
/// narrowed token may do only what its scope allows, and no scope names
/// these.
pub fn require_unscoped(actor: &Actor, action: &str) -> Result<(), ErrorKind> {
    if actor.token_scope.is_none() {
        Ok(())
    } else {
        Err(ErrorKind::Forbidden {
            action: Some(action.to_owned()),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use domain::rbac::{Effect, Policy};

    use super::*;
    use crate::session::Credential;

    fn actor(master: bool, roles: Vec<Policy>, token_scope: Option<Policy>) -> Actor {
        Actor {
            account_id: "a".into(),
            email: "a@example.com".into(),
            is_master: master,
            address: "127.0.0.1".into(),
            roles: Arc::new(roles),
            rights_generation: 0,
            token_scope: token_scope.map(Arc::new),
            via: Credential::Session,
        }
    }

    #[test]
    fn the_master_may_do_anything_and_a_user_without_roles_nothing() {
        assert!(authorize(&actor(true, vec![], None), "destroy:machine", "x").is_ok());
        let err = authorize(&actor(false, vec![], None), "view:machine", "x").unwrap_err();
        assert_eq!(
            err,
            ErrorKind::Forbidden {
                action: Some("view:machine".into())
            }
        );
    }

    #[test]
    fn a_token_never_exceeds_its_owner_nor_its_own_scope() {
        let read_only = Policy::single(Effect::Allow, &["view:*"], &["*"]);
        let everything = Policy::single(Effect::Allow, &["*"], &["*"]);
        let user_with_wide_token = actor(false, vec![read_only.clone()], Some(everything));
        assert!(authorize(&user_with_wide_token, "view:machine", "m").is_ok());
        assert!(authorize(&user_with_wide_token, "reboot:machine", "m").is_err());
        let master_with_narrow_token = actor(true, vec![], Some(read_only));
        assert!(authorize(&master_with_narrow_token, "view:key", "k").is_ok());
        assert!(authorize(&master_with_narrow_token, "delete:key", "k").is_err());
        assert!(require_master(&master_with_narrow_token, "admin:role").is_err());
        assert!(require_unscoped(&master_with_narrow_token, "delete:token").is_err());
        assert!(require_unscoped(&user_with_wide_token, "delete:token").is_err());
        assert!(require_unscoped(&actor(false, vec![], None), "edit:password").is_ok());
    }
}
