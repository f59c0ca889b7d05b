//! What AWS receives, as plain values: the model, its rules, its exports.
//! Nothing here does I/O or knows about the web or the SDK.

pub mod advanced;
pub mod container;
pub mod defaults;
pub mod export;
pub mod fargate;
pub mod import;
mod nullable;
pub mod task_definition;
pub mod validate;
