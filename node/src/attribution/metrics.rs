//! The attribution engine's Prometheus metrics: what the off-chain workers asked of it, how long
//! ingesting, training and attribution took, and what it holds. [`Metered`] wraps the engine the workers
//! see; the metrics are registered in the node's registry (`--prometheus-port`).

use std::{
	collections::HashMap,
	sync::{Arc, Mutex},
	time::Instant,
};

use openledger_influence::Engine;
use openledger_primitives::attribution::{
	AttributionEngine, AttributionError, DatasetRef, InferBatchRequest, InferOutcome, InferRequest,
	IngestChunk, TrainOutcome, TrainRequest,
};
use openledger_primitives::{
	datanets::{DatanetId, VersionIndex},
	models::ModelId,
};
use prometheus_endpoint::{
	exponential_buckets, register, Counter, CounterVec, Gauge, Histogram, HistogramOpts, Opts,
	PrometheusError, Registry, U64,
};

/// The engine's metrics.
#[derive(Clone)]
pub struct EngineMetrics {
	calls: CounterVec<U64>,
	ingest_seconds: Histogram,
	train_seconds: Histogram,
	infer_seconds: Histogram,
	records_ingested: Counter<U64>,
	models: Gauge<U64>,
	model_bytes: Gauge<U64>,
	datasets: Gauge<U64>,
	dataset_bytes: Gauge<U64>,
	peak_bytes: Gauge<U64>,
	memory_bytes: Gauge<U64>,
}

impl EngineMetrics {
	/// Registers the metrics in `registry`.
	pub fn register(registry: &Registry) -> Result<Self, PrometheusError> {
		let gauge = |name: &str, help: &str| register(Gauge::new(name, help)?, registry);
		let histogram = |name: &str, help: &str, start: f64| {
			register(
				Histogram::with_opts(
					HistogramOpts::new(name, help).buckets(exponential_buckets(start, 4.0, 10)?),
				)?,
				registry,
			)
		};
		Ok(Self {
			calls: register(
				CounterVec::new(
					Opts::new(
						"openledger_attribution_engine_calls_total",
						"Calls of the off-chain workers to the attribution engine, by call \
						 (ingest, train, infer) and result (ok, failed)",
					),
					&["call", "result"],
				)?,
				registry,
			)?,
			ingest_seconds: histogram(
				"openledger_attribution_ingest_seconds",
				"Time from a Datanet version's first chunk to its last: the off-chain worker \
				 reading its records from the chain state and the engine taking them",
				0.001,
			)?,
			train_seconds: histogram(
				"openledger_attribution_train_seconds",
				"Time to train (or restore) a model",
				0.001,
			)?,
			infer_seconds: histogram(
				"openledger_attribution_infer_seconds",
				"Time to predict and attribute one inference",
				0.000_05,
			)?,
			records_ingested: register(
				Counter::new(
					"openledger_attribution_records_ingested_total",
					"Datanet records the engine received from the off-chain workers",
				)?,
				registry,
			)?,
			models: gauge("openledger_attribution_models_held", "Trained models in memory")?,
			model_bytes: gauge(
				"openledger_attribution_model_bytes",
				"Estimated memory of the trained models in memory (ModelSpec::cost)",
			)?,
			datasets: gauge(
				"openledger_attribution_datasets_held",
				"Datanet versions the engine holds, whole or in part",
			)?,
			dataset_bytes: gauge(
				"openledger_attribution_dataset_bytes",
				"Bytes of the Datanet versions the engine holds (a record shared by versions counted once)",
			)?,
			peak_bytes: gauge(
				"openledger_attribution_held_bytes_peak",
				"The most bytes (models and Datanet versions) the engine has held since the node \
				 started, measured after each call",
			)?,
			memory_bytes: gauge(
				"openledger_attribution_held_bytes_budget",
				"The most bytes the engine may hold at once (--attribution-held-mib)",
			)?,
		})
	}

	fn count<T>(&self, call: &str, result: &Result<T, AttributionError>) {
		let outcome = if result.is_ok() { "ok" } else { "failed" };
		self.calls.with_label_values(&[call, outcome]).inc();
	}

	fn held(&self, engine: &Engine) {
		let usage = engine.usage();
		self.models.set(usage.models as u64);
		self.model_bytes.set(usage.model_bytes);
		self.datasets.set(usage.datasets as u64);
		self.dataset_bytes.set(usage.dataset_bytes);
		self.peak_bytes.set(usage.peak_bytes);
	}
}

/// The engine, counting and timing each call in [`EngineMetrics`].
pub struct Metered {
	engine: Arc<Engine>,
	metrics: EngineMetrics,
	/// When each version being ingested got its first chunk.
	ingesting: Mutex<HashMap<(DatanetId, VersionIndex), Instant>>,
}

impl Metered {
	/// `engine`, measured into `metrics`.
	pub fn new(engine: Arc<Engine>, metrics: EngineMetrics) -> Self {
		// The budget is fixed when the node starts.
		metrics.memory_bytes.set(engine.memory());
		metrics.held(&engine);
		Self { engine, metrics, ingesting: Mutex::new(HashMap::new()) }
	}
}

impl AttributionEngine for Metered {
	fn ingest(&self, chunk: IngestChunk) -> Result<u32, AttributionError> {
		let records = chunk.records.len() as u64;
		let total = chunk.total;
		let dataset = (chunk.dataset.datanet, chunk.dataset.version);
		let mut ingesting = self.ingesting.lock().unwrap_or_else(|e| e.into_inner());
		if chunk.offset == 0 {
			ingesting.insert(dataset, Instant::now());
		}
		drop(ingesting);
		let result = AttributionEngine::ingest(&*self.engine, chunk);
		self.metrics.count("ingest", &result);
		if let Ok(received) = result {
			self.metrics.records_ingested.inc_by(records);
			// `held` walks every record held: once per version, not once per chunk.
			if received == total {
				let started =
					self.ingesting.lock().unwrap_or_else(|e| e.into_inner()).remove(&dataset);
				if let Some(started) = started {
					self.metrics.ingest_seconds.observe(started.elapsed().as_secs_f64());
				}
				self.metrics.held(&self.engine);
			}
		}
		result
	}

	fn progress(&self, dataset: DatasetRef) -> Option<(u32, u32)> {
		AttributionEngine::progress(&*self.engine, dataset)
	}

	fn train(&self, request: TrainRequest) -> Result<TrainOutcome, AttributionError> {
		let started = Instant::now();
		let result = AttributionEngine::train(&*self.engine, request);
		self.metrics.train_seconds.observe(started.elapsed().as_secs_f64());
		self.metrics.count("train", &result);
		self.metrics.held(&self.engine);
		result
	}

	fn has_model(&self, model: ModelId) -> bool {
		AttributionEngine::has_model(&*self.engine, model)
	}

	fn infer(&self, request: InferRequest) -> Result<InferOutcome, AttributionError> {
		let started = Instant::now();
		let result = AttributionEngine::infer(&*self.engine, request);
		self.metrics.infer_seconds.observe(started.elapsed().as_secs_f64());
		self.metrics.count("infer", &result);
		result
	}

	/// Counted as one `infer` per input, each taking its share of the call's time.
	fn infer_batch(
		&self,
		request: InferBatchRequest,
	) -> Vec<Result<InferOutcome, AttributionError>> {
		let started = Instant::now();
		let results = AttributionEngine::infer_batch(&*self.engine, request);
		let each = started.elapsed().as_secs_f64() / results.len().max(1) as f64;
		for result in &results {
			self.metrics.infer_seconds.observe(each);
			self.metrics.count("infer", result);
		}
		results
	}
}
