//! The "Speed" view's pure side: URL parameters, the seven benchmarked kernels prepared on seeded
//! inputs, the benchmark plan as a resumable job (one (kernel, N) measurement per step), the sampling
//! rule, the least-squares slope of ln t on ln N, and achieved GFLOP/s from the cost formulas.
//!
//! Timing itself (`performance.now()`) lives in the view's driver; everything here runs natively.

use crate::attention::approx::cost::{exact_cost, linear_cost, linformer_cost, performer_cost};
use crate::attention::approx::linear::linear_attend;
use crate::attention::approx::linformer::{linformer_attend, LinformerProjections};
use crate::attention::approx::performer::{performer_attend, FeatureKind, PerformerConfig, RandomFeatures};
use crate::attention::exact::attend;
use crate::attention::flash::{flash_attend, Tiles};
use crate::attention::mask::causal_or_full;
use crate::attention::matrix::Matrix;
use crate::attention::rng::{normal_matrix, stream};
use crate::attention::sparse::bigbird::{bigbird, BigBirdConfig};
use crate::attention::sparse::csr::SparsePattern;
use crate::attention::sparse::kernel::sparse_attend;
use crate::attention::sparse::window::{local_window, Direction};
use crate::view_model::params::{Notice, ParamReader};

/// Sequence lengths the benchmark can visit, in order.
pub const LENGTHS: [usize; 6] = [256, 512, 1024, 2048, 4096, 8192];
/// Default largest N: quick enough (a few seconds) to run on page load of a permalink.
pub const DEFAULT_MAX_N: usize = 2048;
/// Head widths offered (d = d_v).
pub const WIDTHS: [usize; 4] = [16, 32, 64, 128];
/// Default head width, as in GPT-2 / BERT-base (d_model 768 / 12 heads).
pub const DEFAULT_D: usize = 64;
/// Local window one-sided width w (Longformer uses 256 per side in base; 64 keeps the cost visible).
pub const WINDOW: usize = 64;
/// BigBird block size b = 64 (bigbird-roberta-base `config.json`), 2 global and 3 random blocks.
pub const BIGBIRD_BLOCK: usize = 64;
/// Linformer projected length k = 256 (Wang et al. 2020 report k = 128–256).
pub const LINFORMER_K: usize = 256;
/// Performer random features m = 256 (Choromanski et al. 2021 use m = 256 in most experiments).
pub const PERFORMER_M: usize = 256;
/// The seed of Q, K, V and of the random parts (BigBird blocks, Linformer E/F, Performer W).
pub const SEED: u64 = 7;
/// A measurement predicted to take longer than this (ms) is skipped rather than freezing the page.
pub const SKIP_ABOVE_MS: f64 = 10_000.0;

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

/// The kernels the view times, in table order.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// `exact::attend`: blocked softmax(QKᵀ/√d)·V, 64 query rows per block.
    Exact,
    /// `flash::flash_attend`: online softmax over 64 × 64 tiles.
    Flash,
    /// `sparse::kernel::sparse_attend` over a local window of one-sided width w = 64.
    Window,
    /// `sparse::kernel::sparse_attend` over BigBird (b = 64, 2 global, 3 random blocks).
    BigBird,
    /// `approx::linear::linear_attend`, φ = elu + 1, linear order φ(Q)(φ(K)ᵀV).
    Linear,
    /// `approx::linformer::linformer_attend`, Gaussian E, F with k = 256.
    Linformer,
    /// `approx::performer::performer_attend`, FAVOR+ positive orthogonal features, m = 256.
    Performer,
}

impl Kernel {
    /// Every kernel, in table order.
    pub const ALL: [Kernel; 7] = [
        Kernel::Exact,
        Kernel::Flash,
        Kernel::Window,
        Kernel::BigBird,
        Kernel::Linear,
        Kernel::Linformer,
        Kernel::Performer,
    ];

