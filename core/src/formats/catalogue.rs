//! The service catalogue: which service categories a sector may publish, and which never
//! (spec §9). The catalogue is data, versioned and shipped as `core/catalogue/catalogue.toml`;
//! a municipality may load its own reviewed copy instead.

use std::sync::OnceLock;

use rustc_hash::FxHashMap;
use serde::Serialize;
use toml::Spanned;

use crate::error::{Result, Rule};
use crate::files::kind::{self, Kind};
use crate::formats::toml_file::{Fields, TomlFile};
use crate::primitives::ids::SectorCode;

/// The catalogue shipped with this version of samkoer: `core/catalogue/catalogue.toml` without
/// its comment and blank lines (`core/build.rs`).
pub const BUILTIN_TEXT: &str = include_str!(concat!(env!("OUT_DIR"), "/catalogue.toml"));
/// The value of the catalogue's `format` key.
pub const FORMAT: &str = "samkoer-catalogue";

/// A sector area: the owner of a case system.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Sector {
    /// The sector's code, as in publications and key files.
    pub code: SectorCode,
    /// The Danish name.
    pub name: String,
    /// The English name.
    pub name_en: String,
}

/// A service category that may be published.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Service {
    /// The stable code that exports and publications use.
    pub code: String,
    /// The sector that publishes it.
    pub sector: SectorCode,
    /// The law it is granted under.
    pub law: String,
    /// The legal paragraph.
    pub paragraph: String,
    /// The Danish name.
    pub name: String,
    /// The English name.
    pub name_en: String,
    /// Whether it marks a pending major change (placement, residential treatment).
    pub major_change: bool,
}

/// A service category that is never shared before consent.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ExcludedService {
    /// The stable code that exports use.
    pub code: String,
    /// The Danish name.
    pub name: String,
    /// The English name.
    pub name_en: String,
    /// The law it is granted under.
    pub law: String,
    /// The legal paragraph.
    pub paragraph: String,
    /// Why it is excluded.
    pub reason: String,
}

