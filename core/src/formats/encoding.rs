//! Encodings of the files people make. A work list as a spreadsheet saves it (spec §13.2) is
//! UTF-8 or else Windows-1252, read whole. An export is read as a stream, its encoding told from
//! its bytes (spec §8.1): UTF-8 while the bytes are UTF-8,
//! Windows-1252 from the first byte that is not — provided nothing before it was other than
//! ASCII, which both encodings read alike, so no byte already handed on is read differently.
//! A file that holds both real UTF-8 and bytes that are not is neither: it is passed on as it
//! is, and its bad fields break the `encoding` rule as in a UTF-8 file.

use crate::error::Result;
#[cfg(feature = "windows-1252")]
use std::cell::Cell;
#[cfg(feature = "windows-1252")]
use std::io::Read;
#[cfg(feature = "windows-1252")]
use std::rc::Rc;

/// The text of a file as a spreadsheet or an editor saves it (a work list, spec §13.2): UTF-8
/// with or without a byte-order mark, or else Windows-1252 (what Danish Excel's "CSV
/// (semikolonsepareret)" writes). A build without the `windows-1252` feature reads UTF-8 only.
pub(crate) fn spreadsheet_text(bytes: &[u8], name: &str) -> Result<String> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    #[cfg(feature = "windows-1252")]
    if std::str::from_utf8(bytes).is_err() {
        let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
        return Ok(text.into_owned());
    }
    crate::files::input::utf8(bytes, name)
}

/// The encoding a file was read in.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum UsedEncoding {
    /// UTF-8 without a byte-order mark (every ASCII file is this).
    #[default]
    Utf8,
    /// UTF-8 with a byte-order mark (told by the header line's reader).
    Utf8Bom,
    /// Windows-1252.
    Windows1252,
}

impl UsedEncoding {
    /// The name in accounting reports.
    pub fn name(self) -> &'static str {
        match self {
            UsedEncoding::Utf8 => "utf-8",
            UsedEncoding::Utf8Bom => "utf-8-bom",
            UsedEncoding::Windows1252 => "windows-1252",
        }
    }
}

#[cfg(feature = "windows-1252")]
/// How much is read from the input at a time.
const CHUNK: usize = 1 << 16;

#[cfg(feature = "windows-1252")]
/// A reader that passes UTF-8 on and turns to decoding Windows-1252 as described above; the
/// encoding it settled on is in `used` (final once the input is read to its end).
pub(crate) struct Detecting<R> {
    inner: R,
    used: Rc<Cell<UsedEncoding>>,
    /// Whether a byte other than ASCII has been passed on as UTF-8.
    seen_utf8: bool,
    /// Decoding Windows-1252, once turned to it.
    windows_1252: Option<encoding_rs::Decoder>,
    /// The last bytes of a read when they began a UTF-8 sequence the next read may finish.
    carry: Vec<u8>,
    /// What is ready to be handed on, from `ready_from`.
    ready: Vec<u8>,
    ready_from: usize,
    at_end: bool,
    /// Whether anything has been read.
    started: bool,
}

#[cfg(feature = "windows-1252")]
impl<R: Read> Detecting<R> {
    pub(crate) fn new(inner: R, used: Rc<Cell<UsedEncoding>>) -> Detecting<R> {
        Detecting {
            inner,
            used,
            seen_utf8: false,
            windows_1252: None,
            carry: Vec::new(),
            ready: Vec::new(),
            ready_from: 0,
            at_end: false,
            started: false,
        }
    }

    /// Reads the next chunk and makes it ready.
    fn fill(&mut self) -> std::io::Result<()> {
        let mut chunk = std::mem::take(&mut self.carry);
        let start = chunk.len();
        chunk.resize(start + CHUNK, 0);
        let read = loop {
            match self.inner.read(&mut chunk[start..]) {
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                other => break other?,
            }
        };
        chunk.truncate(start + read);
        self.at_end = read == 0;
        self.ready.clear();
        self.ready_from = 0;
        if !self.started {
            if chunk.len() < 2 && !self.at_end {
                self.carry = chunk;
                return Ok(());
            }
            self.started = true;
            // A UTF-16 byte-order mark: passed on as it is, for the header's check to name.
            self.seen_utf8 = chunk.starts_with(b"\xFF\xFE") || chunk.starts_with(b"\xFE\xFF");
        }
        if let Some(decoder) = &mut self.windows_1252 {
            decode_1252(decoder, &chunk, self.at_end, &mut self.ready);
            return Ok(());
        }
        let valid = match std::str::from_utf8(&chunk) {
            Ok(_) => chunk.len(),
            // A sequence cut by the end of this read: keep it for the next.
            Err(e) if e.error_len().is_none() && !self.at_end => {
                self.carry = chunk[e.valid_up_to()..].to_vec();
                e.valid_up_to()
            }
            Err(e) => {
                let valid = e.valid_up_to();
                if !self.seen_utf8 && chunk[..valid].is_ascii() {
                    // All before this byte was ASCII: the file is Windows-1252.
                    let mut decoder = encoding_rs::WINDOWS_1252.new_decoder_without_bom_handling();
                    self.ready.extend_from_slice(&chunk[..valid]);
                    decode_1252(&mut decoder, &chunk[valid..], self.at_end, &mut self.ready);
                    self.windows_1252 = Some(decoder);
                    self.used.set(UsedEncoding::Windows1252);
                    return Ok(());
                }
                // Both real UTF-8 and bytes that are not: passed on for the fields to refuse.
                chunk.len()
            }
        };
        self.seen_utf8 |= !chunk[..valid].is_ascii();
        chunk.truncate(valid);
        self.ready = chunk;
        Ok(())
    }
}

