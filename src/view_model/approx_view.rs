//! The "Approximations" view's parameters and derived display data (no web imports).
//!
//! URL keys: `n`, `d`, `seed`, `qk` (percent scale of Q and K), `method`, `causal`, `k`, `proj`, `m`,
//! `features`, `fseed`, `synth`, `rank`, `hidden`. One head of width d is built from the example
//! passage: X = embed(tokens), Q = X·W_Q·qk/100, K = X·W_K·qk/100, V = X·W_V (d_model = d_head = d).
//! The chosen approximation runs on it, next to exact softmax attention at scale 1/√d.

use std::sync::Arc;

use crate::attention::approx::cost::{
    associativity, crossover_length, exact_cost, linear_cost, linformer_cost, performer_cost, MethodCost,
};
use crate::attention::approx::error::{error_metrics, ErrorMetrics};
use crate::attention::approx::linformer::ProjectionKind;
use crate::attention::approx::method::{ApproxMethod, HeadInput, MethodError, MethodRun};
use crate::attention::approx::performer::{FeatureKind, PerformerConfig};
use crate::attention::approx::sweeps::{
    linformer_sweep, performer_sweep, spectrum, ExactReference, Spectrum, SweepPoint,
};
use crate::attention::approx::synthesizer::{SynthesizerConfig, SynthesizerKind};
use crate::attention::embedding::embed;
use crate::attention::matrix::Matrix;
use crate::attention::multi_head::{LayerWeights, Projections};
use crate::attention::tokenizer::example_tokens;
use crate::view_model::params::{Notice, ParamReader};

/// Largest N: every method, its N × N implied matrix and the sweeps stay interactive up to here.
pub const MAX_N: usize = 256;
/// Default N.
pub const DEFAULT_N: usize = 128;
/// Head widths offered.
pub const D_CHOICES: [&str; 4] = ["8", "16", "32", "64"];
/// Largest Performer feature count m.
pub const MAX_M: usize = 1024;
/// Largest Synthesizer/mixer hidden width and factorised rank.
pub const MAX_HIDDEN: usize = 256;
/// Seeds averaged in the random-projection sweeps.
pub const SWEEP_SEEDS: [u64; 4] = [0, 1, 2, 3];
/// Feature counts of the Performer sweep (capped at 512 so one point stays within a frame or two).
pub const SWEEP_MS: [usize; 8] = [4, 8, 16, 32, 64, 128, 256, 512];

/// Which approximation the view shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MethodChoice {
    Linear,
    Performer,
    Linformer,
    Synthesizer,
    Mixer,
}

/// URL values of [`MethodChoice`], in menu order.
pub const METHODS: [&str; 5] = ["performer", "linear", "linformer", "synthesizer", "mixer"];

impl MethodChoice {
    /// The `method=` value.
    pub fn param(self) -> &'static str {
        match self {
            MethodChoice::Linear => "linear",
            MethodChoice::Performer => "performer",
            MethodChoice::Linformer => "linformer",
            MethodChoice::Synthesizer => "synthesizer",
            MethodChoice::Mixer => "mixer",
        }
    }

    fn from_param(s: &str) -> MethodChoice {
        match s {
            "linear" => MethodChoice::Linear,
            "linformer" => MethodChoice::Linformer,
            "synthesizer" => MethodChoice::Synthesizer,
            "mixer" => MethodChoice::Mixer,
            _ => MethodChoice::Performer,
        }
    }

    /// Whether the method has a causal form (linear attention and the Performer).
    pub fn supports_causal(self) -> bool {
        matches!(self, MethodChoice::Linear | MethodChoice::Performer)
    }
}

/// URL values of the Synthesizer variants.
pub const SYNTH_KINDS: [&str; 4] = ["dense", "random", "fdense", "frandom"];

fn synth_param(k: SynthesizerKind) -> &'static str {
    match k {
        SynthesizerKind::Dense => "dense",
        SynthesizerKind::Random => "random",
        SynthesizerKind::FactorizedDense => "fdense",
        SynthesizerKind::FactorizedRandom => "frandom",
    }
}

