//! Statistics for evaluation, with small counts suppressed (spec §12.7).
//!
//! Every table is a partition of its total (or, for sector pairs, a list whose sum is its
//! total). A count from 1 to threshold − 1 is suppressed (primary suppression). Within a table
//! whose total is released, suppressed cells are then made unrecoverable by subtraction: the
//! attacker knows each suppressed cell is at least 1 (zeros are released) and their sum, so
//! there must be at least two of them and their sum must exceed their number; otherwise the
//! smallest released non-zero cells are suppressed too (secondary suppression), and if that
//! cannot be done the total is suppressed as well. A total below the threshold is suppressed
//! with every non-zero cell. Released values are therefore 0 or at least the threshold.

use serde::Serialize;

use crate::ids::SectorCode;
use crate::matcher::{Candidate, CandidateKind, Family};

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
    /// The total, or `None` when suppressed.
    pub total: Option<u64>,
    #[serde(skip)]
    raw: Vec<u64>,
}

impl Table {
    fn new(
        name: &'static str,
        description: &'static str,
        labels: Vec<String>,
        raw: Vec<u64>,
        threshold: u64,
    ) -> Table {
        let (values, total) = suppress(&raw, threshold);
        let cells = labels
            .into_iter()
            .zip(values)
            .map(|(label, value)| Cell { label, value })
            .collect();
        Table {
            name,
            description,
            cells,
            total,
            raw,
        }
    }

    /// The counts before suppression: the matcher's own view, never released.
    pub fn unsuppressed(&self) -> &[u64] {
        &self.raw
    }
}

/// Suppresses small counts of one table whose total is the sum of `values` (see the module
/// documentation). Returns the released cells and total.
pub fn suppress(values: &[u64], threshold: u64) -> (Vec<Option<u64>>, Option<u64>) {
    let total: u64 = values.iter().sum();
    if total > 0 && total < threshold {
        let cells = values.iter().map(|&v| (v == 0).then_some(0)).collect();
        return (cells, None);
    }
    let mut suppressed: Vec<bool> = values.iter().map(|&v| v > 0 && v < threshold).collect();
    let recoverable = |suppressed: &[bool]| {
        let count = suppressed.iter().filter(|&&s| s).count() as u64;
        let sum: u64 = values
            .iter()
            .zip(suppressed)
            .filter(|(_, s)| **s)
            .map(|(v, _)| v)
            .sum();
        count == 1 || (count > 1 && sum <= count)
    };
    while recoverable(&suppressed) {
        let smallest = (0..values.len())
            .filter(|&i| !suppressed[i] && values[i] > 0)
            .min_by_key(|&i| (values[i], i));
        match smallest {
            Some(i) => suppressed[i] = true,
            // Nothing left to add: hide the total instead, and the sum is unknown.
            None => {
                return (
                    values
                        .iter()
                        .zip(&suppressed)
                        .map(|(&v, &s)| (!s).then_some(v))
                        .collect(),
                    None,
                );
            }
        }
    }
    (
        values
            .iter()
            .zip(&suppressed)
            .map(|(&v, &s)| (!s).then_some(v))
            .collect(),
        Some(total),
    )
}

/// The released statistics of a match.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Statistics {
    /// Counts from 1 to threshold − 1 are suppressed.
    pub threshold: u64,
    /// The tables.
    pub tables: Vec<Table>,
}

