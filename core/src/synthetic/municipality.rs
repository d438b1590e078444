//! Synthetic municipalities: realistic case-system exports and a relations file, reproducible
//! from a seed, for tests, benchmarks and the demo. No real person's data is involved; the CPR
//! numbers are made up (valid in form, with serials chosen so that no two people share one).
//!
//! Realistic means: most people receive services from one sector or none, a heavy tail from
//! several; families whose children and parents both receive services; ended, pending,
//! refused, excluded-category and other-sector rows; mixed CPR formatting; a few invalid rows.

use std::collections::HashMap;
use std::io::{self, Write};

use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::{Date, Duration};

use crate::formats::catalogue::{Catalogue, Service};
use crate::primitives::cpr::{Cpr, age_on};

/// The criteria of the demo and the tests: also a starting point for a municipality's own.
pub const DEMO_CRITERIA: &str = r#"format = "samkoer-criteria"
version = 1
threshold = 5

[person]
min_sectors = 3
min_services = 4

[[person.combination]]
name = "cash benefit with social support"
any = ["EMP-CASH-BENEFIT"]
with_any = ["ADS-SOCIO-PED", "ADS-DRUG-OUTPATIENT", "ADS-CONTACT-PERSON"]

[defer]
services = ["CHF-PLACEMENT-CONSENT", "CHF-PLACEMENT-NOCONSENT"]
major_change = true

[family]
require_child_and_adult = true
min_sectors = 3
# ... and at least one child under 6 with services
child_age_bands = ["child-0-5"]
"#;

/// What to generate.
#[derive(Clone, Debug)]
pub struct SynthConfig {
    /// How many people live in the municipality.
    pub people: usize,
    /// The seed: the same seed gives the same files.
    pub seed: u64,
    /// The run's reference date: services are ongoing and ages are taken on it.
    pub reference_date: Date,
    /// The share of rows that are deliberately invalid.
    pub invalid_rate: f64,
}

/// Counts of what was generated.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SynthSummary {
    /// People generated.
    pub people: usize,
    /// Households with at least one child and one parent.
    pub families: usize,
    /// Export rows written per sector, in catalogue order.
    pub rows: Vec<u64>,
    /// Relation rows written.
    pub relations: u64,
    /// Rows written deliberately invalid.
    pub invalid_rows: u64,
}

/// Where the generated files go: one export per catalogue sector, in catalogue order, and the
/// relations file.
pub struct SynthWriters<W: Write> {
    /// One export writer per catalogue sector, in the catalogue's order.
    pub exports: Vec<W>,
    /// The relations file.
    pub relations: W,
}

/// The delimiter of sector number `index`'s export: case systems differ.
pub fn delimiter_of(index: usize) -> char {
    if index.is_multiple_of(2) { ';' } else { ',' }
}

const CASEWORKERS: &[&str] = &[
    "Mette Hansen",
    "Lars Nielsen",
    "Anne Jensen",
    "Søren Pedersen",
    "Hanne Andersen",
    "Jens Christensen",
    "Pia Larsen",
    "Ole Sørensen",
    "Birgitte Rasmussen",
    "Niels Jørgensen",
];
const GOALS: &[&str] = &[
    "Stabil bolig",
    "Tilknytning til arbejdsmarkedet",
    "Trivsel i skolen",
    "Ophør af misbrug",
    "Bedre mestring af hverdagen",
    "Afklaring af arbejdsevne",
    "Stabil skolegang",
    "Færre indlæggelser",
];

struct Person {
    cpr: String,
    born: Date,
}

struct Generator<'a, W: Write> {
    rng: ChaCha8Rng,
    config: &'a SynthConfig,
    catalogue: &'a Catalogue,
    writers: &'a mut SynthWriters<W>,
    serials: HashMap<Date, u16>,
    by_sector: Vec<Vec<&'a Service>>,
    summary: SynthSummary,
}

