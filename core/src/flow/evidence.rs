//! Evidence of a party's log (spec §16.3): every file a party hands on — publication, flag
//! file, match result, verdict file, receipt, disclosure bundle — names its author's signing
//! key and audit-log head and is signed with that key, so whoever keeps it can later show
//! that the author's log still holds that head.

use crate::audit::Author;
use crate::central::selection::sent_from_match_report;
use crate::consent::disclosure::bundle_header;
use crate::consent::receipt::Receipt;
use crate::error::{Error, Result, Rule};
use crate::files::Input;
use crate::files::kind::{self, Kind};
use crate::flow::step::Party;
use crate::formats::publication::{FileKind, FileReader};
use crate::formats::verdicts::VerdictFile;
use crate::primitives::ids::SectorCode;

/// The party that made `file` and its author, once the file's signature has verified under
/// the key the author names. A file of a kind that names no author is `wrong-file-kind`.
pub fn author_of(file: &Input) -> Result<(Party, Author)> {
    let name = file.name();
    let bytes = file.read()?;
    match kind::sniff(&bytes) {
        Some(Kind::Publication) => signed_binary(&bytes, &name, FileKind::Publication)
            .map(|(sector, author)| (Party::Sector(sector), author)),
        Some(Kind::FlagFile) => signed_binary(&bytes, &name, FileKind::FlagFile)
            .map(|(_, author)| (Party::Matcher, author)),
        Some(Kind::MatchResult) => {
            let text = file.text_of(Kind::MatchResult)?;
            Ok((Party::Matcher, sent_from_match_report(&text, &name)?.author))
        }
        Some(Kind::Verdicts) => {
            let (verdicts, author) = VerdictFile::parse(&file.text_of(Kind::Verdicts)?, &name)?;
            Ok((Party::Sector(verdicts.sector), author))
        }
        Some(Kind::Receipt) => {
            let receipt = Receipt::parse(&bytes, &name)?;
            if !receipt.signed_by_its_author() {
                return Err(Error::input(&name, 0, Rule::ConsentSignature));
            }
            Ok((Party::Registry, receipt.author))
        }
        Some(Kind::Bundle) => {
            let header = bundle_header(&bytes, &name)?;
            Ok((Party::Sector(header.sector), header.author))
        }
        found => {
            let what = found.map_or("a file of no kind samkoer knows", Kind::what);
            let detail = format!(
                "this is {what}, which names no author: give publications, flag files, match results, verdict files, receipts or bundles"
            );
            Err(Error::input_owned(&name, 0, Rule::WrongFileKind, detail))
        }
    }
}

/// The sector a publication or flag file names and its author, once the whole file has been
/// read and its trailer's digest and signature verified.
fn signed_binary(bytes: &[u8], name: &str, kind: FileKind) -> Result<(SectorCode, Author)> {
    let mut reader = FileReader::new(bytes, kind, name)?;
    while reader.next_ref()?.is_some() {}
    let header = reader.header();
    Ok((header.sector.clone(), header.author))
}
