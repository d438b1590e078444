//! The flag-file pass (spec §12.9): each sector's flagged records fetched again from its
//! publication, their envelopes copied unopened into the sector's flag file.

use std::io::Write;

use subtle::ConstantTimeEq;

use super::{FlagFile, Match, on_every_core, pseudonym_check};
use crate::audit::{Author, Head};
use crate::error::{Error, Result, Rule};
use crate::formats::publication::{
    FileHeader, FileKind, FileWriter, FlagRef, ServiceRecordFetcher,
};
use crate::primitives::ids::SectorCode;
use crate::primitives::signing::PartySigningKey;

impl Match {
    /// Writes one flag file per publication's sector (spec §7.6): for each record of a
    /// candidate that is not deferred, the candidate id and the sector's own envelope, fetched
    /// from the sector's publication in a second pass that reads only those records. Every
    /// sector gets a file, empty or not, so that none learns anything from whether it got one.
    /// `create` gives the writer and name for a sector's file; each is signed with the
    /// matcher's `signing` key and names `log_head`, the matcher's audit-log head, as its
    /// author's (spec §7.6). A publication file that changed since the match read it is
    /// refused.
    pub fn write_flag_files<W: Write + Send>(
        &self,
        signing: &PartySigningKey,
        log_head: Head,
        mut create: impl FnMut(&SectorCode) -> Result<(W, String)>,
    ) -> Result<Vec<FlagFile<W>>> {
        let mut outputs = Vec::with_capacity(self.sources.len());
        for (s, (source, summary)) in self.sources.iter().zip(&self.publications).enumerate() {
            if source.version()? != self.source_versions[s] {
                return Err(Error::format(&source.name(), 0, Rule::PublicationDigest));
            }
            outputs.push(create(&summary.sector)?);
        }
        // A thread for each sector's flag file; the first error in sector order wins.
        let author = Author::at(signing, log_head);
        on_every_core(outputs, |s, (out, file)| {
            self.write_flag_file(s, out, file, author, signing)
        })
        .into_iter()
        .collect()
    }

    /// The flag file of publication `s`: its flagged records, fetched again by offset.
    fn write_flag_file<W: Write>(
        &self,
        s: usize,
        out: W,
        file: String,
        author: Author,
        signing: &PartySigningKey,
    ) -> Result<FlagFile<W>> {
        let (source, summary) = (&self.sources[s], &self.publications[s]);
        let name = source.name();
        let header = FileHeader {
            municipality: self.run.municipality,
            run: self.run.run.clone(),
            sector: summary.sector.clone(),
            run_key_fingerprint: self.run.run_key_fingerprint,
            catalogue_version: self.run.catalogue_version.clone(),
            reference_date: self.run.reference_date,
            author,
        };
        let mut writer = FileWriter::new(out, FileKind::FlagFile, &file, &header, signing)?;
        let mut fetcher = ServiceRecordFetcher::new(source.seekable()?, &name);
        let mut records = 0;
        let (start, end) = (self.source_starts[s], self.source_starts[s + 1]);
        let first = self.flagged.partition_point(|f| f.ordinal < start);
        let last = self.flagged.partition_point(|f| f.ordinal < end);
        for flag in &self.flagged[first..last] {
            let offset = self.record_offsets[flag.ordinal as usize];
            let candidate = &self.candidates[flag.candidate as usize];
            let record = fetcher.fetch(offset)?;
            // The record must still be the one read in the first pass.
            if !bool::from(pseudonym_check(&record.pseudonym).ct_eq(&flag.check)) {
                return Err(Error::format(&name, 0, Rule::PublicationDigest));
            }
            writer.write_flag(FlagRef {
                candidate: candidate.id,
                pseudonym: record.pseudonym,
                service: record.service,
                envelope: record.envelope,
            })?;
            records += 1;
        }
        let (writer, digest) = writer.finish_with_digest()?;
        Ok(FlagFile {
            sector: summary.sector.clone(),
            file,
            records,
            digest,
            writer,
        })
    }
}