impl<W: Write> Generator<'_, W> {
    /// A fresh person born between `min_age` and `max_age` years before the reference date.
    fn person(&mut self, min_age: i64, max_age: i64) -> Person {
        loop {
            let days = self.rng.random_range(min_age * 365..=max_age * 365 + 364);
            let born = self.config.reference_date - Duration::days(days);
            let year = born.year();
            // Seventh digits allowed for this birth year under the century rule.
            let digits: &[u16] = match year {
                1858..=1899 => &[5, 6, 7, 8],
                1900..=1936 => &[0, 1, 2, 3],
                1937..=1999 => &[0, 1, 2, 3, 4, 9],
                2000..=2036 => &[4, 9, 5, 6, 7, 8],
                2037..=2057 => &[5, 6, 7, 8],
                _ => continue,
            };
            let counter = self.serials.entry(born).or_insert(0);
            let taken = *counter;
            if usize::from(taken) >= digits.len() * 1000 {
                continue;
            }
            *counter += 1;
            let seventh = digits[usize::from(taken / 1000)];
            // Spread the last three digits; 337 is coprime to 1000, so they stay unique.
            let rest = (u32::from(taken % 1000) * 337 + 101) % 1000;
            let cpr = format!(
                "{:02}{:02}{:02}{}{:03}",
                born.day(),
                born.month() as u8,
                year % 100,
                seventh,
                rest
            );
            self.summary.people += 1;
            return Person { cpr, born };
        }
    }

    fn household(&mut self) -> io::Result<()> {
        let risk = match self.rng.random_range(0..100) {
            0..80 => 0,
            80..95 => 1,
            _ => 2,
        };
        let kind = self.rng.random_range(0..100);
        let mut members = Vec::new();
        let mut children = Vec::new();
        match kind {
            0..30 => members.push(self.person(18, 66)),
            30..55 => {
                members.push(self.person(20, 66));
                members.push(self.person(20, 66));
            }
            55..85 => {
                for _ in 0..self.rng.random_range(1..=2) {
                    members.push(self.person(22, 55));
                }
                for _ in 0..self.rng.random_range(1..=3) {
                    children.push(self.person(0, 17));
                }
            }
            _ => {
                for _ in 0..self.rng.random_range(1..=2) {
                    members.push(self.person(67, 95));
                }
            }
        }
        if !children.is_empty() {
            self.summary.families += 1;
            for child in &children {
                for parent in &members {
                    let (child, parent) = (self.formatted(&child.cpr), self.formatted(&parent.cpr));
                    writeln!(self.writers.relations, "{child},{parent}")?;
                    self.summary.relations += 1;
                }
            }
        }
        for person in members.iter().chain(&children) {
            self.services_of(person, risk)?;
        }
        Ok(())
    }

    /// The CPR as some case system might export it.
    fn formatted(&mut self, cpr: &str) -> String {
        match self.rng.random_range(0..100) {
            0..60 => cpr.to_owned(),
            60..95 => format!("{}-{}", &cpr[..6], &cpr[6..]),
            _ => format!(" {cpr} "),
        }
    }

    fn services_of(&mut self, person: &Person, risk: usize) -> io::Result<()> {
        let weights: &[u32] = match risk {
            0 => &[70, 27, 3],
            1 => &[30, 40, 20, 10],
            _ => &[5, 25, 35, 25, 10],
        };
        let mut draw = self.rng.random_range(0..100);
        let mut sector_count = 0;
        for (count, &weight) in weights.iter().enumerate() {
            if draw < weight {
                sector_count = count;
                break;
            }
            draw -= weight;
        }
        let age = age_on(person.born, self.config.reference_date);
        let eligible: Vec<usize> = (0..self.catalogue.sectors.len())
            .filter(|&i| sector_fits_age(self.catalogue.sectors[i].code.as_str(), age))
            .filter(|&i| !self.by_sector[i].is_empty())
            .collect();
        let chosen: Vec<usize> = eligible
            .choose_multiple(&mut self.rng, sector_count)
            .copied()
            .collect();
        for sector in chosen {
            for _ in 0..self.rng.random_range(1..=3) {
                let Some(service) = self.by_sector[sector].choose(&mut self.rng) else {
                    continue;
                };
                let code = service.code.clone();
                self.row(sector, person, &code, "active")?;
            }
            // History and noise around the ongoing services.
            let extra = self.rng.random_range(0..100);
            if extra < 20 {
                if let Some(code) = any_code_of(self, sector) {
                    self.row(sector, person, &code, "ended")?;
                }
            } else if extra < 25 {
                if let Some(code) = any_code_of(self, sector) {
                    let status = if self.rng.random_bool(0.5) {
                        "pending"
                    } else {
                        "refused"
                    };
                    self.row(sector, person, &code, status)?;
                }
            } else if extra < 31 {
                if let Some(excluded) = self.catalogue.excluded.choose(&mut self.rng) {
                    let code = excluded.code.clone();
                    self.row(sector, person, &code, "active")?;
                }
            } else if extra < 33 {
                let other = self.rng.random_range(0..self.by_sector.len());
                if other != sector
                    && let Some(code) = any_code_of(self, other)
                {
                    self.row(sector, person, &code, "active")?;
                }
            }
        }
        Ok(())
    }

    fn row(&mut self, sector: usize, person: &Person, code: &str, status: &str) -> io::Result<()> {
        let reference = self.config.reference_date;
        let started_days_ago = self.rng.random_range(1..=1500);
        let start = reference - Duration::days(started_days_ago);
        let end = match status {
            "ended" => Some(reference - Duration::days(self.rng.random_range(0..started_days_ago))),
            "active" if self.rng.random_bool(0.3) => {
                Some(reference + Duration::days(self.rng.random_range(1..=400)))
            }
            _ => None,
        };
        let mut cpr = self.formatted(&person.cpr);
        let mut code = code.to_owned();
        let mut status = status.to_owned();
        let mut start_text = start.to_string();
        let mut end_text = end.map(|d| d.to_string()).unwrap_or_default();
        if self.rng.random_bool(self.config.invalid_rate) {
            self.summary.invalid_rows += 1;
            match self.rng.random_range(0..6) {
                0 => cpr.replace_range(3..4, "O"),
                1 => start_text = format!("{}-02-30", start.year()),
                2 => code.clear(),
                3 => status = "unknown".into(),
                4 => code = "NO-SUCH-SERVICE".into(),
                _ => {
                    start_text = reference.to_string();
                    end_text = (reference - Duration::days(30)).to_string();
                }
            }
        }
        let caseworker = *CASEWORKERS.choose(&mut self.rng).unwrap_or(&"");
        let goal = *GOALS.choose(&mut self.rng).unwrap_or(&"");
        let case_ref = format!(
            "SAG-{}-{:05}",
            start.year(),
            self.rng.random_range(0..100_000)
        );
        let d = delimiter_of(sector);
        writeln!(
            self.writers.exports[sector],
            "{cpr}{d}{code}{d}{status}{d}{start_text}{d}{end_text}{d}{caseworker}{d}{case_ref}{d}\"{goal}\""
        )?;
        self.summary.rows[sector] += 1;
        Ok(())
    }
}

