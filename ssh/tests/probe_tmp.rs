#![allow(clippy::unwrap_used)]
use ssh::*;
use std::time::Instant;
#[test]
fn probe() {
    for _ in 0..6 {
        let t = Instant::now();
        KeyPair::generate(KeyAlgorithm::Rsa4096).unwrap();
        println!("rsa4096 {:?}", t.elapsed());
    }
}
