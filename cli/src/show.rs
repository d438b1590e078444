//! `samkoer catalogue`: the service catalogue, for people or as JSON.

use std::path::Path;

use crate::common::catalogue as load;
use crate::error::CliResult;

/// Prints the catalogue.
pub fn catalogue(json: bool, path: Option<&Path>) -> CliResult {
    let catalogue = load(path)?;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(&catalogue).unwrap_or_default()
        );
        return Ok(());
    }
    println!("service catalogue version {}", catalogue.version);
    for sector in &catalogue.sectors {
        println!("\n{} ({})", sector.code, sector.name);
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
            println!("  {:<24} {:<12} {}{major}", s.code, s.paragraph, s.name);
        }
    }
    println!("\nexcluded (never shared before consent)");
    for e in &catalogue.excluded {
        println!("  {:<24} {}", e.code, e.name);
    }
    Ok(())
}