fn any_code_of<W: Write>(g: &mut Generator<'_, W>, sector: usize) -> Option<String> {
    g.by_sector[sector]
        .choose(&mut g.rng)
        .map(|s| s.code.clone())
}

/// Which sectors serve which ages, for the catalogue's own sector codes; any other sector
/// (a municipality's own catalogue) serves everyone.
fn sector_fits_age(sector: &str, age: i32) -> bool {
    match sector {
        "children-family" => age < 23,
        "school-daycare" => age < 26,
        "employment" => (16..67).contains(&age),
        "adult-social" => age >= 18,
        _ => true,
    }
}

/// Writes a synthetic municipality: one export per catalogue sector and a relations file.
pub fn synthesise<W: Write>(
    config: &SynthConfig,
    catalogue: &Catalogue,
    writers: &mut SynthWriters<W>,
) -> io::Result<SynthSummary> {
    if writers.exports.len() != catalogue.sectors.len() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "one export writer per catalogue sector",
        ));
    }
    for (i, export) in writers.exports.iter_mut().enumerate() {
        let d = delimiter_of(i);
        writeln!(
            export,
            "cpr{d}service{d}status{d}start{d}end{d}caseworker{d}case_ref{d}goal"
        )?;
    }
    writeln!(writers.relations, "child_cpr,parent_cpr")?;
    let by_sector = catalogue
        .services_by_sector()
        .into_iter()
        .map(|services| services.into_iter().map(|(_, s)| s).collect())
        .collect();
    let mut generator = Generator {
        rng: ChaCha8Rng::seed_from_u64(config.seed),
        config,
        catalogue,
        writers,
        serials: HashMap::new(),
        by_sector,
        summary: SynthSummary {
            rows: vec![0; catalogue.sectors.len()],
            ..SynthSummary::default()
        },
    };
    while generator.summary.people < config.people {
        generator.household()?;
    }
    for export in &mut generator.writers.exports {
        export.flush()?;
    }
    generator.writers.relations.flush()?;
    Ok(generator.summary)
}