/// Every setting of the view.
#[derive(Clone, Debug, PartialEq)]
pub struct ApproxParams {
    /// Tokens N (1 ..= [`MAX_N`]).
    pub n: usize,
    /// Head width d.
    pub d: usize,
    /// Seed of the embeddings and the W_Q, W_K, W_V draw.
    pub seed: u64,
    /// Q and K are multiplied by qk/100 (10 ..= 200): larger makes attention peakier.
    pub qk: u32,
    pub method: MethodChoice,
    /// Causal mask (only for methods that support it; otherwise cleared with a notice).
    pub causal: bool,
    /// Linformer's projected length k (1 ..= N).
    pub k: usize,
    pub proj: ProjectionKind,
    /// Performer features m (1 ..= [`MAX_M`]).
    pub m: usize,
    pub features: FeatureKind,
    /// Seed of the random projections / features / Synthesizer and mixer weights ("redraw").
    pub fseed: u64,
    pub synth: SynthesizerKind,
    /// Rank of the factorised random Synthesizer.
    pub rank: usize,
    /// Hidden width of the dense Synthesizer and the token mixer.
    pub hidden: usize,
}

/// Parameters and what had to be corrected.
#[derive(Clone, Debug, PartialEq)]
pub struct ParsedApprox {
    pub params: ApproxParams,
    pub notices: Vec<Notice>,
}

/// Parses the view's query; never fails, records corrections as notices.
pub fn parse(get: &dyn Fn(&str) -> Option<String>) -> ParsedApprox {
    let mut r = ParamReader::new(get);
    let n = r.size("n", DEFAULT_N, 1, MAX_N);
    let d: usize = r.choice("d", &D_CHOICES, "32").parse().unwrap_or(32);
    let seed = r.int("seed", 1, 0, u32::MAX as i64) as u64;
    let qk = r.int("qk", 100, 10, 200) as u32;
    let method = MethodChoice::from_param(r.choice("method", &METHODS, "performer"));
    let causal_given = r.flag("causal", false);
    let causal = causal_given && method.supports_causal();
    if causal_given && !causal {
        r.rule("causal", "1", "0", "approx.rule.causal");
    }
    let k_given = r.size("k", 16, 1, MAX_N);
    let k = k_given.min(n);
    if k != k_given {
        r.rule("k", k_given, k, "approx.rule.k");
    }
    let proj = match r.choice("proj", &["mean", "gaussian"], "mean") {
        "gaussian" => ProjectionKind::Gaussian,
        _ => ProjectionKind::MeanPool,
    };
    let m = r.size("m", 64, 1, MAX_M);
    let features = match r.choice("features", &["positive", "trig"], "positive") {
        "trig" => FeatureKind::Trigonometric,
        _ => FeatureKind::Positive,
    };
    let fseed = r.int("fseed", 0, 0, u32::MAX as i64) as u64;
    let synth = match r.choice("synth", &SYNTH_KINDS, "dense") {
        "random" => SynthesizerKind::Random,
        "fdense" => SynthesizerKind::FactorizedDense,
        "frandom" => SynthesizerKind::FactorizedRandom,
        _ => SynthesizerKind::Dense,
    };
    let rank = r.size("rank", 4, 1, MAX_HIDDEN);
    let hidden = r.size("hidden", 64, 1, MAX_HIDDEN);
    let params = ApproxParams {
        n,
        d,
        seed,
        qk,
        method,
        causal,
        k,
        proj,
        m,
        features,
        fseed,
        synth,
        rank,
        hidden,
    };
    ParsedApprox {
        params,
        notices: r.notices,
    }
}

/// The query pairs that reproduce `p` (all keys, so a permalink is complete).
pub fn to_pairs(p: &ApproxParams) -> Vec<(&'static str, String)> {
    vec![
        ("view", "approx".to_string()),
        ("n", p.n.to_string()),
        ("d", p.d.to_string()),
        ("seed", p.seed.to_string()),
        ("qk", p.qk.to_string()),
        ("method", p.method.param().to_string()),
        ("causal", if p.causal { "1" } else { "0" }.to_string()),
        ("k", p.k.to_string()),
        (
            "proj",
            if p.proj == ProjectionKind::MeanPool {
                "mean"
            } else {
                "gaussian"
            }
            .to_string(),
        ),
        ("m", p.m.to_string()),
        (
            "features",
            if p.features == FeatureKind::Trigonometric {
                "trig"
            } else {
                "positive"
            }
            .to_string(),
        ),
        ("fseed", p.fseed.to_string()),
        ("synth", synth_param(p.synth).to_string()),
        ("rank", p.rank.to_string()),
        ("hidden", p.hidden.to_string()),
    ]
}

