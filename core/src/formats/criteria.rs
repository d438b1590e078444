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
//! age_bands = ["adult-18-29", "adult-30-49", "adult-50-66"]   # ... only in these age bands
//!
//! [[person.combination]]             # ... or by one of these combinations
//! name = "job clarification with home nursing"
//! all = ["EMP-JOB-CLARIFICATION", "HEA-HOME-NURSING"]
//! age_bands = ["adult-30-49", "adult-50-66"]   # ... this one only for these bands
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
//! child_age_bands = ["child-0-5"]    # ... and a child under 6 with services
//! ```

use std::collections::BTreeSet;
use std::ops::Range;

use toml::Spanned;

use crate::error::{Error, Result, Rule};
use crate::files::kind::{self, Kind};
use crate::formats::catalogue::{Catalogue, Category};
use crate::formats::toml_file::TomlFile;
use crate::primitives::cpr::AgeBand;

/// The value of the criteria file's `format` key.
pub const FORMAT: &str = "samkoer-criteria";
/// The default suppression threshold of the statistics.
pub const DEFAULT_THRESHOLD: u64 = 5;
/// The least suppression threshold the criteria may set.
pub const MIN_THRESHOLD: u64 = 3;

/// A set of catalogue services, as indices into [`Catalogue::services`].
pub type ServiceSet = BTreeSet<u16>;

/// A set of age bands (spec §3.3): bit `b` for the band whose byte is `b`.
#[derive(Clone, Copy, Default, PartialEq, Eq)]
pub struct AgeBands(u8);

impl AgeBands {
    /// Adds a band; false if it was in the set already.
    pub fn insert(&mut self, band: AgeBand) -> bool {
        let had = self.contains(band);
        self.0 |= 1 << band.to_byte();
        !had
    }

    /// Whether the band is in the set.
    pub fn contains(self, band: AgeBand) -> bool {
        self.contains_byte(band.to_byte())
    }

    /// Whether the band with this byte is in the set (a byte of no band never is).
    pub fn contains_byte(self, byte: u8) -> bool {
        byte < 8 && self.0 >> byte & 1 == 1
    }

    /// The set as bits, bit `b` for the band whose byte is `b`.
    pub fn bits(self) -> u8 {
        self.0
    }

    /// The bands, youngest first.
    pub fn iter(self) -> impl Iterator<Item = AgeBand> {
        AgeBand::ALL
            .into_iter()
            .filter(move |&band| self.contains(band))
    }
}

impl std::fmt::Debug for AgeBands {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_set()
            .entries(self.iter().map(AgeBand::name))
            .finish()
    }
}

impl FromIterator<AgeBand> for AgeBands {
    fn from_iter<I: IntoIterator<Item = AgeBand>>(bands: I) -> AgeBands {
        let mut set = AgeBands::default();
        for band in bands {
            set.insert(band);
        }
        set
    }
}

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
    /// It matches only a person in one of these age bands; `None`: in any.
    pub age_bands: Option<AgeBands>,
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
    /// A person qualifies (by the minimums or a combination) only in one of these age bands;
    /// `None`: in any.
    pub age_bands: Option<AgeBands>,
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
    /// At least one member with services is in one of these (child) age bands; `None`: no
    /// such condition.
    pub child_age_bands: Option<AgeBands>,
}

/// A `[[person.combination]]` as written, checked by [`Checker::combination`].
struct RawCombination {
    at: Range<usize>,
    name: Option<String>,
    all: Option<Vec<Spanned<String>>>,
    any: Option<Vec<Spanned<String>>>,
    with_any: Option<Vec<Spanned<String>>>,
    age_bands: Option<Spanned<Vec<Spanned<String>>>>,
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

