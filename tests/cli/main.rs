//! CLI behaviour of `omroep`: one integration binary, one module per command. Every test
//! runs the real binary (in a temporary site where it needs one) and asserts the whole
//! standard output, the whole standard error and the exit status.

mod build;
mod config;
mod diff;
mod examples;
mod fetch_flags;
mod global;
mod import;
mod init;
mod ledger;
mod move_feed;
mod new;
mod parse;
mod run;
mod site_env;
mod support;
mod validate;
mod validate_podcast;
mod walkthrough;