impl Statistics {
    /// Counts persons (each as its sector mask and distinct service count), families and
    /// candidates, and suppresses.
    pub(crate) fn compute(
        profiles: impl Iterator<Item = (u64, u32)>,
        families: &[Family],
        candidates: &[Candidate],
        sectors: &[SectorCode],
        threshold: u64,
    ) -> Statistics {
        let n = sectors.len();
        let pairs: Vec<(usize, usize)> = (0..n)
            .flat_map(|a| (a + 1..n).map(move |b| (a, b)))
            .collect();
        let mut by_sectors = vec![0u64; n];
        let mut by_services = vec![0u64; 6];
        let mut by_pair = vec![0u64; pairs.len()];
        for (mask, services) in profiles {
            let count = mask.count_ones() as usize;
            if let Some(cell) = count.checked_sub(1).and_then(|i| by_sectors.get_mut(i)) {
                *cell += 1;
            }
            by_services[(services.max(1) as usize - 1).min(5)] += 1;
            for (cell, &(a, b)) in by_pair.iter_mut().zip(&pairs) {
                *cell += u64::from(mask >> a & 1 == 1 && mask >> b & 1 == 1);
            }
        }
        let mut families_by_sectors = vec![0u64; n];
        let mut composition = vec![0u64; 3];
        for family in families.iter().filter(|f| f.with_services > 0) {
            let count = family.sectors.count_ones() as usize;
            if let Some(cell) = count
                .checked_sub(1)
                .and_then(|i| families_by_sectors.get_mut(i))
            {
                *cell += 1;
            }
            let which = match (family.children > 0, family.adults > 0) {
                (true, true) => 0,
                (true, false) => 1,
                _ => 2,
            };
            composition[which] += 1;
        }
        let count_kind = |kind: CandidateKind, deferred: bool| {
            candidates
                .iter()
                .filter(|c| c.kind == kind && c.deferred == deferred)
                .count() as u64
        };
        let numbered = |count: usize| (1..=count).map(|i| i.to_string()).collect::<Vec<_>>();
        let kinds = || vec!["persons".to_owned(), "families".to_owned()];
        let tables = vec![
            Table::new(
                "persons-by-sector-count",
                "persons receiving services, by number of sectors",
                numbered(n),
                by_sectors,
                threshold,
            ),
            Table::new(
                "persons-by-service-count",
                "persons receiving services, by number of distinct services",
                ["1", "2", "3", "4", "5", "6+"].map(str::to_owned).to_vec(),
                by_services,
                threshold,
            ),
            Table::new(
                "persons-by-sector-pair",
                "persons receiving services from both sectors of a pair (a person counts in every pair they are in)",
                pairs
                    .iter()
                    .map(|&(a, b)| format!("{}+{}", sectors[a], sectors[b]))
                    .collect(),
                by_pair,
                threshold,
            ),
            Table::new(
                "families-by-sector-count",
                "families with services, by number of sectors between them",
                numbered(n),
                families_by_sectors,
                threshold,
            ),
            Table::new(
                "families-by-composition",
                "families with services, by who receives them",
                ["children-and-adults", "children-only", "adults-only"]
                    .map(str::to_owned)
                    .to_vec(),
                composition,
                threshold,
            ),
            Table::new(
                "candidates",
                "candidates of this run, not deferred",
                kinds(),
                vec![
                    count_kind(CandidateKind::Person, false),
                    count_kind(CandidateKind::Family, false),
                ],
                threshold,
            ),
            Table::new(
                "deferred",
                "candidates deferred to a later run",
                kinds(),
                vec![
                    count_kind(CandidateKind::Person, true),
                    count_kind(CandidateKind::Family, true),
                ],
                threshold,
            ),
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
            csv.push_str(&format!("{},total,{}\n", table.name, shown(table.total)));
        }
        csv
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn examples() {
        assert_eq!(
            suppress(&[10, 20, 30], 5),
            (vec![Some(10), Some(20), Some(30)], Some(60))
        );
        assert_eq!(
            suppress(&[0, 20, 30], 5),
            (vec![Some(0), Some(20), Some(30)], Some(50))
        );
        // One small cell would follow from the total: the next smallest goes too.
        assert_eq!(
            suppress(&[3, 20, 30], 5),
            (vec![None, None, Some(30)], Some(53))
        );
        // Two ones would follow from their sum (2 = 1 + 1): a third cell goes too.
        assert_eq!(
            suppress(&[1, 1, 20, 30], 5),
            (vec![None, None, None, Some(30)], Some(52))
        );
        // A small total hides everything but zeros.
        assert_eq!(suppress(&[1, 0, 2], 5), (vec![None, Some(0), None], None));
        // Nothing else to hide: the total goes.
        assert_eq!(suppress(&[3, 0], 5), (vec![None, Some(0)], None));
        assert_eq!(suppress(&[], 5), (vec![], Some(0)));
    }

    proptest! {
        #[test]
        fn released_values_are_zero_or_at_least_the_threshold_and_not_recoverable(
            values in prop::collection::vec(prop_oneof![3 => 0u64..8, 1 => 0u64..200], 0..12),
            threshold in 2u64..10,
        ) {
            let (cells, total) = suppress(&values, threshold);
            for value in cells.iter().flatten().chain(total.iter()) {
                prop_assert!(*value == 0 || *value >= threshold);
            }
            for (cell, &raw) in cells.iter().zip(&values) {
                prop_assert!(cell.is_none_or(|v| v == raw));
            }
            if let Some(total) = total {
                // What subtraction tells: the sum of the suppressed cells, each at least 1.
                let hidden: Vec<u64> = cells.iter().zip(&values).filter(|(c, _)| c.is_none()).map(|(_, &v)| v).collect();
                let known_sum = total - cells.iter().flatten().sum::<u64>();
                prop_assert_eq!(known_sum, hidden.iter().sum::<u64>());
                prop_assert!(hidden.is_empty() || (hidden.len() >= 2 && known_sum > hidden.len() as u64),
                    "a suppressed cell follows from the total: {:?} -> {:?}", values, cells);
            }
        }
    }
}
