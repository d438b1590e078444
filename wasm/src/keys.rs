//! Keys from the text of their key files (a file picked in the page): every kind the tools use.

use samkoer_core::KeyFileFormat;
use wasm_bindgen::prelude::*;

use crate::js;

/// A key class over the core's key, read from its key file's text.
macro_rules! key_class {
    ($(#[$doc:meta])* $name:ident, $core:ty) => {
        $(#[$doc])*
        #[wasm_bindgen]
        pub struct $name {
            pub(crate) key: $core,
        }

        #[wasm_bindgen]
        impl $name {
            /// Parses the key file's text.
            #[wasm_bindgen(js_name = fromKeyFile)]
            pub fn from_key_file(text: &str) -> Result<$name, JsValue> {
                let name = concat!(stringify!($name), " file");
                Ok($name { key: js::result(<$core>::from_key_file(text, name))? })
            }

            /// The key's public fingerprint.
            #[wasm_bindgen(getter)]
            pub fn fingerprint(&self) -> String {
                self.key.fingerprint().to_string()
            }

            /// The municipality code.
            #[wasm_bindgen(getter)]
            pub fn municipality(&self) -> String {
                self.key.municipality().to_string()
            }
        }
    };
}

key_class!(
    /// A sector's sealing key.
    SealingKey, samkoer_core::SealingKey
);
key_class!(
    /// The consent registry's signing key.
    ConsentRegistryKey, samkoer_core::primitives::keys::ConsentRegistryKey
);
key_class!(
    /// The consent registry's public key.
    ConsentRegistryPublicKey, samkoer_core::primitives::keys::ConsentRegistryPublicKey
);
key_class!(
    /// The subject key.
    SubjectKey, samkoer_core::primitives::keys::SubjectKey
);
key_class!(
    /// The plan team's key.
    PlanTeamKey, samkoer_core::primitives::keys::PlanTeamKey
);
key_class!(
    /// The plan team's public key.
    PlanTeamPublicKey, samkoer_core::primitives::keys::PlanTeamPublicKey
);
// The plan team's alone: not in the export tool's module.
#[cfg(feature = "every-step")]
mod plan_team_keys {
    use super::*;
    key_class!(
        /// A sector's public signing key: the plan team checks the sector's bundles with it.
        SectorPublicKey, samkoer_core::primitives::keys::SectorPublicKey
    );
}
#[cfg(feature = "every-step")]
pub use plan_team_keys::SectorPublicKey;
key_class!(
    /// The central matcher's key (it signs the matcher's audit entries).
    MatcherKey, samkoer_core::primitives::keys::MatcherKey
);

#[wasm_bindgen]
impl SealingKey {
    /// The sector.
    #[wasm_bindgen(getter)]
    pub fn sector(&self) -> String {
        self.key.sector().to_string()
    }
}

/// A run key, with its pre-keyed pseudonymiser.
#[wasm_bindgen]
pub struct RunKey {
    pub(crate) key: samkoer_core::RunKey,
    pub(crate) pseudonymiser: samkoer_core::Pseudonymiser,
}

#[wasm_bindgen]
impl RunKey {
    /// Parses a run-key file's text.
    #[wasm_bindgen(js_name = fromKeyFile)]
    pub fn from_key_file(text: &str) -> Result<RunKey, JsValue> {
        let key = js::result(samkoer_core::RunKey::from_key_file(text, "run key file"))?;
        Ok(RunKey {
            pseudonymiser: samkoer_core::Pseudonymiser::new(&key),
            key,
        })
    }

    /// The key's public fingerprint.
    #[wasm_bindgen(getter)]
    pub fn fingerprint(&self) -> String {
        self.key.fingerprint().to_string()
    }

    /// The run id.
    #[wasm_bindgen(getter)]
    pub fn run(&self) -> String {
        self.key.run().to_string()
    }

    /// The run's reference date (`YYYY-MM-DD`), on which every sector publishes.
    #[wasm_bindgen(getter, js_name = referenceDate)]
    pub fn reference_date(&self) -> String {
        self.key.reference_date().to_string()
    }
}
