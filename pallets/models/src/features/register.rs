//! Registration: the sources checked (published versions of distinct Datanets of one schema,
//! weights in bounds), the spec against the chain's bounds, the schema and the cost limit on the
//! sources' weighted records; the deposit held; the training job requested.

use alloc::vec::Vec;
use frame_support::{pallet_prelude::*, traits::fungible::MutateHold};
use sp_runtime::traits::Saturating;

use crate::{
	pallet::*, types::*, AssetKind, AttributionJobs, DatanetId, DatanetInspect, Holdings, ModelId,
	ModelSpec, ModelStatus, Source, SpecCost, SpecLimits, VersionIndex, WeightInfo,
	MAX_SOURCE_WEIGHT,
};
use openledger_primitives::{
	datanets::Schema,
	models::{positions, weighted_records},
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

	/// The weight of a registration on `sources` sources: `register`'s, benchmarked on one,
	/// and the two reads (the Datanet's schema, the version) of each other, by hand.
	pub fn register_weight(sources: u32) -> Weight {
		T::WeightInfo::register()
			.saturating_add(T::DbWeight::get().reads(2 * u64::from(sources.saturating_sub(1))))
	}

	/// The deposit for a model with `bytes` of metadata.
	pub fn model_deposit(bytes: u32) -> BalanceOf<T> {
		T::ModelDeposit::get().saturating_add(T::DepositPerByte::get().saturating_mul(bytes.into()))
	}

	/// The sources of `mix`, each `(Datanet, version, weight)`, with their record counts, and
	/// their schema: at least one and at most `MaxSources` published versions of distinct
	/// Datanets of one schema, each weight 1 to [`MAX_SOURCE_WEIGHT`], and their positions
	/// within a `u32`.
	pub fn sources_of(
		mix: &[(DatanetId, VersionIndex, u8)],
	) -> Result<(BoundedVec<Source, T::MaxSources>, Schema), Error<T>> {
		ensure!(!mix.is_empty(), Error::<T>::NoSources);
		ensure!(mix.len() <= T::MaxSources::get() as usize, Error::<T>::TooManySources);
		let mut schema = None;
		let mut sources = Vec::with_capacity(mix.len());
		for (i, &(datanet, version, weight)) in mix.iter().enumerate() {
			ensure!(
				mix[..i].iter().all(|(earlier, ..)| *earlier != datanet),
				Error::<T>::DuplicateDatanet
			);
			ensure!((1..=MAX_SOURCE_WEIGHT).contains(&weight), Error::<T>::WeightOutOfBounds);
			let own = T::Datanets::schema(datanet).ok_or(Error::<T>::UnknownDatanet)?;
			let info = T::Datanets::version(datanet, version).ok_or(Error::<T>::UnknownVersion)?;
			ensure!(*schema.get_or_insert(own) == own, Error::<T>::SchemaMismatch);
			sources.push(Source { datanet, version, records: info.count, weight });
		}
		ensure!(positions(&sources).is_some(), Error::<T>::Overflow);
		let sources = BoundedVec::try_from(sources).map_err(|_| Error::<T>::TooManySources)?;
		Ok((sources, schema.ok_or(Error::<T>::NoSources)?))
	}

	/// Checks and stores a registration on `mix` ([`Pallet::sources_of`]); returns the new
	/// model's id.
	pub fn do_register(
		owner: T::AccountId,
		mix: &[(DatanetId, VersionIndex, u8)],
		spec: ModelSpec,
		fee: BalanceOf<T>,
		metadata: Vec<u8>,
	) -> Result<ModelId, DispatchError> {
		let (sources, schema) = Self::sources_of(mix)?;
		spec.check(&schema, &Self::limits()).map_err(Error::<T>::from)?;
		ensure!(
			!spec.indexes() || sources.iter().all(|s| s.weight == 1),
			Error::<T>::WeightedIndex
		);
		spec.cost(&schema, weighted_records(&sources))
			.within(&CostLimit::<T>::get())
			.map_err(Error::<T>::from)?;
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
				sources: sources.clone(),
				spec,
				fee,
				status: ModelStatus::Training,
				deposit,
				metadata,
			},
		);
		NextModelId::<T>::put(next);
		T::Holdings::mint(AssetKind::Model, id, &owner)?;
		T::Jobs::request_training(id)?;
		Self::deposit_event(Event::ModelRegistered {
			model: id,
			owner,
			sources: sources.into_inner(),
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
