//! Selection criteria: a small declarative TOML file that says who is a candidate (spec §11).
//!
//! ```toml
//! format = "samkoer-criteria"
//! version = 1
//! threshold = 5                      # statistics: counts below this are suppressed
//!
//! [person]                           # a person qualifies on their own ...
//! min_sectors = 2                    # ... with services from at least 2 sectors
//! min_services = 3                   # ... and at least 3 distinct services (both must hold)
//!
//! [[person.combination]]             # ... or by one of these combinations
//! name = "job clarification with home nursing"
//! all = ["EMP-JOB-CLARIFICATION", "HEA-HOME-NURSING"]
//!
//! [[person.combination]]
//! any = ["EMP-CASH-BENEFIT"]         # any of these ...
//! with_any = ["ADS-SOCIO-PED"]       # ... together with any of those
//!
//! [defer]                            # a candidate with any of these waits for a later run
//! services = ["CHF-PLACEMENT-CONSENT"]
//! major_change = true                # ... as does one with a pending major change
//!
//! [family]                           # a family qualifies ...
//! require_child_and_adult = true     # ... with at least one child and one adult with services
//! min_sectors = 3                    # ... and services from at least 3 sectors between them
//! ```

use std::collections::BTreeSet;
use std::ops::Range;

use toml::Spanned;

use crate::error::{Error, Result, Rule};
use crate::formats::catalogue::{Catalogue, Category};
use crate::formats::toml_file::TomlFile;

/// The value of the criteria file's `format` key.
pub const FORMAT: &str = "samkoer-criteria";
/// The default suppression threshold of the statistics.
pub const DEFAULT_THRESHOLD: u64 = 5;
/// The least suppression threshold the criteria may set.
pub const MIN_THRESHOLD: u64 = 3;

/// A set of catalogue services, as indices into [`Catalogue::services`].
pub type ServiceSet = BTreeSet<u16>;

/// A combination of services that qualifies a person on its own.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Combination {
    /// Every one of these services.
    All(ServiceSet),
    /// At least one of the first set together with at least one of the second.
    AnyWithAny(ServiceSet, ServiceSet),
}

impl Combination {
    /// Whether a person with these services matches.
    pub fn matches(&self, has: impl Fn(u16) -> bool) -> bool {
        match self {
            Combination::All(all) => all.iter().all(|&s| has(s)),
            Combination::AnyWithAny(any, with) => {
                any.iter().any(|&s| has(s)) && with.iter().any(|&s| has(s))
            }
        }
    }
}

/// A named combination.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedCombination {
    /// Its name, for the candidates' reasons (default `combination N`, 1-based).
    pub name: String,
    /// What it requires.
    pub combination: Combination,
}

/// Validated selection criteria.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Criteria {
    /// Counts below this are suppressed in the statistics.
    pub threshold: u64,
    /// A person qualifies with at least this many sectors (with `min_services`, if set).
    pub min_sectors: Option<u32>,
    /// A person qualifies with at least this many distinct services (with `min_sectors`, if set).
    pub min_services: Option<u32>,
    /// Combinations that qualify a person on their own.
    pub combinations: Vec<NamedCombination>,
    /// Services that defer a candidate to a later run.
    pub defer_services: ServiceSet,
    /// Whether a pending major change defers a candidate.
    pub defer_major_change: bool,
    /// The family rule, if families are selected.
    pub family: Option<FamilyRule>,
}

/// When a family qualifies.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FamilyRule {
    /// At least one child and one adult of the family receive services.
    pub require_child_and_adult: bool,
    /// The family's members receive services from at least this many sectors between them.
    pub min_sectors: u32,
}

/// A `[[person.combination]]` as written, checked by [`Checker::combination`].
struct RawCombination {
    at: Range<usize>,
    name: Option<String>,
    all: Option<Vec<Spanned<String>>>,
    any: Option<Vec<Spanned<String>>>,
    with_any: Option<Vec<Spanned<String>>>,
}

