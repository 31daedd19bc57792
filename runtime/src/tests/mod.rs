//! Runtime-level tests: the genesis presets, the fee parameters, the attestations' lane, the
//! storage migrations, governance's tracks and origins, and a fuzzer of random calls through
//! the real `Executive`.

use codec::Encode;
use frame_support::{dispatch::GetDispatchInfo, genesis_builder_helper::build_state};
use serde_json::Value;
use sp_core::H256;
use sp_genesis_builder::PresetId;
use sp_runtime::{
	generic::{CheckedExtrinsic, Digest, DigestItem, ExtrinsicFormat},
	traits::{Applyable, Header as _},
};

use crate::{
	genesis_config_presets::get_preset, AccountId, BlockNumber, Executive, Header, Runtime,
	RuntimeCall, RuntimeGenesisConfig, System, TxExtension, SLOT_DURATION,
};

mod answers;
mod assets;
mod earnings;
mod fuzz;
mod genesis;
mod governance;
mod lane;
mod migrations;
mod validators;

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

/// Starts block `n` (through `Executive`, every pallet's hooks included) authored in Aura slot
/// `slot`, and applies that slot's timestamp inherent.
pub(crate) fn open_block(n: BlockNumber, slot: u64) {
	let digest = Digest {
		logs: vec![DigestItem::PreRuntime(
			sp_consensus_aura::AURA_ENGINE_ID,
			sp_consensus_aura::Slot::from(slot).encode(),
		)],
	};
	let parent = System::block_hash(n.saturating_sub(1));
	Executive::initialize_block(&Header::new(n, H256::zero(), H256::zero(), parent, digest));
	let set = RuntimeCall::Timestamp(pallet_timestamp::Call::set { now: slot * SLOT_DURATION });
	let xt = CheckedExtrinsic::<AccountId, RuntimeCall, TxExtension> {
		format: ExtrinsicFormat::Bare,
		function: set.clone(),
	};
	let info = xt.get_dispatch_info();
	let encoded = crate::UncheckedExtrinsic::new_bare(set).encode();
	System::note_extrinsic(encoded.clone());
	let r = Applyable::apply::<Runtime>(xt, &info, encoded.len())
		.expect("the timestamp inherent is valid");
	assert!(r.is_ok(), "the timestamp inherent applies: {r:?}");
	System::note_applied_extrinsic(&r, info);
}

/// `call`, for a proxy to dispatch on behalf of `real`.
pub(crate) fn by_proxy(real: &AccountId, call: RuntimeCall) -> RuntimeCall {
	RuntimeCall::Proxy(pallet_proxy::Call::proxy {
		real: sp_runtime::MultiAddress::Id(real.clone()),
		force_proxy_type: None,
		call: Box::new(call),
	})
}

/// The last `proxy.ProxyExecuted` result.
pub(crate) fn last_proxied() -> Option<sp_runtime::DispatchResult> {
	System::events().into_iter().rev().find_map(|r| match r.event {
		crate::RuntimeEvent::Proxy(pallet_proxy::Event::ProxyExecuted { result }) => Some(result),
		_ => None,
	})
}
