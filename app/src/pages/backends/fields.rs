//! The add form's parts: the provider list grouped by provider, and the
//! fields a provider asks for, each named as that provider names it.

use domain::providers::{self, Need, ProviderKind};
use leptos::prelude::*;

/// The group a catalogue entry is listed under.
pub(super) fn group_of(kind: ProviderKind) -> &'static str {
    match kind {
        ProviderKind::BareMetal => "Your own servers",
        ProviderKind::Libvirt => "KVM hosts",
        ProviderKind::Ec2 => "Amazon EC2 (one region each)",
        ProviderKind::DigitalOcean => "DigitalOcean",
        ProviderKind::Linode => "Linode",
        ProviderKind::OpenStack => "OpenStack",
        ProviderKind::Rackspace => "Rackspace",
        ProviderKind::RackspaceFirstGen => "Rackspace, first generation",
        ProviderKind::HpCloud => "HP Cloud",
        ProviderKind::SoftLayer => "SoftLayer",
        ProviderKind::NephoScale => "NephoScale",
    }
}

/// The catalogue's entries in groups, each group where its first entry is
/// in the catalogue.
pub(super) fn groups() -> Vec<(&'static str, Vec<&'static providers::Provider>)> {
    let mut groups: Vec<(&'static str, Vec<&'static providers::Provider>)> = Vec::new();
    for p in providers::CATALOGUE {
        let name = group_of(p.kind);
        match groups.iter_mut().find(|(g, _)| *g == name) {
            Some((_, entries)) => entries.push(p),
            None => groups.push((name, vec![p])),
        }
    }
    groups
}

/// The provider list, grouped (`<optgroup>`).
#[component]
pub(super) fn ProviderSelect(
    provider: RwSignal<String>,
    node_ref: NodeRef<leptos::html::Select>,
) -> impl IntoView {
    let first = provider.get_untracked();
    view! {
        <select name="provider" node_ref=node_ref data-testid="provider"
            on:change=move |ev| provider.set(event_target_value(&ev))>
            {groups().into_iter().map(|(group, entries)| view! {
                <optgroup label=group>
                    {entries.into_iter().map(|p| view! {
                        <option value=p.provider selected=p.provider == first>{p.title}</option>
                    }).collect_view()}
                </optgroup>
            }).collect_view()}
        </select>
    }
}

/// One field of the cloud group. Untailored (a plain page that has not
/// been told the provider) every field shows with a label saying whose it
/// is; tailored, only the fields the chosen provider asks for show, named
/// as that provider names them.
#[component]
pub(super) fn CloudField(
    #[prop(into)] tailored: Signal<bool>,
    need: impl Fn() -> (Need, &'static str) + Copy + Send + Sync + 'static,
    field: &'static str,
    generic: &'static str,
    /// What the input starts with (a refused plain post's value).
    #[prop(optional)]
    value: String,
) -> impl IntoView {
    let label = move || {
        let (need, label) = need();
        match (tailored.get(), need) {
            (false, _) => generic.to_owned(),
            (true, Need::Required) => label.to_owned(),
            (true, _) => format!("{label} (optional)"),
        }
    };
    let secret = field == "apisecret";
    view! {
        <label hidden=move || tailored.get() && !need().0.asked()>
            {label}
            <input
                name=field
                value=value
                type=if secret { "password" } else { "text" }
                autocomplete=if secret { "new-password" } else { "off" }
                required=move || tailored.get() && need().0 == Need::Required
            />
        </label>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_entry_is_in_one_group_and_ec2_is_one_group() {
        let groups = groups();
        let listed: usize = groups.iter().map(|(_, e)| e.len()).sum();
        assert_eq!(listed, providers::CATALOGUE.len());
        let ec2 = groups
            .iter()
            .find(|(g, _)| g.starts_with("Amazon"))
            .map(|(_, e)| e.len());
        assert!(ec2.is_some_and(|n| n > 10));
    }
}