    /// Short id for `data-testid`s and metric names.
    pub fn id(self) -> &'static str {
        match self {
            Kernel::Exact => "exact",
            Kernel::Flash => "flash",
            Kernel::Window => "window",
            Kernel::BigBird => "bigbird",
            Kernel::Linear => "linear",
            Kernel::Linformer => "linformer",
            Kernel::Performer => "performer",
        }
    }

    /// Message id of the kernel's display name.
    pub fn name_id(self) -> &'static str {
        match self {
            Kernel::Exact => "speed.k.exact",
            Kernel::Flash => "speed.k.flash",
            Kernel::Window => "speed.k.window",
            Kernel::BigBird => "speed.k.bigbird",
            Kernel::Linear => "speed.k.linear",
            Kernel::Linformer => "speed.k.linformer",
            Kernel::Performer => "speed.k.performer",
        }
    }

    /// Message id of the kernel's short name (chart legend).
    pub fn short_id(self) -> &'static str {
        match self {
            Kernel::Exact => "speed.s.exact",
            Kernel::Flash => "speed.s.flash",
            Kernel::Window => "speed.s.window",
            Kernel::BigBird => "speed.s.bigbird",
            Kernel::Linear => "speed.s.linear",
            Kernel::Linformer => "speed.s.linformer",
            Kernel::Performer => "speed.s.performer",
        }
    }

    /// Whether the kernel has a causal form (Linformer's summary positions mix future tokens: none).
    pub fn supports_causal(self) -> bool {
        self != Kernel::Linformer
    }

    /// Expected growth exponent of the time in N: 2 for the dense kernels, 1 for the others.
    pub fn expected_order(self) -> u32 {
        match self {
            Kernel::Exact | Kernel::Flash => 2,
            _ => 1,
        }
    }
}

/// Every setting of the view (URL keys `max_n`, `d`, `causal`, `run`).
#[derive(Clone, Debug, PartialEq)]
pub struct SpeedParams {
    /// Largest N measured, one of [`LENGTHS`].
    pub max_n: usize,
    /// Head width d = d_v, one of [`WIDTHS`].
    pub d: usize,
    /// Causal masks where the kernel supports them.
    pub causal: bool,
    /// Start the benchmark (the Run button sets it; a permalink with `run=1` starts at once).
    pub run: bool,
}

impl Default for SpeedParams {
    fn default() -> Self {
        Self {
            max_n: DEFAULT_MAX_N,
            d: DEFAULT_D,
            causal: false,
            run: false,
        }
    }
}

impl SpeedParams {
    /// The lengths this run visits: every entry of [`LENGTHS`] up to `max_n`.
    pub fn lengths(&self) -> Vec<usize> {
        LENGTHS.iter().copied().filter(|&n| n <= self.max_n).collect()
    }

    /// The parameters that define a benchmark (everything but `run`).
    pub fn plan_key(&self) -> (usize, usize, bool) {
        (self.max_n, self.d, self.causal)
    }
}

/// Parameters and the corrections made while reading them.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedSpeed {
    pub params: SpeedParams,
    pub notices: Vec<Notice>,
}

/// The entry of `allowed` closest to `v` on a log scale (ties go to the smaller).
fn nearest_of(allowed: &[usize], v: usize) -> usize {
    let lv = (v.max(1) as f64).ln();
    allowed
        .iter()
        .copied()
        .min_by(|a, b| {
            let (da, db) = (((*a as f64).ln() - lv).abs(), ((*b as f64).ln() - lv).abs());
            da.total_cmp(&db).then(a.cmp(b))
        })
        .unwrap_or(allowed[0])
}

/// `key` as a size clamped to the range of `allowed`, then moved to its nearest entry (with a notice).
fn snapped(r: &mut ParamReader<'_>, key: &str, default: usize, allowed: &[usize], rule: &'static str) -> usize {
    let given = r.size(key, default, allowed[0], allowed[allowed.len() - 1]);
    let used = nearest_of(allowed, given);
    if used != given {
        r.rule(key, given, used, rule);
    }
    used
}

/// Reads `max_n` and `d` as numbers snapped to the nearest allowed value (with a notice when
/// moved), `causal` and `run` as flags. Never fails.
pub fn parse(get: &dyn Fn(&str) -> Option<String>) -> ParsedSpeed {
    let mut r = ParamReader::new(get);
    let max_n = snapped(&mut r, "max_n", DEFAULT_MAX_N, &LENGTHS, "speed.rule.max_n");
    let d = snapped(&mut r, "d", DEFAULT_D, &WIDTHS, "speed.rule.d");
    let causal = r.flag("causal", false);
    let run = r.flag("run", false);
    ParsedSpeed {
        params: SpeedParams { max_n, d, causal, run },
        notices: r.notices,
    }
}

