//! Backends (cloud accounts): the list, adding one (its credentials are
//! checked first), renaming, its default image, enabling and disabling,
//! deleting. Each
//! function is a thin door onto `service::backends`.

mod add_backend;
mod delete_backend;
mod get_catalogue;
mod list_backends;
mod rename_backend;
mod set_backend_enabled;
mod set_default_image;

pub use add_backend::*;
pub use delete_backend::*;
pub use get_catalogue::*;
pub use list_backends::*;
pub use rename_backend::*;
pub use set_backend_enabled::*;
pub use set_default_image::*;
