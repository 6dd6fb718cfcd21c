//! The neutral rules every driver applies the same way, written once: which
//! images a search finds ([`filter_images`]), and one entry per id in a
//! list read in pages or merged from several ([`dedupe_by_id`]).

use std::collections::HashMap;

use serde_json::Value;

use crate::types::{Image, Location, Machine, Size};

/// A search as drivers read it: trimmed, and `None` when absent or blank
/// (a blank search is the default list).
pub fn search_term(search: Option<&str>) -> Option<&str> {
    search.map(str::trim).filter(|t| !t.is_empty())
}

/// Whether `term` finds `image`: its id, name, OS or slug (`extra.slug`,
/// where the provider has one) contains it, whatever the case.
pub fn image_matches(image: &Image, term: &str) -> bool {
    let term = term.trim().to_lowercase();
    let slug = image.extra.get("slug").and_then(Value::as_str);
    [
        Some(image.id.as_str()),
        Some(image.name.as_str()),
        image.os.as_deref(),
        slug,
    ]
    .into_iter()
    .flatten()
    .any(|field| field.to_lowercase().contains(&term))
}

/// The images of `images` that `search` finds ([`image_matches`]); all of
/// them without a search.
pub fn filter_images(images: Vec<Image>, search: Option<&str>) -> Vec<Image> {
    match search_term(search) {
        Some(term) => images
            .into_iter()
            .filter(|i| image_matches(i, term))
            .collect(),
        None => images,
    }
}

/// A listed value with the provider's id for it.
pub trait Identified {
    /// The provider's id.
    fn id(&self) -> &str;
}

macro_rules! identified {
    ($($t:ty),*) => {
        $(impl Identified for $t {
            fn id(&self) -> &str {
                &self.id
            }
        })*
    };
}

identified!(Machine, Size, Image, Location);

/// One item per id, the last one seen in the place of the first: offset
/// pages shift when machines come and go during a listing, so the later
/// copy is the fresher.
pub fn dedupe_by_id<T: Identified>(items: Vec<T>) -> Vec<T> {
    let mut at: HashMap<String, usize> = HashMap::with_capacity(items.len());
    let mut out: Vec<T> = Vec::with_capacity(items.len());
    for item in items {
        match at.get(item.id()) {
            Some(&i) => out[i] = item,
            None => {
                at.insert(item.id().to_owned(), out.len());
                out.push(item);
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn image(id: &str, name: &str, os: Option<&str>, extra: Value) -> Image {
        Image {
            id: id.into(),
            name: name.into(),
            os: os.map(str::to_owned),
            public: true,
            extra,
        }
    }

    #[test]
    fn a_search_finds_the_id_name_os_or_slug_in_any_case() {
        let images = vec![
            image("1", "Ubuntu 24.04", None, json!({})),
            image("linode/debian12", "Bookworm", None, json!({})),
            image("3", "Server", Some("Windows"), json!({})),
            image("4", "App", None, json!({ "slug": "docker-20-04" })),
        ];
        let found = |term| {
            let found = filter_images(images.clone(), Some(term));
            found.into_iter().map(|i| i.id).collect::<Vec<_>>()
        };
        assert_eq!(found("  uBuNtU "), ["1"]);
        assert_eq!(found("DEBIAN"), ["linode/debian12"]);
        assert_eq!(found("windows"), ["3"]);
        assert_eq!(found("Docker"), ["4"]);
        assert!(found("plan9").is_empty());
        assert_eq!(filter_images(images.clone(), Some("  ")).len(), 4);
        assert_eq!(filter_images(images, None).len(), 4);
        assert_eq!(search_term(Some(" x ")), Some("x"));
    }

    #[test]
    fn duplicates_keep_the_first_place_and_the_last_copy() {
        let images = vec![
            image("a", "first a", None, json!({})),
            image("b", "b", None, json!({})),
            image("a", "last a", None, json!({})),
        ];
        let kept = dedupe_by_id(images);
        let kept: Vec<_> = kept.iter().map(|i| (i.id(), i.name.as_str())).collect();
        assert_eq!(kept, [("a", "last a"), ("b", "b")]);
    }
}
