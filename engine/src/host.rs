//! The engine as its host, the chain, sees it: [`AttributionEngine`] over [`Engine`],
//! translating the SCALE types of `openledger_primitives::attribution` and mapping every
//! [`EngineError`] to an [`AttributionError`]. The node registers an `Arc<Engine>` as the
//! off-chain workers' `AttributionExt`.

use openledger_primitives::{
	attribution::{
		AttributionEngine, AttributionError, DatasetRef, InferBatchRequest, InferOutcome,
		InferRequest, Inferred, IngestChunk, QualityFlags, Trace, TrainOutcome, TrainRequest,
	},
	models::ModelId,
};
use sp_runtime::{BoundedVec, Perbill};

use crate::{
	api::{Answer, Engine, Prediction, Record},
	error::EngineError,
};

impl From<EngineError> for AttributionError {
	fn from(e: EngineError) -> Self {
		match e {
			EngineError::MalformedRecord { index, .. } => {
				AttributionError::MalformedRecord { index: index as u32 }
			},
			EngineError::MalformedInput(_) => AttributionError::MalformedInput,
			EngineError::SpecOutOfBounds(_) | EngineError::SourceMismatch(_) => {
				AttributionError::SpecOutOfBounds
			},
			EngineError::EmptyTrainingSet => AttributionError::EmptyTrainingSet,
			EngineError::SingleClass => AttributionError::SingleClass,
			EngineError::NotPositiveDefinite => AttributionError::NumericalFailure,
			EngineError::UnknownModel(_) => AttributionError::UnknownModel,
			EngineError::UnknownDataset => AttributionError::UnknownDataset,
			EngineError::IncompleteDataset { received, total } => {
				AttributionError::IncompleteDataset { received, total }
			},
			EngineError::ChunkOutOfOrder { expected, .. } => {
				AttributionError::ChunkOutOfOrder { expected }
			},
			EngineError::TooManyRecords => AttributionError::TooManyRecords,
			EngineError::Storage(_) => AttributionError::Storage,
			EngineError::Tensor(_) => AttributionError::NumericalFailure,
			EngineError::OverBudget { .. } => AttributionError::OverBudget,
			EngineError::Busy(_) => AttributionError::Busy,
		}
	}
}

/// Logs an engine failure for the node's operator, and converts it.
fn logged(what: &str, e: EngineError) -> AttributionError {
	log::warn!(target: "attribution", "engine {what} failed: {e}");
	e.into()
}

impl AttributionEngine for Engine {
	fn ingest(&self, chunk: IngestChunk) -> Result<u32, AttributionError> {
		let records =
			chunk.records.into_iter().map(|(payload, label)| Record { payload, label }).collect();
		Engine::ingest(self, chunk.dataset, &chunk.schema, chunk.total, chunk.offset, records)
			.map_err(|e| logged("ingest", e))
	}

	fn progress(&self, dataset: DatasetRef) -> Option<(u32, u32)> {
		Engine::progress(self, dataset)
	}

	fn train(&self, request: TrainRequest) -> Result<TrainOutcome, AttributionError> {
		let started = std::time::Instant::now();
		let report = Engine::train_on(self, request.model, &request.sources, &request.spec)
			.map_err(|e| logged("train", e))?;
		log::info!(
			target: "attribution",
			"model {} {} on {} records in {:.2?}: accuracy {:.1}%, weights {:?} (engine v{})",
			request.model,
			if report.restored { "restored" } else { "trained" },
			report.records,
			started.elapsed(),
			f64::from(report.accuracy) / 1e7,
			report.weights_hash,
			crate::ENGINE_VERSION,
		);
		Ok(TrainOutcome {
			engine_version: crate::ENGINE_VERSION,
			accuracy: Perbill::from_parts(report.accuracy),
			weights_hash: report.weights_hash,
			records: report.records,
			held_out: report.held_out,
			flags: QualityFlags {
				suspects: BoundedVec::truncate_from(report.suspects),
				duplicates: BoundedVec::truncate_from(report.duplicates),
			},
		})
	}

	fn has_model(&self, model: ModelId) -> bool {
		Engine::has_model(self, model)
	}

	fn infer(&self, request: InferRequest) -> Result<InferOutcome, AttributionError> {
		let started = std::time::Instant::now();
		let prediction = Engine::infer(self, request.model, &request.input, request.top_k as usize)
			.map_err(|e| logged("infer", e))?;
		let outcome = outcome(prediction);
		log::debug!(
			target: "attribution",
			"model {} answers {} and names {} records in {:.2?}",
			request.model,
			match &outcome.answer {
				Inferred::Class { label, .. } => format!("label {label}"),
				Inferred::Continuation { generation, .. } => {
					format!("a continuation of {} tokens", generation.tokens)
				},
				Inferred::Trace(trace) => {
					format!("{} spans in an output of {} tokens", trace.spans.len(), trace.tokens)
				},
			},
			outcome.proponents.len(),
			started.elapsed(),
		);
		Ok(outcome)
	}

