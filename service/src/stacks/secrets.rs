//! A template's secrets (`gitPrivateKey`, `registryPassword`, every
//! `environment_variables` value: what [`Template::masked`] hides) are
//! stored sealed by the vault, bound to their stack; only an agent's own
//! config read opens them.

use domain::{stacks::Template, ErrorKind};

use crate::vault::Vault;

fn context(stack_id: &str) -> String {
    format!("stack:{stack_id}:template")
}

/// Applies `f` to every secret of `template`.
fn each_secret(
    template: &Template,
    mut f: impl FnMut(&str) -> Result<String, ErrorKind>,
) -> Result<Template, ErrorKind> {
    let mut out = template.clone();
    for container in out
        .configurations
        .iter_mut()
        .filter_map(|l| l.container.as_mut())
    {
        for secret in [
            &mut container.git_private_key,
            &mut container.registry_password,
        ]
        .into_iter()
        .flatten()
        {
            *secret = f(secret)?;
        }
        for value in container
            .environment_variables
            .iter_mut()
            .flat_map(|env| env.values_mut())
        {
            *value = f(value)?;
        }
    }
    Ok(out)
}

/// The template as stored: its secrets sealed.
pub fn seal(vault: &Vault, stack_id: &str, template: &Template) -> Result<Template, ErrorKind> {
    let context = context(stack_id);
    each_secret(template, |plain| vault.seal_str(&context, plain))
}

/// The template as applied: its secrets opened.
pub fn open(vault: &Vault, stack_id: &str, template: &Template) -> Result<Template, ErrorKind> {
    let context = context(stack_id);
    each_secret(template, |sealed| vault.open_str(&context, sealed))
}
