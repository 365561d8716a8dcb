//! omroep's behaviour from outside: one integration binary, one module per subject.
//! The modules live in `cases/` so that cargo does not build each as a test of its own.

#[path = "cases/fetch.rs"]
mod fetch;
#[path = "cases/ingest.rs"]
mod ingest;
#[path = "cases/sources.rs"]
mod sources;
mod support;
#[path = "cases/validate_online.rs"]
mod validate_online;
