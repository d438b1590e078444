//! Embeds the shipped catalogue (`catalogue/catalogue.toml`) without its comment and blank
//! lines: those are for the people who review the file, while every embedded byte ends up in
//! the WebAssembly module.

use std::path::PathBuf;

fn main() -> std::io::Result<()> {
    let source = "catalogue/catalogue.toml";
    println!("cargo:rerun-if-changed={source}");
    let text = std::fs::read_to_string(source)?;
    let data: String = text
        .lines()
        .filter(|line| {
            let line = line.trim();
            !line.is_empty() && !line.starts_with('#')
        })
        .flat_map(|line| [line, "\n"])
        .collect();
    let out = std::env::var_os("OUT_DIR")
        .map(PathBuf::from)
        .ok_or_else(|| std::io::Error::other("cargo sets OUT_DIR for build scripts"))?;
    std::fs::write(out.join("catalogue.toml"), data)
}
