//! A template's secrets (`gitPrivateKey`, `registryPassword`, every
//! `environment_variables` value: what [`Template::masked`] hides) are
//! stored sealed by the vault, bound to their stack; only an agent's own
//! config read opens them.

use domain::{stacks::Template, ErrorKind};

use crate::vault::Vault;

fn context(stack_id: &str) -> String {
    format!("stack:{stack_id}:template")
}

/// The template as stored: its secrets sealed.
pub fn seal(vault: &Vault, stack_id: &str, template: &Template) -> Result<Template, ErrorKind> {
    let context = context(stack_id);
    template.try_map_secrets(|plain| vault.seal_str(&context, plain))
}

/// The template as applied: its secrets opened.
pub fn open(vault: &Vault, stack_id: &str, template: &Template) -> Result<Template, ErrorKind> {
    let context = context(stack_id);
    template.try_map_secrets(|sealed| vault.open_str(&context, sealed))
}

/// Puts back into `next` the secrets it carries masked (`"****"`, as every
/// answer and the Update editor show them): each takes the value the same
/// layer's same secret has in `current` (opened). A masked secret with
/// nothing to take is refused, naming its pointer, rather than stored as
/// `"****"`.
pub fn unmask(current: &Template, next: &mut Template) -> Result<(), ErrorKind> {
    use domain::stacks::MASK;
    for (i, layer) in next.configurations.iter_mut().enumerate() {
        let Some(container) = layer.container.as_mut() else {
            continue;
        };
        let before = current
            .layer(&layer.flag)
            .and_then(|l| l.container.as_ref());
        let at = |field: &str| format!("/configurations/{i}/container/{field}");
        let refuse = |pointer: String| {
            ErrorKind::invalid(
                &pointer,
                "is masked (\"****\") and the stack has no value for it to keep: give the value",
            )
        };
        for (secret, old, name) in [
            (
                &mut container.git_private_key,
                before.and_then(|c| c.git_private_key.clone()),
                "gitPrivateKey",
            ),
            (
                &mut container.registry_password,
                before.and_then(|c| c.registry_password.clone()),
                "registryPassword",
            ),
        ] {
            if secret.as_deref() == Some(MASK) {
                *secret = Some(old.ok_or_else(|| refuse(at(name)))?);
            }
        }
        for (key, value) in container
            .environment_variables
            .iter_mut()
            .flat_map(|env| env.iter_mut())
        {
            if value == MASK {
                *value = before
                    .and_then(|c| c.environment_variables.as_ref())
                    .and_then(|env| env.get(key))
                    .cloned()
                    .ok_or_else(|| refuse(at(&format!("environment_variables/{key}"))))?;
            }
        }
    }
    Ok(())
}