impl ApproxParams {
    /// The engine's description of the chosen method. The Synthesizer and mixer weights are drawn
    /// for [`MAX_N`] positions, so every allowed N fits.
    pub fn method(&self) -> ApproxMethod {
        match self.method {
            MethodChoice::Linear => ApproxMethod::Linear,
            MethodChoice::Performer => ApproxMethod::Performer(PerformerConfig {
                features: self.m,
                kind: self.features,
                seed: self.fseed,
            }),
            MethodChoice::Linformer => ApproxMethod::Linformer {
                kind: self.proj,
                k: self.k,
                seed: self.fseed,
            },
            MethodChoice::Synthesizer => ApproxMethod::Synthesizer(SynthesizerConfig {
                kind: self.synth,
                max_len: MAX_N,
                hidden: self.hidden,
                rank: self.rank,
                seed: self.fseed,
            }),
            MethodChoice::Mixer => ApproxMethod::Mixer {
                hidden: self.hidden,
                max_len: MAX_N,
                seed: self.fseed,
            },
        }
    }

    /// What the input depends on (changing anything else reuses it).
    pub fn input_key(&self) -> (usize, usize, u64, u32) {
        (self.n, self.d, self.seed, self.qk)
    }
}

/// One head's input: tokens, X, Q, K, V.
#[derive(Clone, Debug, PartialEq)]
pub struct ApproxInput {
    pub tokens: Arc<Vec<String>>,
    pub x: Matrix,
    pub q: Matrix,
    pub k: Matrix,
    pub v: Matrix,
}

/// Builds the input for `p` (see the module doc).
pub fn build_input(p: &ApproxParams) -> ApproxInput {
    let tokens = example_tokens(p.n);
    let x = embed(&tokens, p.d, p.seed);
    let w = LayerWeights::seeded(p.d, p.seed);
    let Projections { mut q, mut k, v, .. } = Projections::compute(&x, &w, p.d);
    let s = p.qk as f32 / 100.0;
    q.data.iter_mut().chain(k.data.iter_mut()).for_each(|a| *a *= s);
    ApproxInput {
        tokens: Arc::new(tokens),
        x,
        q,
        k,
        v,
    }
}

/// Exact attention, the method's run, the errors and the exact matrix's spectrum.
#[derive(Clone, Debug, PartialEq)]
pub struct Comparison {
    pub exact: ExactReference,
    pub run: MethodRun,
    pub metrics: ErrorMetrics,
    /// implied − exact, N × N.
    pub difference: Matrix,
    pub exact_cost: MethodCost,
    pub spectrum: Spectrum,
}

/// Exact attention and the method's run: the first half of [`compare`], so a view can yield to the
/// browser between the two halves.
pub fn run_method(p: &ApproxParams, input: &ApproxInput) -> Result<(ExactReference, MethodRun), MethodError> {
    let exact = ExactReference::compute(input.q.view(), input.k.view(), input.v.view(), p.causal);
    let head = HeadInput {
        x: input.x.view(),
        q: input.q.view(),
        k: input.k.view(),
        v: input.v.view(),
        causal: p.causal,
    };
    Ok((exact, p.method().run(&head)?))
}

/// The second half of [`compare`]: errors, the difference map and the exact matrix's spectrum.
pub fn complete(p: &ApproxParams, exact: ExactReference, run: MethodRun) -> Comparison {
    let metrics = error_metrics(&exact.output, &exact.weights, &run.output, &run.implied);
    let difference = Matrix::from_vec(
        exact.weights.rows,
        exact.weights.cols,
        run.implied
            .data
            .iter()
            .zip(&exact.weights.data)
            .map(|(a, b)| a - b)
            .collect(),
    );
    let spectrum = spectrum(&exact.weights);
    Comparison {
        exact_cost: exact_cost(p.n, p.d, p.d),
        exact,
        run,
        metrics,
        difference,
        spectrum,
    }
}