    /// An age-band list: not empty (else a contradiction at the list); then each name in
    /// order a band of §3.3 (else `criteria-age-band-unknown` at the name), allowed here (else a
    /// contradiction at the name) and not listed before (else a contradiction at the name).
    fn age_bands(
        &self,
        list: &Spanned<Vec<Spanned<String>>>,
        allowed: impl Fn(AgeBand) -> bool,
    ) -> Result<AgeBands> {
        // An empty list would select nobody.
        if list.get_ref().is_empty() {
            return Err(self.error(list, Rule::CriteriaContradiction));
        }
        let mut bands = AgeBands::default();
        for name in list.get_ref() {
            let band = AgeBand::from_name(name.get_ref())
                .ok_or_else(|| self.error(name, Rule::CriteriaAgeBandUnknown))?;
            // A band twice is a slip for another band, most likely: say so rather than guess.
            if !allowed(band) || !bands.insert(band) {
                return Err(self.error(name, Rule::CriteriaContradiction));
            }
        }
        Ok(bands)
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
        kind::expect(text.as_bytes(), Kind::Criteria, file)?;
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
            age_bands: None,
            combinations: Vec::new(),
            defer_services,
            defer_major_change,
            family: None,
        };
        let person_keys = ["min_sectors", "min_services", "age_bands", "combination"];
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
            let combination_keys = ["name", "all", "any", "with_any", "age_bands"];
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
                        age_bands: table.string_list("age_bands")?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            if let Some(list) = person.string_list("age_bands")? {
                criteria.age_bands = Some(checker.age_bands(&list, |_| true)?);
                // The bands only restrict the minimums and combinations: alone they select
                // nobody, which is surely not what was meant.
                let restricts = criteria.min_sectors.is_some()
                    || criteria.min_services.is_some()
                    || !combinations.is_empty();
                if !restricts {
                    return Err(checker.error(&list, Rule::CriteriaContradiction));
                }
            }
            // Each combination is one bit of a candidate's reasons, beside two for other rules.
            if let Some(extra) = combinations.get(62) {
                return Err(checker.error_at(extra, Rule::CriteriaContradiction));
            }
            for (i, raw) in combinations.iter().enumerate() {
                let combination = checker.combination(raw, &criteria.defer_services)?;
                // A band the person rule leaves out could never match here.
                let age_bands = match &raw.age_bands {
                    Some(list) => Some(checker.age_bands(list, |band| {
                        criteria
                            .age_bands
                            .is_none_or(|person| person.contains(band))
                    })?),
                    None => None,
                };
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
                criteria.combinations.push(NamedCombination {
                    name,
                    combination,
                    age_bands,
                });
            }
        }
        let family_keys = ["require_child_and_adult", "min_sectors", "child_age_bands"];
        if let Some(family) = root.table("family", &family_keys)? {
            let min_sectors = match family.integer::<u32>("min_sectors")? {
                Some(min) => checker.sector_minimum(&min)?,
                None => 1,
            };
            let child_age_bands = match family.string_list("child_age_bands")? {
                // Only a child band can be a child's: an adult band here is a contradiction.
                Some(list) => Some(checker.age_bands(&list, AgeBand::is_child)?),
                None => None,
            };
            criteria.family = Some(FamilyRule {
                require_child_and_adult: family.flag("require_child_and_adult")?,
                min_sectors,
                child_age_bands,
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
                min_sectors: 3,
                child_age_bands: None,
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

    /// Criteria of one person rule, with `extra` lines after `min_services = 3` (line 5).
    fn person_with(extra: &str) -> String {
        format!("format = \"samkoer-criteria\"\nversion = 1\n\n[person]\nmin_services = 3\n{extra}")
    }

    /// Criteria of one family rule, with `extra` lines after `[family]` (line 4).
    fn family_with(extra: &str) -> String {
        format!("format = \"samkoer-criteria\"\nversion = 1\n\n[family]\n{extra}")
    }

    fn bands(names: &[&str]) -> AgeBands {
        names
            .iter()
            .map(|name| AgeBand::from_name(name).unwrap())
            .collect()
    }

    #[test]
    fn person_age_bands_restrict_the_person_rule() {
        let one = parse(&person_with("age_bands = [\"adult-18-29\"]\n")).unwrap();
        assert_eq!(one.age_bands, Some(bands(&["adult-18-29"])));
        // All six bands are a valid (if pointless) list; absent means any band.
        let all = "age_bands = [\"child-0-5\", \"child-6-17\", \"adult-18-29\", \"adult-30-49\", \"adult-50-66\", \"adult-67-plus\"]\n";
        assert_eq!(
            parse(&person_with(all))
                .unwrap()
                .age_bands
                .unwrap()
                .iter()
                .count(),
            6
        );
        assert_eq!(parse(&person_with("")).unwrap().age_bands, None);
        // The list's own line when it is empty; the name's line for a name.
        assert_eq!(
            error_at(&person_with("age_bands = []\n")),
            (Rule::CriteriaContradiction, 6)
        );
        assert_eq!(
            error_at(&person_with(
                "age_bands = [\n  \"adult-18-29\",\n  \"adult-18-30\",\n]\n"
            )),
            (Rule::CriteriaAgeBandUnknown, 8)
        );
        assert_eq!(
            error_at(&person_with("age_bands = [\"Adult-18-29\"]\n")),
            (Rule::CriteriaAgeBandUnknown, 6),
            "names are exact"
        );
        assert_eq!(
            error_at(&person_with(
                "age_bands = [\n  \"adult-18-29\",\n  \"adult-18-29\",\n]\n"
            )),
            (Rule::CriteriaContradiction, 8)
        );
        assert_eq!(
            error_at(&person_with("age_bands = \"adult-18-29\"\n")),
            (Rule::CriteriaSyntax, 6)
        );
        assert_eq!(
            error_at(&person_with("age_bands = [18]\n")),
            (Rule::CriteriaSyntax, 6)
        );
        // Bands alone select nobody: refused where they are, even with a family rule.
        let alone = "format = \"samkoer-criteria\"\nversion = 1\n\n[person]\nage_bands = [\"adult-18-29\"]\n\n[family]\n";
        assert_eq!(error_at(alone), (Rule::CriteriaContradiction, 5));
        let with_combination = "format = \"samkoer-criteria\"\nversion = 1\n\n[person]\nage_bands = [\"adult-18-29\"]\n\n[[person.combination]]\nall = [\"EMP-MENTOR\"]\n";
        assert!(parse(with_combination).is_ok());
    }

    #[test]
    fn a_combination_may_narrow_the_bands() {
        let combination = |person: &str, own: &str| {
            format!(
                "format = \"samkoer-criteria\"\nversion = 1\n\n[person]\n{person}\n[[person.combination]]\nall = [\"EMP-MENTOR\"]\n{own}\n"
            )
        };
        let any_person = parse(&combination("", "age_bands = [\"child-6-17\"]")).unwrap();
        assert_eq!(any_person.age_bands, None);
        assert_eq!(
            any_person.combinations[0].age_bands,
            Some(bands(&["child-6-17"]))
        );
        let person = "age_bands = [\"adult-18-29\", \"adult-30-49\"]";
        let narrower = parse(&combination(person, "age_bands = [\"adult-30-49\"]")).unwrap();
        assert_eq!(
            narrower.combinations[0].age_bands,
            Some(bands(&["adult-30-49"]))
        );
        let same = parse(&combination(
            person,
            "age_bands = [\"adult-30-49\", \"adult-18-29\"]",
        ));
        assert_eq!(
            same.unwrap().combinations[0].age_bands,
            Some(bands(&["adult-18-29", "adult-30-49"]))
        );
        // A band the person rule leaves out could never match: at the band's own line.
        assert_eq!(
            error_at(&combination(
                person,
                "age_bands = [\n  \"adult-30-49\",\n  \"adult-50-66\",\n]"
            )),
            (Rule::CriteriaContradiction, 10)
        );
        assert_eq!(
            error_at(&combination(person, "age_bands = []")),
            (Rule::CriteriaContradiction, 8)
        );
        assert_eq!(
            error_at(&combination("", "age_bands = [\"adult-68-plus\"]")),
            (Rule::CriteriaAgeBandUnknown, 8)
        );
        assert_eq!(
            error_at(&combination(
                "",
                "age_bands = [\"child-0-5\", \"child-0-5\"]"
            )),
            (Rule::CriteriaContradiction, 8)
        );
    }

    #[test]
    fn families_by_the_age_of_their_children() {
        let under_six = parse(&family_with("child_age_bands = [\"child-0-5\"]\n")).unwrap();
        assert_eq!(
            under_six.family.unwrap().child_age_bands,
            Some(bands(&["child-0-5"]))
        );
        let both = parse(&family_with(
            "child_age_bands = [\"child-6-17\", \"child-0-5\"]\n",
        ));
        assert_eq!(
            both.unwrap().family.unwrap().child_age_bands,
            Some(bands(&["child-0-5", "child-6-17"]))
        );
        assert_eq!(
            parse(&family_with(""))
                .unwrap()
                .family
                .unwrap()
                .child_age_bands,
            None
        );
        // The oldest child band is allowed, the youngest adult band is not.
        assert_eq!(
            error_at(&family_with(
                "child_age_bands = [\n  \"child-6-17\",\n  \"adult-18-29\",\n]\n"
            )),
            (Rule::CriteriaContradiction, 7)
        );
        assert_eq!(
            error_at(&family_with("child_age_bands = []\n")),
            (Rule::CriteriaContradiction, 5)
        );
        assert_eq!(
            error_at(&family_with("child_age_bands = [\"child-0-6\"]\n")),
            (Rule::CriteriaAgeBandUnknown, 5)
        );
        assert_eq!(
            error_at(&family_with(
                "child_age_bands = [\"child-0-5\",\n\"child-0-5\"]\n"
            )),
            (Rule::CriteriaContradiction, 6)
        );
        assert_eq!(
            error_at(&family_with("child_age_bands = \"child-0-5\"\n")),
            (Rule::CriteriaSyntax, 5)
        );
    }

    #[test]
    fn the_specs_shipped_example_parses_as_this_file_shows_it() {
        let spec = include_str!("../../../docs/spec.md");
        let after = &spec[spec.find("The shipped example").unwrap()..];
        let start = after.find("```toml\n").unwrap() + "```toml\n".len();
        let example = &after[start..start + after[start..].find("```").unwrap()];
        let criteria = parse(example).unwrap();
        assert_eq!(criteria.age_bands.unwrap().iter().count(), 3);
        assert_eq!(
            criteria.family.unwrap().child_age_bands,
            Some(bands(&["child-0-5"]))
        );
        // The module's documentation shows the same file with comments.
        let documented: String = include_str!("criteria.rs")
            .lines()
            .skip_while(|line| !line.starts_with("//! ```toml"))
            .skip(1)
            .take_while(|line| !line.starts_with("//! ```"))
            .map(|line| {
                line.trim_start_matches("//!")
                    .split('#')
                    .next()
                    .unwrap()
                    .trim()
            })
            .filter(|line| !line.is_empty())
            .map(|line| format!("{line}\n"))
            .collect();
        assert_eq!(documented, example);
    }

    #[test]
    fn the_readmes_example_parses() {
        let readme = include_str!("../../../README.md");
        let after = &readme[readme.find("### Selection criteria").unwrap()..];
        let start = after.find("```toml\n").unwrap() + "```toml\n".len();
        let example = &after[start..start + after[start..].find("```").unwrap()];
        let criteria = parse(example).unwrap();
        assert!(criteria.age_bands.is_some() && criteria.combinations[0].age_bands.is_some());
        assert!(criteria.family.unwrap().child_age_bands.is_some());
    }

    #[test]
    fn age_band_sets() {
        let mut set = AgeBands::default();
        assert!(set.insert(AgeBand::Child0To5) && !set.insert(AgeBand::Child0To5));
        assert!(set.contains(AgeBand::Child0To5) && !set.contains(AgeBand::Child6To17));
        assert!(set.contains_byte(1) && !set.contains_byte(0) && !set.contains_byte(200));
        // Bytes 7 and 8, the first of no band inside the set's bits and the first outside.
        for band in AgeBand::ALL {
            set.insert(band);
        }
        assert!(!set.contains_byte(7) && !set.contains_byte(8));
        let mut set = AgeBands::default();
        set.insert(AgeBand::Child0To5);
        assert_eq!(set.bits(), 0b10);
        assert_eq!(format!("{set:?}"), "{\"child-0-5\"}");
    }

    #[test]
    fn combinations_match() {
        let all = Combination::All([1, 2].into());
        assert!(all.matches(|s| s == 1 || s == 2) && !all.matches(|s| s == 1));
        let any = Combination::AnyWithAny([1, 2].into(), [3].into());
        assert!(any.matches(|s| s == 2 || s == 3) && !any.matches(|s| s == 1 || s == 2));
    }
}
