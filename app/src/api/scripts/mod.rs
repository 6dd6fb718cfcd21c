//! Scripts run on a machine over SSH (post-deploy scripts too): start one,
//! list them, read one, and follow one as it runs (streamed like a
//! command). Each function is a thin door onto `service::scripts`.

mod follow_script;
mod get_script_run;
mod list_scripts;
mod start_script;

pub use follow_script::*;
pub use get_script_run::*;
pub use list_scripts::*;
pub use start_script::*;

use domain::shell::ScriptRunSummary;
use serde::{Deserialize, Serialize};

/// A run and its output so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptRunRead {
    /// The run.
    pub run: ScriptRunSummary,
    /// stdout and stderr as they interleaved.
    pub output: String,
}
