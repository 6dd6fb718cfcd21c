//! Rebuilds the store when a migration is added or changed: `sqlx::migrate!`
//! reads the migration folders at compile time.
fn main() {
    println!("cargo:rerun-if-changed=../migrations");
}