/// The URL pairs that reproduce `p` (the inverse of [`parse`]).
pub fn to_pairs(p: &SpeedParams) -> Vec<(&'static str, String)> {
    vec![
        ("view", "speed".to_string()),
        ("max_n", p.max_n.to_string()),
        ("d", p.d.to_string()),
        ("causal", if p.causal { "1" } else { "0" }.to_string()),
        ("run", if p.run { "1" } else { "0" }.to_string()),
    ]
}

/// FLOPs of softmax attention restricted to `pairs` allowed (query, key) pairs, with the convention
/// of `approx::cost::exact_cost`: per pair 2d (score) + 5 (softmax) + 2d_v (weights·V), so
/// `pair_flops(N², d, d_v)` equals `exact_cost(N, d, d_v).flops`.
pub fn pair_flops(pairs: usize, d: usize, d_v: usize) -> f64 {
    pairs as f64 * (2.0 * (d + d_v) as f64 + 5.0)
}

/// What one kernel needs besides Q, K, V (built before timing starts, never timed).
enum Setup {
    Dense,
    Sparse(SparsePattern),
    Linear,
    Linformer(LinformerProjections),
    Performer(RandomFeatures),
}

/// One kernel ready to run on seeded inputs of length N: Q, K, V (N × d, N(0, 1) entries from
/// `stream(SEED, "speed_q" | "speed_k" | "speed_v")`) and its pattern or projections.
pub struct Prepared {
    pub kernel: Kernel,
    pub n: usize,
    pub d: usize,
    /// Causal form in use (false for Linformer whatever was asked).
    pub causal: bool,
    q: Matrix,
    k: Matrix,
    v: Matrix,
    setup: Setup,
}

impl Prepared {
    /// Draws the inputs and builds the pattern / projections / features of `kernel` at length `n`.
    pub fn new(kernel: Kernel, n: usize, d: usize, causal: bool) -> Self {
        let causal = causal && kernel.supports_causal();
        let q = normal_matrix(&mut stream(SEED, "speed_q"), n, d, 1.0);
        let k = normal_matrix(&mut stream(SEED, "speed_k"), n, d, 1.0);
        let v = normal_matrix(&mut stream(SEED, "speed_v"), n, d, 1.0);
        let direction = if causal {
            Direction::Causal
        } else {
            Direction::Symmetric
        };
        let setup = match kernel {
            Kernel::Exact | Kernel::Flash => Setup::Dense,
            Kernel::Window => Setup::Sparse(local_window(n, WINDOW, direction).value),
            Kernel::BigBird => {
                let config = BigBirdConfig {
                    block: BIGBIRD_BLOCK,
                    ..BigBirdConfig::default()
                };
                let pattern = bigbird(n, &config, SEED, 0).value.pattern;
                Setup::Sparse(if causal { pattern.causal_part() } else { pattern })
            }
            Kernel::Linear => Setup::Linear,
            Kernel::Linformer => Setup::Linformer(LinformerProjections::gaussian(n, LINFORMER_K.min(n), SEED)),
            Kernel::Performer => Setup::Performer(RandomFeatures::draw(
                d,
                PerformerConfig {
                    features: PERFORMER_M,
                    kind: FeatureKind::Positive,
                    seed: SEED,
                },
            )),
        };
        Self {
            kernel,
            n,
            d,
            causal,
            q,
            k,
            v,
            setup,
        }
    }

    /// Runs the kernel once and returns its N × d output (what the driver times).
    pub fn run(&self) -> Matrix {
        let (q, k, v) = (self.q.view(), self.k.view(), self.v.view());
        let scale = 1.0 / (self.d as f32).sqrt();
        match &self.setup {
            Setup::Dense if self.kernel == Kernel::Flash => {
                flash_attend(q, k, v, scale, causal_or_full(self.causal), Tiles::default())
            }
            Setup::Dense => attend(q, k, v, scale, causal_or_full(self.causal)),
            // The pattern was built for these very Q, K, V, so the shapes always agree.
            Setup::Sparse(p) => sparse_attend(q, k, v, scale, p).unwrap_or_else(|_| Matrix::zeros(self.n, self.d)),
            Setup::Linear => linear_attend(q, k, v, self.causal).output,
            Setup::Linformer(proj) => linformer_attend(q, k, v, scale, proj).attended.output,
            Setup::Performer(features) => performer_attend(q, k, v, features, self.causal).output,
        }
    }

