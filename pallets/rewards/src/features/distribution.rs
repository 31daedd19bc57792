//! The split of inference fees, and their distribution into claimable balances.

use frame_support::{ensure, traits::Get};
use sp_runtime::{
	traits::{Saturating, Zero},
	DispatchResult,
};

use crate::*;
use openledger_primitives::models::locate;

impl<T: Config> Pallet<T> {
	/// Sets the split of inference fees (`set_reward_split`); it must sum to 100%.
	pub(crate) fn do_set_reward_split(split: RewardSplit) -> DispatchResult {
		ensure!(split.is_whole(), Error::<T>::SplitNotWhole);
		Split::<T>::put(split);
		Self::deposit_event(Event::RewardSplitSet { split });
		Ok(())
	}

	/// Splits `fee`, already in the pot, among `parties` into claimable balances
	/// ([`RewardSink::distribute`]).
	pub(crate) fn do_distribute(fee: BalanceOf<T>, parties: RewardParties<'_, T::AccountId>) {
		let split = Split::<T>::get();
		// Every part rounds down; the treasury takes its own and every remainder, so the
		// parts sum to exactly the fee.
		let contributors = split.contributors.mul_floor(fee);
		let model_owner = split.model_owner.mul_floor(fee);
		let agent = split.agent.mul_floor(fee);
		let attestors = split.attestors.mul_floor(fee);
		let mut paid = BalanceOf::<T>::zero();
		for s in parties.shares {
			let amount = s.share.mul_floor(contributors);
			if amount.is_zero() {
				continue;
			}
			// Not defensive: a result may name a record past the sources, or one the Datanet
			// does not know; its part goes to the treasury.
			let Some((i, at)) = locate(parties.sources, s.record) else { continue };
			let Some(datanet) = parties.sources.get(i).map(|source| source.datanet) else {
				continue;
			};
			let Some(record) = T::Datanets::record_at(datanet, at) else { continue };
			Self::credit_contributor(&record.contributor, amount);
			RecordEarnings::<T>::mutate(datanet, at, |e| *e = e.saturating_add(amount));
			paid = paid.saturating_add(amount);
		}
		Self::credit_owner(AssetKind::Model, parties.model, &parties.model_owner, model_owner);
		Self::credit_owner(AssetKind::Agent, parties.agent, &parties.agent_owner, agent);
		let mut attestors_paid = BalanceOf::<T>::zero();
		let n = parties.attestors.len() as u32;
		if n > 0 {
			let each = attestors / n.into();
			for a in parties.attestors {
				Self::credit(a, each);
				attestors_paid = attestors_paid.saturating_add(each);
			}
		}
		let treasury = fee
			.saturating_sub(paid)
			.saturating_sub(model_owner)
			.saturating_sub(agent)
			.saturating_sub(attestors_paid);
		Self::credit(&T::TreasuryAccount::get(), treasury);
		Self::deposit_event(Event::RewardsDistributed {
			inference: parties.inference,
			fee,
			contributors: paid,
			model_owner,
			agent,
			attestors: attestors_paid,
			treasury,
		});
	}

	/// Adds `amount` to `who`'s claimable balance and to [`TotalClaimable`].
	pub(crate) fn credit(who: &T::AccountId, amount: BalanceOf<T>) {
		if amount.is_zero() {
			return;
		}
		Claimable::<T>::mutate(who, |c| *c = c.saturating_add(amount));
		TotalClaimable::<T>::mutate(|t| *t = t.saturating_add(amount));
	}

	/// Credits a contributor's attribution earnings to its payee ([`Pallet::payee_of`]), and
	/// to the contributor's totals and epoch. A zero amount writes nothing: a share that rounds
	/// to zero must not take one of the epoch's `MaxEpochEarners` places.
	fn credit_contributor(who: &T::AccountId, amount: BalanceOf<T>) {
		if amount.is_zero() {
			return;
		}
		Self::credit(&Self::payee_of(who), amount);
		ContributorEarnings::<T>::mutate(who, |e| *e = e.saturating_add(amount));
		let counted = EpochEarnings::<T>::contains_key(who);
		if counted || EpochEarnings::<T>::count() < T::MaxEpochEarners::get() {
			EpochEarnings::<T>::mutate(who, |e| *e = e.saturating_add(amount));
		}
	}
}
