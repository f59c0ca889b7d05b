//! Every integration test, one module per file beside this one, in one
//! binary: each file was its own binary, linking the AWS SDK again (38 links,
//! the most of a test build's time and disk). Run one file's tests with
//! `cargo test --test integration fuzz::`.

mod common;

mod access;
mod account_reads;
mod api_model;
mod audit;
mod browser;
mod changes;
mod checkov;
mod domain;
mod emulator;
mod estimates;
mod forms;
mod fuzz;
mod getting_started;
mod hardening;
mod iam_policy;
mod interrupted;
mod layers;
mod migration;
mod oidc;
mod preflight;
mod preview;
mod quick_start;
mod reviewed;
mod revisions;
mod security;
mod service_charts;
mod service_page;
mod service_page_replay;
mod service_plan;
mod service_wizard;
mod serving;
mod shared_store;
mod sign_in;
mod store_contract;
mod store_postgres;
mod strategies;
mod wizard;
