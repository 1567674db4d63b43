//! Time of each approximation against exact attention at N = 1K, 2K, 4K, 8K (one head, d = d_v = 64),
//! and the fitted log-log slope of time against N: ≈ 2 for exact attention, ≈ 1 for the linear-time
//! methods. `cargo bench --bench approx` prints the slope table first, then runs criterion.

use std::hint::black_box;
use std::time::{Duration, Instant};

use attention_atlas::attention::approx::linear::linear_attend;
use attention_atlas::attention::approx::linformer::ProjectionKind;
use attention_atlas::attention::approx::linformer::{linformer_attend, LinformerProjections};
use attention_atlas::attention::approx::performer::{performer_attend, FeatureKind, PerformerConfig, RandomFeatures};
use attention_atlas::attention::approx::sweeps::{linformer_sweep, performer_sweep, spectrum, ExactReference};
use attention_atlas::attention::exact::attend;
use attention_atlas::attention::mask::Full;
use attention_atlas::attention::matrix::Matrix;
use attention_atlas::attention::rng::{normal_matrix, stream};
use criterion::{BenchmarkId, Criterion};

const D: usize = 64;
const LENGTHS: [usize; 4] = [1024, 2048, 4096, 8192];
/// Linformer's projected length and the Performer's feature count (the papers' common settings).
const LINFORMER_K: usize = 256;
const PERFORMER_M: usize = 256;

/// Q, K, V for length n.
struct Input {
    q: Matrix,
    k: Matrix,
    v: Matrix,
    proj: LinformerProjections,
    features: RandomFeatures,
}

impl Input {
    fn new(n: usize) -> Self {
        let mut rng = stream(n as u64, "bench-approx");
        Self {
            q: normal_matrix(&mut rng, n, D, 0.5),
            k: normal_matrix(&mut rng, n, D, 0.5),
            v: normal_matrix(&mut rng, n, D, 1.0),
            proj: LinformerProjections::gaussian(n, LINFORMER_K, 1),
            features: RandomFeatures::draw(
                D,
                PerformerConfig {
                    features: PERFORMER_M,
                    kind: FeatureKind::Positive,
                    seed: 1,
                },
            ),
        }
    }
}

/// The methods timed.
#[derive(Clone, Copy)]
enum Method {
    Exact,
    Linear,
    LinearCausal,
    Linformer,
    Performer,
}

const METHODS: [Method; 5] = [
    Method::Exact,
    Method::Linear,
    Method::LinearCausal,
    Method::Linformer,
    Method::Performer,
];

impl Method {
    fn name(self) -> &'static str {
        match self {
            Method::Exact => "exact",
            Method::Linear => "linear",
            Method::LinearCausal => "linear causal",
            Method::Linformer => "linformer k=256",
            Method::Performer => "performer m=256",
        }
    }

    fn run(self, x: &Input) -> Matrix {
        let scale = 1.0 / (D as f32).sqrt();
        let (q, k, v) = (x.q.view(), x.k.view(), x.v.view());
        match self {
            Method::Exact => attend(q, k, v, scale, &Full),
            Method::Linear => linear_attend(q, k, v, false).output,
            Method::LinearCausal => linear_attend(q, k, v, true).output,
            Method::Linformer => linformer_attend(q, k, v, scale, &x.proj).attended.output,
            Method::Performer => performer_attend(q, k, v, &x.features, false).output,
        }
    }
}

/// Least-squares slope of ln t against ln N.
fn log_log_slope(points: &[(usize, f64)]) -> f64 {
    let xs: Vec<f64> = points.iter().map(|(n, _)| (*n as f64).ln()).collect();
    let ys: Vec<f64> = points.iter().map(|(_, t)| t.ln()).collect();
    let (mx, my) = (
        xs.iter().sum::<f64>() / xs.len() as f64,
        ys.iter().sum::<f64>() / ys.len() as f64,
    );
    let cov: f64 = xs.iter().zip(&ys).map(|(x, y)| (x - mx) * (y - my)).sum();
    let var: f64 = xs.iter().map(|x| (x - mx) * (x - mx)).sum();
    cov / var
}

/// Fastest of 7 timed runs (after one warm-up), in seconds: the minimum is the least disturbed by
/// other processes on a shared machine.
fn best_time(method: Method, x: &Input) -> f64 {
    black_box(method.run(x));
    (0..7)
        .map(|_| {
            let start = Instant::now();
            black_box(method.run(x));
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

fn slope_table(inputs: &[(usize, Input)]) {
    println!("\napprox: best-of-7 time (ms) of one head, d = d_v = {D}");
    print!("{:<18}", "method");
    for (n, _) in inputs {
        print!("{:>10}", format!("N={n}"));
    }
    println!("{:>10}", "slope");
    for method in METHODS {
        let points: Vec<(usize, f64)> = inputs.iter().map(|(n, x)| (*n, best_time(method, x))).collect();
        print!("{:<18}", method.name());
        for (_, t) in &points {
            print!("{:>10.2}", t * 1e3);
        }
        println!("{:>10.2}", log_log_slope(&points));
    }
    println!();
}

/// The view's sweeps at the largest interactive size, N = 256, d = 64: their time decides whether
/// the chart can follow a slider.
const SWEEP_N: usize = 256;
const SWEEP_KS: [usize; 6] = [8, 16, 32, 64, 128, 256];
const SWEEP_MS: [usize; 5] = [16, 32, 64, 128, 256];
const SWEEP_SEEDS: [u64; 4] = [0, 1, 2, 3];

fn sweeps(c: &mut Criterion) {
    let x = Input::new(SWEEP_N);
    let (q, k, v) = (x.q.view(), x.k.view(), x.v.view());
    let exact = ExactReference::compute(q, k, v, false);
    let mut group = c.benchmark_group(format!("approx sweeps N={SWEEP_N}"));
    group.bench_function("exact reference", |b| {
        b.iter(|| ExactReference::compute(q, k, v, false))
    });
    group.bench_function("linformer error vs k (gaussian, 4 seeds)", |b| {
        b.iter(|| linformer_sweep(q, k, v, &exact, ProjectionKind::Gaussian, &SWEEP_KS, &SWEEP_SEEDS))
    });
    group.bench_function("performer error vs m (positive, 4 seeds)", |b| {
        b.iter(|| performer_sweep(q, k, v, &exact, FeatureKind::Positive, &SWEEP_MS, &SWEEP_SEEDS))
    });
    group.bench_function("spectrum of the exact matrix", |b| b.iter(|| spectrum(&exact.weights)));
    group.finish();
}

fn main() {
    let inputs: Vec<(usize, Input)> = LENGTHS.iter().map(|&n| (n, Input::new(n))).collect();
    slope_table(&inputs);
    let mut c = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(300))
        .measurement_time(Duration::from_secs(2))
        .configure_from_args();
    let mut group = c.benchmark_group("approx");
    for method in METHODS {
        for (n, x) in &inputs {
            group.bench_with_input(BenchmarkId::new(method.name(), n), x, |b, x| b.iter(|| method.run(x)));
        }
    }
    group.finish();
    sweeps(&mut c);
    c.final_summary();
}
