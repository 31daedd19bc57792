//! What a block holds: the work of a hundred inferences, and the attestations' lane.

use sp_keyring::Sr25519Keyring;

use super::state_of;
use crate::Runtime;

/// What the chain is sized for: the answers to 100 paid inferences fit a block, and so does the
/// most that one block's `on_initialize` settles.
#[test]
fn a_block_holds_the_work_of_a_hundred_inferences_and_its_bounded_hooks() {
	use frame_support::{dispatch::DispatchClass, traits::Get};
	use pallet_attribution::WeightInfo as _;
	type W = pallet_attribution::weights::SubstrateWeight<Runtime>;
	let weights = <Runtime as frame_system::Config>::BlockWeights::get();
	let normal = weights.get(DispatchClass::Normal);
	let max_normal = normal.max_total.expect("the normal class has a limit");
	// What one worker batch may weigh: half of the lane normal transactions cannot fill.
	let batch_limit = pallet_attribution::ocw::batch_limit::<Runtime>();
	let attestors: u32 = <Runtime as pallet_attribution::Config>::MaxAttestors::get();
	let top_k: u32 = <Runtime as pallet_attribution::Config>::MaxTopK::get();
	let settled: u32 = <Runtime as pallet_attribution::Config>::MaxSettledPerBlock::get();
	// One worst-case reveal (a recheck's, slashing two committees, with every share) fits a
	// batch, so that the worker's batches always hold at least one.
	let reveal = pallet_attribution::Pallet::<Runtime>::reveal_applied_weight;
	let worst_reveal = reveal(2 * attestors, top_k);
	assert!(worst_reveal.all_lte(batch_limit), "{worst_reveal:?} vs {batch_limit:?}");
	// An attestor's reveals to 100 jobs of committees of four, each with every share, split at
	// the batch limit by their declared (worst-case) weight: the lane takes two batches a
	// block, and they all land within half of the reveal round.
	let per_batch = batch_limit.ref_time() / reveal(4, top_k).ref_time();
	let blocks = 100u64.div_ceil(per_batch).div_ceil(2);
	let round: u32 = <Runtime as pallet_attribution::Config>::RevealPeriod::get();
	assert!(blocks <= u64::from(round) / 2, "{per_batch} reveals a batch: {blocks} blocks");
	println!("reveals to 100 jobs: {per_batch} a batch, {blocks} blocks of the lane");
	// 100 inferences on the local chain's committee of four: 100 invocations, within the
	// normal class; 400 commits, 100 reveals that take the vote (the result then waits out the
	// challenge window) and 300 that are stored, within the operational lane's quarter of the
	// block that normal transactions cannot fill. Then paying them out in one block's
	// on_initialize, next to that, within the block.
	let invocations =
		<pallet_agents::weights::SubstrateWeight<Runtime> as pallet_agents::WeightInfo>::invoke()
			.saturating_mul(100);
	assert!(invocations.all_lte(max_normal), "{invocations:?} vs {max_normal:?}");
	let attestations = W::commit(4)
		.saturating_mul(400)
		.saturating_add(W::reveal_pending(4, top_k).saturating_mul(100))
		.saturating_add(W::reveal_stored(4, top_k).saturating_mul(300));
	let lane = weights.max_block.saturating_sub(max_normal);
	assert!(attestations.all_lte(lane), "{attestations:?} vs {lane:?}");
	let hundred = invocations.saturating_add(attestations);
	let paid = W::on_initialize_matured(100);
	assert!(hundred.saturating_add(paid).all_lte(weights.max_block), "{paid:?}");
	println!(
		"100 inferences: {:.0} ms of the normal class's {:.0} ms, {:.0} ms of the attestations' \
		 {:.0} ms, and {:.0} ms to pay them out",
		invocations.ref_time() as f64 / 1e9,
		max_normal.ref_time() as f64 / 1e9,
		attestations.ref_time() as f64 / 1e9,
		lane.ref_time() as f64 / 1e9,
		paid.ref_time() as f64 / 1e9
	);
	// The most one block's on_initialize settles stays within half the block.
	let hooks = W::on_initialize(settled).saturating_add(W::on_initialize_matured(settled));
	assert!(hooks.all_lte(weights.max_block / 2), "{hooks:?} vs {:?}", weights.max_block);
}

/// The attestations' lane: in a block whose share for normal transactions is full, by weight
/// and by length, a transfer no longer fits, and the largest batch of reveals a worker sends
/// (split at `ocw::batch_limit` by declared weight, each reveal with every share) still does:
/// attestations are of the `Operational` class.
#[test]
fn attestations_fit_a_block_whose_normal_share_is_full() {
	use codec::Encode;
	use frame_support::dispatch::{DispatchClass, GetDispatchInfo};
	use openledger_primitives::attribution::RecordShare;
	use pallet_attribution::types::Outcome;
	use sp_runtime::{transaction_validity::InvalidTransaction, Perbill};

	use crate::RuntimeCall;

	let share = |record| RecordShare { record, share: Perbill::from_rational(1u32, 16) };
	let outcome = Outcome::Infer {
		engine_version: openledger_primitives::attribution::ENGINE_VERSION,
		label: 0,
		confidence: Perbill::one(),
		shares: (0..16).map(share).collect(),
	};
	let per_batch = {
		let reveal = pallet_attribution::Pallet::<Runtime>::reveal_applied_weight(4, 16).ref_time();
		pallet_attribution::ocw::batch_limit::<Runtime>().ref_time() / reveal
	};
	let items: Vec<_> =
		(0..per_batch.min(100)).map(|job| (job, [7u8; 32], outcome.clone())).collect();
	let reveals = RuntimeCall::Attribution(pallet_attribution::Call::reveal_batch {
		items: items.try_into().expect("within MaxBatch"),
		members: 4,
	});
	let transfer = RuntimeCall::Balances(pallet_balances::Call::transfer_keep_alive {
		dest: Sr25519Keyring::Bob.to_account_id().into(),
		value: 1,
	});
	let (reveal_info, transfer_info) = (reveals.get_dispatch_info(), transfer.get_dispatch_info());
	assert_eq!(reveal_info.class, DispatchClass::Operational);
	state_of("local").execute_with(|| {
		let weights = <Runtime as frame_system::Config>::BlockWeights::get();
		let lengths = <Runtime as frame_system::Config>::BlockLength::get();
		// The stuffers took all the normal share.
		let normal = weights.get(DispatchClass::Normal).max_total.expect("a normal limit");
		frame_system::BlockWeight::<Runtime>::mutate(|w| w.set(normal, DispatchClass::Normal));
		frame_system::BlockSize::<Runtime>::put(*lengths.max.get(DispatchClass::Normal));
		let check = |info, len: usize| {
			frame_system::CheckWeight::<Runtime>::do_validate(info, len).and_then(|(_, next)| {
				frame_system::CheckWeight::<Runtime>::do_prepare(info, len, next)
			})
		};
		assert_eq!(
			check(&transfer_info, transfer.encoded_size()),
			Err(InvalidTransaction::ExhaustsResources.into()),
			"the normal share is full"
		);
		assert_eq!(check(&reveal_info, reveals.encoded_size()), Ok(()), "the lane is not");
	});
}
