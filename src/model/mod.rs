//! What AWS receives, as plain values: the model, its rules, its exports.
//! Nothing here does I/O or knows about the web or the SDK.

pub mod access;
pub mod account;
pub mod advanced;
pub mod api_call;
pub mod audit;
pub mod certificate;
pub mod change;
pub mod chart;
pub mod cluster;
pub mod common;
pub mod container;
pub mod defaults;
pub mod domain;
pub mod draft_changes;
pub mod export;
pub mod fargate;
pub mod hcl;
pub mod import;
pub mod issue;
pub mod limits;
pub mod load_balancing;
pub mod log_group;
pub mod network;
mod nullable;
pub mod operation;
pub mod permissions;
pub mod repository;
pub mod resource;
pub mod revision;
pub mod revision_diff;
pub mod role;
pub mod scanner;
pub mod service;
pub mod task_definition;
pub mod validate;
pub mod wait;
