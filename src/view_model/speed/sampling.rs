//! How the Speed view turns timed calls into numbers: the sampling rule ([`Sampler`]), one
//! measurement's [`Timing`] and achieved GFLOP/s, what happened to each (kernel, N) ([`Outcome`]), and
//! the least-squares slope of ln t on ln N that reads the growth of each kernel.

use crate::attention::bench::BenchKernel;

/// Sampling rule: samples until their total reaches this many ms with at least [`MIN_SAMPLES`]
/// samples (so one disturbed sample cannot be the only one)…
pub const MIN_TOTAL_MS: f64 = 30.0;
/// …the fewest samples that may end a measurement below [`ONE_SHOT_MS`]…
pub const MIN_SAMPLES: usize = 3;
/// …or until this many samples were taken, whichever comes first…
pub const MAX_SAMPLES: usize = 5;
/// …or once the samples total this many ms (a call of 1 s or more is timed once).
pub const ONE_SHOT_MS: f64 = 1000.0;
/// Fast calls are batched so one sample lasts about this long (the browser clock is coarsened to
/// 0.1 ms in pages that are not cross-origin isolated, too coarse for a 50 µs call).
pub const TARGET_SAMPLE_MS: f64 = 2.0;
/// Most calls in one batch.
pub const MAX_BATCH: usize = 64;
/// A warm-up call at least this long counts as a sample (cold-start effects are negligible then).
pub const WARMUP_COUNTS_ABOVE_MS: f64 = 100.0;

/// Collects the timings of one (kernel, N) measurement: a timed warm-up call sets the batch size
/// (calls per sample, so a sample lasts ≈ 2 ms), then samples until their total reaches 30 ms with
/// at least 3 samples, or 5 samples were taken, or they total 1 s. A warm-up of 100 ms or more
/// counts as the first sample.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Sampler {
    batch: usize,
    /// Per-call times of the samples, ms.
    per_call: Vec<f64>,
    total_ms: f64,
}

impl Sampler {
    /// Records the warm-up call's time in ms.
    pub fn warm_up(&mut self, ms: f64) {
        let ms = ms.max(0.0);
        self.batch = ((TARGET_SAMPLE_MS / ms.max(1e-3)).ceil() as usize).clamp(1, MAX_BATCH);
        if ms >= WARMUP_COUNTS_ABOVE_MS {
            self.add_sample(ms);
        }
    }

    /// Calls per sample (1 until the warm-up is recorded).
    pub fn batch(&self) -> usize {
        self.batch.max(1)
    }

    /// Records one sample: `ms` for [`Sampler::batch`] calls.
    pub fn add_sample(&mut self, ms: f64) {
        let ms = ms.max(0.0);
        self.per_call.push(ms / self.batch() as f64);
        self.total_ms += ms;
    }

    /// True once the samples number 5, or reach 30 ms in total with at least 3 samples, or 1 s.
    pub fn is_done(&self) -> bool {
        let count = self.per_call.len();
        count >= MAX_SAMPLES || (count >= MIN_SAMPLES && self.total_ms >= MIN_TOTAL_MS) || self.total_ms >= ONE_SHOT_MS
    }

    /// Best and median per-call time, or None before the first sample.
    pub fn summary(&self) -> Option<(f64, f64)> {
        if self.per_call.is_empty() {
            return None;
        }
        let mut s = self.per_call.clone();
        s.sort_by(f64::total_cmp);
        let mid = s.len() / 2;
        let median = if s.len() % 2 == 1 {
            s[mid]
        } else {
            0.5 * (s[mid - 1] + s[mid])
        };
        Some((s[0], median))
    }

    /// Number of samples so far.
    pub fn samples(&self) -> usize {
        self.per_call.len()
    }
}

/// One finished measurement.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Timing {
    /// Fastest per-call time, ms.
    pub best_ms: f64,
    /// Median per-call time, ms.
    pub median_ms: f64,
    /// Samples taken.
    pub samples: usize,
    /// FLOPs of one call (`attention::bench::Prepared::flops`).
    pub flops: f64,
    /// Peak bytes the warm-up call allocated above what was live before it (the job's
    /// `MemoryProbe`); None without a probe or for calls run on other threads.
    pub peak_bytes: Option<f64>,
}

