//! Evaluates attribution quality on the digits set that the repository ships
//! (data/digits/digits.csv) and prints a table.
//!
//! So far: softmax regression trained to its optimum (Newton), attributed with the exact
//! damped influence function, and an MLP 64-32-10 trained by SGD, attributed with TracIn-CP:
//! - **LDS**: 100 random 50% subsets of the training set, each retrained from scratch; for each
//!   of 100 held-out test points, the Spearman correlation between the summed scores of a
//!   subset's records and the retrained model's log-probability of the true label; averaged;
//! - **mislabel detection**: 10% of the training labels flipped, records ranked by
//!   self-influence; the AUC and the share of flipped records in the top 10% and 20%.
//!
//!     cargo run --release -p openledger-influence --example evaluate

use std::time::Instant;

use openledger_influence::{
	influence::{
		exact::{newton_fit, ExactInfluence},
		tracin,
	},
	linalg::Matrix,
	model::Network,
	split::is_held_out,
	train::{train, Hyper},
};
use openledger_primitives::datanets::record_hash;
use openledger_primitives::models::Architecture;
use rand_chacha::ChaCha20Rng;
use rand_core::{RngCore, SeedableRng};

const L2: f64 = 1e-3;
const DAMPING: f64 = 1e-6;
const NEWTON_STEPS: usize = 15;
const SUBSETS: usize = 100;
const TEST_POINTS: usize = 100;

fn load_digits() -> (Vec<Vec<u8>>, Vec<usize>) {
	let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/digits/digits.csv");
	let text = std::fs::read_to_string(path).expect("data/digits/digits.csv is in the repository");
	let mut pixels = Vec::new();
	let mut labels = Vec::new();
	for line in text.lines().skip(1) {
		let values: Vec<u8> = line.split(',').map(|v| v.parse().expect("a number")).collect();
		labels.push(values[0] as usize);
		pixels.push(values[1..].to_vec());
	}
	(pixels, labels)
}

fn features(pixels: &[Vec<u8>], idx: &[usize]) -> Matrix {
	Matrix::from_rows(
		&idx.iter()
			.map(|i| pixels[*i].iter().map(|v| f64::from(*v) / 16.0).collect())
			.collect::<Vec<_>>(),
	)
}

fn ranks(v: &[f64]) -> Vec<f64> {
	let mut order: Vec<usize> = (0..v.len()).collect();
	order.sort_by(|a, b| v[*a].total_cmp(&v[*b]));
	let mut r = vec![0.0; v.len()];
	let mut i = 0;
	while i < order.len() {
		let mut j = i;
		while j + 1 < order.len() && v[order[j + 1]] == v[order[i]] {
			j += 1;
		}
		let avg = (i + j) as f64 / 2.0;
		for k in i..=j {
			r[order[k]] = avg;
		}
		i = j + 1;
	}
	r
}

fn pearson(a: &[f64], b: &[f64]) -> f64 {
	let n = a.len() as f64;
	let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
	let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
	let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
	let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
	if va == 0.0 || vb == 0.0 {
		0.0
	} else {
		cov / (va * vb).sqrt()
	}
}

fn spearman(a: &[f64], b: &[f64]) -> f64 {
	pearson(&ranks(a), &ranks(b))
}

/// The AUC of `scores` for separating `positive` records from the rest.
fn auc(scores: &[f64], positive: &[bool]) -> f64 {
	let r = ranks(scores);
	let n_pos = positive.iter().filter(|p| **p).count() as f64;
	let n_neg = positive.len() as f64 - n_pos;
	let rank_sum: f64 = r.iter().zip(positive).filter(|(_, p)| **p).map(|(r, _)| r + 1.0).sum();
	(rank_sum - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg)
}

fn log_prob(net: &Network, q: &Matrix, labels: &[usize]) -> Vec<f64> {
	let p = net.forward(q).probs;
	labels.iter().enumerate().map(|(i, y)| p.row(i)[*y].ln()).collect()
}

