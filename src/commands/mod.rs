//! One module per command. Each turns its clap arguments into settings, calls the
//! pipeline, prints its report and returns the exit status.

pub mod build;
pub mod completions;
pub mod diff;
pub mod import;
pub mod ingest;
pub mod init;
pub mod move_feed;
pub mod new;
pub mod parse;
pub mod run;
pub mod sources;
pub mod validate;

/// The exit status of a command: see `--help`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Everything succeeded.
    Success,
    /// The run finished, but some sources or outputs failed.
    Partial,
    /// Bad arguments, configuration or store.
    Fatal,
    /// Another run holds the store's lock.
    Locked,
}

impl Status {
    pub fn code(self) -> i32 {
        match self {
            Status::Success => 0,
            Status::Partial => 1,
            Status::Fatal => 2,
            Status::Locked => 3,
        }
    }

    /// The status for an error that ended a command.
    pub fn of_error(error: &anyhow::Error) -> Status {
        let locked = error.chain().any(|cause| {
            matches!(
                cause.downcast_ref::<crate::store::lock::LockError>(),
                Some(crate::store::lock::LockError::Busy { .. })
            )
        });
        if locked {
            Status::Locked
        } else {
            Status::Fatal
        }
    }
}
