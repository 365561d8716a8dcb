//! CLI behaviour: the built `omroep` binary run as a user runs it, asserting whole
//! standard output, standard error and exit status. One module per command.

mod parse;
mod support;
