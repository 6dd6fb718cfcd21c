//! Creating several machines of one kind at once: `web`, `web-2`, `web-3`…,
//! each through [`super::create`], one after the other.

use domain::{resource, ErrorKind};

use super::{create, CreatedMachine, NewMachine};
use crate::{authz, Actor, Services};

/// The most machines one request creates.
pub const MAX_COUNT: u32 = 20;

/// Reads a count as a door was given it: empty means one; otherwise a
/// whole number from 1 to [`MAX_COUNT`].
pub fn parse_count(text: &str) -> Result<u32, ErrorKind> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(1);
    }
    match text.parse::<u32>() {
        Ok(n) if (1..=MAX_COUNT).contains(&n) => Ok(n),
        _ => Err(ErrorKind::invalid(
            "count",
            format!("must be a whole number from 1 to {MAX_COUNT}"),
        )),
    }
}

/// The names of `count` machines called `name`: the first keeps it, the
/// others add `-2`, `-3`…
pub fn names(name: &str, count: u32) -> Vec<String> {
    let name = name.trim();
    (1..=count)
        .map(|i| {
            if i == 1 {
                name.to_owned()
            } else {
                format!("{name}-{i}")
            }
        })
        .collect()
}

/// Creates `count` machines like `new` (`count` as [`parse_count`] reads
/// it; see [`names`]), one after the other, each as [`create`] does
/// (authorised, validated, recorded, its script started). A caller who
/// may not create machines there hears so before any complaint about the
/// count. The first one's refusal is returned as it is, so a form shows it
/// beside its field; a later failure says which machines were made before
/// it.
pub async fn create_many(
    services: &Services,
    actor: &Actor,
    backend_id: &str,
    new: &NewMachine,
    count: &str,
) -> Result<Vec<CreatedMachine>, ErrorKind> {
    let machines_of_backend = format!("{}/machine/*", resource::backend(backend_id));
    authz::authorize(actor, "create:machine", &machines_of_backend)?;
    let count = parse_count(count)?;
    let mut created = Vec::new();
    for name in names(&new.name, count) {
        let one = NewMachine {
            name: name.clone(),
            ..new.clone()
        };
        match create(services, actor, backend_id, &one).await {
            Ok(machine) => created.push(machine),
            Err(e) if created.is_empty() => return Err(e),
            Err(e) => {
                let made: Vec<&str> = created.iter().map(|c| c.machine.name.as_str()).collect();
                return Err(ErrorKind::Upstream {
                    message: format!("{} created; {name} was not: {e}", made.join(", ")),
                });
            }
        }
    }
    Ok(created)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_count_from_the_second() {
        assert_eq!(names(" web ", 3), ["web", "web-2", "web-3"]);
        assert_eq!(names("db", 1), ["db"]);
    }

    #[test]
    fn counts_are_one_to_twenty() {
        assert_eq!(parse_count(""), Ok(1));
        assert_eq!(parse_count(" 20 "), Ok(20));
        for bad in ["0", "21", "-1", "two", "1.5"] {
            assert_eq!(
                parse_count(bad).unwrap_err().field(),
                Some("count"),
                "{bad}"
            );
        }
    }
}
