pub mod spec;
pub mod aws;
pub mod config;
pub mod store;