    /// FLOPs of one call by the engine's cost formulas: dense kernels `pair_flops` of the allowed
    /// pairs (N² or N(N+1)/2 causal — the useful work), sparse kernels `pair_flops(nnz)`, linear
    /// attention `linear_cost`, Linformer `linformer_cost` with k = min(256, N), Performer
    /// `performer_cost` (positive features, m = 256).
    pub fn flops(&self) -> f64 {
        let (n, d) = (self.n, self.d);
        match &self.setup {
            Setup::Dense if self.causal => pair_flops(n * (n + 1) / 2, d, d),
            Setup::Dense => exact_cost(n, d, d).flops,
            Setup::Sparse(p) => pair_flops(p.nnz(), d, d),
            Setup::Linear => linear_cost(n, d, d).flops,
            Setup::Linformer(proj) => linformer_cost(n, d, d, proj.k()).flops,
            Setup::Performer(_) => performer_cost(n, d, d, PERFORMER_M, FeatureKind::Positive).flops,
        }
    }
}

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
    /// FLOPs of one call ([`Prepared::flops`]).
    pub flops: f64,
}

impl Timing {
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
    /// Not run: the measurement was predicted to take `predicted_ms`, over [`SKIP_ABOVE_MS`].
    Skipped {
        predicted_ms: f64,
    },
}

/// One step of the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Task {
    pub kernel: Kernel,
    pub n: usize,
}

/// The benchmark as a resumable job: tasks ordered by N then kernel; the driver asks for the next
/// task, times it and records the result, yielding to the browser in between.
#[derive(Clone, Debug, PartialEq)]
pub struct BenchJob {
    pub params: SpeedParams,
    tasks: Vec<Task>,
    next: usize,
    results: Vec<(Task, Outcome)>,
}

impl BenchJob {
    /// The plan for `params`: every kernel at every N of `params.lengths()`.
    pub fn new(params: &SpeedParams) -> Self {
        let tasks = params
            .lengths()
            .into_iter()
            .flat_map(|n| Kernel::ALL.into_iter().map(move |kernel| Task { kernel, n }))
            .collect();
        Self {
            params: params.clone(),
            tasks,
            next: 0,
            results: Vec::new(),
        }
    }

    /// Predicted duration (ms) of measuring `task`: the kernel's best time at the previous length
    /// times (N / N_prev)² (quadratic growth, the worst case of these kernels), times 2 calls
    /// (warm-up and one sample). None without a previous measurement.
    pub fn predicted_ms(&self, task: Task) -> Option<f64> {
        self.results
            .iter()
            .filter(|(t, _)| t.kernel == task.kernel && t.n < task.n)
            .filter_map(|(t, o)| match o {
                Outcome::Measured(m) => Some((t.n, m.best_ms)),
                Outcome::Skipped { .. } => None,
            })
            .max_by_key(|(n, _)| *n)
            .map(|(n, ms)| 2.0 * ms * (task.n as f64 / n as f64).powi(2))
    }

    /// The next task to time, recording as skipped (and passing over) any predicted above
    /// [`SKIP_ABOVE_MS`] or following a skip of the same kernel. None when the plan is finished.
    pub fn next_task(&mut self) -> Option<Task> {
        while let Some(&task) = self.tasks.get(self.next) {
            let after_skip = self
                .results
                .iter()
                .any(|(t, o)| t.kernel == task.kernel && matches!(o, Outcome::Skipped { .. }));
            match self.predicted_ms(task) {
                Some(p) if p > SKIP_ABOVE_MS || after_skip => {
                    self.results.push((task, Outcome::Skipped { predicted_ms: p }));
                    self.next += 1;
                }
                _ => return Some(task),
            }
        }
        None
    }

    /// Records the timing of the task last returned by [`BenchJob::next_task`] and moves on.
    pub fn record(&mut self, task: Task, timing: Timing) {
        self.results.push((task, Outcome::Measured(timing)));
        self.next += 1;
    }

    /// Fraction of the plan handled, 0..1.
    pub fn progress(&self) -> f64 {
        if self.tasks.is_empty() {
            1.0
        } else {
            self.next as f64 / self.tasks.len() as f64
        }
    }

    /// True when every task was measured or skipped.
    pub fn is_done(&self) -> bool {
        self.next >= self.tasks.len()
    }

    /// Results so far, in plan order.
    pub fn results(&self) -> &[(Task, Outcome)] {
        &self.results
    }
}

