//! Statistics for evaluation, with small counts suppressed (spec §12.7).
//!
//! Every count is a variable; the tables' totals are variables too, shared by the tables that
//! count the same population, and the identities that bind them are known to any reader: each
//! partition sums to its total, and the sector-pair counts sum to Σ C(k, 2) times the persons
//! with k sectors. A count from 1 to threshold − 1 is suppressed (primary suppression). Then
//! the released values are audited in exact arithmetic: a suppressed count is exposed if the
//! identities determine it (Gauss–Jordan elimination over the suppressed counts), or if an
//! identity forces its suppressed counts to their smallest possible values (every suppressed
//! count is at least 1, since zeros are released). While a count is exposed, the smallest
//! released non-zero count in an identity with it is suppressed too (secondary suppression).
//! Released values are therefore 0 or at least the threshold, and none suppressed follows from
//! the rest. The order of every step is the spec's, so that another implementation suppresses
//! the same cells.

use serde::Serialize;

use crate::primitives::cpr::AgeBand;
use crate::primitives::ids::SectorCode;

/// One cell: its label and its value, `None` when suppressed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Cell {
    /// What the cell counts.
    pub label: String,
    /// The count, or `None` when suppressed.
    pub value: Option<u64>,
}

/// One table.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Table {
    /// The table's stable name.
    pub name: &'static str,
    /// What it counts.
    pub description: &'static str,
    /// The cells.
    pub cells: Vec<Cell>,
    /// The total (label `total`), if the table is a partition of one.
    pub total: Option<Cell>,
    #[serde(skip)]
    raw: Vec<u64>,
}

impl Table {
    /// The cell counts before suppression: the matcher's own view, never released.
    pub fn unsuppressed(&self) -> &[u64] {
        &self.raw
    }
}

/// Counts, the identities among them, and which are suppressed.
#[derive(Default)]
struct Disclosure {
    values: Vec<u64>,
    suppressed: Vec<bool>,
    /// Each identity: Σ coefficient × count = 0, with no zero coefficient.
    identities: Vec<Vec<(usize, i64)>>,
}

/// What one audit of the released counts found (spec §12.7 step 2).
#[derive(Debug, PartialEq, Eq)]
enum Audit {
    /// No suppressed count follows from the released ones.
    Safe,
    /// This suppressed count does: the first found.
    Exposed(usize),
    /// The exact arithmetic would overflow. It cannot within the format's limits (at most 64
    /// sectors, counts below 2³²): a reduced row's coefficients are minors of the identities'
    /// matrix of eight rows, below 2³², and its right-hand side is below 2¹⁰⁰.
    Overflow,
}

/// One identity restricted to the suppressed counts: Σ `coefficients[c]` × unknown `c` = `rhs`.
#[derive(Clone, Debug)]
struct Row {
    coefficients: Vec<i128>,
    rhs: i128,
}

fn gcd(mut a: i128, mut b: i128) -> i128 {
    (a, b) = (a.abs(), b.abs());
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a
}

impl Row {
    /// The first suppressed count this row determines, as a column: its only unknown, or —
    /// when all its unknowns have coefficients of one sign and the right-hand side is the
    /// least they can give, each being at least 1 (zeros are released) — its first unknown.
    fn exposes(&self) -> Option<usize> {
        let first = self.coefficients.iter().position(|&c| c != 0)?;
        let sign = self.coefficients[first].signum();
        let mut unknowns = 0;
        let mut least = 0i128;
        for &c in &self.coefficients {
            if c != 0 {
                // Of two signs, there are two unknowns or more and no least value.
                if c.signum() != sign {
                    return None;
                }
                unknowns += 1;
                least = least.saturating_add(c.abs());
            }
        }
        (unknowns == 1 || sign * self.rhs == least).then_some(first)
    }

    /// Divides the row by the greatest common divisor of its entries: the same equation.
    fn normalise(&mut self) {
        let g = self.coefficients.iter().fold(self.rhs, |g, &c| gcd(g, c));
        if g > 1 {
            self.coefficients.iter_mut().for_each(|c| *c /= g);
            self.rhs /= g;
        }
    }

    /// `self := p × self − e × pivot`; `None` on overflow.
    fn eliminate(&mut self, p: i128, e: i128, pivot: &Row) -> Option<()> {
        let combine = |x: i128, q: i128| p.checked_mul(x)?.checked_sub(e.checked_mul(q)?);
        for (x, &q) in self.coefficients.iter_mut().zip(&pivot.coefficients) {
            *x = combine(*x, q)?;
        }
        self.rhs = combine(self.rhs, pivot.rhs)?;
        self.normalise();
        Some(())
    }
}