/// A simulated caseworker's verdict on a citizen, for the demo and the tests: mostly suitable,
/// some from a later month, some not suitable, decided by the citizen's CPR number, so that the
/// same citizens get the same verdicts whatever candidate ids a match drew.
pub fn simulated_verdict(cpr: &Cpr, reference_date: Date) -> crate::formats::verdicts::Verdict {
    use crate::formats::publication::YearMonth;
    use crate::formats::verdicts::Verdict;
    let later = |months: u8| {
        let month0 = (reference_date.month() as u8 - 1) + months;
        YearMonth {
            year: reference_date.year() as u16 + u16::from(month0 / 12),
            month: month0 % 12 + 1,
        }
    };
    let sum: u32 = cpr
        .expose_digits()
        .iter()
        .map(|d| u32::from(d - b'0'))
        .sum();
    match sum % 10 {
        0 => Verdict::NotSuitable,
        1 => Verdict::SuitableFrom(later(2)),
        2 => Verdict::SuitableFrom(later(4)),
        _ => Verdict::Suitable,
    }
}

/// A work list (spec §13.1) filled in by simulated caseworkers: every row's `verdict` and
/// `from` set by [`simulated_verdict`] of its citizen.
pub fn fill_work_list(work_list: &str, reference_date: Date) -> crate::error::Result<String> {
    use crate::error::{Error, Rule};
    use crate::formats::verdicts::{Verdict, show_month};
    let syntax = |line: u64| Error::input("work list", line, Rule::VerdictSyntax);
    let mut reader = csv::Reader::from_reader(work_list.as_bytes());
    let mut out = csv::Writer::from_writer(Vec::new());
    let header = reader.headers().map_err(|_| syntax(1))?.clone();
    let at = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or_else(|| syntax(1))
    };
    let (cpr_at, verdict_at, from_at) = (at("cpr")?, at("verdict")?, at("from")?);
    out.write_record(&header).map_err(|_| syntax(1))?;
    for (i, row) in reader.records().enumerate() {
        let line = i as u64 + 2;
        let row = row.map_err(|_| syntax(line))?;
        let cpr = Cpr::parse_undated(row.get(cpr_at).unwrap_or_default(), "work list", line)?;
        let (verdict, from) = match simulated_verdict(&cpr, reference_date) {
            Verdict::Suitable => ("suitable", String::new()),
            Verdict::SuitableFrom(month) => ("suitable-from", show_month(month)),
            Verdict::NotSuitable => ("not-suitable", String::new()),
        };
        let cells = row.iter().enumerate().map(|(c, cell)| match c {
            c if c == verdict_at => verdict,
            c if c == from_at => from.as_str(),
            _ => cell,
        });
        out.write_record(cells).map_err(|_| syntax(line))?;
    }
    let bytes = out.into_inner().map_err(|_| syntax(0))?;
    String::from_utf8(bytes).map_err(|_| syntax(0))
}