struct Checker<'a> {
    toml: TomlFile<'a>,
    catalogue: &'a Catalogue,
}

impl Checker<'_> {
    fn error<T>(&self, at: &Spanned<T>, rule: Rule) -> Error {
        self.toml.error(at, rule)
    }

    /// The catalogue indices of allowed service codes; an unknown or excluded one is an error
    /// at its own line.
    fn services(&self, codes: &[Spanned<String>]) -> Result<ServiceSet> {
        codes
            .iter()
            .map(|code| match self.catalogue.lookup(code.get_ref()) {
                Some(Category::Allowed(service)) => {
                    let index = self
                        .catalogue
                        .services
                        .iter()
                        .position(|s| s.code == service.code);
                    index
                        .and_then(|i| u16::try_from(i).ok())
                        .ok_or_else(|| self.error(code, Rule::CriteriaServiceUnknown))
                }
                _ => Err(self.error(code, Rule::CriteriaServiceUnknown)),
            })
            .collect()
    }

    /// A sector minimum: at least 1, at most the catalogue's sectors.
    fn sector_minimum(&self, value: &Spanned<u32>) -> Result<u32> {
        let sectors = self.catalogue.sectors.len() as u32;
        match *value.get_ref() {
            n if (1..=sectors).contains(&n) => Ok(n),
            _ => Err(self.error(value, Rule::CriteriaContradiction)),
        }
    }
}