/// Reduces the rows in place to the reduced row echelon form (Gauss–Jordan in exact integer
/// arithmetic), each row scaled by a positive number so that its entries are integers: the
/// rows with a pivot in column order, then the rows of zeros. The form is unique, so neither
/// the choice of pivot rows nor the scaling changes what [`Row::exposes`] finds. `None` on
/// overflow.
fn reduce(rows: &mut [Row]) -> Option<()> {
    let columns = rows.first().map_or(0, |row| row.coefficients.len());
    let mut pivot_row = 0;
    for c in 0..columns {
        if pivot_row == rows.len() {
            break;
        }
        let Some(found) = (pivot_row..rows.len()).find(|&r| rows[r].coefficients[c] != 0) else {
            continue;
        };
        rows.swap(pivot_row, found);
        if rows[pivot_row].coefficients[c] < 0 {
            let row = &mut rows[pivot_row];
            row.coefficients.iter_mut().for_each(|x| *x = -*x);
            row.rhs = -row.rhs;
        }
        let pivot = rows[pivot_row].clone();
        let p = pivot.coefficients[c];
        for (r, row) in rows.iter_mut().enumerate() {
            let e = row.coefficients[c];
            if r != pivot_row && e != 0 {
                row.eliminate(p, e, &pivot)?;
            }
        }
        pivot_row += 1;
    }
    Some(())
}

impl Disclosure {
    fn count(&mut self, value: u64) -> usize {
        self.values.push(value);
        self.suppressed.push(false);
        self.values.len() - 1
    }

    fn counts(&mut self, values: &[u64]) -> Vec<usize> {
        values.iter().map(|&v| self.count(v)).collect()
    }

    /// `parts` sum to `total`.
    fn sums_to(&mut self, parts: &[usize], total: usize) {
        let mut identity: Vec<(usize, i64)> = parts.iter().map(|&p| (p, 1)).collect();
        identity.push((total, -1));
        self.identities.push(identity);
    }

    /// The pair cells sum to C(k, 2) persons of each sector count k: a person with k sectors
    /// is in C(k, 2) pairs; one with a single sector in none, so that count is not in it at all.
    fn pairs_sum_to(&mut self, pairs: &[usize], by_sector_count: &[usize]) {
        let identity = pairs
            .iter()
            .map(|&v| (v, 1))
            .chain(
                by_sector_count
                    .iter()
                    .enumerate()
                    .skip(1)
                    .map(|(k, &v)| (v, -(((k + 1) * k / 2) as i64))),
            )
            .collect();
        self.identities.push(identity);
    }

    fn released(&self, v: usize) -> Option<u64> {
        (!self.suppressed[v]).then_some(self.values[v])
    }

    /// Suppresses small counts, then more until no suppressed count is exposed.
    fn protect(&mut self, threshold: u64) {
        for (value, suppressed) in self.values.iter().zip(&mut self.suppressed) {
            *suppressed = *value > 0 && *value < threshold;
        }
        loop {
            let next = match self.audit() {
                Audit::Safe => return,
                Audit::Exposed(exposed) => self.neighbour(exposed),
                Audit::Overflow => None,
            };
            match next {
                Some(v) => self.suppressed[v] = true,
                // Neither can happen (see `Audit::Overflow`, `neighbour`); should one, the
                // safe answer is to release no count but the zeros.
                None => {
                    for (value, suppressed) in self.values.iter().zip(&mut self.suppressed) {
                        *suppressed = *value > 0;
                    }
                    return;
                }
            }
        }
    }

    /// The count to suppress next for an exposed one: the released non-zero count with the
    /// smallest value (then the lowest number) that shares an identity with it; if there is
    /// none, one that shares an identity with a count of those, and so on. There always is
    /// one: the exposing row's right-hand side is not zero, so some released non-zero count
    /// lies in an identity linked to the exposed count through shared counts.
    fn neighbour(&self, exposed: usize) -> Option<usize> {
        let mut reached = vec![false; self.values.len()];
        let mut used = vec![false; self.identities.len()];
        reached[exposed] = true;
        let mut frontier = vec![exposed];
        while !frontier.is_empty() {
            let mut next = Vec::new();
            for (identity, used) in self.identities.iter().zip(&mut used) {
                if *used || !identity.iter().any(|(v, _)| frontier.contains(v)) {
                    continue;
                }
                *used = true;
                for &(v, _) in identity {
                    if !reached[v] {
                        reached[v] = true;
                        next.push(v);
                    }
                }
            }
            let best = next
                .iter()
                .copied()
                .filter(|&v| !self.suppressed[v] && self.values[v] > 0)
                .min_by_key(|&v| (self.values[v], v));
            if best.is_some() {
                return best;
            }
            frontier = next;
        }
        None
    }

