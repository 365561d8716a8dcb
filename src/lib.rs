//! omroep: publish and aggregate blogs and podcasts.
//!
//! Data flows one way: `ingest` (feeds, Markdown, audio) → `model` (the normalised feed,
//! also the `parse --json` contract) → store → render → publish. `normalise` holds the
//! rules every ingest path applies; `cli` turns arguments into checked settings and
//! `main.rs` maps results to exit codes. `parallel` spreads independent work (files,
//! feeds) over the cores without changing any result.

pub mod alloc;
pub mod apple_categories;
pub mod build;
pub mod cli;
pub mod commands;
pub mod config;
pub mod create;
pub mod diff;
pub mod ingest;
pub mod ledger;
pub mod model;
pub mod normalise;
pub mod parallel;
pub mod publish;
pub mod render;
pub mod report;
pub mod store;
#[cfg(test)]
pub(crate) mod test_random;
pub mod validate;