impl Timing {
    /// One sample of `ms` for a 1-GFLOP call (test data for the report and the job).
    #[cfg(test)]
    pub(crate) fn single_call(ms: f64) -> Timing {
        Timing {
            best_ms: ms,
            median_ms: ms,
            samples: 1,
            flops: 1e9,
            peak_bytes: None,
        }
    }

    /// Achieved GFLOP/s at the best time: flops / (best_ms · 10⁶).
    pub fn gflops(&self) -> f64 {
        if self.best_ms > 0.0 {
            self.flops / (self.best_ms * 1e6)
        } else {
            f64::NAN
        }
    }
}

/// What happened to one (kernel, N).
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Outcome {
    Measured(Timing),
    /// Not run: the measurement was predicted to take `predicted_ms`, over `job::SKIP_ABOVE_MS`.
    Skipped {
        predicted_ms: f64,
    },
    /// Not run: it needs the Web Workers, and none could start (or one failed).
    Unavailable,
}

/// One (kernel, N) of the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Task {
    pub kernel: BenchKernel,
    pub n: usize,
}

/// The measured (N, best ms) points of `kernel` among `results`, in increasing N.
pub fn points(results: &[(Task, Outcome)], kernel: BenchKernel) -> Vec<(f64, f64)> {
    let mut pts: Vec<(f64, f64)> = results
        .iter()
        .filter(|(t, _)| t.kernel == kernel)
        .filter_map(|(t, o)| match o {
            Outcome::Measured(m) if m.best_ms > 0.0 => Some((t.n as f64, m.best_ms)),
            _ => None,
        })
        .collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    pts
}

/// The measured (N, peak bytes) points of `kernel` among `results`, in increasing N (the memory
/// chart's line; measurements without a peak are left out).
pub fn peak_points(results: &[(Task, Outcome)], kernel: BenchKernel) -> Vec<(f64, f64)> {
    let mut pts: Vec<(f64, f64)> = results
        .iter()
        .filter(|(t, _)| t.kernel == kernel)
        .filter_map(|(t, o)| match o {
            Outcome::Measured(Timing {
                peak_bytes: Some(b), ..
            }) if *b > 0.0 => Some((t.n as f64, *b)),
            _ => None,
        })
        .collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0));
    pts
}