/// Runs exact attention and the chosen method on `input` and compares them.
pub fn compare(p: &ApproxParams, input: &ApproxInput) -> Result<Comparison, MethodError> {
    let (exact, run) = run_method(p, input)?;
    Ok(complete(p, exact, run))
}

/// One curve of the error sweep.
#[derive(Clone, Debug, PartialEq)]
pub struct SweepSeries {
    /// Message id of the curve's label.
    pub label_id: &'static str,
    pub points: Vec<SweepPoint>,
}

/// One unit of sweep work: a parameter value of one curve, all seeds.
#[derive(Clone, Copy, Debug, PartialEq)]
enum SweepUnit {
    Linformer {
        series: usize,
        kind: ProjectionKind,
        k: usize,
    },
    Performer {
        series: usize,
        kind: FeatureKind,
        m: usize,
    },
}

/// The error-vs-parameter sweep of the current method, computed one point per [`SweepJob::step`]
/// so the browser can paint between points. Linformer: k = 1, 2, 4, … N, Gaussian (mean of
/// [`SWEEP_SEEDS`]) and mean pooling. Performer: m in [`SWEEP_MS`], positive and trigonometric
/// features (mean of the seeds). Other methods have no sweep (`series` stays empty).
pub struct SweepJob {
    input: Arc<ApproxInput>,
    exact: ExactReference,
    units: Vec<SweepUnit>,
    next: usize,
    series: Vec<SweepSeries>,
}

/// k = 1, 2, 4, … up to n, with n itself last.
pub fn sweep_ks(n: usize) -> Vec<usize> {
    let mut ks: Vec<usize> = std::iter::successors(Some(1usize), |k| Some(k * 2))
        .take_while(|k| *k < n)
        .collect();
    ks.push(n.max(1));
    ks
}

impl SweepJob {
    /// Plans the sweep of `p.method` on `input` (non-causal: Linformer has no causal form).
    pub fn new(p: &ApproxParams, input: Arc<ApproxInput>) -> Self {
        let mut units = Vec::new();
        let mut series = Vec::new();
        match p.method {
            MethodChoice::Linformer => {
                for (s, (kind, id)) in [
                    (ProjectionKind::Gaussian, "approx.sweep.gaussian"),
                    (ProjectionKind::MeanPool, "approx.sweep.mean"),
                ]
                .into_iter()
                .enumerate()
                {
                    series.push(SweepSeries {
                        label_id: id,
                        points: Vec::new(),
                    });
                    units.extend(
                        sweep_ks(p.n)
                            .into_iter()
                            .map(|k| SweepUnit::Linformer { series: s, kind, k }),
                    );
                }
            }
            MethodChoice::Performer => {
                for (s, (kind, id)) in [
                    (FeatureKind::Positive, "approx.sweep.positive"),
                    (FeatureKind::Trigonometric, "approx.sweep.trig"),
                ]
                .into_iter()
                .enumerate()
                {
                    series.push(SweepSeries {
                        label_id: id,
                        points: Vec::new(),
                    });
                    units.extend(SWEEP_MS.iter().map(|&m| SweepUnit::Performer { series: s, kind, m }));
                }
            }
            _ => {}
        }
        let exact = if units.is_empty() {
            ExactReference {
                output: Matrix::zeros(0, 0),
                weights: Matrix::zeros(0, 0),
            }
        } else {
            ExactReference::compute(input.q.view(), input.k.view(), input.v.view(), false)
        };
        Self {
            input,
            exact,
            units,
            next: 0,
            series,
        }
    }

    /// True when every point is computed.
    pub fn is_done(&self) -> bool {
        self.next >= self.units.len()
    }

    /// Fraction of points computed (1 for an empty sweep).
    pub fn progress(&self) -> f64 {
        if self.units.is_empty() {
            1.0
        } else {
            self.next as f64 / self.units.len() as f64
        }
    }

