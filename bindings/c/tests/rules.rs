//! `src/rules.rs` — the rule codes as a C enum in the generated header — is generated from the
//! core's one error table; this fails when it is stale (`SAMKOER_UPDATE_VECTORS=1` rewrites it).

#![allow(clippy::unwrap_used, clippy::expect_used)] // test code: a panic is the failure report

use samkoer_core::Rule;
use samkoer_core::error::CLASSES;

fn constant(name: &str) -> String {
    format!("SAMKOER_{}", name.to_uppercase().replace('-', "_"))
}

/// The file as the core's table gives it.
fn generated() -> String {
    let mut out = String::from(
        "//! The stable error codes of the core (spec §10) as a C enum: generated from the core's\n\
         //! one error table by `tests/rules.rs` (`SAMKOER_UPDATE_VECTORS=1 cargo test -p samkoer-c\n\
         //! --test rules`). Do not edit.\n\n\
         /// Every error code a function can return besides `SAMKOER_OK` and the C-side codes\n\
         /// below zero: the classes that are not rules, then every rule.\n\
         #[repr(C)]\n\
         #[derive(Clone, Copy, Debug, PartialEq, Eq)]\n\
         pub enum samkoer_code {\n",
    );
    for (code, name) in CLASSES {
        out.push_str(&format!(
            "    /// `{name}` (not a rule).\n    {} = {code},\n",
            constant(name)
        ));
    }
    for rule in Rule::ALL {
        out.push_str(&format!(
            "    /// `{}` ({}): {}.\n    {} = {},\n",
            rule.name(),
            rule.form().name(),
            rule.description(),
            constant(&format!("rule-{}", rule.name())),
            rule.code()
        ));
    }
    out.push_str("}\n");
    out
}

#[test]
fn the_rule_enum_is_the_core_table() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules.rs");
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    let wanted = generated();
    if current != wanted {
        if std::env::var_os("SAMKOER_UPDATE_VECTORS").is_some() {
            std::fs::write(&path, wanted).unwrap();
        } else {
            panic!(
                "bindings/c/src/rules.rs is stale: run SAMKOER_UPDATE_VECTORS=1 cargo test -p samkoer-c --test rules"
            );
        }
    }
}