/// Least-squares slope of ln t on ln N: Σ(x − x̄)(y − ȳ) / Σ(x − x̄)² with x = ln N, y = ln t.
/// None with fewer than two distinct N or a non-positive value.
pub fn log_log_slope(points: &[(f64, f64)]) -> Option<f64> {
    if points
        .iter()
        .any(|&(n, t)| !(n > 0.0 && t > 0.0 && n.is_finite() && t.is_finite()))
    {
        return None;
    }
    let xy: Vec<(f64, f64)> = points.iter().map(|&(n, t)| (n.ln(), t.ln())).collect();
    let m = xy.len() as f64;
    if xy.len() < 2 {
        return None;
    }
    let (mx, my) = (
        xy.iter().map(|p| p.0).sum::<f64>() / m,
        xy.iter().map(|p| p.1).sum::<f64>() / m,
    );
    let sxx: f64 = xy.iter().map(|p| (p.0 - mx).powi(2)).sum();
    let sxy: f64 = xy.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    (sxx > 1e-12).then(|| sxy / sxx)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slope_of_exact_power_laws_is_the_exponent() {
        // t = 3·N² → ln t = ln 3 + 2 ln N: slope 2 exactly; t = 0.5·N: slope 1.
        let quad: Vec<(f64, f64)> = [256.0, 512.0, 1024.0].iter().map(|&n| (n, 3.0 * n * n)).collect();
        assert!((log_log_slope(&quad).unwrap() - 2.0).abs() < 1e-12);
        let lin: Vec<(f64, f64)> = [256.0, 4096.0].iter().map(|&n| (n, 0.5 * n)).collect();
        assert!((log_log_slope(&lin).unwrap() - 1.0).abs() < 1e-12);
    }

    #[test]
    fn slope_is_least_squares_over_noisy_points() {
        // x = ln N at N = 1, e, e²: x = 0, 1, 2 (x̄ = 1); y = 0, 2, 3 (ȳ = 5/3).
        // Sxy = (−1)(−5/3) + 0 + (1)(4/3) = 3, Sxx = 2 → slope 1.5.
        let e = std::f64::consts::E;
        let pts = [(1.0, 1.0), (e, e.powi(2)), (e * e, e.powi(3))];
        assert!((log_log_slope(&pts).unwrap() - 1.5).abs() < 1e-12);
        assert_eq!(log_log_slope(&[(256.0, 1.0)]), None);
        assert_eq!(log_log_slope(&[(256.0, 1.0), (256.0, 2.0)]), None);
        assert_eq!(log_log_slope(&[(256.0, 0.0), (512.0, 2.0)]), None);
    }

    #[test]
    fn sampler_batches_fast_calls_and_stops_at_five_samples_thirty_ms_or_one_second() {
        let mut s = Sampler::default();
        s.warm_up(0.1); // 2 ms / 0.1 ms = 20 calls per sample
        assert_eq!(s.batch(), 20);
        for _ in 0..4 {
            s.add_sample(2.0);
        }
        assert!(!s.is_done());
        s.add_sample(4.0);
        assert!(s.is_done(), "five samples");
        // Per call: four samples of 0.1 ms and one of 0.2 ms → best 0.1, median 0.1.
        assert_eq!(s.summary(), Some((0.1, 0.1)));

        let mut slow = Sampler::default();
        slow.warm_up(20.0);
        assert_eq!(slow.batch(), 1);
        assert_eq!(slow.samples(), 0, "a 20 ms warm-up is not a sample");
        slow.add_sample(40.0);
        assert!(!slow.is_done(), "40 ms but a single sample");
        slow.add_sample(18.0);
        slow.add_sample(14.0);
        assert!(slow.is_done(), "72 ms ≥ 30 ms in 3 samples");
        assert_eq!(slow.summary(), Some((14.0, 18.0)));

        let mut big = Sampler::default();
        big.warm_up(600.0);
        assert_eq!(big.samples(), 1, "a 600 ms warm-up counts as a sample");
        assert!(!big.is_done());
        big.add_sample(500.0);
        assert!(big.is_done(), "1100 ms ≥ 1 s");
        assert_eq!(big.summary(), Some((500.0, 550.0)));

        let mut huge = Sampler::default();
        huge.warm_up(2500.0);
        assert!(huge.is_done(), "a 2.5 s warm-up is the only sample");
        assert_eq!(huge.summary(), Some((2500.0, 2500.0)));
    }

    fn timing(ms: f64) -> Timing {
        Timing::single_call(ms)
    }

    #[test]
    fn gflops_is_flops_over_best_time() {
        // 1e9 FLOPs in 10 ms = 100 GFLOP/s.
        assert_eq!(timing(10.0).gflops(), 100.0);
    }

    #[test]
    fn points_keep_the_measured_lengths_of_one_kernel_in_increasing_n() {
        let task = |kernel, n| Task { kernel, n };
        let results = vec![
            (task(BenchKernel::Linear, 512), Outcome::Measured(timing(2.0))),
            (task(BenchKernel::Exact, 256), Outcome::Measured(timing(9.0))),
            (task(BenchKernel::Linear, 256), Outcome::Measured(timing(1.0))),
            (
                task(BenchKernel::Linear, 1024),
                Outcome::Skipped { predicted_ms: 20_000.0 },
            ),
        ];
        assert_eq!(points(&results, BenchKernel::Linear), vec![(256.0, 1.0), (512.0, 2.0)]);
        assert_eq!(points(&results, BenchKernel::Flash), vec![]);
    }
}
