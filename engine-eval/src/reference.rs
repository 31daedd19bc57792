//! Reference implementations that the evaluations compare the engine with.

use openledger_influence::{
	classifier::{
		methods::exact::hessian,
		model::{Layer, Network},
	},
	error::EngineError,
	numeric::{
		linalg::{backward_solve, cholesky, forward_solve, matmul, Matrix},
		tensor::softmax_rows,
	},
};

/// Class probabilities `[n, C]` of `x̃` under `[W | b]`, as the engine's exact influence
/// computes them.
fn probabilities(xb: &Matrix, theta: &Matrix) -> Matrix {
	let mut z = matmul(xb, &theta.t());
	softmax_rows(&mut z);
	z
}

/// Softmax regression trained to its optimum by damped Newton steps (the objective is convex),
/// from zero weights. Used to check the influence function against retraining.
pub fn newton_fit(
	x: &Matrix,
	labels: &[usize],
	classes: usize,
	l2: f64,
	iterations: usize,
) -> Result<Network, EngineError> {
	if x.rows == 0 {
		return Err(EngineError::EmptyTrainingSet);
	}
	let xb = x.with_ones_column();
	let d1 = xb.cols;
	let mut theta = Matrix::zeros(classes, d1);
	let n = x.rows as f64;
	for _ in 0..iterations {
		let probs = probabilities(&xb, &theta);
		let residuals = Network::output_deltas(&probs, labels);
		// Gradient (1/n) (P - Y)ᵀ X̃ + λ W.
		let mut grad = matmul(&residuals.t(), &xb);
		for k in 0..classes {
			for f in 0..d1 {
				let g = &mut grad.data[k * d1 + f];
				*g /= n;
				if f + 1 < d1 {
					*g += l2 * theta.data[k * d1 + f];
				}
			}
		}
		// Newton step with a little damping so that the bias block stays invertible.
		let h = hessian(&xb, &probs, l2, 1e-8);
		let factor = cholesky(&h)?;
		let g = Matrix { rows: classes * d1, cols: 1, data: grad.data };
		let step = backward_solve(&factor, &forward_solve(&factor, &g));
		for (t, s) in theta.data.iter_mut().zip(&step.data) {
			*t -= s;
		}
	}
	let d = d1 - 1;
	let mut w = Matrix::zeros(classes, d);
	let mut b = vec![0.0; classes];
	for k in 0..classes {
		w.row_mut(k).copy_from_slice(&theta.row(k)[..d]);
		b[k] = theta.row(k)[d];
	}
	Ok(Network { layers: vec![Layer { w, b }] })
}
