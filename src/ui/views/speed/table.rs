//! Kernel × N table of measured times and achieved GFLOP/s, the fitted slope per kernel, the peak
//! bytes one call allocated at the largest measured N (with the engine's estimate,
//! `BenchKernel::call_bytes`), and the sentence that reads the slopes.

use leptos::prelude::*;

use super::chart::swatch_css;
use super::driver::SpeedRun;
use crate::attention::bench::BenchKernel;
use crate::i18n::{t, tf};
use crate::view_model::format::{bytes, millis, sig3};
use crate::view_model::schema::UrlChoice;
use crate::view_model::speed::sampling::{log_log_slope, peak_points, points, Outcome, Task};
use crate::view_model::speed::SpeedParams;

/// Message id reading a slope p: ≥ 1.75 quadratic, ≥ 1.25 between, ≥ 0.75 linear, else overhead.
fn slope_reading(p: f64) -> &'static str {
    if p >= 1.75 {
        "speed.slope.quadratic"
    } else if p >= 1.25 {
        "speed.slope.between"
    } else if p >= 0.75 {
        "speed.slope.linear"
    } else {
        "speed.slope.below"
    }
}

/// One cell of the table.
fn cell(results: &[(Task, Outcome)], kernel: BenchKernel, n: usize) -> impl IntoView {
    let test_id = format!("cell-{}-{n}", kernel.word());
    let found = results
        .iter()
        .find(|(t, _)| t.kernel == kernel && t.n == n)
        .map(|r| r.1);
    match found {
        Some(Outcome::Measured(m)) => view! {
            <td
                data-testid=test_id
                data-ms=m.best_ms.to_string()
                data-gflops=m.gflops().to_string()
                data-peak=m.peak_bytes.map(|b| b.to_string()).unwrap_or_default()
            >
                <div class="mono-text">
                    {format!("{} ({})", millis(m.best_ms), sig3(m.median_ms))}
                </div>
                <div class="timing">{format!("{} GFLOP/s", sig3(m.gflops()))}</div>
            </td>
        }
        .into_any(),
        Some(Outcome::Unavailable) => view! {
            <td data-testid=test_id data-unavailable="1" class="timing">
                {t("workers.table.unavailable")}
            </td>
        }
        .into_any(),
        Some(Outcome::Skipped { predicted_ms }) => view! {
            <td data-testid=test_id data-skipped="1" class="timing">
                {tf("speed.table.skipped", &[("secs", &sig3(predicted_ms / 1000.0))])}
            </td>
        }
        .into_any(),
        None => view! {
            <td data-testid=test_id class="timing">
                {t("speed.table.pending")}
            </td>
        }
        .into_any(),
    }
}

/// The peak-memory cell of `kernel`: the measured peak at its largest measured N (named when that
/// is not the plan's largest) and the engine's estimate for that call (`BenchKernel::call_bytes`),
/// or "—" where nothing was measured on this thread (exact attention on the workers).
fn peak_cell(results: &[(Task, Outcome)], kernel: BenchKernel, d: usize, max_n: usize) -> impl IntoView {
    let last = peak_points(results, kernel).last().copied();
    let test_id = format!("peak-{}", kernel.word());
    match last {
        Some((n, peak)) => {
            let n = n as usize;
            let estimate = tf("speed.table.estimate", &[("bytes", &bytes(kernel.call_bytes(n, d)))]);
            let at = (n < max_n).then(|| format!("N = {n}"));
            view! {
                <td data-testid=test_id data-peak=peak.to_string() data-n=n.to_string()>
                    <div class="mono-text">{bytes(peak)}</div>
                    <div class="timing">{estimate}</div>
                    {at.map(|at| view! { <div class="timing">{at}</div> })}
                </td>
            }
            .into_any()
        }
        None => view! { <td data-testid=test_id class="timing">{t("speed.table.no_peak")}</td> }.into_any(),
    }
}