fn main() {
	let (pixels, labels) = load_digits();
	let (mut train_idx, mut test) = (Vec::new(), Vec::new());
	for (i, (p, y)) in pixels.iter().zip(&labels).enumerate() {
		if is_held_out(&record_hash(p, *y as u16)) {
			test.push(i)
		} else {
			train_idx.push(i)
		}
	}
	test.truncate(TEST_POINTS);
	let x = features(&pixels, &train_idx);
	let y: Vec<usize> = train_idx.iter().map(|i| labels[*i]).collect();
	let xq = features(&pixels, &test);
	let yq: Vec<usize> = test.iter().map(|i| labels[*i]).collect();
	println!(
		"digits: {} training records, {} test points, 64 features, 10 classes",
		x.rows, xq.rows
	);

	// Train to the optimum and attribute every test point.
	let started = Instant::now();
	let full = newton_fit(&x, &y, 10, L2, NEWTON_STEPS).expect("trains");
	let train_time = started.elapsed();
	let grad = full.gradient(&x, &y, L2);
	let gnorm: f64 =
		grad.iter().flat_map(|l| l.w.data.iter().chain(&l.b)).map(|g| g * g).sum::<f64>().sqrt();
	let started = Instant::now();
	let inf = ExactInfluence::new(&full, &x, &y, L2, DAMPING).expect("positive definite");
	let prepare_time = started.elapsed();
	let started = Instant::now();
	let scores: Vec<Vec<f64>> = (0..xq.rows).map(|t| inf.scores(xq.row(t), yq[t])).collect();
	let attribute_time = started.elapsed() / xq.rows as u32;
	let accuracy =
		full.predict(&xq).iter().zip(&yq).filter(|(p, y)| p == y).count() as f64 / yq.len() as f64;
	println!(
		"softmax regression: test accuracy {:.3}, gradient norm at the optimum {:.1e}, train {:.2?}, Hessian {:.2?}, one query {:.2?}",
		accuracy, gnorm, train_time, prepare_time, attribute_time
	);

	// LDS over random half subsets, each retrained from scratch.
	let mut rng = ChaCha20Rng::seed_from_u64(2026);
	let mut predicted = vec![vec![0.0; SUBSETS]; xq.rows];
	let mut actual = vec![vec![0.0; SUBSETS]; xq.rows];
	let started = Instant::now();
	for s in 0..SUBSETS {
		let subset: Vec<usize> = (0..x.rows).filter(|_| rng.next_u64() & 1 == 1).collect();
		let ys: Vec<usize> = subset.iter().map(|i| y[*i]).collect();
		let net = newton_fit(&x.select_rows(&subset), &ys, 10, L2, NEWTON_STEPS).expect("trains");
		let lp = log_prob(&net, &xq, &yq);
		for t in 0..xq.rows {
			predicted[t][s] = subset.iter().map(|i| scores[t][*i]).sum();
			actual[t][s] = lp[t];
		}
	}
	let retrain_time = started.elapsed();
	let lds: f64 =
		(0..xq.rows).map(|t| spearman(&predicted[t], &actual[t])).sum::<f64>() / xq.rows as f64;

	// Mislabel detection: flip 10% of the labels.
	let mut flipped = vec![false; x.rows];
	let mut noisy = y.clone();
	for i in 0..x.rows {
		if rng.next_u64() % 10 == 0 {
			noisy[i] = (y[i] + 1 + (rng.next_u64() % 9) as usize) % 10;
			flipped[i] = true;
		}
	}
	let net = newton_fit(&x, &noisy, 10, L2, NEWTON_STEPS).expect("trains");
	let selfs = ExactInfluence::new(&net, &x, &noisy, L2, DAMPING)
		.expect("positive definite")
		.self_influence();
	let area = auc(&selfs, &flipped);
	let mut order: Vec<usize> = (0..x.rows).collect();
	order.sort_by(|a, b| selfs[*b].total_cmp(&selfs[*a]));
	let n_flipped = flipped.iter().filter(|f| **f).count() as f64;
	let found = |share: f64| {
		order[..(x.rows as f64 * share) as usize].iter().filter(|i| flipped[**i]).count() as f64
			/ n_flipped
	};

	let lr_row = format!(
		"| softmax regression (optimum) | exact influence / self-influence | {lds:.3} | {area:.3} | {:.3} | {:.3} |",
		found(0.10),
		found(0.20)
	);

	// The MLP 64-32-10 with TracIn-CP.
	let arch = Architecture::Mlp1 { hidden: 32 };
	let hyper = |seed| Hyper {
		epochs: 30,
		learning_rate: 0.05,
		batch_size: 32,
		l2: 1e-4,
		checkpoints: 5,
		seed,
	};
	let started = Instant::now();
	let trained = train(Network::init(&arch, 64, 10, 1), &x, &y, &hyper(1)).expect("trains");
	let mlp_train_time = started.elapsed();
	let mlp_accuracy = trained.network.predict(&xq).iter().zip(&yq).filter(|(p, y)| p == y).count()
		as f64 / yq.len() as f64;
	let started = Instant::now();
	let tscores = tracin::scores(&trained.checkpoints, &x, &y, &xq, &yq); // [n, q]
	let mlp_attribute_time = started.elapsed() / xq.rows as u32;
	let mut predicted = vec![vec![0.0; SUBSETS]; xq.rows];
	let mut actual = vec![vec![0.0; SUBSETS]; xq.rows];
	let started = Instant::now();
	for s in 0..SUBSETS {
		let subset: Vec<usize> = (0..x.rows).filter(|_| rng.next_u64() & 1 == 1).collect();
		let ys: Vec<usize> = subset.iter().map(|i| y[*i]).collect();
		let seed = 100 + s as u64;
		let net =
			train(Network::init(&arch, 64, 10, seed), &x.select_rows(&subset), &ys, &hyper(seed))
				.expect("trains")
				.network;
		let lp = log_prob(&net, &xq, &yq);
		for t in 0..xq.rows {
			predicted[t][s] = subset.iter().map(|i| tscores.row(*i)[t]).sum();
			actual[t][s] = lp[t];
		}
	}
	let mlp_retrain_time = started.elapsed();
	let mlp_lds: f64 =
		(0..xq.rows).map(|t| spearman(&predicted[t], &actual[t])).sum::<f64>() / xq.rows as f64;
	let noisy_trained =
		train(Network::init(&arch, 64, 10, 1), &x, &noisy, &hyper(1)).expect("trains");
	let mlp_selfs = tracin::self_influence(&noisy_trained.checkpoints, &x, &noisy);
	let mlp_area = auc(&mlp_selfs, &flipped);
	let mut order: Vec<usize> = (0..x.rows).collect();
	order.sort_by(|a, b| mlp_selfs[*b].total_cmp(&mlp_selfs[*a]));
	let mlp_found = |share: f64| {
		order[..(x.rows as f64 * share) as usize].iter().filter(|i| flipped[**i]).count() as f64
			/ n_flipped
	};
	println!(
		"MLP 64-32-10: test accuracy {:.3}, train {:.2?}, one query (TracIn, 5 checkpoints) {:.2?}",
		mlp_accuracy, mlp_train_time, mlp_attribute_time
	);

	println!();
	println!("| model | method | LDS | mislabel AUC | found in top 10% | found in top 20% |");
	println!("|---|---|---|---|---|---|");
	println!("{lr_row}");
	println!(
		"| MLP 64-32-10 (SGD, 30 epochs) | TracIn-CP (ghost) / TracIn self-influence | {mlp_lds:.3} | {mlp_area:.3} | {:.3} | {:.3} |",
		mlp_found(0.10),
		mlp_found(0.20)
	);
	println!();
	println!(
		"{SUBSETS} retrainings: softmax regression {retrain_time:.2?}, MLP {mlp_retrain_time:.2?}; {} flipped labels",
		n_flipped as usize
	);
}
