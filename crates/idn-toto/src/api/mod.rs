//! The dynamic face of the core: endpoint ids and canonical JSON in and out,
//! for the CLI, the shared vectors and the language bindings.

pub mod dynamic;
