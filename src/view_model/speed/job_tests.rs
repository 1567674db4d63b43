//! Tests of the Speed chapter's job (`super`): sampling, timing, workers and their absence.

use super::*;
use crate::view_model::job::run_to_end;
use std::cell::Cell;

thread_local! {
    static NOW: Cell<f64> = const { Cell::new(0.0) };
}

/// A clock that advances 1 ms per reading: a warm-up lasts 1 ms, so batches are of 2 calls.
fn fake_clock() -> f64 {
    NOW.with(|t| {
        t.set(t.get() + 1.0);
        t.get()
    })
}

fn plan(max_n: usize) -> Plan {
    Plan {
        max_n,
        d: 16,
        causal: false,
        threads: crate::view_model::speed::params::Threads::One,
    }
}

/// Two "threads" that answer a call at its second poll with the one-thread result of its parts.
struct FakeWorkers;
impl Offload for FakeWorkers {
    fn threads(&self) -> usize {
        2
    }
    fn start(
        &self,
        q: &[f32],
        k: &[f32],
        v: &[f32],
        heads: usize,
        d: usize,
        causal: bool,
    ) -> Option<Box<dyn PendingCall>> {
        let out = crate::attention::split::attend_split(q, k, v, heads, d, causal, 2);
        Some(Box::new(crate::view_model::offload::Later::new(Some(out))))
    }
}

#[test]
fn with_workers_exact_attention_is_timed_remotely_and_without_them_it_is_unavailable() {
    let workers = Plan {
        threads: crate::view_model::speed::params::Threads::Workers,
        ..plan(256)
    };
    assert_eq!(workers.kernels()[1], BenchKernel::ExactWorkers);
    let mut job = BenchJob::new(workers, fake_clock).with_offload(Rc::new(FakeWorkers));
    let mut waited = 0;
    while !job.is_done() {
        waited += usize::from(job.waiting());
        job.step();
    }
    assert!(waited > 0, "the job waited for its remote calls");
    let report = job.finish();
    assert_eq!(report.results.len(), 13);
    let remote = report
        .results
        .iter()
        .find(|(t, _)| t.kernel == BenchKernel::ExactWorkers);
    assert!(
        matches!(remote, Some((_, Outcome::Measured(t))) if t.samples >= 3),
        "{remote:?}"
    );
    // No offload (no workers on the page): the row says so, and the rest is measured.
    let report = run_to_end(BenchJob::new(workers, fake_clock));
    let remote = report
        .results
        .iter()
        .find(|(t, _)| t.kernel == BenchKernel::ExactWorkers);
    assert_eq!(remote.map(|r| r.1), Some(Outcome::Unavailable));
    assert_eq!(report.metrics().len(), 12);
}

#[test]
fn job_visits_every_kernel_at_every_length_then_finishes() {
    let mut job = BenchJob::new(plan(512), fake_clock);
    let mut seen = Vec::new();
    while let Some(task) = job.next_task() {
        seen.push((task.n, task.kernel));
        job.record(task, Timing::single_call(1.0));
    }
    assert_eq!(seen.len(), 2 * BenchKernel::ALL.len());
    assert_eq!(seen[0], (256, BenchKernel::Exact));
    assert_eq!(seen[12], (512, BenchKernel::Exact));
    assert_eq!(seen[11], (256, BenchKernel::Mixer));
    assert_eq!(job.progress(), 1.0);
    job.step();
    assert!(job.is_done());
    assert_eq!(
        crate::view_model::speed::sampling::points(job.results(), BenchKernel::Linear),
        vec![(256.0, 1.0), (512.0, 1.0)]
    );
}

#[test]
fn job_skips_a_measurement_predicted_over_ten_seconds() {
    let mut job = BenchJob::new(plan(8192), fake_clock);
    while let Some(task) = job.next_task() {
        // Exact at 4096 took 1.5 s: at 8192 predicted 2 calls × 1.5 s × 4 = 12 s > 10 s → skipped.
        let ms = if task.kernel == BenchKernel::Exact && task.n == 4096 {
            1500.0
        } else {
            1.0
        };
        job.record(task, Timing::single_call(ms));
    }
    let last_exact = job
        .results()
        .iter()
        .find(|(t, _)| t.kernel == BenchKernel::Exact && t.n == 8192);
    assert_eq!(
        last_exact.map(|r| r.1),
        Some(Outcome::Skipped { predicted_ms: 12_000.0 })
    );
    // Flash at 8192: predicted 2 × 1 ms × 4 = 8 ms, measured.
    assert!(matches!(
        job.results()
            .iter()
            .find(|(t, _)| t.kernel == BenchKernel::Flash && t.n == 8192),
        Some((_, Outcome::Measured(_)))
    ));
    assert_eq!(job.results().len(), 6 * BenchKernel::ALL.len());
}