    /// Computes the next point.
    pub fn step(&mut self) {
        let Some(unit) = self.units.get(self.next).copied() else {
            return;
        };
        let (q, k, v) = (self.input.q.view(), self.input.k.view(), self.input.v.view());
        let (s, pts) = match unit {
            SweepUnit::Linformer { series, kind, k: kk } => {
                (series, linformer_sweep(q, k, v, &self.exact, kind, &[kk], &SWEEP_SEEDS))
            }
            SweepUnit::Performer { series, kind, m } => {
                (series, performer_sweep(q, k, v, &self.exact, kind, &[m], &SWEEP_SEEDS))
            }
        };
        self.series[s].points.extend(pts);
        self.next += 1;
    }

    /// The curves computed so far.
    pub fn series(&self) -> &[SweepSeries] {
        &self.series
    }
}

/// Sequence lengths of the cost charts: 16, 32, …, 65,536.
pub fn cost_lengths() -> Vec<usize> {
    (4..=16).map(|e| 1usize << e).collect()
}

/// One cost curve: message id of its label and (N, value) points.
#[derive(Clone, Debug, PartialEq)]
pub struct CostSeries {
    pub label_id: &'static str,
    pub points: Vec<(f64, f64)>,
}

/// FLOPs (`flops = true`) or largest buffer against N for exact attention, linear attention,
/// Linformer (k = `p.k`, capped at N) and the Performer (m = `p.m`), at width d.
pub fn cost_curves(p: &ApproxParams, flops: bool) -> Vec<CostSeries> {
    let pick = |c: MethodCost| if flops { c.flops } else { c.largest_buffer };
    let curve = |label_id: &'static str, f: &dyn Fn(usize) -> MethodCost| CostSeries {
        label_id,
        points: cost_lengths().into_iter().map(|n| (n as f64, pick(f(n)))).collect(),
    };
    let d = p.d;
    vec![
        curve("approx.cost.exact", &|n| exact_cost(n, d, d)),
        curve("approx.cost.linear", &|n| linear_cost(n, d, d)),
        curve("approx.cost.linformer", &|n| linformer_cost(n, d, d, p.k.min(n))),
        curve("approx.cost.performer", &|n| performer_cost(n, d, d, p.m, p.features)),
    ]
}

