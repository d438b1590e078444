//! Progress of a long read, for surfaces that show it (the browser export tool's bar).

use std::io::{self, Read};

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

#[cfg(test)]
mod tests {
    use super::*;

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
