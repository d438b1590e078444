//! Files: where a step's inputs come from ([`Input`]) and how its outputs are written
//! ([`outputs`]): to `NAME.partial` beside where they go, renamed when complete and committed
//! as one, so that a failure leaves nothing that looks finished. And reading the text files
//! that must be UTF-8, so that other bytes are an error at their line rather than an I/O
//! failure. And telling what kind of file some bytes are ([`kind`]), so that a file given in
//! the wrong place is named for what it is.

pub(crate) mod input;
pub mod kind;
pub mod outputs;

pub use input::Input;
pub(crate) use input::ReadSeek;
pub use outputs::{Made, OutputKind, Place, settle};

use std::fs::File;
use std::path::{Path, PathBuf};

use crate::error::Result;

/// Creates (or truncates) a file that, when `private`, only its owner may read and write.
pub fn create(path: &Path, private: bool) -> std::io::Result<File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(if private { 0o600 } else { 0o644 });
    }
    #[cfg(not(unix))]
    let _ = private;
    options.open(path)
}

/// The partial file beside `path`.
pub fn partial_path(path: &Path) -> PathBuf {
    let mut partial = PathBuf::from(path);
    partial.as_mut_os_string().push(".partial");
    partial
}

/// Reads a text input that must be UTF-8 (a mapping, catalogue, criteria, filled work list,
/// verdict or result file). Bytes that are not UTF-8 are `encoding` at the line of the first
/// of them; an I/O failure is `io`.
pub fn read_text(path: &Path) -> Result<String> {
    Input::path(path).text()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Rule;

    #[test]
    fn text_that_is_not_utf8_is_an_encoding_error_at_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("criteria.toml");
        std::fs::write(
            &path,
            b"format = \"samkoer-criteria\"\nversion = 1\n# S\xf8ren\n",
        )
        .unwrap();
        let error = read_text(&path).unwrap_err();
        assert_eq!(error.rule(), Some(Rule::Encoding));
        assert!(error.to_string().contains(", line 3: "), "{error}");
        std::fs::write(&path, "# Søren\n").unwrap();
        assert_eq!(read_text(&path).unwrap(), "# Søren\n");
    }
}
