//! The one vocabulary of actions, `verb:resource_type`, for the whole product.

/// An action a role can allow or deny.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ActionInfo {
    /// The action as written in policies, e.g. `view:machine`.
    pub name: &'static str,
    /// What it permits, for the role form.
    pub description: &'static str,
}

const fn a(name: &'static str, description: &'static str) -> ActionInfo {
    ActionInfo { name, description }
}

/// Every action Overcast checks, in the order the role form shows them.
pub const ACTIONS: &[ActionInfo] = &[
    a(
        "view:backend",
        "See cloud accounts and their sizes, images and locations",
    ),
    a("create:backend", "Add a cloud account"),
    a("edit:backend", "Rename, enable or disable a cloud account"),
    a("delete:backend", "Remove a cloud account"),
    a("view:machine", "See machines"),
    a("create:machine", "Create machines"),
    a("reboot:machine", "Reboot machines"),
    a("stop:machine", "Stop machines"),
    a("start:machine", "Start machines"),
    a("destroy:machine", "Destroy machines"),
    a("tag:machine", "Add and remove machine tags"),
    a("edit:machine", "Accept a machine's changed host key"),
    a(
        "shell:machine",
        "Run commands and open terminals on machines",
    ),
    a("view:key", "See SSH keys and their public parts"),
    a("create:key", "Import or generate SSH keys"),
    a(
        "edit:key",
        "Rename keys, set the default key, associate keys",
    ),
    a("delete:key", "Delete SSH keys"),
    a("read_private:key", "Read a key's private part (audited)"),
    a("view:alm.template", "See stack templates"),
    a("create:alm.template", "Create stack templates"),
    a("edit:alm.template", "Change stack templates"),
    a("view:alm.stack", "See stacks"),
    a("create:alm.stack", "Create stacks"),
    a("edit:alm.stack", "Update stacks"),
    a("delete:alm.stack", "Delete stacks"),
    a(
        "agent:alm.stack",
        "Act as a stack's agent: report statuses, read its layers' container configuration",
    ),
    a("view:user", "See the list of users"),
    a("view:audit", "Read the audit log"),
];

#[cfg(test)]
mod tests {
    use super::ACTIONS;

    #[test]
    fn every_action_is_verb_colon_type_and_unique() {
        let mut seen = std::collections::HashSet::new();
        for a in ACTIONS {
            let (verb, ty) = a.name.split_once(':').expect("verb:type");
            assert!(!verb.is_empty() && !ty.is_empty(), "{}", a.name);
            assert_eq!(a.name, a.name.to_lowercase());
            assert!(seen.insert(a.name), "duplicate {}", a.name);
        }
    }
}
