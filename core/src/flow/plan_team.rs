//! The plan team's step: open the bundles the consented sectors sent for one citizen, each
//! checked as the sector's own and as answering that citizen's receipt.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::consent::disclosure::{Answering, Disclosure, open_disclosure};
use crate::consent::receipt::Receipt;
use crate::error::{Error, Result, Rule};
use crate::files::kind::Kind;
use crate::files::outputs::Staging;
use crate::files::{Input, OutputKind, Place};
use crate::flow::step::{Audit, Completed, Party, Record, run};
use crate::primitives::keys::{ConsentRegistryPublicKey, PlanTeamKey, SectorPublicKey};
use crate::primitives::signing::PartySigningKey;

/// The value of the opened disclosures' `format` field.
pub const OPENED_FORMAT: &str = "samkoer-opened";

/// What opening needs.
#[derive(Debug)]
pub struct Open<'a> {
    /// The plan team's key.
    pub plan_team: &'a PlanTeamKey,
    /// The consent registry's public key, which the receipt must verify under.
    pub registry: &'a ConsentRegistryPublicKey,
    /// The citizen's receipt, which the bundles answer.
    pub receipt: Input,
    /// The consented sectors' public keys (`keygen public` of their sealing keys).
    pub sectors: Vec<SectorPublicKey>,
    /// The bundles received, one per consented sector.
    pub bundles: Vec<Input>,
}

/// The opened disclosures of one receipt (spec §18.2).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Opened {
    /// The receipt's id (hex).
    pub receipt: String,
    /// The sectors the consent covers, whether or not they disclosed.
    pub consented: Vec<String>,
    /// The disclosures, one per bundle.
    pub disclosures: Vec<Disclosure>,
}

#[derive(Serialize)]
struct OpenedJson<'a> {
    format: &'static str,
    version: u32,
    receipt: &'a str,
    consented: &'a [String],
    disclosures: &'a [Disclosure],
}

impl Opened {
    /// The opened disclosures as JSON (spec §18.2): `format`, `version` (2), the receipt, the
    /// sectors in its scope, and the disclosures.
    pub fn to_json(&self) -> String {
        let opened = OpenedJson {
            format: OPENED_FORMAT,
            version: 2,
            receipt: &self.receipt,
            consented: &self.consented,
            disclosures: &self.disclosures,
        };
        // Plain strings: serialising cannot fail.
        serde_json::to_string_pretty(&opened).unwrap_or_default() + "\n"
    }
}

/// Opens every bundle with the plan team's key (spec §15): the receipt verified under the
/// registry's key, each bundle signed by its sector's public key and answering that receipt,
/// one per sector; writes them, owner-only, to `out` if given. Any bundle that does not pass
/// stops the step, naming it.
pub fn open(step: &Open<'_>, out: Option<Place>, audit: &Audit) -> Result<Completed<Opened>> {
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
        let receipt_name = step.receipt.name();
        let receipt = Receipt::parse(&step.receipt.read_of(Kind::Receipt)?, &receipt_name)?;
        receipt.verify(step.registry, &receipt_name)?;
        let answering = Answering {
            receipt: &receipt,
            sectors: &step.sectors,
        };
        let mut seen = BTreeSet::new();
        let mut disclosures = Vec::with_capacity(step.bundles.len());
        for bundle in &step.bundles {
            let name = bundle.name();
            let disclosure = open_disclosure(
                &bundle.read_of(Kind::Bundle)?,
                step.plan_team,
                &answering,
                &name,
            )?;
            if !seen.insert(disclosure.sector.clone()) {
                return Err(Error::input(&name, 0, Rule::DisclosureReceipt));
            }
            disclosures.push(disclosure);
        }
        let opened = Opened {
            receipt: receipt.id_hex(),
            consented: receipt.sectors.iter().map(ToString::to_string).collect(),
            disclosures,
        };
        if let Some(slot) = slot {
            staging.write(slot, opened.to_json().as_bytes(), None)?;
        }
        let services = opened
            .disclosures
            .iter()
            .map(|d| d.services.len() as u64)
            .sum();
        let counts = vec![
            ("bundles", opened.disclosures.len() as u64),
            ("services", services),
        ];
        Ok((opened, counts))
    })
}
