//! The one error of cosctl: a message that becomes one line on stderr.

use std::fmt;
use std::io;
use std::path::Path;
use std::process::ExitCode;

/// Why a command failed, as one line of text.
#[derive(Debug)]
pub(crate) struct Fail {
    message: String,
    /// Stdout was closed by its reader (`cosctl ls | head`): end quietly.
    broken_pipe: bool,
}

/// The result of a command.
pub(crate) type Result<T = (), E = Fail> = std::result::Result<T, E>;

impl Fail {
    /// A failure with this message.
    pub(crate) fn new(message: impl fmt::Display) -> Fail {
        Fail {
            message: message.to_string(),
            broken_pipe: false,
        }
    }

    /// An I/O error on `path`.
    pub(crate) fn io(path: &Path, e: &io::Error) -> Fail {
        Fail::new(format!("{}: {}", path.display(), io_text(e)))
    }

    /// A failure writing to stdout.
    pub(crate) fn stdout(e: &io::Error) -> Fail {
        Fail {
            message: format!("writing to stdout: {}", io_text(e)),
            broken_pipe: e.kind() == io::ErrorKind::BrokenPipe,
        }
    }

    /// The message.
    pub(crate) fn message(&self) -> &str {
        &self.message
    }

    /// Prefixes the message with what was being done.
    pub(crate) fn context(self, what: impl fmt::Display) -> Fail {
        Fail {
            message: format!("{what}: {}", self.message),
            ..self
        }
    }

    /// Prints `cosctl: MESSAGE` (on one line) and gives the exit status.
    pub(crate) fn report(self) -> ExitCode {
        if self.broken_pipe {
            return ExitCode::SUCCESS;
        }
        eprintln!("cosctl: {}", one_line(&self.message));
        ExitCode::FAILURE
    }
}

impl From<cos_blocking::Error> for Fail {
    fn from(e: cos_blocking::Error) -> Fail {
        Fail::new(e)
    }
}

/// An I/O error's text without the `(os error N)` suffix.
fn io_text(e: &io::Error) -> String {
    let text = e.to_string();
    match text.rfind(" (os error") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

/// The message with line breaks and runs of spaces made single spaces.
fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_become_one_line() {
        assert_eq!(one_line("a\nb\r\n  c\td "), "a b c d");
    }

    #[test]
    fn io_errors_name_the_path_without_the_os_code() {
        let e = io::Error::from_raw_os_error(2);
        let fail = Fail::io(Path::new("/x/y"), &e);
        assert_eq!(fail.message, "/x/y: No such file or directory");
    }
}
