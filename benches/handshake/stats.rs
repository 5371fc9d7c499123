//! Timing statistics: medians, percentiles, and the per-call cost of a closure.

use std::time::Instant;

pub fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

pub fn percentile(v: &[f64], p: f64) -> f64 {
    // v sorted
    let i = ((v.len() - 1) as f64 * p).round() as usize;
    v[i]
}

/// Nanoseconds per call of `f`: the median over `batches` batches of `per` calls.
pub fn per_op(batches: usize, per: usize, mut f: impl FnMut()) -> f64 {
    for _ in 0..per {
        f();
    }
    let mut v: Vec<f64> = (0..batches)
        .map(|_| {
            let t = Instant::now();
            for _ in 0..per {
                f();
            }
            t.elapsed().as_nanos() as f64 / per as f64
        })
        .collect();
    median(&mut v)
}