    /// The first suppressed count that the released counts and the identities determine: the
    /// identities as given, in order, then the rows of their reduced form, in order.
    fn audit(&self) -> Audit {
        let (unknowns, mut rows) = self.rows();
        let first = |rows: &[Row]| rows.iter().find_map(Row::exposes).map(|c| unknowns[c]);
        if let Some(v) = first(&rows) {
            return Audit::Exposed(v);
        }
        if reduce(&mut rows).is_none() {
            return Audit::Overflow;
        }
        first(&rows).map_or(Audit::Safe, Audit::Exposed)
    }

    /// The suppressed counts in order, and each identity, in order, as a row over them with
    /// the released part moved right.
    fn rows(&self) -> (Vec<usize>, Vec<Row>) {
        let unknowns: Vec<usize> = (0..self.values.len())
            .filter(|&v| self.suppressed[v])
            .collect();
        let mut column = vec![usize::MAX; self.values.len()];
        for (c, &v) in unknowns.iter().enumerate() {
            column[v] = c;
        }
        let mut rows = Vec::with_capacity(self.identities.len());
        for identity in &self.identities {
            let mut row = Row {
                coefficients: vec![0; unknowns.len()],
                rhs: 0,
            };
            for &(v, coefficient) in identity {
                let coefficient = i128::from(coefficient);
                match column[v] {
                    usize::MAX => row.rhs -= coefficient * i128::from(self.values[v]),
                    c => row.coefficients[c] += coefficient,
                }
            }
            rows.push(row);
        }
        (unknowns, rows)
    }
}

/// Builds the released tables from a protected disclosure.
struct TableBuilder<'a> {
    disclosure: &'a Disclosure,
}

impl TableBuilder<'_> {
    fn table(
        &self,
        name: &'static str,
        description: &'static str,
        labels: Vec<String>,
        cells: &[usize],
        total: Option<usize>,
    ) -> Table {
        let d = self.disclosure;
        Table {
            name,
            description,
            cells: labels
                .into_iter()
                .zip(cells)
                .map(|(label, &v)| Cell {
                    label,
                    value: d.released(v),
                })
                .collect(),
            total: total.map(|t| Cell {
                label: "total".into(),
                value: d.released(t),
            }),
            raw: cells.iter().map(|&v| d.values[v]).collect(),
        }
    }
}

/// The released statistics of a match.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Statistics {
    /// Counts from 1 to threshold − 1 are suppressed.
    pub threshold: u64,
    /// The tables.
    pub tables: Vec<Table>,
}

/// A person with services as the statistics count it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct PersonProfile {
    /// Its sectors, as bits.
    pub(crate) sectors: u64,
    /// Its number of distinct services.
    pub(crate) services: u32,
    /// Its age band on the reference date.
    pub(crate) band: AgeBand,
}

/// A family with services as the statistics count it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct FamilyProfile {
    /// Its sectors, as bits.
    pub(crate) sectors: u64,
    /// Members receiving services who are children.
    pub(crate) children: u32,
    /// Members receiving services who are adults.
    pub(crate) adults: u32,
}

/// The candidates of a match, counted by kind and deferral.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct CandidateCounts {
    /// Persons selected on their own, not deferred.
    pub(crate) persons: u64,
    /// Families, not deferred.
    pub(crate) families: u64,
    /// Persons deferred to a later run.
    pub(crate) deferred_persons: u64,
    /// Families deferred to a later run.
    pub(crate) deferred_families: u64,
}

/// The raw counts of every table, before suppression.
struct Tallies {
    by_sectors: Vec<u64>,
    by_services: Vec<u64>,
    by_band: Vec<u64>,
    by_pair: Vec<u64>,
    families_by_sectors: Vec<u64>,
    composition: Vec<u64>,
}

/// Every pair of sector indices `(a, b)` with `a < b`, in order.
fn sector_pairs(n: usize) -> Vec<(usize, usize)> {
    (0..n)
        .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
        .collect()
}

