//! Writing output files so that a failure leaves nothing that looks finished: everything is
//! written to `NAME.partial` and renamed when complete. And reading the text files that must be
//! UTF-8, so that other bytes are an error at their line rather than an I/O failure.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result, Rule};

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

/// Writes `bytes` to `path` by way of `path.partial`, synced and renamed when complete.
pub fn write_atomically(path: &Path, bytes: &[u8], private: bool) -> Result<()> {
    let name = path.display().to_string();
    let partial = partial_path(path);
    let written = create(&partial, private)
        .and_then(|mut file| file.write_all(bytes).and_then(|()| file.sync_all()))
        .and_then(|()| std::fs::rename(&partial, path));
    if let Err(e) = written {
        // Best effort: the partial file is incomplete by construction.
        let _ = std::fs::remove_file(&partial);
        return Err(Error::Io {
            file: name,
            source: e,
        });
    }
    Ok(())
}

/// Reads a text input that must be UTF-8 (a mapping, catalogue, criteria, filled work list,
/// verdict or result file). Bytes that are not UTF-8 are `encoding` at the line of the first
/// of them; an I/O failure is `io`.
pub fn read_text(path: &Path) -> Result<String> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| Error::io(&name, e))?;
    String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let line = 1 + valid.iter().filter(|&&b| b == b'\n').count() as u64;
        Error::input_detail(&name, line, Rule::Encoding, Some("the file must be UTF-8"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
