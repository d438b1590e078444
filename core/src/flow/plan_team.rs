//! The plan team's step: open the bundles the consented sectors sent.

use serde::Serialize;

use crate::consent::disclosure::{Disclosure, open_disclosure};
use crate::error::Result;
use crate::files::kind::Kind;
use crate::files::outputs::Staging;
use crate::files::{Input, OutputKind, Place};
use crate::flow::step::{Audit, Completed, Party, Record, run};
use crate::primitives::keys::PlanTeamKey;
use crate::primitives::signing::PartySigningKey;

/// The value of the opened disclosures' `format` field.
pub const OPENED_FORMAT: &str = "samkoer-opened";

/// What opening needs.
#[derive(Debug)]
pub struct Open<'a> {
    /// The plan team's key.
    pub plan_team: &'a PlanTeamKey,
    /// The bundles received, one per consented sector.
    pub bundles: Vec<Input>,
}

#[derive(Serialize)]
struct Opened<'a> {
    format: &'static str,
    version: u32,
    disclosures: &'a [Disclosure],
}

/// The opened disclosures as JSON (spec §18.2): `format`, `version` and the disclosures.
pub fn opened_json(disclosures: &[Disclosure]) -> String {
    let opened = Opened {
        format: OPENED_FORMAT,
        version: 1,
        disclosures,
    };
    // Plain strings: serialising cannot fail.
    serde_json::to_string_pretty(&opened).unwrap_or_default() + "\n"
}

/// Opens every bundle with the plan team's key (spec §15); writes them, owner-only, to `out`
/// if given. Any bundle that does not open stops the step, naming it.
pub fn open(
    step: &Open<'_>,
    out: Option<Place>,
    audit: &Audit,
) -> Result<Completed<Vec<Disclosure>>> {
    let record = Record {
        party: Party::PlanTeam,
        action: "open",
        run: None,
        signing: Some(PartySigningKey::of_plan_team(step.plan_team)),
        noted: Vec::new(),
    };
    run(audit, record, |staging: &mut Staging, _: &mut Record| {
        let slot = match out {
            Some(place) => Some(staging.declare(OutputKind::Opened, place)?),
            None => None,
        };
        let disclosures = step
            .bundles
            .iter()
            .map(|b| open_disclosure(&b.read_of(Kind::Bundle)?, step.plan_team, &b.name()))
            .collect::<Result<Vec<_>>>()?;
        if let Some(slot) = slot {
            staging.write(slot, opened_json(&disclosures).as_bytes(), None)?;
        }
        let services = disclosures.iter().map(|d| d.services.len() as u64).sum();
        let counts = vec![
            ("bundles", disclosures.len() as u64),
            ("services", services),
        ];
        Ok((disclosures, counts))
    })
}