	fn infer_batch(
		&self,
		request: InferBatchRequest,
	) -> Vec<Result<InferOutcome, AttributionError>> {
		let started = std::time::Instant::now();
		let answers =
			match Engine::infer_batch(self, request.model, &request.inputs, request.top_k as usize)
			{
				Ok(answers) => answers,
				Err(e) => {
					let e = logged("infer", e);
					return request.inputs.iter().map(|_| Err(e.clone())).collect();
				},
			};
		log::debug!(
			target: "attribution",
			"model {} answers {} inputs in one call in {:.2?}",
			request.model,
			answers.len(),
			started.elapsed(),
		);
		answers
			.into_iter()
			.map(|answer| answer.map(outcome).map_err(|e| logged("infer", e)))
			.collect()
	}
}

/// A prediction as the chain reads it.
fn outcome(prediction: Prediction) -> InferOutcome {
	let answer = match prediction.answer {
		Answer::Class { label, probabilities } => {
			let p = probabilities.get(usize::from(label)).copied().unwrap_or(0);
			Inferred::Class { label, confidence: Perbill::from_parts(p) }
		},
		Answer::Continuation { generated, first } => Inferred::Continuation {
			confidence: Perbill::from_parts(first),
			generation: generated.generation,
		},
		Answer::Trace(traced) => Inferred::Trace(Trace {
			tokens: traced.tokens,
			spans: BoundedVec::truncate_from(traced.spans),
		}),
	};
	InferOutcome {
		engine_version: crate::ENGINE_VERSION,
		answer,
		proponents: prediction.proponents,
		opponents: prediction.opponents,
	}
}

#[cfg(test)]
mod tests {
	use super::*;
	use openledger_primitives::{
		datanets::Schema,
		models::{Architecture, AttributionMethod, Featurizer, ModelSpec, Source},
	};

	#[test]
	fn the_chain_interface_trains_and_attributes() {
		let engine: &dyn AttributionEngine = &Engine::new(None).unwrap();
		let dataset = DatasetRef { datanet: 2, version: 1 };
		let schema = Schema::Dense { dims: 2, classes: 2, max_value: 9 };
		let records: Vec<(Vec<u8>, u16)> =
			(0..60u8).map(|i| (vec![i % 10, 9 - i % 10], u16::from(i % 10 >= 5))).collect();
		let chunk = |offset: usize, len: usize| IngestChunk {
			dataset,
			schema,
			total: 60,
			offset: offset as u32,
			records: records[offset..offset + len].to_vec(),
		};
		assert_eq!(engine.ingest(chunk(0, 25)), Ok(25));
		assert_eq!(
			engine.ingest(chunk(30, 30)),
			Err(AttributionError::ChunkOutOfOrder { expected: 25 })
		);
		assert_eq!(engine.ingest(chunk(25, 35)), Ok(60));
		assert_eq!(engine.progress(dataset), Some((60, 60)));
		let spec = ModelSpec {
			featurizer: Featurizer::Raw,
			architecture: Architecture::Mlp1 { hidden: 4 },
			epochs: 20,
			learning_rate: Perbill::from_percent(20),
			batch_size: 8,
			l2: Perbill::from_parts(1_000_000),
			seed: 1,
			method: AttributionMethod::Influence,
		};
		let source = Source { datanet: 2, version: 1, records: 60, weight: 1 };
		let trained = engine.train(TrainRequest { model: 9, sources: vec![source], spec }).unwrap();
		assert_eq!(trained.records + trained.held_out, 60);
		assert!(engine.has_model(9));
		let outcome = engine.infer(InferRequest { model: 9, input: vec![9, 0], top_k: 5 }).unwrap();
		let Inferred::Class { label, confidence } = outcome.answer else {
			panic!("a classifier answers with a label: {:?}", outcome.answer)
		};
		assert_eq!(label, 1);
		assert!(confidence > Perbill::from_percent(50));
		let total: u64 = outcome.proponents.iter().map(|s| u64::from(s.share.deconstruct())).sum();
		assert_eq!(total, 1_000_000_000);
		assert!(outcome.proponents.len() <= 5);
		assert_eq!(
			engine.infer(InferRequest { model: 9, input: vec![1], top_k: 5 }),
			Err(AttributionError::MalformedInput)
		);
		assert_eq!(
			engine.infer(InferRequest { model: 8, input: vec![1, 1], top_k: 5 }),
			Err(AttributionError::UnknownModel)
		);
	}
}
