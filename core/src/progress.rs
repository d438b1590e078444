//! Progress of a long read, for surfaces that show it (the CLI's bars, the browser export
//! tool's): one reader's ([`ProgressReader`]), or several readers' at once on different
//! threads ([`Tally`], the match's publications).

use std::io::{self, Read, Seek, SeekFrom};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// A reader that reports the bytes read so far each time another `step` bytes have passed.
pub struct ProgressReader<R, F> {
    inner: R,
    read: u64,
    step: u64,
    next_report: u64,
    report: F,
}

impl<R: Read, F: FnMut(u64)> ProgressReader<R, F> {
    /// Reports through `report` after every `step` bytes (at least one), and once at the end.
    pub fn new(inner: R, step: u64, report: F) -> ProgressReader<R, F> {
        let step = step.max(1);
        ProgressReader {
            inner,
            read: 0,
            step,
            next_report: step,
            report,
        }
    }
}

impl<R: Read, F: FnMut(u64)> Read for ProgressReader<R, F> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read += n as u64;
        if self.read >= self.next_report || (n == 0 && !buf.is_empty()) {
            (self.report)(self.read);
            self.next_report = self.read + self.step;
        }
        Ok(n)
    }
}

/// A callback told the bytes read so far and the total, callable from any thread.
pub type Report = Arc<dyn Fn(u64, u64) + Send + Sync>;

/// Bytes read of a known total by several readers at once, reported through one callback
/// about every half percent of the total and at each reader's end.
#[derive(Clone)]
pub struct Tally {
    read: Arc<AtomicU64>,
    total: u64,
    report: Report,
}

impl std::fmt::Debug for Tally {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tally").field("total", &self.total).finish()
    }
}

impl Tally {
    /// A tally of `total` bytes, told to `report`.
    pub fn new(total: u64, report: Report) -> Tally {
        Tally {
            read: Arc::new(AtomicU64::new(0)),
            total,
            report,
        }
    }

    /// The bytes read so far, by every reader.
    pub fn read(&self) -> u64 {
        self.read.load(Ordering::Relaxed)
    }

    /// A reader of `inner` whose bytes count to this tally.
    pub fn reader<R>(&self, inner: R) -> TallyReader<R> {
        TallyReader {
            inner,
            tally: self.clone(),
            unreported: 0,
            step: (self.total / 200).max(1),
        }
    }

    fn add(&self, n: u64) {
        let read = self.read.fetch_add(n, Ordering::Relaxed) + n;
        (self.report)(read.min(self.total), self.total);
    }
}

/// A reader counting to a [`Tally`]; seeking passes through (a seek back is not counted again
/// until it is read).
pub struct TallyReader<R> {
    inner: R,
    tally: Tally,
    unreported: u64,
    step: u64,
}

impl<R: Read> Read for TallyReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.unreported += n as u64;
        if self.unreported >= self.step || (n == 0 && !buf.is_empty() && self.unreported > 0) {
            self.tally.add(std::mem::take(&mut self.unreported));
        }
        Ok(n)
    }
}

impl<R: Seek> Seek for TallyReader<R> {
    fn seek(&mut self, to: SeekFrom) -> io::Result<u64> {
        self.inner.seek(to)
    }
}

impl<R> Drop for TallyReader<R> {
    fn drop(&mut self) {
        if self.unreported > 0 {
            self.tally.add(self.unreported);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_tally_adds_up_what_every_reader_read() {
        use std::sync::Mutex;
        let seen = Arc::new(Mutex::new(Vec::new()));
        let report: Report = {
            let seen = Arc::clone(&seen);
            Arc::new(move |read, total| seen.lock().unwrap().push((read, total)))
        };
        let tally = Tally::new(3000, report);
        let data = vec![1u8; 1000];
        std::thread::scope(|scope| {
            for _ in 0..3 {
                let mut reader = tally.reader(&data[..]);
                scope.spawn(move || io::copy(&mut reader, &mut io::sink()).unwrap());
            }
        });
        assert_eq!(tally.read(), 3000);
        let seen = seen.lock().unwrap();
        assert_eq!(seen.iter().map(|s| s.0).max(), Some(3000));
        assert!(
            seen.iter()
                .all(|&(read, total)| read <= total && total == 3000)
        );
    }

    #[test]
    fn reports_each_step_and_the_end() {
        let data = vec![7u8; 1000];
        let mut seen = Vec::new();
        let mut reader = ProgressReader::new(&data[..], 300, |n| seen.push(n));
        let mut chunk = [0u8; 100];
        let mut copied = Vec::new();
        loop {
            let n = reader.read(&mut chunk).unwrap();
            if n == 0 {
                break;
            }
            copied.extend_from_slice(&chunk[..n]);
        }
        assert_eq!(copied, data);
        assert_eq!(seen, [300, 600, 900, 1000]);
    }
}