/// Synthesises a municipality into the folder `dir` (made if missing): `export-SECTOR.csv` per
/// catalogue sector, `relations.csv` and the demo's `criteria.toml`; the data is made up.
pub fn synthesise_to_folder(
    config: &SynthConfig,
    catalogue: &Catalogue,
    dir: &std::path::Path,
) -> crate::error::Result<SynthSummary> {
    use crate::error::Error;
    let name = dir.display().to_string();
    std::fs::create_dir_all(dir).map_err(|e| Error::io(&name, e))?;
    let file = |file: String| -> crate::error::Result<io::BufWriter<std::fs::File>> {
        let path = dir.join(file);
        let created = std::fs::File::create(&path);
        created
            .map(io::BufWriter::new)
            .map_err(|e| Error::io(&path.display().to_string(), e))
    };
    let mut writers = SynthWriters {
        exports: catalogue
            .sectors
            .iter()
            .map(|s| file(format!("export-{}.csv", s.code)))
            .collect::<crate::error::Result<_>>()?,
        relations: file("relations.csv".into())?,
    };
    // The criteria the demo matches with, beside the exports, for a user to read and reuse.
    let criteria = dir.join("criteria.toml");
    std::fs::write(&criteria, DEMO_CRITERIA)
        .map_err(|e| Error::io(&criteria.display().to_string(), e))?;
    synthesise(config, catalogue, &mut writers).map_err(|e| Error::io(&name, e))
}

/// Synthesises a municipality into memory: the exports (one per catalogue sector, in
/// catalogue order) and the relations file, for tests and small tools.
pub fn synthesise_in_memory(
    config: &SynthConfig,
    catalogue: &Catalogue,
) -> (SynthSummary, SynthWriters<Vec<u8>>) {
    let mut writers = SynthWriters {
        exports: vec![Vec::new(); catalogue.sectors.len()],
        relations: Vec::new(),
    };
    // Writing to memory cannot fail, and the writers match the catalogue.
    let summary = synthesise(config, catalogue, &mut writers).unwrap_or_default();
    (summary, writers)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::primitives::cpr::Cpr;
    use std::collections::HashSet;
    use time::macros::date;

    fn generate(seed: u64) -> (SynthSummary, SynthWriters<Vec<u8>>) {
        let catalogue = Catalogue::builtin();
        let config = SynthConfig {
            people: 3000,
            seed,
            reference_date: date!(2026 - 11 - 01),
            invalid_rate: 0.01,
        };
        synthesise_in_memory(&config, catalogue)
    }

    #[test]
    fn reproducible_from_the_seed() {
        let (a, wa) = generate(7);
        let (b, wb) = generate(7);
        let (_, wc) = generate(8);
        assert_eq!(a, b);
        assert_eq!(wa.exports, wb.exports);
        assert_ne!(wa.exports, wc.exports);
        assert!(a.people >= 3000 && a.families > 100 && a.relations > 100 && a.invalid_rows > 0);
    }

    #[test]
    fn relation_cprs_are_valid_and_unique_per_person() {
        let (_, writers) = generate(1);
        let text = String::from_utf8(writers.relations).unwrap();
        let mut children = HashSet::new();
        for line in text.lines().skip(1) {
            let (child, parent) = line.split_once(',').unwrap();
            let child = Cpr::parse(child, date!(2026 - 11 - 01), "test", 1).unwrap();
            Cpr::parse(parent, date!(2026 - 11 - 01), "test", 1).unwrap();
            children.insert(*child.expose_digits());
        }
        assert!(children.len() > 100);
    }
}
