//! Backends (cloud accounts): the list, adding one (its credentials are
//! checked first), renaming, its default image, enabling and disabling,
//! deleting. Each
//! function is a thin door onto `service::backends`.

mod add_backend;
mod delete_backend;
mod get_catalogue;
mod get_wizard;
mod list_backend_rows;
mod list_backends;
mod rename_backend;
mod set_backend_enabled;
mod set_default_image;
#[cfg(any(feature = "ssr", test))]
pub mod wizard_defaults;

pub use add_backend::*;
pub use delete_backend::*;
pub use get_catalogue::*;
pub use get_wizard::*;
pub use list_backend_rows::*;
pub use list_backends::*;
pub use rename_backend::*;
pub use set_backend_enabled::*;
pub use set_default_image::*;
