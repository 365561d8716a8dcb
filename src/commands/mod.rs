//! One module per command. Each turns its clap arguments into settings, calls the
//! pipeline, prints its report and returns the exit status.

pub mod build;
pub mod init;
pub mod parse;
pub mod run;

/// The exit status of a command: see `--help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything succeeded.
    Success,
    /// The run finished, but some sources or outputs failed.
    Partial,
    /// Bad arguments, configuration or store.
    Fatal,
}

impl Status {
    pub fn code(self) -> i32 {
        match self {
            Status::Success => 0,
            Status::Partial => 1,
            Status::Fatal => 2,
        }
    }
}
