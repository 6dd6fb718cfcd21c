//! Overcast tags on EC2 instances: `key` or `key=value` labels, kept as EC2
//! tags by `CreateTags`/`DeleteTags`. The `Name` tag is the machine's name
//! and `aws:` tags belong to AWS: `set_tags` neither sets nor removes them.

use std::collections::BTreeMap;

use super::client::{list_param, Api, Params};
use super::convert::{self, tag_pair, NAME_TAG};
use super::xml::{self, items};
use crate::error::DriverError;

/// Whether `set_tags` leaves this tag key alone.
fn reserved(key: &str) -> bool {
    key == NAME_TAG || key.starts_with("aws:")
}

/// Checks labels and turns them into `key → value`.
pub(crate) fn wanted(labels: &[String]) -> Result<BTreeMap<&str, &str>, DriverError> {
    let mut out = BTreeMap::new();
    for label in labels {
        let (key, value) = tag_pair(label);
        let refuse = |why: &str| DriverError::InvalidRequest(format!("tag {label:?}: {why}"));
        if key.trim().is_empty() || key.chars().count() > 128 || value.chars().count() > 256 {
            return Err(refuse(
                "EC2 tag keys are 1 to 128 characters, values at most 256",
            ));
        }
        if reserved(key) {
            return Err(refuse(
                "`Name` is the machine's name and `aws:` keys belong to AWS",
            ));
        }
        if out.insert(key, value).is_some() {
            return Err(refuse("the same key is given twice"));
        }
    }
    Ok(out)
}

/// The instance's current tags, `NotFound` if EC2 does not list it.
async fn current(api: &Api, id: &str) -> Result<Vec<(String, String)>, DriverError> {
    let mut params = Params::new();
    list_param(&mut params, "InstanceId", &[id]);
    let body = api.call("DescribeInstances", &params).await?;
    let doc = xml::parse(&body)?;
    let instance = items(doc.root_element(), "reservationSet")
        .flat_map(|r| items(r, "instancesSet"))
        .find(|i| xml::text(*i, "instanceId") == Some(id));
    match instance {
        Some(i) => Ok(convert::tags(i)),
        None => Err(DriverError::NotFound(format!("no instance {id:?}"))),
    }
}

/// Makes `labels` the instance's tags (reserved keys aside).
pub(crate) async fn set(api: &Api, id: &str, labels: &[String]) -> Result<(), DriverError> {
    let wanted = wanted(labels)?;
    let have: BTreeMap<String, String> = current(api, id)
        .await?
        .into_iter()
        .filter(|(k, _)| !reserved(k))
        .collect();
    let create: Vec<(&str, &str)> = wanted
        .iter()
        .filter(|(k, v)| have.get(**k).map(String::as_str) != Some(**v))
        .map(|(k, v)| (*k, *v))
        .collect();
    let delete: Vec<&str> = have
        .keys()
        .map(String::as_str)
        .filter(|k| !wanted.contains_key(k))
        .collect();
    if !create.is_empty() {
        let mut params = Params::new();
        list_param(&mut params, "ResourceId", &[id]);
        for (n, (key, value)) in create.iter().enumerate() {
            params.push((format!("Tag.{}.Key", n + 1), (*key).to_owned()));
            params.push((format!("Tag.{}.Value", n + 1), (*value).to_owned()));
        }
        api.call("CreateTags", &params).await?;
    }
    if !delete.is_empty() {
        let mut params = Params::new();
        list_param(&mut params, "ResourceId", &[id]);
        for (n, key) in delete.iter().enumerate() {
            // No value: the tag goes whatever its value.
            params.push((format!("Tag.{}.Key", n + 1), (*key).to_owned()));
        }
        api.call("DeleteTags", &params).await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_become_key_value_pairs_and_reserved_keys_are_refused() {
        let labels = ["env=prod".to_owned(), "overcast".to_owned()];
        let w = wanted(&labels).unwrap();
        assert_eq!(w.get("env"), Some(&"prod"));
        assert_eq!(w.get("overcast"), Some(&""));
        for bad in ["Name=x", "aws:cloudformation=y", "=v"] {
            assert!(wanted(&[bad.to_owned()]).is_err(), "{bad}");
        }
        assert!(wanted(&["a=1".to_owned(), "a=2".to_owned()]).is_err());
    }
}
