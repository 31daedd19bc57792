//! Registration: the spec checked against the chain's bounds, the Datanet's schema and the
//! cost limit; the deposit held; the training job requested.

use alloc::vec::Vec;
use frame_support::{pallet_prelude::*, traits::fungible::MutateHold};
use sp_runtime::traits::Saturating;

use crate::{
	pallet::*, types::*, AttributionJobs, DatanetId, DatanetInspect, ModelId, ModelSpec,
	ModelStatus, SpecCost, SpecLimits, VersionIndex,
};

impl<T: Config> Pallet<T> {
	/// The chain's bounds on a spec.
	pub fn limits() -> SpecLimits {
		SpecLimits {
			min_feature_dims: T::MinFeatureDims::get(),
			max_feature_dims: T::MaxFeatureDims::get(),
			max_hidden: T::MaxHidden::get(),
			max_epochs: T::MaxEpochs::get(),
			max_batch_size: T::MaxBatchSize::get(),
			min_span_tokens: T::MinSpanTokens::get(),
			max_span_tokens: T::MaxSpanTokens::get(),
		}
	}

	/// The deposit for a model with `bytes` of metadata.
	pub fn model_deposit(bytes: u32) -> BalanceOf<T> {
		T::ModelDeposit::get().saturating_add(T::DepositPerByte::get().saturating_mul(bytes.into()))
	}

	/// Checks and stores a registration; returns the new model's id.
	pub fn do_register(
		owner: T::AccountId,
		datanet: DatanetId,
		version: VersionIndex,
		spec: ModelSpec,
		fee: BalanceOf<T>,
		metadata: Vec<u8>,
	) -> Result<ModelId, DispatchError> {
		let schema = T::Datanets::schema(datanet).ok_or(Error::<T>::UnknownDatanet)?;
		let info = T::Datanets::version(datanet, version).ok_or(Error::<T>::UnknownVersion)?;
		spec.check(&schema, &Self::limits()).map_err(Error::<T>::from)?;
		spec.cost(&schema, info.count).within(&CostLimit::<T>::get()).map_err(Error::<T>::from)?;
		let metadata: BoundedVec<u8, T::MaxMetadataLen> =
			metadata.try_into().map_err(|_| Error::<T>::MetadataTooLong)?;
		let id = NextModelId::<T>::get();
		let next = id.checked_add(1).ok_or(Error::<T>::Overflow)?;

		let deposit = Self::model_deposit(metadata.len() as u32);
		T::Currency::hold(&HoldReason::ModelDeposit.into(), &owner, deposit)?;

		Models::<T>::insert(
			id,
			Model {
				owner: owner.clone(),
				datanet,
				version,
				spec,
				fee,
				status: ModelStatus::Training,
				deposit,
				metadata,
			},
		);
		NextModelId::<T>::put(next);
		T::Jobs::request_training(id)?;
		Self::deposit_event(Event::ModelRegistered {
			model: id,
			owner,
			datanet,
			version,
			fee,
			deposit,
		});
		Ok(id)
	}

	/// `set_cost_limit`'s work: registrations from now on are checked against `limit`.
	pub(crate) fn do_set_cost_limit(limit: SpecCost) -> DispatchResult {
		CostLimit::<T>::put(limit);
		Self::deposit_event(Event::CostLimitSet { limit });
		Ok(())
	}
}