/// The associativity lesson at width d: (QKᵀ)V and Q(KᵀV) FLOPs against N, and the crossover N*.
pub fn associativity_curves(d: usize) -> (Vec<CostSeries>, f64) {
    let ns = cost_lengths();
    let left = ns.iter().map(|&n| (n as f64, associativity(n, d, d).left)).collect();
    let right = ns.iter().map(|&n| (n as f64, associativity(n, d, d).right)).collect();
    (
        vec![
            CostSeries {
                label_id: "approx.assoc.left",
                points: left,
            },
            CostSeries {
                label_id: "approx.assoc.right",
                points: right,
            },
        ],
        crossover_length(d, d),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::params::pairs_lookup;
    use crate::view_model::params::NoticeReason;
    use std::collections::HashMap;

    fn parse_pairs(pairs: &[(&str, &str)]) -> ParsedApprox {
        parse(&pairs_lookup(pairs))
    }

    #[test]
    fn defaults_need_no_notice() {
        let p = parse_pairs(&[]);
        assert!(p.notices.is_empty());
        let p = p.params;
        assert_eq!(
            (p.n, p.d, p.qk, p.method, p.m, p.k),
            (DEFAULT_N, 32, 100, MethodChoice::Performer, 64, 16)
        );
    }

    #[test]
    fn garbage_is_clamped_with_notices() {
        let p = parse_pairs(&[
            ("n", "100000"),
            ("d", "12"),
            ("method", "magic"),
            ("m", "-3"),
            ("qk", "abc"),
            ("features", "cos"),
        ]);
        assert_eq!(p.params.n, MAX_N);
        assert_eq!(p.params.d, 32);
        assert_eq!(p.params.method, MethodChoice::Performer);
        assert_eq!(p.params.m, 1);
        assert_eq!(p.params.qk, 100);
        assert_eq!(p.notices.len(), 6, "{:?}", p.notices);
        let method = p.notices.iter().find(|n| n.key == "method").expect("method notice");
        assert!(matches!(method.reason, NoticeReason::UnknownChoice { .. }));
        assert_eq!(method.used, "performer");
    }

    #[test]
    fn k_above_n_and_causal_without_a_causal_form_are_corrected_with_rules() {
        let p = parse_pairs(&[("n", "20"), ("k", "64"), ("method", "linformer"), ("causal", "1")]);
        assert_eq!(p.params.k, 20);
        assert!(!p.params.causal);
        let ids: Vec<_> = p
            .notices
            .iter()
            .map(|n| match n.reason {
                NoticeReason::Rule { message_id } => message_id,
                _ => "",
            })
            .collect();
        assert_eq!(ids, vec!["approx.rule.causal", "approx.rule.k"]);
        // Linear attention keeps the causal flag.
        assert!(parse_pairs(&[("method", "linear"), ("causal", "1")]).params.causal);
    }

    #[test]
    fn parameters_round_trip_through_the_query() {
        let p = parse_pairs(&[
            ("n", "40"),
            ("d", "16"),
            ("seed", "7"),
            ("qk", "50"),
            ("method", "synthesizer"),
            ("k", "8"),
            ("proj", "gaussian"),
            ("m", "128"),
            ("features", "trig"),
            ("fseed", "3"),
            ("synth", "frandom"),
            ("rank", "2"),
            ("hidden", "32"),
        ])
        .params;
        let pairs = to_pairs(&p);
        let m: HashMap<String, String> = pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        let again = parse(&move |k: &str| m.get(k).cloned());
        assert!(again.notices.is_empty());
        assert_eq!(again.params, p);
    }

    #[test]
    fn every_method_compares_on_the_default_input_and_mean_pool_with_k_equal_n_is_exact() {
        for method in METHODS {
            let mut p = parse_pairs(&[("method", method), ("n", "24")]).params;
            let input = build_input(&p);
            let c = compare(&p, &input).expect("every method runs at N ≤ MAX_N");
            assert_eq!((c.difference.rows, c.difference.cols), (24, 24));
            assert!(c.metrics.output.is_finite() && c.metrics.matrix.is_finite(), "{method}");
            assert_eq!(c.spectrum.singular_values.len(), 24);
            if method == "linformer" {
                p.proj = ProjectionKind::MeanPool;
                p.k = 24;
                let c = compare(&p, &input).unwrap();
                assert!(c.metrics.output < 1e-5 && c.metrics.matrix < 1e-5, "{:?}", c.metrics);
            }
        }
    }

    #[test]
    fn sweep_jobs_plan_one_point_per_parameter_and_curve() {
        assert_eq!(sweep_ks(20), vec![1, 2, 4, 8, 16, 20]);
        assert_eq!(sweep_ks(16), vec![1, 2, 4, 8, 16]);
        assert_eq!(sweep_ks(1), vec![1]);
        let p = parse_pairs(&[("method", "linformer"), ("n", "20")]).params;
        let mut job = SweepJob::new(&p, Arc::new(build_input(&p)));
        let mut steps = 0;
        while !job.is_done() {
            job.step();
            steps += 1;
        }
        assert_eq!(steps, 12);
        let mean = &job.series()[1].points;
        assert_eq!(mean.last().map(|pt| pt.x), Some(20));
        assert!(
            mean.last().unwrap().mean.output < 1e-5,
            "mean pooling with k = N is exact"
        );
        let p = parse_pairs(&[("method", "mixer")]).params;
        let job = SweepJob::new(&p, Arc::new(build_input(&p)));
        assert!(job.is_done() && job.series().is_empty());
        assert_eq!(job.progress(), 1.0);
    }

    #[test]
    fn cost_curves_cross_where_the_formulas_say() {
        let p = parse_pairs(&[("d", "64")]).params;
        let flops = cost_curves(&p, true);
        assert_eq!(flops.len(), 4);
        assert_eq!(flops[0].points.len(), 13);
        // At N = 65,536 exact attention costs far more than linear attention; at N = 16 it is cheaper.
        let (exact, linear) = (&flops[0].points, &flops[1].points);
        assert!(exact[12].1 > 100.0 * linear[12].1);
        assert!(exact[0].1 < linear[0].1);
        let (assoc, crossover) = associativity_curves(64);
        assert_eq!(crossover, 64.0);
        // N = 64 is the third length (16, 32, 64): both groupings cost the same there.
        assert_eq!(assoc[0].points[2], assoc[1].points[2]);
    }
}
