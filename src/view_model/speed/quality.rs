//! The speed-against-quality chart of the efficient-attention lecture, measured in the reader's
//! browser: every benchmarked kernel at N = [`QUALITY_N`] on the same seeded Q, K, V
//! with the locality of language (`attention::bench::local_inputs`), its time against exact attention's (x: speed-up), its fidelity
//! to exact attention (y: 1 − ‖O − O_exact‖_F / ‖O_exact‖_F) and the peak bytes its call allocates
//! (bubble area, from a [`MemoryProbe`]: the wasm counting allocator in the page). The published Long
//! Range Arena results (`speed::lra`) are the chart's second layer.
//!
//! One kernel call per step (two per kernel: the first also measures memory and the output, the
//! second only time; the faster is kept), so the runner yields between calls.

use std::rc::Rc;

use crate::attention::bench::{local_inputs, BenchKernel, Prepared};
use crate::attention::matrix::Matrix;
use crate::view_model::job::Job;
use crate::view_model::speed::job::Clock;

/// The length the chart is measured at (the lecture's chart is at 4K).
pub const QUALITY_N: usize = 4096;
/// The inputs' locality (`attention::bench::local_inputs`): at d = 64 a query's logit for its own
/// position is a²·(d/2)/√d = 4a² = 9 and falls off over about [`WIDTH`] tokens, like a trained head
/// that mostly looks nearby. (On pure noise exact attention is almost uniform over 4096 keys, its
/// output nearly 0, and every relative error meaningless.)
pub const WIDTH: f32 = 8.0;
pub const CODE_SCALE: f32 = 1.5;
pub const NOISE: f32 = 0.5;

/// Peak memory, as the page measures it.
pub trait MemoryProbe {
    /// Starts a new peak from the bytes live now.
    fn reset(&self);
    /// The most bytes live at once since [`MemoryProbe::reset`], above the bytes live then.
    fn peak_above_start(&self) -> f64;
}

/// One kernel's point.
#[derive(Clone, Debug, PartialEq)]
pub struct QualityPoint {
    pub kernel: BenchKernel,
    /// Best of two calls, ms.
    pub ms: f64,
    /// Exact attention's time over this kernel's (> 1: faster).
    pub speedup: f64,
    /// ‖O − O_exact‖_F / ‖O_exact‖_F.
    pub rel_error: f64,
    /// Peak bytes allocated by the call (above what was live before it).
    pub peak_bytes: f64,
}

impl QualityPoint {
    /// 1 − relative error, at least 0: the chart's y.
    pub fn fidelity(&self) -> f64 {
        (1.0 - self.rel_error).max(0.0)
    }
}

/// The chart's data so far.
#[derive(Clone, Debug, PartialEq)]
pub struct QualityReport {
    pub n: usize,
    pub d: usize,
    pub causal: bool,
    pub points: Vec<QualityPoint>,
    /// Every kernel measured.
    pub done: bool,
}

/// ‖a − b‖_F / ‖b‖_F (0 when both are 0; 1 when only `b` is).
pub fn relative_error(a: &Matrix, b: &Matrix) -> f64 {
    let (mut diff, mut norm) = (0.0f64, 0.0f64);
    for (x, y) in a.data.iter().zip(&b.data) {
        diff += ((x - y) as f64).powi(2);
        norm += (*y as f64).powi(2);
    }
    if norm == 0.0 {
        return if diff == 0.0 { 0.0 } else { 1.0 };
    }
    (diff / norm).sqrt()
}

struct First {
    kernel: BenchKernel,
    prepared: Prepared,
    ms: f64,
    rel_error: f64,
    peak_bytes: f64,
}

/// The measurement as a [`Job`].
pub struct QualityJob {
    n: usize,
    d: usize,
    causal: bool,
    kernels: Vec<BenchKernel>,
    next: usize,
    exact: Option<(Matrix, f64)>,
    first: Option<First>,
    points: Vec<QualityPoint>,
    clock: Clock,
    probe: Rc<dyn MemoryProbe>,
}

impl QualityJob {
    /// Every kernel of [`BenchKernel::ALL`] at length `n` and width `d`, exact attention first.
    pub fn new(n: usize, d: usize, causal: bool, clock: Clock, probe: Rc<dyn MemoryProbe>) -> Self {
        Self {
            n,
            d,
            causal,
            kernels: BenchKernel::ALL.to_vec(),
            next: 0,
            exact: None,
            first: None,
            points: Vec::new(),
            clock,
            probe,
        }
    }

    /// A job with nothing to measure (`quality=0`): done at once, with no points.
    pub fn idle(d: usize, causal: bool, clock: Clock, probe: Rc<dyn MemoryProbe>) -> Self {
        let mut job = Self::new(0, d, causal, clock, probe);
        job.kernels.clear();
        job
    }

    fn report(&self) -> QualityReport {
        QualityReport {
            n: self.n,
            d: self.d,
            causal: self.causal,
            points: self.points.clone(),
            done: self.is_done(),
        }
    }
}

impl Job for QualityJob {
    type Output = QualityReport;

