//! Where a step reads an input from: a file, or bytes in memory with a name for errors. Every
//! step takes its inputs in this one form, so that the file form and the in-memory form of a
//! step (spec §18) are the same code.

use std::io::{BufReader, Cursor, Read, Seek};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::SystemTime;

use crate::error::{Error, Result, Rule};
use crate::files::kind::{self, Kind};
use crate::files::outputs::settle;

/// An input of a step.
#[derive(Clone, Debug)]
pub enum Input {
    /// A file, named in errors as its path is displayed.
    Path(PathBuf),
    /// Bytes in memory (a file picked in a browser, a column of a data frame), named in errors
    /// by `name`.
    Bytes {
        /// The name errors use.
        name: String,
        /// The bytes.
        bytes: Arc<[u8]>,
    },
}

/// A reader that can also seek (the match reads a publication twice).
pub(crate) trait ReadSeek: Read + Seek + Send {}
impl<T: Read + Seek + Send> ReadSeek for T {}

impl Input {
    /// A file.
    pub fn path(path: impl Into<PathBuf>) -> Input {
        Input::Path(path.into())
    }

    /// Bytes in memory, named `name` in errors.
    pub fn bytes(name: impl Into<String>, bytes: impl Into<Arc<[u8]>>) -> Input {
        Input::Bytes {
            name: name.into(),
            bytes: bytes.into(),
        }
    }

    /// The name errors use.
    pub fn name(&self) -> String {
        match self {
            Input::Path(path) => path.display().to_string(),
            Input::Bytes { name, .. } => name.clone(),
        }
    }

    /// The file, first finishing any step whose outputs there were left half committed
    /// (spec §18.3), so that an input is never read in between.
    fn settled(path: &Path) -> Result<&Path> {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        settle(dir.unwrap_or(Path::new(".")))?;
        Ok(path)
    }

    /// A buffered reader over the whole input.
    pub fn reader(&self) -> Result<Box<dyn Read + Send>> {
        match self {
            Input::Path(path) => {
                let file = std::fs::File::open(Input::settled(path)?)
                    .map_err(|e| Error::io(&self.name(), e))?;
                Ok(Box::new(BufReader::with_capacity(1 << 16, file)))
            }
            Input::Bytes { bytes, .. } => Ok(Box::new(Cursor::new(Arc::clone(bytes)))),
        }
    }

    /// A reader that can seek, unbuffered (the caller buffers as it needs).
    pub(crate) fn seekable(&self) -> Result<Box<dyn ReadSeek + '_>> {
        match self {
            Input::Path(path) => {
                let file = std::fs::File::open(Input::settled(path)?)
                    .map_err(|e| Error::io(&self.name(), e))?;
                Ok(Box::new(file))
            }
            Input::Bytes { bytes, .. } => Ok(Box::new(Cursor::new(&bytes[..]))),
        }
    }

    /// The whole input's bytes.
    pub fn read(&self) -> Result<Arc<[u8]>> {
        match self {
            Input::Path(path) => std::fs::read(Input::settled(path)?)
                .map(Arc::from)
                .map_err(|e| Error::io(&self.name(), e)),
            Input::Bytes { bytes, .. } => Ok(Arc::clone(bytes)),
        }
    }

    /// The input as text that must be UTF-8 (a mapping, catalogue, criteria, filled work list,
    /// verdict or result file): other bytes are `encoding` at the line of the first of them.
    pub fn text(&self) -> Result<String> {
        utf8(&self.read()?, &self.name())
    }

    /// As [`Input::text`], for an input asked for as a file of kind `expected`: a file
    /// recognisably of another kind is `wrong-file-kind` before its bytes are judged as text.
    pub fn text_of(&self, expected: Kind) -> Result<String> {
        let bytes = self.read()?;
        kind::expect(&bytes, expected, &self.name())?;
        utf8(&bytes, &self.name())
    }

    /// The whole input's bytes, for an input asked for as a file of kind `expected`: a file
    /// recognisably of another kind is `wrong-file-kind`.
    pub fn read_of(&self, expected: Kind) -> Result<Arc<[u8]>> {
        let bytes = self.read()?;
        kind::expect(&bytes, expected, &self.name())?;
        Ok(bytes)
    }

    /// Checks the first bytes of an input that is read as a stream (an export): a file
    /// recognisably of another kind than `expected` is `wrong-file-kind`.
    pub fn expect_kind(&self, expected: Kind) -> Result<()> {
        let mut start = Vec::with_capacity(kind::SNIFF_LEN);
        self.reader()?
            .take(kind::SNIFF_LEN as u64)
            .read_to_end(&mut start)
            .map_err(|e| Error::io(&self.name(), e))?;
        kind::expect(&start, expected, &self.name())
    }

    /// The input as text that a spreadsheet may have saved: UTF-8 with or without a
    /// byte-order mark, or Windows-1252.
    pub fn spreadsheet_text(&self) -> Result<String> {
        crate::formats::encoding::spreadsheet_text(&self.read()?, &self.name())
    }

    /// As [`Input::spreadsheet_text`], for an input asked for as a file of kind `expected`
    /// (a filled work list): a file recognisably of another kind is `wrong-file-kind`.
    pub fn spreadsheet_text_of(&self, expected: Kind) -> Result<String> {
        let bytes = self.read_of(expected)?;
        crate::formats::encoding::spreadsheet_text(&bytes, &self.name())
    }

    /// The input's length in bytes.
    pub(crate) fn len(&self) -> Result<u64> {
        match self {
            Input::Path(path) => std::fs::metadata(path)
                .map(|m| m.len())
                .map_err(|e| Error::io(&self.name(), e)),
            Input::Bytes { bytes, .. } => Ok(bytes.len() as u64),
        }
    }

    /// What identifies this version of the input cheaply: a file's length and modification
    /// time (bytes in memory cannot change).
    pub(crate) fn version(&self) -> Result<Option<(u64, SystemTime)>> {
        match self {
            Input::Path(path) => {
                let metadata = std::fs::metadata(path).map_err(|e| Error::io(&self.name(), e))?;
                Ok(metadata
                    .modified()
                    .ok()
                    .map(|modified| (metadata.len(), modified)))
            }
            Input::Bytes { .. } => Ok(None),
        }
    }
}

impl From<&Path> for Input {
    fn from(path: &Path) -> Input {
        Input::path(path)
    }
}

impl From<PathBuf> for Input {
    fn from(path: PathBuf) -> Input {
        Input::Path(path)
    }
}

/// `bytes` as UTF-8 text, or `encoding` at the line of the first byte that is not.
pub(crate) fn utf8(bytes: &[u8], name: &str) -> Result<String> {
    match std::str::from_utf8(bytes) {
        Ok(text) => Ok(text.to_owned()),
        Err(e) => {
            let valid = &bytes[..e.valid_up_to()];
            let line = 1 + valid.iter().filter(|&&b| b == b'\n').count() as u64;
            Err(Error::input_detail(
                name,
                line,
                Rule::Encoding,
                Some("the file must be UTF-8"),
            ))
        }
    }
}