impl Criteria {
    /// Parses and validates criteria against the catalogue; `file` names it in errors, and
    /// every mistake carries the line it is on.
    pub fn parse(text: &str, file: &str, catalogue: &Catalogue) -> Result<Criteria> {
        let toml = TomlFile::new(text, file, Rule::CriteriaSyntax);
        let checker = Checker { toml, catalogue };
        let document = toml.parse()?;
        let root = toml.fields(
            &document,
            &[
                "format",
                "version",
                "threshold",
                "person",
                "defer",
                "family",
            ],
        )?;
        let format = root.required_string("format")?;
        if format.get_ref() != FORMAT {
            return Err(checker.error(&format, Rule::CriteriaSyntax));
        }
        let version = root
            .integer::<u32>("version")?
            .ok_or_else(|| root.error(Rule::CriteriaSyntax))?;
        if *version.get_ref() != 1 {
            return Err(checker.error(&version, Rule::CriteriaSyntax));
        }
        let threshold = match root.integer::<u64>("threshold")? {
            None => DEFAULT_THRESHOLD,
            // Below 3, counts of one or two persons would be published.
            Some(t) if *t.get_ref() >= MIN_THRESHOLD => *t.get_ref(),
            Some(t) => return Err(checker.error(&t, Rule::CriteriaContradiction)),
        };

        let (defer_services, defer_major_change) =
            match root.table("defer", &["services", "major_change"])? {
                Some(defer) => (
                    checker.services(&defer.strings("services")?.unwrap_or_default())?,
                    defer.flag("major_change")?,
                ),
                None => (ServiceSet::new(), false),
            };

        let mut criteria = Criteria {
            threshold,
            min_sectors: None,
            min_services: None,
            combinations: Vec::new(),
            defer_services,
            defer_major_change,
            family: None,
        };
        let person_keys = ["min_sectors", "min_services", "combination"];
        if let Some(person) = root.table("person", &person_keys)? {
            if let Some(min) = person.integer::<u32>("min_sectors")? {
                criteria.min_sectors = Some(checker.sector_minimum(&min)?);
            }
            if let Some(min) = person.integer::<u32>("min_services")? {
                if *min.get_ref() == 0 {
                    return Err(checker.error(&min, Rule::CriteriaContradiction));
                }
                criteria.min_services = Some(*min.get_ref());
            }
            let combination_keys = ["name", "all", "any", "with_any"];
            let combinations = person
                .tables("combination", &combination_keys)?
                .into_iter()
                .map(|table| {
                    Ok(RawCombination {
                        at: table.span(),
                        name: table.string("name")?.map(Spanned::into_inner),
                        all: table.strings("all")?,
                        any: table.strings("any")?,
                        with_any: table.strings("with_any")?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            // Each combination is one bit of a candidate's reasons, beside two for other rules.
            if let Some(extra) = combinations.get(62) {
                return Err(checker.error_at(extra, Rule::CriteriaContradiction));
            }
            for (i, raw) in combinations.iter().enumerate() {
                let combination = checker.combination(raw, &criteria.defer_services)?;
                let name = raw
                    .name
                    .clone()
                    .unwrap_or_else(|| format!("combination {}", i + 1));
                // Names tell the candidates' reasons apart: no blank, repeated or reserved one.
                let reserved = ["family", "minimum sectors and services"];
                let taken = criteria.combinations.iter().any(|c| c.name == name);
                if name.trim().is_empty() || reserved.contains(&name.as_str()) || taken {
                    return Err(checker.error_at(raw, Rule::CriteriaContradiction));
                }
                criteria
                    .combinations
                    .push(NamedCombination { name, combination });
            }
        }
        let family_keys = ["require_child_and_adult", "min_sectors"];
        if let Some(family) = root.table("family", &family_keys)? {
            let min_sectors = match family.integer::<u32>("min_sectors")? {
                Some(min) => checker.sector_minimum(&min)?,
                None => 1,
            };
            criteria.family = Some(FamilyRule {
                require_child_and_adult: family.flag("require_child_and_adult")?,
                min_sectors,
            });
        }
        if !criteria.selects_persons() && criteria.family.is_none() {
            // Nothing could ever be selected: say so at the top of the file.
            return Err(Error::input(file, 1, Rule::CriteriaContradiction));
        }
        Ok(criteria)
    }

    /// Whether criteria select persons on their own (not only families).
    pub fn selects_persons(&self) -> bool {
        self.min_sectors.is_some() || self.min_services.is_some() || !self.combinations.is_empty()
    }
}

impl Checker<'_> {
    /// An error at the line where a combination starts.
    fn error_at(&self, combination: &RawCombination, rule: Rule) -> Error {
        self.toml.error_at(combination.at.clone(), rule)
    }

    fn combination(&self, raw: &RawCombination, defer: &ServiceSet) -> Result<Combination> {
        let contradiction = || self.error_at(raw, Rule::CriteriaContradiction);
        let combination = match (&raw.all, &raw.any, &raw.with_any) {
            (Some(all), None, None) if !all.is_empty() => Combination::All(self.services(all)?),
            (None, Some(any), Some(with)) if !any.is_empty() && !with.is_empty() => {
                let (any, with) = (self.services(any)?, self.services(with)?);
                // One service cannot be "together with" itself.
                if !any.is_disjoint(&with) {
                    return Err(contradiction());
                }
                Combination::AnyWithAny(any, with)
            }
            _ => return Err(contradiction()),
        };
        // A combination that can only match deferred people selects nobody now.
        let always_deferred = match &combination {
            Combination::All(all) => !all.is_disjoint(defer),
            Combination::AnyWithAny(any, with) => any.is_subset(defer) || with.is_subset(defer),
        };
        if always_deferred {
            return Err(contradiction());
        }
        Ok(combination)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const EXAMPLE: &str = r#"format = "samkoer-criteria"
version = 1

[person]
min_sectors = 2
min_services = 3

[[person.combination]]
name = "job clarification with home nursing"
all = ["EMP-JOB-CLARIFICATION", "HEA-HOME-NURSING"]

[[person.combination]]
any = ["EMP-CASH-BENEFIT"]
with_any = ["ADS-SOCIO-PED", "ADS-DRUG-OUTPATIENT"]

[defer]
services = ["CHF-PLACEMENT-CONSENT", "CHF-PLACEMENT-NOCONSENT"]
major_change = true

[family]
require_child_and_adult = true
min_sectors = 3
"#;

    fn parse(text: &str) -> Result<Criteria> {
        Criteria::parse(text, "criteria.toml", Catalogue::builtin())
    }

    fn error_at(text: &str) -> (Rule, u64) {
        match parse(text).unwrap_err() {
            Error::Input { rule, line, .. } => (rule, line),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn the_example_parses() {
        let criteria = parse(EXAMPLE).unwrap();
        assert_eq!(criteria.threshold, DEFAULT_THRESHOLD);
        assert_eq!(
            (criteria.min_sectors, criteria.min_services),
            (Some(2), Some(3))
        );
        assert_eq!(criteria.combinations.len(), 2);
        assert_eq!(criteria.combinations[1].name, "combination 2");
        assert_eq!(criteria.defer_services.len(), 2);
        assert_eq!(
            criteria.family,
            Some(FamilyRule {
                require_child_and_adult: true,
                min_sectors: 3
            })
        );
    }

    #[test]
    fn mistakes_name_their_line_and_rule() {
        let unknown = EXAMPLE.replace("\"HEA-HOME-NURSING\"]", "\"HEA-HOME-NURSNG\"]");
        assert_eq!(error_at(&unknown), (Rule::CriteriaServiceUnknown, 10));
        let excluded = EXAMPLE.replace("\"ADS-SOCIO-PED\",", "\"X-TRANSPORT\",");
        assert_eq!(error_at(&excluded), (Rule::CriteriaServiceUnknown, 14));
        let too_many_sectors = EXAMPLE.replace("min_sectors = 2", "min_sectors = 6");
        assert_eq!(
            error_at(&too_many_sectors),
            (Rule::CriteriaContradiction, 5)
        );
        let overlap = EXAMPLE.replace(
            "with_any = [\"ADS-SOCIO-PED\"",
            "with_any = [\"EMP-CASH-BENEFIT\"",
        );
        assert_eq!(error_at(&overlap).0, Rule::CriteriaContradiction);
        let deferred = EXAMPLE.replace("\"HEA-HOME-NURSING\"]", "\"CHF-PLACEMENT-CONSENT\"]");
        assert_eq!(error_at(&deferred).0, Rule::CriteriaContradiction);
        let half = EXAMPLE.replace(
            "with_any = [\"ADS-SOCIO-PED\", \"ADS-DRUG-OUTPATIENT\"]\n",
            "",
        );
        assert_eq!(error_at(&half).0, Rule::CriteriaContradiction);
        let reserved = EXAMPLE.replace(
            "name = \"job clarification with home nursing\"",
            "name = \"family\"",
        );
        assert_eq!(error_at(&reserved), (Rule::CriteriaContradiction, 8));
        let repeated = EXAMPLE.replace(
            "name = \"job clarification with home nursing\"",
            "name = \"combination 2\"",
        );
        assert_eq!(error_at(&repeated), (Rule::CriteriaContradiction, 12));
        let typo = EXAMPLE.replace("min_services", "min_servics");
        assert_eq!(error_at(&typo), (Rule::CriteriaSyntax, 6));
        let nothing = "format = \"samkoer-criteria\"\nversion = 1\n";
        assert_eq!(error_at(nothing), (Rule::CriteriaContradiction, 1));
        let zero_threshold = EXAMPLE.replace("version = 1\n", "version = 1\nthreshold = 2\n");
        assert_eq!(error_at(&zero_threshold), (Rule::CriteriaContradiction, 3));
    }

    #[test]
    fn combinations_match() {
        let all = Combination::All([1, 2].into());
        assert!(all.matches(|s| s == 1 || s == 2) && !all.matches(|s| s == 1));
        let any = Combination::AnyWithAny([1, 2].into(), [3].into());
        assert!(any.matches(|s| s == 2 || s == 3) && !any.matches(|s| s == 1 || s == 2));
    }
}