impl Tallies {
    /// Counts persons and families.
    fn count(
        persons: impl Iterator<Item = PersonProfile>,
        families: impl Iterator<Item = FamilyProfile>,
        pairs: &[(usize, usize)],
        sectors: usize,
    ) -> Tallies {
        let mut t = Tallies {
            by_sectors: vec![0; sectors],
            by_services: vec![0; 6],
            by_band: vec![0; AgeBand::ALL.len()],
            by_pair: vec![0; pairs.len()],
            families_by_sectors: vec![0; sectors],
            composition: vec![0; 3],
        };
        for person in persons {
            let (mask, services) = (person.sectors, person.services);
            let count = mask.count_ones() as usize;
            if let Some(cell) = count.checked_sub(1).and_then(|i| t.by_sectors.get_mut(i)) {
                *cell += 1;
            }
            t.by_services[(services.max(1) as usize - 1).min(5)] += 1;
            // Bands are numbered from 1, in the order of the cells.
            t.by_band[usize::from(person.band.to_byte()) - 1] += 1;
            for (cell, &(a, b)) in t.by_pair.iter_mut().zip(pairs) {
                *cell += u64::from(mask >> a & 1 == 1 && mask >> b & 1 == 1);
            }
        }
        for family in families {
            let count = family.sectors.count_ones() as usize;
            if let Some(cell) = count
                .checked_sub(1)
                .and_then(|i| t.families_by_sectors.get_mut(i))
            {
                *cell += 1;
            }
            let which = match (family.children > 0, family.adults > 0) {
                (true, true) => 0,
                (true, false) => 1,
                _ => 2,
            };
            t.composition[which] += 1;
        }
        t
    }
}

/// The variables of every table and its total in one [`Disclosure`], numbered in the order of
/// spec §12.7, with the identities that bind them, in its order too.
struct Variables {
    persons_by_sectors: Vec<usize>,
    persons_by_services: Vec<usize>,
    persons_by_band: Vec<usize>,
    persons: usize,
    persons_by_pair: Vec<usize>,
    families_by_sector_count: Vec<usize>,
    families_by_composition: Vec<usize>,
    families: usize,
    candidate_cells: Vec<usize>,
    candidate_total: usize,
    deferred_cells: Vec<usize>,
    deferred_total: usize,
}

impl Variables {
    /// The counts and what binds them: three partitions of the persons, the pair identity, two
    /// partitions of the families, and the candidates' and deferred partitions.
    fn declare(d: &mut Disclosure, t: &Tallies, candidates: CandidateCounts) -> Variables {
        let persons_by_sectors = d.counts(&t.by_sectors);
        let persons_by_services = d.counts(&t.by_services);
        let persons_by_band = d.counts(&t.by_band);
        let persons = d.count(t.by_sectors.iter().sum());
        d.sums_to(&persons_by_sectors, persons);
        d.sums_to(&persons_by_services, persons);
        d.sums_to(&persons_by_band, persons);
        let persons_by_pair = d.counts(&t.by_pair);
        d.pairs_sum_to(&persons_by_pair, &persons_by_sectors);
        let families_by_sector_count = d.counts(&t.families_by_sectors);
        let families_by_composition = d.counts(&t.composition);
        let families = d.count(t.composition.iter().sum());
        d.sums_to(&families_by_sector_count, families);
        d.sums_to(&families_by_composition, families);
        let candidate_counts = [candidates.persons, candidates.families];
        let candidate_cells = d.counts(&candidate_counts);
        let candidate_total = d.count(candidate_counts.iter().sum());
        d.sums_to(&candidate_cells, candidate_total);
        let deferred_counts = [candidates.deferred_persons, candidates.deferred_families];
        let deferred_cells = d.counts(&deferred_counts);
        let deferred_total = d.count(deferred_counts.iter().sum());
        d.sums_to(&deferred_cells, deferred_total);
        Variables {
            persons_by_sectors,
            persons_by_services,
            persons_by_band,
            persons,
            persons_by_pair,
            families_by_sector_count,
            families_by_composition,
            families,
            candidate_cells,
            candidate_total,
            deferred_cells,
            deferred_total,
        }
    }
}

