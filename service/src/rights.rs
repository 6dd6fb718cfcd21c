//! What the caller may do, for the pages: the one place the doors ask, so
//! a page shows an action only when the caller's rights allow it (a
//! read-only user sees no Create, Rename, Delete, Stop or Destroy). Every
//! answer comes from [`authz::decide`], the same function that authorises
//! the act itself, and a listing's rights come in the same answer as the
//! listing (one call, not one per row). Nothing here refuses: the
//! operations still authorise every act.

use domain::{
    inventory::KeySummary,
    resource,
    rights::{KeyRights, MachineRights, Sections},
};

use crate::{authz, Actor};

/// Whether `actor` may do `action` on `resource`.
pub fn may(actor: &Actor, action: &str, resource: &str) -> bool {
    authz::decide(actor, action, resource).is_allowed()
}

/// Whether `actor` may do `action` on at least some resource (a list of
/// such things is theirs to open; a form that makes one is offered).
pub fn may_somewhere(actor: &Actor, action: &str) -> bool {
    authz::authorize_listing(actor, action).is_ok()
}

/// Whether `actor` may administer users, roles and OAuth clients.
pub fn may_administer(actor: &Actor) -> bool {
    authz::require_master(actor, "admin").is_ok()
}

/// The sections `actor` may open at all.
pub fn sections(actor: &Actor) -> Sections {
    Sections {
        backends: may_somewhere(actor, "view:backend"),
        machines: may_somewhere(actor, "view:machine"),
        keys: may_somewhere(actor, "view:key"),
        stacks: may_somewhere(actor, "view:alm.stack"),
        admin: may_administer(actor),
    }
}

/// What `actor` may do on the key named `name`.
pub fn key(actor: &Actor, name: &str) -> KeyRights {
    let target = resource::key(name);
    let edit = may(actor, "edit:key", &target);
    KeyRights {
        rename: edit,
        set_default: edit,
        delete: may(actor, "delete:key", &target),
        read_private: may(actor, "read_private:key", &target),
    }
}

/// What `actor` may do on each of `keys`, in their order.
pub fn keys(actor: &Actor, keys: &[KeySummary]) -> Vec<KeyRights> {
    keys.iter().map(|k| key(actor, &k.name)).collect()
}

/// Whether `actor` may import or generate a key.
pub fn may_create_key(actor: &Actor) -> bool {
    may_somewhere(actor, "create:key")
}

/// What `actor` may do on one machine besides its power actions.
pub fn machine(actor: &Actor, backend_id: &str, machine_id: &str) -> MachineRights {
    let target = resource::machine(backend_id, machine_id);
    let shell = may(actor, "shell:machine", &target);
    MachineRights {
        shell,
        tag: may(actor, "tag:machine", &target),
        accept_host_key: may(actor, "edit:machine", &target),
        forget: may(actor, "destroy:machine", &target),
        deploy_key: shell && may_somewhere(actor, "edit:key"),
        power: crate::machines::ACTION_RIGHTS[..4]
            .iter()
            .any(|action| may(actor, action, &target)),
    }
}

/// What `actor` may do on one stack.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StackRights {
    /// Update it (`edit:alm.stack`).
    pub edit: bool,
    /// Delete it (`delete:alm.stack`).
    pub delete: bool,
}

/// What `actor` may do on the stack `id`.
pub fn stack(actor: &Actor, id: &str) -> StackRights {
    let target = resource::stack(id);
    StackRights {
        edit: may(actor, "edit:alm.stack", &target),
        delete: may(actor, "delete:alm.stack", &target),
    }
}

/// Whether `actor` may make a stack.
pub fn may_create_stack(actor: &Actor) -> bool {
    may(actor, "create:alm.stack", &resource::stack("*"))
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use domain::rbac::{Effect, Policy};

    use super::*;
    use crate::session::Credential;

    fn actor(master: bool, roles: Vec<Policy>) -> Actor {
        Actor {
            account_id: "a".into(),
            email: "a@example.com".into(),
            is_master: master,
            address: "127.0.0.1".into(),
            roles: Arc::new(roles),
            rights_generation: 0,
            token_scope: None,
            via: Credential::Session,
        }
    }

    #[test]
    fn a_read_only_user_may_open_sections_but_change_nothing() {
        let reader = actor(
            false,
            vec![Policy::single(Effect::Allow, &["view:*"], &["*"])],
        );
        let s = sections(&reader);
        assert!(s.backends && s.machines && s.keys && s.stacks && !s.admin);
        assert_eq!(key(&reader, "k"), KeyRights::default());
        assert!(!may_create_key(&reader));
        assert_eq!(machine(&reader, "b", "m"), MachineRights::default());
        assert_eq!(stack(&reader, "s"), StackRights::default());
        assert!(!may_create_stack(&reader));
    }

    #[test]
    fn the_master_may_everything_and_a_narrowed_role_its_part() {
        let master = actor(true, vec![]);
        assert!(sections(&master).admin);
        assert!(key(&master, "k").read_private);
        assert!(machine(&master, "b", "m").deploy_key);
        let one_key = actor(
            false,
            vec![Policy::single(
                Effect::Allow,
                &["view:key", "edit:key"],
                &["key/mine"],
            )],
        );
        let mine = key(&one_key, "mine");
        assert!(mine.rename && mine.set_default && !mine.delete && !mine.read_private);
        assert_eq!(key(&one_key, "other"), KeyRights::default());
        let s = sections(&one_key);
        assert!(s.keys && !s.machines && !s.backends && !s.stacks);
    }
}
