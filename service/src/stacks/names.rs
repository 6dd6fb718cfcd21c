//! Stack nicknames: three random words, unique among live stacks.

use domain::ErrorKind;

use crate::{internal, Services};

const ADJECTIVES: &[&str] = &[
    "amber", "brave", "calm", "dusty", "eager", "fancy", "gentle", "happy", "icy", "jolly", "kind",
    "lucky", "merry", "nimble", "odd", "proud", "quiet", "rapid", "silent", "tidy", "urban",
    "vivid", "warm", "young", "zesty", "bold", "crisp", "deep", "early", "fair",
];
const COLOURS: &[&str] = &[
    "red", "blue", "green", "olive", "teal", "coral", "ivory", "azure", "lilac", "ochre", "plum",
    "sand", "slate", "rust", "mint", "pearl", "amber", "cobalt", "jade", "ruby",
];
const NOUNS: &[&str] = &[
    "otter", "falcon", "maple", "river", "comet", "harbor", "meadow", "pine", "badger", "lynx",
    "heron", "canyon", "glacier", "willow", "ember", "tiger", "orchid", "raven", "summit", "tide",
    "cedar", "dune", "fjord", "koala", "lotus", "marsh", "nebula", "oak", "panda", "quartz",
];

fn pick<'a>(words: &[&'a str], random: u32) -> &'a str {
    words[random as usize % words.len()]
}

/// Three random words (`brave-teal-otter`).
pub fn random() -> String {
    let bytes = *uuid::Uuid::new_v4().as_bytes();
    let r = |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    format!(
        "{}-{}-{}",
        pick(ADJECTIVES, r(0)),
        pick(COLOURS, r(4)),
        pick(NOUNS, r(8))
    )
}

/// A nickname no live stack has (the store refuses a duplicate anyway).
pub async fn unused(services: &Services) -> Result<String, ErrorKind> {
    for _ in 0..20 {
        let name = random();
        if !services
            .db
            .stack_nickname_taken(&name)
            .await
            .map_err(internal)?
        {
            return Ok(name);
        }
    }
    Ok(format!(
        "{}-{}",
        random(),
        &uuid::Uuid::new_v4().simple().to_string()[..4]
    ))
}
