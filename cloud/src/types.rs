//! Provider-neutral values every driver returns and accepts. They are
//! defined in `domain::compute` (the pages and stack templates use them too)
//! and re-exported here, so drivers name them as `cloud::...`.

pub use domain::compute::{
    Action, Capabilities, CreateMachine, Image, Location, Machine, MachineState, Offered,
    PublicKey, Size,
};