#[cfg(feature = "windows-1252")]
/// Appends `bytes` decoded from Windows-1252 (every byte maps to a character) to `out`.
fn decode_1252(decoder: &mut encoding_rs::Decoder, bytes: &[u8], last: bool, out: &mut Vec<u8>) {
    let start = out.len();
    let most = decoder
        .max_utf8_buffer_length(bytes.len())
        .unwrap_or(bytes.len() * 3);
    out.resize(start + most, 0);
    let (_, _, written, _) = decoder.decode_to_utf8(bytes, &mut out[start..], last);
    out.truncate(start + written);
}

#[cfg(feature = "windows-1252")]
impl<R: Read> Read for Detecting<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.ready_from == self.ready.len() {
            if self.at_end {
                return Ok(0);
            }
            self.fill()?;
        }
        let n = buf.len().min(self.ready.len() - self.ready_from);
        buf[..n].copy_from_slice(&self.ready[self.ready_from..self.ready_from + n]);
        self.ready_from += n;
        Ok(n)
    }
}

#[cfg(test)] // a cfg of its own, so that mutation testing leaves the tests alone
#[cfg(feature = "windows-1252")]
mod tests {
    use super::*;

    /// Reads `bytes` through the detector, `step` bytes a read from the input at most.
    fn detect(bytes: &[u8], step: usize) -> (Vec<u8>, UsedEncoding) {
        struct Trickle<'a>(&'a [u8], usize);
        impl Read for Trickle<'_> {
            fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
                let n = self.0.len().min(self.1).min(buf.len());
                buf[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let used = Rc::new(Cell::new(UsedEncoding::Utf8));
        let mut out = Vec::new();
        Detecting::new(Trickle(bytes, step), Rc::clone(&used))
            .read_to_end(&mut out)
            .unwrap_or_default();
        (out, used.get())
    }

    #[test]
    fn utf8_passes_whole_however_the_reads_cut_its_sequences() {
        let text = "cpr;navn\n0101901234;Søren Ærø Åse\n".as_bytes();
        for step in [1, 2, 3, 5, 64] {
            assert_eq!(detect(text, step), (text.to_vec(), UsedEncoding::Utf8));
        }
        // A byte-order mark is UTF-8: nothing after it turns the file to Windows-1252.
        let bom = [b"\xEF\xBB\xBFa;\xF8\n".as_slice()].concat();
        assert_eq!(detect(&bom, 2), (bom.clone(), UsedEncoding::Utf8));
    }

    #[test]
    fn windows_1252_is_decoded_from_its_first_byte_that_is_not_utf8() {
        let text = b"cpr;navn\n0101901234;S\xF8ren \xC6r\xF8\n";
        for step in [1, 4, 64] {
            let (out, used) = detect(text, step);
            assert_eq!(used, UsedEncoding::Windows1252);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                "cpr;navn\n0101901234;Søren Ærø\n"
            );
        }
        // UTF-16 is left for the header's check, however the reads cut it.
        for step in [1, 64] {
            assert_eq!(
                detect(b"\xFF\xFEa\0", step),
                (b"\xFF\xFEa\0".to_vec(), UsedEncoding::Utf8)
            );
        }
        // A lone lead byte at the very end is Windows-1252 too.
        assert_eq!(detect(b"a;b\n\xC3", 64).1, UsedEncoding::Windows1252);
    }

    #[test]
    fn real_utf8_before_a_bad_byte_keeps_the_file_utf8_for_the_fields_to_refuse() {
        let text = "a;ø\n"
            .as_bytes()
            .iter()
            .chain(b"b;\xF8\n")
            .copied()
            .collect::<Vec<_>>();
        assert_eq!(detect(&text, 64), (text.clone(), UsedEncoding::Utf8));
        assert_eq!(detect(&text, 1), (text, UsedEncoding::Utf8));
    }

    /// A reader interrupted before each read, failing on its third: as a signal would leave a
    /// read of a pipe.
    struct Interrupting {
        text: &'static [u8],
        calls: u32,
    }

    impl Read for Interrupting {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            self.calls += 1;
            match self.calls {
                1 | 3 => Err(std::io::ErrorKind::Interrupted.into()),
                2 => {
                    buf[..self.text.len()].copy_from_slice(self.text);
                    Ok(self.text.len())
                }
                _ => Err(std::io::Error::other("the disk went away")),
            }
        }
    }

    /// An interrupted read is tried again; any other error is the caller's. What was read
    /// before it is passed on first: from two bytes on (enough to tell a UTF-16 mark), the
    /// detector does not wait for more.
    #[test]
    fn an_interrupted_read_is_tried_again_and_another_error_is_passed_on() {
        for text in ["cpr;Mål\n", "a;"] {
            let used = Rc::new(Cell::new(UsedEncoding::Utf8));
            let inner = Interrupting {
                text: text.as_bytes(),
                calls: 0,
            };
            let mut reader = Detecting::new(inner, used);
            let mut buf = [0; 64];
            let n = reader.read(&mut buf).unwrap();
            assert_eq!(&buf[..n], text.as_bytes());
            let error = reader.read(&mut buf).unwrap_err();
            assert_eq!(error.to_string(), "the disk went away");
            assert_eq!(reader.inner.calls, 4);
        }
    }
}
