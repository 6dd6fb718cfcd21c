//! Resource names as role statements write them: `key/<name>`,
//! `backend/<id>`, `backend/<id>/machine/<id>`, `stack/<id>`. One place builds them, so
//! a statement such as `backend/b1/machine/*` means the same everywhere.

/// An SSH key, by name.
pub fn key(name: &str) -> String {
    format!("key/{name}")
}

/// A cloud account.
pub fn backend(id: &str) -> String {
    format!("backend/{id}")
}

/// A stack (its versions, journal, events and agents are the stack's).
pub fn stack(id: &str) -> String {
    format!("stack/{id}")
}

/// A machine of a cloud account.
pub fn machine(backend_id: &str, machine_id: &str) -> String {
    format!("backend/{backend_id}/machine/{machine_id}")
}