/// The measured (N, best ms) points of `kernel` among `results`, in increasing N.
pub fn points(results: &[(Task, Outcome)], kernel: Kernel) -> Vec<(f64, f64)> {
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

/// A short form of a user-agent string: browser and major version, then the platform
/// (e.g. "Chrome 131 · Linux"). Falls back to the first 40 characters.
pub fn short_user_agent(ua: &str) -> String {
    let version_of = |token: &str| {
        ua.split_whitespace()
            .find_map(|part| part.strip_prefix(token))
            .map(|v| v.split('.').next().unwrap_or(v).to_string())
    };
    let browser = [
        ("Edg/", "Edge"),
        ("OPR/", "Opera"),
        ("Firefox/", "Firefox"),
        ("HeadlessChrome/", "Headless Chrome"),
        ("Chrome/", "Chrome"),
        ("Version/", "Safari"),
    ]
    .iter()
    .find_map(|(token, name)| version_of(token).map(|v| format!("{name} {v}")));
    let platform = [
        ("Android", "Android"),
        ("iPhone", "iOS"),
        ("iPad", "iPadOS"),
        ("Windows", "Windows"),
        ("Mac OS X", "macOS"),
        ("CrOS", "ChromeOS"),
        ("Linux", "Linux"),
    ]
    .iter()
    .find(|(token, _)| ua.contains(token))
    .map(|(_, name)| *name);
    match (browser, platform) {
        (Some(b), Some(p)) => format!("{b} · {p}"),
        (Some(b), None) => b,
        _ => ua.chars().take(40).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn parsed(pairs: &[(&str, &str)]) -> ParsedSpeed {
        let map: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect();
        parse(&|k| map.get(k).cloned())
    }

    #[test]
    fn empty_query_gives_the_defaults_without_notices() {
        let p = parsed(&[]);
        assert_eq!(p.params, SpeedParams::default());
        assert!(p.notices.is_empty());
        assert_eq!(p.params.lengths(), vec![256, 512, 1024, 2048]);
    }

    #[test]
    fn garbage_and_off_grid_values_are_snapped_with_notices() {
        let p = parsed(&[("max_n", "3000"), ("d", "abc"), ("causal", "maybe"), ("run", "1")]);
        // On the log scale 3000 is ln(4096/3000) = 0.311 from 4096 and ln(3000/2048) = 0.382 from 2048.
        assert_eq!(p.params.max_n, 4096);
        assert_eq!(p.params.d, DEFAULT_D);
        assert!(!p.params.causal);
        assert!(p.params.run);
        assert_eq!(p.notices.len(), 3);
        let p = parsed(&[("max_n", "1e9"), ("d", "1")]);
        assert_eq!((p.params.max_n, p.params.d), (8192, 16));
        assert_eq!(p.notices.len(), 2);
    }

    #[test]
    fn to_pairs_round_trips() {
        let p = SpeedParams {
            max_n: 8192,
            d: 32,
            causal: true,
            run: true,
        };
        let pairs = to_pairs(&p);
        let back = parse(&|k| pairs.iter().find(|(key, _)| *key == k).map(|(_, v)| v.clone()));
        assert_eq!(back.params, p);
        assert!(back.notices.is_empty());
    }

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
    fn pair_flops_of_all_pairs_is_the_exact_cost() {
        // N = 4, d = 2: 16 pairs × (2·(2 + 2) + 5) = 16 × 13 = 208.
        assert_eq!(pair_flops(16, 2, 2), 208.0);
        assert_eq!(pair_flops(1024 * 1024, 64, 64), exact_cost(1024, 64, 64).flops);
    }

    #[test]
    fn prepared_flops_follow_the_cost_formulas() {
        let (n, d) = (256, 16);
        // Window w = 64 symmetric: nnz = N(2w + 1) − w(w + 1) = 256·129 − 64·65 = 33024 − 4160 = 28864.
        let w = Prepared::new(Kernel::Window, n, d, false);
        assert_eq!(w.flops(), pair_flops(28_864, d, d));
        // Causal window: N(w + 1) − w(w + 1)/2 = 256·65 − 2080 = 14560.
        assert_eq!(
            Prepared::new(Kernel::Window, n, d, true).flops(),
            pair_flops(14_560, d, d)
        );
        // Causal exact: N(N + 1)/2 = 32896 pairs.
        assert_eq!(
            Prepared::new(Kernel::Exact, n, d, true).flops(),
            pair_flops(32_896, d, d)
        );
        assert_eq!(
            Prepared::new(Kernel::Flash, n, d, false).flops(),
            exact_cost(n, d, d).flops
        );
        assert_eq!(
            Prepared::new(Kernel::Linear, n, d, false).flops(),
            linear_cost(n, d, d).flops
        );
        // Linformer at N = 128 < k = 256 uses k = N.
        let lf = Prepared::new(Kernel::Linformer, 128, d, true);
        assert!(!lf.causal, "Linformer has no causal form");
        assert_eq!(lf.flops(), linformer_cost(128, d, d, 128).flops);
    }

    #[test]
    fn every_kernel_returns_a_finite_n_by_d_output_and_dense_kernels_agree() {
        let (n, d) = (96, 8);
        for causal in [false, true] {
            let exact = Prepared::new(Kernel::Exact, n, d, causal).run();
            for kernel in Kernel::ALL {
                let out = Prepared::new(kernel, n, d, causal).run();
                assert_eq!((out.rows, out.cols), (n, d), "{kernel:?}");
                assert!(out.data.iter().all(|x| x.is_finite()), "{kernel:?}");
            }
            let flash = Prepared::new(Kernel::Flash, n, d, causal).run();
            assert!(exact.max_abs_diff(&flash) < 1e-5);
        }
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
        Timing {
            best_ms: ms,
            median_ms: ms,
            samples: 1,
            flops: 1e9,
        }
    }

    #[test]
    fn job_visits_every_kernel_at_every_length_then_finishes() {
        let mut job = BenchJob::new(&SpeedParams {
            max_n: 512,
            ..SpeedParams::default()
        });
        let mut seen = Vec::new();
        while let Some(task) = job.next_task() {
            seen.push((task.n, task.kernel));
            job.record(task, timing(1.0));
        }
        assert_eq!(seen.len(), 2 * Kernel::ALL.len());
        assert_eq!(seen[0], (256, Kernel::Exact));
        assert_eq!(seen[7], (512, Kernel::Exact));
        assert!(job.is_done());
        assert_eq!(job.progress(), 1.0);
        assert_eq!(points(job.results(), Kernel::Linear), vec![(256.0, 1.0), (512.0, 1.0)]);
    }

    #[test]
    fn job_skips_a_measurement_predicted_over_ten_seconds() {
        let mut job = BenchJob::new(&SpeedParams {
            max_n: 8192,
            ..SpeedParams::default()
        });
        while let Some(task) = job.next_task() {
            // Exact at 4096 took 1.5 s: at 8192 predicted 2 calls × 1.5 s × 4 = 12 s > 10 s → skipped.
            let ms = if task.kernel == Kernel::Exact && task.n == 4096 {
                1500.0
            } else {
                1.0
            };
            job.record(task, timing(ms));
        }
        let last_exact = job
            .results()
            .iter()
            .find(|(t, _)| t.kernel == Kernel::Exact && t.n == 8192);
        assert_eq!(
            last_exact.map(|r| r.1),
            Some(Outcome::Skipped { predicted_ms: 12_000.0 })
        );
        // Flash at 8192: predicted 2 × 1 ms × 4 = 8 ms, measured.
        assert!(matches!(
            job.results()
                .iter()
                .find(|(t, _)| t.kernel == Kernel::Flash && t.n == 8192),
            Some((_, Outcome::Measured(_)))
        ));
        assert_eq!(job.results().len(), 6 * Kernel::ALL.len());
    }

    #[test]
    fn gflops_is_flops_over_best_time() {
        // 1e9 FLOPs in 10 ms = 100 GFLOP/s.
        assert_eq!(timing(10.0).gflops(), 100.0);
    }

    #[test]
    fn user_agents_shorten_to_browser_and_platform() {
        let chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) \
                      HeadlessChrome/131.0.6778.85 Safari/537.36";
        assert_eq!(short_user_agent(chrome), "Headless Chrome 131 · Linux");
        let firefox = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0";
        assert_eq!(short_user_agent(firefox), "Firefox 133 · Windows");
        let safari = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) \
                      Version/18.1 Safari/605.1.15";
        assert_eq!(short_user_agent(safari), "Safari 18 · macOS");
        assert_eq!(short_user_agent("curl"), "curl");
    }
}
