//! The ∞-gram language models and external models through the API: "training" indexes the live
//! records of the model's sources, one after another, each once; an ∞-gram's inference continues a prompt and credits the records the
//! continuation came from, and an external model's traces the output it is given to the records
//! that hold its spans.

use openledger_primitives::{
	attribution::MAX_GENERATED_BYTES,
	models::{Architecture, ModelId, ModelSpec, Source},
};

use super::{record_error, Answer, Engine, Kind, Model, Prediction, TrainReport};
use crate::{error::EngineError, infinigram::Index, shares::BILLION};

/// The longest ∞-gram prompt the engine takes (the chain's inputs are shorter; this bounds a
/// preview's); a continuation matches only its last `infinigram::MAX_CONTEXT` tokens.
const MAX_PROMPT_BYTES: u32 = 1 << 16;

impl Engine {
	/// "Trains" ∞-gram or external model `id`: indexes the live records of `sources`, named by
	/// their training positions. The index is not saved: building it again is faster than
	/// reading it.
	pub(super) fn index(
		&self,
		id: ModelId,
		sources: &[Source],
		spec: &ModelSpec,
	) -> Result<TrainReport, EngineError> {
		// The records are looked up under the lock, and indexed outside it.
		let (schema, records) = self.records_of(sources, spec)?;
		let live = records.iter().enumerate().map(|(i, r)| (i as u32, &r.payload[..]));
		let index = Index::build(live)?;
		let duplicates = Self::near_duplicates(&schema, &records);
		let records = index.records() as u32;
		let report = TrainReport {
			// An ∞-gram has no held-out accuracy: it holds out nothing.
			accuracy: 0,
			weights_hash: index.hash(),
			records,
			held_out: 0,
			restored: false,
			suspects: Vec::new(),
			duplicates,
		};
		let kind = Kind::InfiniGram(index);
		let model =
			Model { sources: sources.to_vec(), spec: *spec, schema, kind, report: report.clone() };
		self.keep(id, model);
		Ok(report)
	}

	/// Continues `input` with ∞-gram `model` (its `index`) and attributes the continuation: the
	/// records the tokens came from, at most `top_k`, as shares.
	pub(super) fn generate(
		model: &Model,
		index: &Index,
		input: &[u8],
		top_k: usize,
	) -> Result<Prediction, EngineError> {
		let Architecture::InfiniGram { max_tokens } = model.spec.architecture else {
			return Err(EngineError::SpecOutOfBounds("an index without an ∞-gram spec"));
		};
		model
			.schema
			.check_input(input, MAX_PROMPT_BYTES)
			.map_err(|e| EngineError::MalformedInput(record_error(e)))?;
		let generated =
			index.generate(input, max_tokens.into(), MAX_GENERATED_BYTES as usize, top_k);
		let first = generated.steps.first().map(|s| {
			(u128::from(s.occurrences) * u128::from(BILLION) / u128::from(s.total.max(1))) as u32
		});
		Ok(Prediction {
			proponents: generated.shares.clone(),
			opponents: Vec::new(),
			answer: Answer::Continuation { generated, first: first.unwrap_or(0) },
		})
	}

	/// Traces `output`, what external `model` (its `index`) answered as its agent claims, to
	/// the records: its maximal verbatim spans of at least the model's minimum length, and the
	/// `top_k` records they credit as shares (none when no span is that long).
	pub(super) fn trace(
		model: &Model,
		index: &Index,
		output: &[u8],
		top_k: usize,
	) -> Result<Prediction, EngineError> {
		let Architecture::External { min_span_tokens, .. } = model.spec.architecture else {
			return Err(EngineError::SpecOutOfBounds("a trace without an external model's spec"));
		};
		model
			.schema
			.check_input(output, MAX_PROMPT_BYTES)
			.map_err(|e| EngineError::MalformedInput(record_error(e)))?;
		let traced = index.trace(output, min_span_tokens.into(), top_k);
		Ok(Prediction {
			proponents: traced.shares.clone(),
			opponents: Vec::new(),
			answer: Answer::Trace(traced),
		})
	}
}
