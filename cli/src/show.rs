//! `samkoer catalogue`: the service catalogue, for people or as JSON.

use std::path::Path;

use crate::common::catalogue as load;
use crate::common::say;
use crate::error::CliResult;

/// Prints the catalogue.
pub fn catalogue(json: bool, path: Option<&Path>) -> CliResult {
    let catalogue = load(path)?;
    if json {
        let text = serde_json::to_string_pretty(&catalogue).unwrap_or_default();
        crate::common::write_any(format_args!("{text}"), true);
        return Ok(());
    }
    say!("service catalogue version {}", catalogue.version);
    for sector in &catalogue.sectors {
        say!("\n{} ({})", sector.code, sector.name);
        for s in catalogue
            .services
            .iter()
            .filter(|s| s.sector == sector.code)
        {
            let major = if s.major_change {
                "  [major change]"
            } else {
                ""
            };
            say!("  {:<24} {:<12} {}{major}", s.code, s.paragraph, s.name);
        }
    }
    say!("\nexcluded (never shared before consent)");
    for e in &catalogue.excluded {
        say!("  {:<24} {}", e.code, e.name);
    }
    Ok(())
}