#[test]
fn each_step_prepares_or_times_one_call_or_one_batch_and_partials_show_the_task_at_hand() {
    let mut job = BenchJob::new(plan(256), fake_clock);
    let first = Task {
        kernel: BenchKernel::Exact,
        n: 256,
    };
    let running = |job: &BenchJob| job.partial().map(|r| r.state);
    assert_eq!(
        running(&job),
        Some(BenchState::Running {
            current: Some(first),
            done: 0,
            total: 12
        })
    );
    job.step(); // prepare
    assert!(matches!(job.phase, Phase::WarmUp { .. }));
    job.step(); // warm-up: 1 ms → batches of 2 calls
    assert!(matches!(&job.phase, Phase::Sampling { sampler, .. } if sampler.batch() == 2));
    for _ in 0..5 {
        job.step(); // five batches of 1 ms
    }
    assert!(matches!(job.phase, Phase::Next));
    assert_eq!(job.results().len(), 1);
    let Outcome::Measured(t) = job.results()[0].1 else {
        panic!("measured")
    };
    // 1 ms per batch of 2 calls: 0.5 ms per call, five samples.
    assert_eq!((t.best_ms, t.median_ms, t.samples), (0.5, 0.5, 5));
    assert_eq!(t.flops, Prepared::new(BenchKernel::Exact, 256, 16, false).flops());
    assert_eq!(job.progress(), 1.0 / 12.0);
    assert_eq!(t.peak_bytes, None, "no probe, no peak");
}

#[test]
fn finish_completes_the_plan_and_reports_every_measurement() {
    let mut job = BenchJob::new(plan(256), fake_clock);
    job.step();
    let report = job.finish();
    assert_eq!(report.results.len(), 12);
    assert!(matches!(report.state, BenchState::Finished { measured: 12, secs } if secs > 0.0));
    let names: Vec<String> = report.metrics().into_iter().map(|(name, _)| name).collect();
    assert_eq!(names[0], "speed_exact_256");
    assert_eq!(names[9], "speed_performer_256");
    assert_eq!(names[11], "speed_mixer_256");
    assert!(!report.is_running());
    assert_eq!(run_to_end(BenchJob::new(plan(256), fake_clock)).results.len(), 12);
}

#[test]
fn a_standing_job_keeps_the_results_and_reports_its_state_at_once() {
    let task = Task {
        kernel: BenchKernel::Linear,
        n: 256,
    };
    let kept = vec![(task, Outcome::Measured(Timing::single_call(2.0)))];
    let job = BenchJob::standing(plan(256), kept.clone(), BenchState::Stopped);
    assert!(job.is_done());
    assert_eq!(job.progress(), 1.0);
    let report = job.finish();
    assert_eq!((report.results, report.state), (kept, BenchState::Stopped));
}

/// A probe that counts its resets and reports 1000 × (resets so far) + 24 bytes (real numbers a test
/// can trace back to the call that produced them).
struct CountingProbe(Cell<u32>);
impl MemoryProbe for CountingProbe {
    fn reset(&self) {
        self.0.set(self.0.get() + 1);
    }
    fn peak_above_start(&self) -> f64 {
        1000.0 * self.0.get() as f64 + 24.0
    }
}

#[test]
fn the_probe_measures_one_call_per_kernel_and_length_and_its_peak_reaches_the_report() {
    let probe = Rc::new(CountingProbe(Cell::new(0)));
    let report = run_to_end(BenchJob::new(plan(512), fake_clock).with_probe(probe.clone()));
    // One reset per measured (kernel, N): 12 kernels × 2 lengths — never around the timed batches.
    assert_eq!(probe.0.get(), 24);
    let peak = |kernel: BenchKernel, n: usize| {
        report.results.iter().find_map(|(t, o)| match o {
            Outcome::Measured(m) if t.kernel == kernel && t.n == n => m.peak_bytes,
            _ => None,
        })
    };
    // Plan order: N = 256 first (exact is call 1, the mixer call 12), then N = 512 (exact call 13).
    assert_eq!(peak(BenchKernel::Exact, 256), Some(1024.0));
    assert_eq!(peak(BenchKernel::Mixer, 256), Some(12_024.0));
    assert_eq!(peak(BenchKernel::Exact, 512), Some(13_024.0));
    assert_eq!(
        crate::view_model::speed::sampling::peak_points(&report.results, BenchKernel::Strided),
        vec![(256.0, 4024.0), (512.0, 16_024.0)]
    );
}

#[test]
fn exact_attention_on_the_workers_records_no_peak_on_this_thread() {
    let workers = Plan {
        threads: crate::view_model::speed::params::Threads::Workers,
        ..plan(256)
    };
    let probe = Rc::new(CountingProbe(Cell::new(0)));
    let mut job = BenchJob::new(workers, fake_clock)
        .with_offload(Rc::new(FakeWorkers))
        .with_probe(probe.clone());
    while !job.is_done() {
        job.step();
    }
    let report = job.finish();
    assert_eq!(probe.0.get(), 12, "the 12 kernels of this thread only");
    for (t, o) in &report.results {
        let Outcome::Measured(m) = o else {
            panic!("{t:?} measured")
        };
        assert_eq!(m.peak_bytes.is_some(), t.kernel != BenchKernel::ExactWorkers, "{t:?}");
    }
}
