//! [`Template::masked`]: the template as every answer, diff and page shows
//! it (the agent's own config read is the one place secrets go in clear).

use std::convert::Infallible;

use super::{Template, MASK};

impl Template {
    /// The template with its secrets (`gitPrivateKey`, `registryPassword`,
    /// every `environment_variables` value) replaced by [`MASK`]. Which
    /// fields are present stays visible; what they hold does not.
    pub fn masked(&self) -> Template {
        match self.try_map_secrets(|_| Ok::<_, Infallible>(MASK.to_owned())) {
            Ok(template) => template,
            Err(never) => match never {},
        }
    }

    /// The template with `f` applied to each of its secrets (those
    /// [`Template::masked`] hides): the one walk over them, for masking
    /// here and for sealing and opening them at rest.
    pub fn try_map_secrets<E>(
        &self,
        mut f: impl FnMut(&str) -> Result<String, E>,
    ) -> Result<Template, E> {
        let mut template = self.clone();
        for container in template
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
        Ok(template)
    }

    /// Whether the template carries any secret ([`Template::masked`] would
    /// change it).
    pub fn has_secrets(&self) -> bool {
        self.configurations
            .iter()
            .filter_map(|l| l.container.as_ref())
            .any(|c| {
                c.git_private_key.is_some()
                    || c.registry_password.is_some()
                    || c.environment_variables
                        .as_ref()
                        .is_some_and(|env| !env.is_empty())
            })
    }
}
