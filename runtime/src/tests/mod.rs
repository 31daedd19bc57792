//! Runtime-level tests: the genesis presets, the fee parameters, the attestations' lane, the
//! storage migrations, governance's tracks and origins, and a fuzzer of random calls through
//! the real `Executive`.

use frame_support::genesis_builder_helper::build_state;
use serde_json::Value;
use sp_genesis_builder::PresetId;

use crate::{genesis_config_presets::get_preset, RuntimeGenesisConfig};

mod fuzz;
mod genesis;
mod governance;
mod lane;
mod migrations;

/// Applies a JSON patch the way the node applies a preset to the default genesis config.
fn merge(base: &mut Value, patch: Value) {
	match (base, patch) {
		(Value::Object(base), Value::Object(patch)) => {
			for (key, value) in patch {
				merge(base.entry(key).or_insert(Value::Null), value);
			}
		},
		(base, patch) => *base = patch,
	}
}

/// The genesis state of a named preset.
pub(crate) fn state_of(preset: &str) -> sp_io::TestExternalities {
	let patch = get_preset(&PresetId::from(preset)).expect("the preset exists");
	let mut config = serde_json::to_value(RuntimeGenesisConfig::default()).expect("serialisable");
	merge(&mut config, serde_json::from_slice(&patch).expect("a preset is JSON"));
	let json = serde_json::to_vec(&config).expect("serialisable");

	let mut ext = sp_io::TestExternalities::new_empty();
	ext.execute_with(|| build_state::<RuntimeGenesisConfig>(json).expect("the preset builds"));
	ext
}