/// The table and the slope explanation.
#[component]
pub fn ResultsTable(params: ReadSignal<SpeedParams>, run: SpeedRun) -> impl IntoView {
    let header = move || {
        params
            .get()
            .plan
            .lengths()
            .into_iter()
            .map(|n| view! { <th class="num">{format!("N = {n}")}</th> })
            .collect_view()
    };
    let rows = move || {
        let p = params.get();
        run.results.with(|results| {
            p.plan
                .kernels()
                .into_iter()
                .map(|k| {
                    let slope = log_log_slope(&points(results, k));
                    let swatch = swatch_css(k);
                    let note = (p.plan.causal && !k.supports_causal())
                        .then(|| view! { <div class="timing">{t("speed.table.no_causal")}</div> });
                    view! {
                        <tr>
                            <th class="kernel">
                                <span class="kernel-swatch" style:background=swatch></span>
                                {t(k.label_id())}
                                {note}
                            </th>
                            {p.plan.lengths().into_iter().map(|n| cell(results, k, n)).collect_view()}
                            <td
                                class="slope"
                                data-testid=format!("slope-{}", k.word())
                                data-slope=slope.map(|s| s.to_string()).unwrap_or_default()
                            >
                                {match slope {
                                    Some(s) => {
                                        view! {
                                            <strong class="mono-text">{format!("{:.2}", s)}</strong>
                                            <div class="timing">{t(slope_reading(s))}</div>
                                        }
                                            .into_any()
                                    }
                                    None => view! { <span class="timing">{t("speed.table.pending")}</span> }.into_any(),
                                }}
                            </td>
                            {peak_cell(results, k, p.plan.d, p.plan.max_n)}
                        </tr>
                    }
                })
                .collect_view()
        })
    };
    view! {
        <div class="card">
            <h3>{t("speed.table.title")}</h3>
            <p class="caption">{t("speed.table.caption")}</p>
            {move || {
                params.get().plan.causal.then(|| view! { <p class="caption" data-testid="causal-note">{t("speed.table.causal")}</p> })
            }}
            <div class="table-scroll">
                <table class="speed-table" data-testid="speed-table">
                    <tr>
                        <th class="kernel-head">{t("speed.table.kernel")}</th>
                        {header}
                        <th class="num">{t("speed.table.slope")}</th>
                        <th class="num">{t("speed.table.peak")}</th>
                    </tr>
                    {rows}
                </table>
            </div>
            <Speedup params=params run=run />
            <h3 class="section-head">{t("speed.slope.title")}</h3>
            <p class="caption" data-testid="slope-text">{t("speed.slope.text")}</p>
        </div>
    }
}

/// With `threads=workers`: exact attention on the workers against one thread, per N (the workers'
/// count from the pool).
#[component]
fn Speedup(params: ReadSignal<SpeedParams>, run: SpeedRun) -> impl IntoView {
    use crate::view_model::speed::params::Threads;
    let text = move || {
        if params.with(|p| p.plan.threads) != Threads::Workers {
            return None;
        }
        let (one, many) = run
            .results
            .with(|r| (points(r, BenchKernel::Exact), points(r, BenchKernel::ExactWorkers)));
        let ratios: Vec<String> = one
            .iter()
            .filter_map(|&(n, t1)| {
                many.iter()
                    .find(|p| p.0 == n)
                    .map(|&(_, tw)| format!("N = {n}: {:.2}×", t1 / tw))
            })
            .collect();
        let workers = crate::ui::workers::threads().to_string();
        Some(if ratios.is_empty() {
            tf("workers.speedup.pending", &[("workers", &workers)])
        } else {
            tf(
                "workers.speedup",
                &[("workers", &workers), ("ratios", &ratios.join(", "))],
            )
        })
    };
    move || text().map(|s| view! { <p class="caption" data-testid="workers-speedup">{s}</p> })
}