    fn step(&mut self) {
        if let Some(first) = self.first.take() {
            // The second call: time only.
            let t0 = (self.clock)();
            std::hint::black_box(first.prepared.run());
            let ms = first.ms.min((self.clock)() - t0);
            if first.kernel == BenchKernel::Exact {
                if let Some(exact) = self.exact.as_mut() {
                    exact.1 = ms;
                }
            }
            let exact_ms = self.exact.as_ref().map_or(ms, |e| e.1);
            self.points.push(QualityPoint {
                kernel: first.kernel,
                ms,
                speedup: exact_ms / ms.max(1e-9),
                rel_error: first.rel_error,
                peak_bytes: first.peak_bytes,
            });
            self.next += 1;
            return;
        }
        let Some(&kernel) = self.kernels.get(self.next) else {
            return;
        };
        let prepared = Prepared::with_inputs(
            kernel,
            local_inputs(self.n, self.d, WIDTH, CODE_SCALE, NOISE),
            self.causal,
        );
        self.probe.reset();
        let t0 = (self.clock)();
        let out = prepared.run();
        let ms = (self.clock)() - t0;
        let peak_bytes = self.probe.peak_above_start();
        let rel_error = match &self.exact {
            Some((exact, _)) => relative_error(&out, exact),
            None => 0.0,
        };
        if self.exact.is_none() {
            self.exact = Some((out, ms));
        }
        self.first = Some(First {
            kernel,
            prepared,
            ms,
            rel_error,
            peak_bytes,
        });
    }

    fn progress(&self) -> f64 {
        let half = if self.first.is_some() { 0.5 } else { 0.0 };
        (self.next as f64 + half) / self.kernels.len().max(1) as f64
    }

    fn is_done(&self) -> bool {
        self.next >= self.kernels.len()
    }

    fn partial(&self) -> Option<QualityReport> {
        Some(self.report())
    }

    fn finish(self) -> QualityReport {
        self.report()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::Cell;
    use std::sync::atomic::{AtomicU64, Ordering};

    static TICKS: AtomicU64 = AtomicU64::new(0);
    fn clock() -> f64 {
        TICKS.fetch_add(1, Ordering::Relaxed) as f64
    }

    struct Probe(Cell<u32>);
    impl MemoryProbe for Probe {
        fn reset(&self) {
            self.0.set(self.0.get() + 1);
        }
        fn peak_above_start(&self) -> f64 {
            1000.0 * self.0.get() as f64
        }
    }

    /// `cargo test --lib print_quality -- --ignored --nocapture`: the errors at N = 1024, d = 64
    /// (`QN=4096 QD=64` in the environment for another N, d).
    #[test]
    #[ignore]
    fn print_quality() {
        let mut job = QualityJob::new(
            std::env::var("QN").map_or(1024, |v| v.parse().unwrap()),
            std::env::var("QD").map_or(64, |v| v.parse().unwrap()),
            false,
            clock,
            Rc::new(Probe(Cell::new(0))),
        );
        while !job.is_done() {
            job.step();
        }
        for p in job.finish().points {
            println!("{:?}: error {:.3}, fidelity {:.3}", p.kernel, p.rel_error, p.fidelity());
        }
    }

    #[test]
    fn relative_error_is_the_frobenius_ratio() {
        let b = Matrix::from_vec(1, 2, vec![3.0, 4.0]);
        assert_eq!(relative_error(&b, &b), 0.0);
        assert!((relative_error(&Matrix::from_vec(1, 2, vec![3.0, 5.0]), &b) - 0.2).abs() < 1e-12);
        assert_eq!(relative_error(&Matrix::zeros(1, 2), &Matrix::zeros(1, 2)), 0.0);
        assert_eq!(relative_error(&b, &Matrix::zeros(1, 2)), 1.0);
    }

    #[test]
    fn every_kernel_is_measured_against_exact_attention_on_the_same_inputs() {
        let probe = Rc::new(Probe(Cell::new(0)));
        let mut job = QualityJob::new(256, 16, false, clock, probe);
        let mut steps = 0;
        let mut last = -1.0;
        while !job.is_done() {
            job.step();
            steps += 1;
            assert!(job.progress() > last);
            last = job.progress();
        }
        assert_eq!(steps, 2 * BenchKernel::ALL.len(), "two calls per kernel");
        let r = job.finish();
        assert!(r.done);
        let kernels: Vec<BenchKernel> = r.points.iter().map(|p| p.kernel).collect();
        assert_eq!(kernels, BenchKernel::ALL.to_vec());
        let of = |k: BenchKernel| r.points.iter().find(|p| p.kernel == k).unwrap();
        assert_eq!(of(BenchKernel::Exact).rel_error, 0.0);
        assert_eq!(of(BenchKernel::Exact).speedup, 1.0);
        assert!(of(BenchKernel::Flash).rel_error < 1e-5, "flash is exact");
        for k in [
            BenchKernel::Window,
            BenchKernel::Strided,
            BenchKernel::Lsh,
            BenchKernel::Sinkhorn,
            BenchKernel::Linear,
            BenchKernel::Linformer,
            BenchKernel::Performer,
            BenchKernel::Synthesizer,
            BenchKernel::Mixer,
        ] {
            let p = of(k);
            assert!(p.rel_error > 1e-3 && p.rel_error.is_finite(), "{k:?}: {}", p.rel_error);
            assert!(p.fidelity() >= 0.0 && p.fidelity() < 1.0);
        }
        // The probe is reset before each kernel's first call and read right after it.
        assert_eq!(of(BenchKernel::Exact).peak_bytes, 1000.0);
        assert_eq!(of(BenchKernel::Performer).peak_bytes, 10_000.0);
        assert_eq!(of(BenchKernel::Mixer).peak_bytes, 12_000.0);
    }
}