impl Statistics {
    /// Counts persons with services, families with services and candidates, and suppresses.
    pub(crate) fn compute(
        persons: impl Iterator<Item = PersonProfile>,
        families: impl Iterator<Item = FamilyProfile>,
        candidates: CandidateCounts,
        sectors: &[SectorCode],
        threshold: u64,
    ) -> Statistics {
        let n = sectors.len();
        let pairs = sector_pairs(n);
        let tallies = Tallies::count(persons, families, &pairs, n);
        let mut d = Disclosure::default();
        let v = Variables::declare(&mut d, &tallies, candidates);
        d.protect(threshold);

        let numbered = |count: usize| (1..=count).map(|i| i.to_string()).collect::<Vec<_>>();
        let kinds = || vec!["persons".to_owned(), "families".to_owned()];
        let build = TableBuilder { disclosure: &d };
        let tables = vec![
            build.table(
                "persons-by-sector-count",
                "persons receiving services, by number of sectors",
                numbered(n),
                &v.persons_by_sectors,
                Some(v.persons),
            ),
            build.table(
                "persons-by-service-count",
                "persons receiving services, by number of distinct services",
                ["1", "2", "3", "4", "5", "6+"].map(str::to_owned).to_vec(),
                &v.persons_by_services,
                Some(v.persons),
            ),
            build.table(
                "persons-by-age-band",
                "persons receiving services, by age band on the reference date",
                AgeBand::ALL.map(|band| band.name().to_owned()).to_vec(),
                &v.persons_by_band,
                Some(v.persons),
            ),
            build.table(
                "persons-by-sector-pair",
                "persons receiving services from both sectors of a pair (a person counts in every pair they are in, so there is no total)",
                pairs.iter().map(|&(a, b)| format!("{}+{}", sectors[a], sectors[b])).collect(),
                &v.persons_by_pair,
                None,
            ),
            build.table(
                "families-by-sector-count",
                "families with services, by number of sectors between them",
                numbered(n),
                &v.families_by_sector_count,
                Some(v.families),
            ),
            build.table(
                "families-by-composition",
                "families with services, by who receives them",
                ["children-and-adults", "children-only", "adults-only"].map(str::to_owned).to_vec(),
                &v.families_by_composition,
                Some(v.families),
            ),
            build.table("candidates", "candidates of this run, not deferred", kinds(), &v.candidate_cells, Some(v.candidate_total)),
            build.table("deferred", "candidates deferred to a later run", kinds(), &v.deferred_cells, Some(v.deferred_total)),
        ];
        Statistics { threshold, tables }
    }