/// What the catalogue says about a service code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Category<'a> {
    /// May be published by its sector.
    Allowed(&'a Service),
    /// Never published.
    Excluded(&'a ExcludedService),
}

/// A validated service catalogue.
#[derive(Clone, Debug, Serialize)]
pub struct Catalogue {
    /// The catalogue's version, written into every publication's header.
    pub version: String,
    /// The sector areas.
    pub sectors: Vec<Sector>,
    /// The allowed service categories.
    pub services: Vec<Service>,
    /// The excluded service categories.
    pub excluded: Vec<ExcludedService>,
    #[serde(skip)]
    // Looked up once per export row: a fast hash, safe here because the table is fixed and
    // small, so no input can flood it.
    index: FxHashMap<String, CategoryIndex>,
}

#[derive(Clone, Copy, Debug)]
enum CategoryIndex {
    Allowed(usize),
    Excluded(usize),
}

/// The value, if non-empty after trimming and free of control characters.
fn text_field(fields: &Fields<'_, '_>, file: &TomlFile<'_>, key: &str) -> Result<String> {
    let value = fields.required_string(key)?;
    let text = value.get_ref().trim();
    if text.is_empty() || text.chars().any(char::is_control) {
        return Err(file.error(&value, Rule::CatalogueField));
    }
    Ok(text.to_owned())
}

/// A service or excluded code: 2 to 24 of `A-Z 0-9 -`, starting with a letter.
#[inline]
pub(crate) fn is_service_code(code: &str) -> bool {
    let bytes = code.as_bytes();
    (2..=24).contains(&bytes.len())
        && bytes[0].is_ascii_uppercase()
        && bytes
            .iter()
            .all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
}

impl Catalogue {
    /// The catalogue shipped with this version of samkoer.
    pub fn builtin() -> &'static Catalogue {
        static BUILTIN: OnceLock<Catalogue> = OnceLock::new();
        BUILTIN.get_or_init(|| {
            // The shipped file is checked by a unit test, so parsing it cannot fail.
            #[allow(clippy::expect_used)]
            Catalogue::parse(BUILTIN_TEXT, "builtin catalogue")
                .expect("the builtin catalogue is valid")
        })
    }

    /// Reads a catalogue file (or its text in memory), parsed and validated as
    /// [`Catalogue::parse`] does.
    pub fn from_input(input: &crate::files::Input) -> Result<Catalogue> {
        Catalogue::parse(&input.text_of(Kind::Catalogue)?, &input.name())
    }

    /// Parses and validates a catalogue; `file` names it in errors.
    pub fn parse(text: &str, file: &str) -> Result<Catalogue> {
        kind::expect(text.as_bytes(), Kind::Catalogue, file)?;
        let toml = TomlFile::new(text, file, Rule::CatalogueSyntax);
        let document = toml.parse()?;
        let root = toml.fields(
            &document,
            &["format", "version", "sector", "service", "excluded"],
        )?;
        let format = root.required_string("format")?;
        if format.get_ref() != FORMAT {
            return Err(toml.error(&format, Rule::CatalogueSyntax));
        }
        let version = text_field(&root, &toml, "version")?;

        let mut index = FxHashMap::default();
        let mut sectors = Vec::new();
        for sector in root.tables("sector", &["code", "name", "name_en"])? {
            let code_value = sector.required_string("code")?;
            // The matcher keeps a person's sectors as bits of a 64-bit word.
            if sectors.len() == 64 {
                return Err(toml.error(&code_value, Rule::CatalogueField));
            }
            let code = SectorCode::new(code_value.get_ref())
                .map_err(|_| toml.error(&code_value, Rule::CatalogueField))?;
            if sectors.iter().any(|s: &Sector| s.code == code) {
                return Err(toml.error(&code_value, Rule::CatalogueDuplicate));
            }
            sectors.push(Sector {
                code,
                name: text_field(&sector, &toml, "name")?,
                name_en: text_field(&sector, &toml, "name_en")?,
            });
        }

        let mut claim_code = |code: &Spanned<String>, entry: CategoryIndex| -> Result<String> {
            if !is_service_code(code.get_ref()) {
                return Err(toml.error(code, Rule::CatalogueField));
            }
            if index.insert(code.get_ref().clone(), entry).is_some() {
                return Err(toml.error(code, Rule::CatalogueDuplicate));
            }
            Ok(code.get_ref().clone())
        };

        let mut services = Vec::new();
        let service_keys = [
            "code",
            "sector",
            "law",
            "paragraph",
            "name",
            "name_en",
            "major_change",
        ];
        for service in root.tables("service", &service_keys)? {
            let code_value = service.required_string("code")?;
            // Services are numbered with 16 bits in the matcher.
            if services.len() == usize::from(u16::MAX) {
                return Err(toml.error(&code_value, Rule::CatalogueField));
            }
            let code = claim_code(&code_value, CategoryIndex::Allowed(services.len()))?;
            let sector_value = service.required_string("sector")?;
            let sector = sectors
                .iter()
                .find(|s| s.code.as_str() == sector_value.get_ref())
                .ok_or_else(|| toml.error(&sector_value, Rule::CatalogueSector))?
                .code
                .clone();
            services.push(Service {
                code,
                sector,
                law: text_field(&service, &toml, "law")?,
                paragraph: text_field(&service, &toml, "paragraph")?,
                name: text_field(&service, &toml, "name")?,
                name_en: text_field(&service, &toml, "name_en")?,
                major_change: service.required_flag("major_change")?,
            });
        }

        let mut excluded = Vec::new();
        let excluded_keys = ["code", "name", "name_en", "law", "paragraph", "reason"];
        for entry in root.tables("excluded", &excluded_keys)? {
            let code = claim_code(
                &entry.required_string("code")?,
                CategoryIndex::Excluded(excluded.len()),
            )?;
            excluded.push(ExcludedService {
                code,
                name: text_field(&entry, &toml, "name")?,
                name_en: text_field(&entry, &toml, "name_en")?,
                law: text_field(&entry, &toml, "law")?,
                paragraph: text_field(&entry, &toml, "paragraph")?,
                reason: text_field(&entry, &toml, "reason")?,
            });
        }

        Ok(Catalogue {
            version,
            sectors,
            services,
            excluded,
            index,
        })
    }

    /// What the catalogue says about `code`; `None` if it does not know it.
    pub fn lookup(&self, code: &str) -> Option<Category<'_>> {
        Some(match *self.index.get(code)? {
            CategoryIndex::Allowed(i) => Category::Allowed(&self.services[i]),
            CategoryIndex::Excluded(i) => Category::Excluded(&self.excluded[i]),
        })
    }

    /// Each sector's allowed services with their catalogue indices, in catalogue order.
    pub fn services_by_sector(&self) -> Vec<Vec<(u16, &Service)>> {
        self.sectors
            .iter()
            .map(|sector| {
                let own = self
                    .services
                    .iter()
                    .enumerate()
                    .filter(|(_, s)| s.sector == sector.code);
                // Parsing caps the services at u16::MAX, so every index fits.
                own.map(|(i, s)| (i as u16, s)).collect()
            })
            .collect()
    }

    /// The sector with this code, if the catalogue defines it.
    pub fn sector(&self, code: &str) -> Option<&Sector> {
        self.sectors.iter().find(|s| s.code.as_str() == code)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Error;

    #[test]
    fn builtin_catalogue_is_valid_and_complete() {
        let catalogue = Catalogue::parse(BUILTIN_TEXT, "catalogue.toml").unwrap();
        assert_eq!(catalogue.sectors.len(), 5);
        assert!(
            catalogue.services.len() >= 40,
            "at least 40 allowed categories"
        );
        for sector in &catalogue.sectors {
            let count = catalogue
                .services
                .iter()
                .filter(|s| s.sector == sector.code)
                .count();
            assert!(count >= 5, "{} has only {count} services", sector.code);
        }
        assert!(catalogue.services.iter().filter(|s| s.major_change).count() >= 3);
        // Every excluded type the free-commune application names is in the catalogue.
        let excluded: String = catalogue
            .excluded
            .iter()
            .map(|e| e.name.to_lowercase() + "\n")
            .collect();
        for name in [
            "boligsikring",
            "varmetillæg",
            "friplads",
            "hjælpemidler",
            "tabt arbejdsfortjeneste",
            "tandpleje",
            "sundhedspleje",
            "befordring",
            "helbredstillæg",
            "medicintillæg",
            "enkeltydelse",
            "frivillig",
        ] {
            assert!(excluded.contains(name), "no excluded category for {name}");
        }
    }

    #[test]
    fn mistakes_are_reported_with_line_and_rule() {
        let duplicated = BUILTIN_TEXT.replacen("code = \"EMP-", "code = \"X-DUP\" #", 1)
            + "\n[[excluded]]\ncode = \"X-DUP\"\nname = \"a\"\nname_en = \"a\"\nlaw = \"a\"\nparagraph = \"a\"\nreason = \"a\"\n";
        let error = Catalogue::parse(&duplicated, "c.toml").unwrap_err();
        assert_eq!(error.rule(), Some(Rule::CatalogueDuplicate));
        let last_line = duplicated.lines().count() as u64;
        assert!(matches!(error, Error::Input { line, .. } if line == last_line - 5));

        let unknown_sector =
            BUILTIN_TEXT.replacen("sector = \"employment\"", "sector = \"police\"", 1);
        let error = Catalogue::parse(&unknown_sector, "c.toml").unwrap_err();
        assert_eq!(error.rule(), Some(Rule::CatalogueSector));

        let extra_key = BUILTIN_TEXT.replacen(
            "major_change = false",
            "major_change = false\ncolour = 1",
            1,
        );
        assert_eq!(
            Catalogue::parse(&extra_key, "c.toml").unwrap_err().rule(),
            Some(Rule::CatalogueSyntax)
        );

        let empty_name = BUILTIN_TEXT.replacen("name_en = \"", "name_en = \"  \" #", 1);
        assert_eq!(
            Catalogue::parse(&empty_name, "c.toml").unwrap_err().rule(),
            Some(Rule::CatalogueField)
        );
    }

    #[test]
    fn lookup_tells_allowed_from_excluded() {
        let catalogue = Catalogue::builtin();
        let allowed = &catalogue.services[0];
        assert_eq!(
            catalogue.lookup(&allowed.code),
            Some(Category::Allowed(allowed))
        );
        let excluded = &catalogue.excluded[0];
        assert_eq!(
            catalogue.lookup(&excluded.code),
            Some(Category::Excluded(excluded))
        );
        assert_eq!(catalogue.lookup("NO-SUCH-CODE"), None);
    }
}
