//! `backend_sizes`: the sizes a backend's provider listed, replaced whole
//! by each listing, their prices read back per backend, gone with the
//! backend.

use std::collections::HashMap;

use store::Db;

use crate::{on_each_engine, rows::backend};

fn sizes(list: &[(&str, Option<f64>)]) -> Vec<(String, Option<f64>)> {
    list.iter().map(|(id, p)| ((*id).to_owned(), *p)).collect()
}

#[tokio::test]
async fn a_listing_replaces_the_sizes_and_only_priced_ones_are_read_back() {
    on_each_engine!(|db: &Db, engine: &str| {
        let (db, engine) = (db.clone(), engine.to_owned());
        async move {
            db.insert_backend(&backend("b1", "one"), &[]).await.unwrap();
            db.insert_backend(&backend("b2", "two"), &[]).await.unwrap();
            assert!(db.size_prices("b1").await.unwrap().is_empty(), "{engine}");

            let first = sizes(&[("small", Some(0.00744)), ("big", Some(5.0)), ("free", None)]);
            db.replace_sizes("b1", &first, 10).await.unwrap();
            db.replace_sizes("b2", &sizes(&[("small", Some(1.5))]), 10)
                .await
                .unwrap();
            let want = HashMap::from([("small".to_owned(), 0.00744), ("big".to_owned(), 5.0)]);
            assert_eq!(db.size_prices("b1").await.unwrap(), want, "{engine}");

            // The next listing replaces the last: a size gone or no longer
            // priced is no longer read; a size listed twice is kept once.
            let next = sizes(&[("small", None), ("huge", Some(2.25)), ("huge", Some(2.5))]);
            db.replace_sizes("b1", &next, 20).await.unwrap();
            let want = HashMap::from([("huge".to_owned(), 2.5)]);
            assert_eq!(db.size_prices("b1").await.unwrap(), want, "{engine}");
            let other = HashMap::from([("small".to_owned(), 1.5)]);
            assert_eq!(db.size_prices("b2").await.unwrap(), other, "{engine}");

            // Gone with their backend.
            assert!(db.delete_backend("b1").await.unwrap());
            assert!(db.size_prices("b1").await.unwrap().is_empty(), "{engine}");
            assert_eq!(db.size_prices("b2").await.unwrap(), other, "{engine}");
        }
    });
}
