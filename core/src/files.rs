//! Writing output files so that a failure leaves nothing that looks finished: everything is
//! written to `NAME.partial` and renamed when complete.

use std::fs::File;
use std::io::Write;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

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