    /// The statistics as pretty-printed JSON.
    pub fn to_json(&self) -> String {
        // Plain strings, numbers and nulls: serialising cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The statistics as CSV: `table,cell,value`, a suppressed value written as `suppressed`,
    /// and each table's total as the cell `total`.
    pub fn to_csv(&self) -> String {
        let mut csv = String::from("table,cell,value\n");
        let shown =
            |value: Option<u64>| value.map_or_else(|| "suppressed".to_owned(), |v| v.to_string());
        for table in &self.tables {
            for cell in &table.cells {
                csv.push_str(&format!(
                    "{},{},{}\n",
                    table.name,
                    cell.label,
                    shown(cell.value)
                ));
            }
            if let Some(total) = &table.total {
                csv.push_str(&format!("{},total,{}\n", table.name, shown(total.value)));
            }
        }
        csv
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// One partition table with its total; returns (released cells, released total).
    fn one_table(values: &[u64], threshold: u64) -> (Vec<Option<u64>>, Option<u64>) {
        let mut d = Disclosure::default();
        let cells = d.counts(values);
        let total = d.count(values.iter().sum());
        d.sums_to(&cells, total);
        d.protect(threshold);
        (
            cells.iter().map(|&c| d.released(c)).collect(),
            d.released(total),
        )
    }

    #[test]
    fn examples() {
        assert_eq!(
            one_table(&[10, 20, 30], 5),
            (vec![Some(10), Some(20), Some(30)], Some(60))
        );
        assert_eq!(
            one_table(&[0, 20, 30], 5),
            (vec![Some(0), Some(20), Some(30)], Some(50))
        );
        // One small cell would follow from the total: the next smallest goes too.
        assert_eq!(
            one_table(&[3, 20, 30], 5),
            (vec![None, None, Some(30)], Some(53))
        );
        // Two ones would follow from their sum (2 = 1 + 1): a third cell goes too.
        assert_eq!(
            one_table(&[1, 1, 20, 30], 5),
            (vec![None, None, None, Some(30)], Some(52))
        );
        // A small total is suppressed with every non-zero cell.
        assert_eq!(one_table(&[1, 0, 2], 5), (vec![None, Some(0), None], None));
        assert_eq!(one_table(&[3, 0], 5), (vec![None, Some(0)], None));
    }

    /// The reduction keeps each row in lowest terms (what bounds its numbers, see
    /// `Audit::Overflow`): a row is divided by the greatest common divisor of its entries.
    #[test]
    fn rows_are_kept_in_lowest_terms() {
        let row = |coefficients: &[i128], rhs| Row {
            coefficients: coefficients.to_vec(),
            rhs,
        };
        let mut rows = vec![row(&[4, -6, 0], 10), row(&[2, 0, 6], 8)];
        for r in &mut rows {
            r.normalise();
        }
        assert_eq!(rows[0].coefficients, [2, -3, 0]);
        assert_eq!(
            (rows[1].coefficients.as_slice(), rows[1].rhs),
            ([1, 0, 3].as_slice(), 4)
        );
        // 2x − 3y = 5 and x + 3z = 4: eliminating x gives 3y + 6z = 3, that is y + 2z = 1.
        reduce(&mut rows).unwrap();
        assert_eq!(
            (rows[1].coefficients.as_slice(), rows[1].rhs),
            ([0, 1, 2].as_slice(), 1)
        );
        assert_eq!(gcd(-12, 18), 6);
        assert_eq!(gcd(0, -5), 5);
    }

    /// The reduced form of −x + y = 1, x + y + z = 6, y − z = −1 is x = 1, y = 2, z = 3: each
    /// pivot made positive with its row, every column reduced, every row still true.
    #[test]
    fn the_reduced_form_determines_each_unknown_its_identities_fix() {
        let row = |coefficients: [i128; 3], rhs| Row {
            coefficients: coefficients.to_vec(),
            rhs,
        };
        let mut rows = vec![row([-1, 1, 0], 1), row([1, 1, 1], 6), row([0, 1, -1], -1)];
        reduce(&mut rows).unwrap();
        let reduced: Vec<(Vec<i128>, i128)> = rows
            .iter()
            .map(|r| (r.coefficients.clone(), r.rhs))
            .collect();
        assert_eq!(
            reduced,
            [(vec![1, 0, 0], 1), (vec![0, 1, 0], 2), (vec![0, 0, 1], 3)]
        );
        assert_eq!(
            rows.iter().map(Row::exposes).collect::<Vec<_>>(),
            [Some(0), Some(1), Some(2)]
        );
    }

    /// Persons by sector count with their total, and the pair identity over `pairs`.
    fn sectors_and_pairs(
        by_sectors: &[u64],
        pairs: &[u64],
    ) -> (Disclosure, Vec<usize>, Vec<usize>) {
        let mut d = Disclosure::default();
        let cells = d.counts(by_sectors);
        let persons = d.count(by_sectors.iter().sum());
        d.sums_to(&cells, persons);
        let pair_cells = d.counts(pairs);
        d.pairs_sum_to(&pair_cells, &cells);
        (d, cells, pair_cells)
    }

    /// Should an exposed count have no released non-zero count to hide it behind (identities
    /// made up for this: the counts of a match always have one), every count but the zeros is
    /// suppressed.
    #[test]
    fn without_a_count_to_hide_behind_only_the_zeros_are_released() {
        let mut d = Disclosure {
            values: vec![1, 5, 0],
            suppressed: vec![false; 3],
            identities: vec![vec![(0, 1)]],
        };
        d.protect(3);
        assert_eq!(d.suppressed, [true, true, false]);
    }

    /// The pair identity of three sectors: the pairs minus one person of two sectors and three
    /// of three (a person of one sector is in no pair).
    #[test]
    fn the_pair_identity_counts_each_person_in_all_their_pairs() {
        let (d, cells, pairs) = sectors_and_pairs(&[7, 5, 4], &[8, 9, 10]);
        let pair_identity = d.identities.last().unwrap();
        let expected: Vec<(usize, i64)> = pairs
            .iter()
            .map(|&p| (p, 1))
            .chain([(cells[1], -1), (cells[2], -3)])
            .collect();
        assert_eq!(pair_identity, &expected);
        let sum: i64 = pair_identity
            .iter()
            .map(|&(v, c)| c * d.values[v] as i64)
            .sum();
        assert_eq!(sum, 8 + 9 + 10 - 5 - 3 * 4);
    }

    fn suppressed(d: &Disclosure) -> Vec<usize> {
        (0..d.values.len()).filter(|&v| d.suppressed[v]).collect()
    }

    #[test]
    fn ties_go_to_the_lowest_variable_number() {
        // The 2 follows from the total; of the two 5s the first goes with it.
        assert_eq!(
            one_table(&[2, 5, 5], 3),
            (vec![None, None, Some(5)], Some(12))
        );
        assert_eq!(
            one_table(&[5, 2, 5], 3),
            (vec![None, None, Some(5)], Some(12))
        );
    }

    #[test]
    fn an_exposure_found_only_in_the_reduced_form() {
        // Three sectors: 6, 3 and 2 persons with 1, 2 and 3 of them; 3 in each pair.
        let (mut d, cells, pairs) = sectors_and_pairs(&[6, 3, 2], &[3, 3, 3]);
        d.suppressed[cells[1]] = true;
        d.suppressed[cells[2]] = true;
        // Neither identity alone gives the two away (s2 + s3 = 5, s2 + 3·s3 = 9) ...
        let (_, rows) = d.rows();
        assert_eq!(rows.iter().find_map(Row::exposes), None);
        // ... together they do: s3 = 2, s2 = 3; the pivot of the first reduced row is s2.
        assert_eq!(d.audit(), Audit::Exposed(cells[1]));
        // From the start: the 2 is exposed by the total, the 3 sharing an identity with it
        // goes (before the pair cells of 3, which come later in the numbering), then the
        // reduced form exposes both and the first pair cell goes too.
        let (mut d, cells, pairs2) = sectors_and_pairs(&[6, 3, 2], &[3, 3, 3]);
        d.protect(3);
        assert_eq!(pairs, pairs2);
        assert_eq!(suppressed(&d), vec![cells[1], cells[2], pairs[0]]);
        assert_eq!(d.audit(), Audit::Safe);
    }

    #[test]
    fn a_count_with_a_zero_coefficient_is_not_in_the_identity() {
        // 6 persons with one sector, 21 with two; the pairs 1, 10 and 10. The 1 follows from
        // the pair identity: another pair count hides it, not the one-sector count (whose
        // coefficient C(1, 2) is 0, though it is the smallest).
        let (mut d, cells, pairs) = sectors_and_pairs(&[6, 21, 0], &[1, 10, 10]);
        d.protect(5);
        assert_eq!(suppressed(&d), vec![pairs[0], pairs[1]]);
        assert_eq!(d.released(cells[0]), Some(6));
    }

    #[test]
    fn the_age_band_table_shares_the_persons_total() {
        let sectors: Vec<SectorCode> = ["a", "b"]
            .iter()
            .map(|s| SectorCode::new(s).unwrap())
            .collect();
        let stats = |bands: &[(AgeBand, usize)]| {
            let persons = bands.iter().flat_map(|&(band, n)| {
                std::iter::repeat_n(
                    PersonProfile {
                        sectors: 0b01,
                        services: 1,
                        band,
                    },
                    n,
                )
            });
            let s = Statistics::compute(
                persons,
                std::iter::empty(),
                CandidateCounts::default(),
                &sectors,
                5,
            );
            let table = s
                .tables
                .iter()
                .find(|t| t.name == "persons-by-age-band")
                .unwrap()
                .clone();
            let labels: Vec<&str> = table.cells.iter().map(|c| c.label.as_str()).collect();
            assert_eq!(labels, AgeBand::ALL.map(AgeBand::name));
            let values: Vec<Option<u64>> = table.cells.iter().map(|c| c.value).collect();
            (values, table.total.unwrap().value)
        };
        // A count equal to the threshold is released, one below it is not.
        assert_eq!(
            stats(&[(AgeBand::Adult30To49, 5)]),
            (
                vec![Some(0), Some(0), Some(0), Some(5), Some(0), Some(0)],
                Some(5)
            )
        );
        assert_eq!(
            stats(&[(AgeBand::Adult30To49, 4)]),
            (
                vec![Some(0), Some(0), Some(0), None, Some(0), Some(0)],
                None
            )
        );
        // 4 in one band follows from the total: the smallest other count goes too, and the
        // total stays released in every person table.
        assert_eq!(
            stats(&[
                (AgeBand::Child0To5, 10),
                (AgeBand::Adult18To29, 5),
                (AgeBand::Adult30To49, 6),
                (AgeBand::Adult50To66, 4)
            ]),
            (
                vec![Some(10), Some(0), None, Some(6), None, Some(0)],
                Some(25)
            )
        );
    }

    #[test]
    fn a_total_shared_by_two_tables_cannot_leak_from_one_into_the_other() {
        // Five persons in 1, 2, 3, 4 and 5 sectors, each with six or more services.
        let mut d = Disclosure::default();
        let by_sectors = d.counts(&[1, 1, 1, 1, 1]);
        let by_services = d.counts(&[0, 0, 0, 0, 0, 5]);
        let persons = d.count(5);
        d.sums_to(&by_sectors, persons);
        d.sums_to(&by_services, persons);
        d.protect(5);
        assert!(by_sectors.iter().all(|&v| d.released(v).is_none()));
        assert_eq!(d.released(persons), None);
        assert_eq!(
            d.released(by_services[5]),
            None,
            "the 6+ cell would give the total away"
        );
        assert_eq!(d.audit(), Audit::Safe);
    }

    #[test]
    fn the_pair_identity_cannot_recover_sector_counts() {
        // Persons with 4 and 5 sectors are few; the pair counts would give them away.
        let by_sectors = [100, 60, 30, 2, 3];
        let n = by_sectors.len();
        let mut d = Disclosure::default();
        let cells = d.counts(&by_sectors);
        let persons = d.count(by_sectors.iter().sum());
        d.sums_to(&cells, persons);
        // Pair counts consistent with the identity: spread the total over ten pairs.
        let pair_total: u64 = by_sectors
            .iter()
            .enumerate()
            .map(|(k, &c)| c * (k * (k + 1) / 2) as u64)
            .sum();
        let mut pairs = vec![pair_total / 10; 10];
        pairs[0] += pair_total % 10;
        let pair_cells = d.counts(&pairs);
        d.pairs_sum_to(&pair_cells, &cells);
        assert_eq!(n, 5);
        d.protect(5);
        assert_eq!(d.audit(), Audit::Safe);
        assert!(
            pair_cells.iter().any(|&v| d.released(v).is_none()),
            "a pair count is suppressed too"
        );
    }

    /// Every value a suppressed cell of one table can take, given what is released (brute force).
    fn possible_values(
        values: &[u64],
        released: &[Option<u64>],
        total: Option<u64>,
        cell: usize,
    ) -> Vec<u64> {
        let hidden: Vec<usize> = (0..values.len())
            .filter(|&i| released[i].is_none())
            .collect();
        let known: u64 = released.iter().flatten().sum();
        let bound = values.iter().sum::<u64>() + 3;
        let mut found = std::collections::BTreeSet::new();
        let mut assignment = vec![1u64; hidden.len()];
        loop {
            let sum: u64 = assignment.iter().sum();
            if total.is_none_or(|t| known + sum == t) {
                found.insert(assignment[hidden.iter().position(|&h| h == cell).unwrap_or(0)]);
            }
            // Next assignment, each hidden cell from 1 to the bound.
            let Some(i) = (0..assignment.len()).find(|&i| assignment[i] < bound) else {
                break;
            };
            assignment[i] += 1;
            assignment[..i].iter_mut().for_each(|a| *a = 1);
        }
        found.into_iter().collect()
    }

    #[test]
    fn json_and_csv_show_suppressed_cells_as_such() {
        let sectors: Vec<SectorCode> = ["a", "b"]
            .iter()
            .map(|s| SectorCode::new(s).unwrap())
            .collect();
        let profiles = [(0b01, 1), (0b01, 2), (0b11, 3)]
            .into_iter()
            .cycle()
            .take(30)
            .chain([(0b10, 1), (0b11, 7), (0b11, 7)])
            .map(|(sectors, services)| PersonProfile {
                sectors,
                services,
                band: AgeBand::Adult30To49,
            });
        let statistics = Statistics::compute(
            profiles,
            std::iter::empty(),
            CandidateCounts::default(),
            &sectors,
            5,
        );
        let csv = statistics.to_csv();
        let expected_start =
            "table,cell,value\npersons-by-sector-count,1,21\npersons-by-sector-count,2,12\n";
        assert!(csv.starts_with(expected_start), "{csv}");
        // Two persons with 6+ services are too few; the next smallest count goes with them.
        assert!(
            csv.contains("persons-by-service-count,6+,suppressed\n"),
            "{csv}"
        );
        assert!(
            csv.contains("persons-by-service-count,2,suppressed\n"),
            "{csv}"
        );
        assert!(csv.contains("persons-by-service-count,total,33\n"), "{csv}");
        assert!(
            !csv.contains("persons-by-sector-pair,total"),
            "the pair table has no total"
        );
        let json: serde_json::Value = serde_json::from_str(&statistics.to_json()).unwrap();
        assert_eq!(json["threshold"], 5);
        assert_eq!(
            json["tables"][1]["cells"][5]["value"],
            serde_json::Value::Null
        );
        assert_eq!(json["tables"][1]["cells"][0]["value"], 11);
        assert_eq!(json["tables"][2]["name"], "persons-by-age-band");
        assert_eq!(json["tables"][3]["total"], serde_json::Value::Null);
    }

    proptest! {
        #[test]
        fn released_values_are_zero_or_at_least_the_threshold_and_none_suppressed_is_determined(
            values in prop::collection::vec(prop_oneof![3 => 0u64..6, 1 => 0u64..14], 1..5),
            threshold in 3u64..6,
        ) {
            let (cells, total) = one_table(&values, threshold);
            for value in cells.iter().flatten().chain(total.iter()) {
                prop_assert!(*value == 0 || *value >= threshold);
            }
            for (cell, &raw) in cells.iter().zip(&values) {
                prop_assert!(cell.is_none_or(|v| v == raw));
            }
            for cell in (0..values.len()).filter(|&i| cells[i].is_none()) {
                let possible = possible_values(&values, &cells, total, cell);
                prop_assert!(possible.len() >= 2, "cell {} of {:?} follows from {:?} / {:?}", cell, values, cells, total);
            }
        }
    }
}
