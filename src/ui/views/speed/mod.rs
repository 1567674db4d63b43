//! View 5 — "Speed": the engine's kernels timed in the user's own browser at N = 256 … 8192, with a
//! log–log chart, a table of times, GFLOP/s and peak memory, the fitted slopes, a log–log chart of
//! each call's measured peak bytes, and what the browser says about the machine. Nothing runs until the user asks (`run=1`), because a run takes seconds.

mod chart;
mod driver;
mod machine;
mod quality;
mod table;

use leptos::prelude::*;

use crate::ui::figure::Figure;
use crate::ui::render::math::MathFormula;
use crate::view_model::formulas;

use crate::i18n::{t, tf};
use crate::ui::components::notices::Notices;
use crate::ui::components::param_controls::{ChoiceSelect, FlagToggle, SnapSelect};
use crate::ui::reactive::relay;
use crate::ui::url::{lookup, query, setter};
use crate::view_model::format::sig3;
use crate::view_model::schema::{FlagParam, UrlChoice};
use crate::view_model::speed::params::{CAUSAL, D, MAX_N, RUN, THREADS};
use crate::view_model::speed::{parse, BenchState, SpeedParams};

use driver::SpeedRun;

/// The view.
#[component]
pub fn SpeedView() -> impl IntoView {
    let query = query();
    let parsed = Memo::new(move |_| query.with(|m| parse(&lookup(m))));
    // Through a signal: panels that are rebuilt (a Show, a list) read it (`ui::reactive`).
    let params = relay(Memo::new(move |_| parsed.with(|p| p.params)));
    let notices = Signal::derive(move || parsed.with(|p| p.notices.clone()));
    let again = RwSignal::new(0u64);
    let run = driver::start(params, again);

    view! {
        <section class="view" data-testid="view-speed">
            <div class="view-head">
                <h2>{t("speed.title")}</h2>
                <p class="lede">{t("speed.lede")}</p>
                <MathFormula source=formulas::SPEED fallback=t("speed.formula").to_string() />
            </div>
            <Controls params=params again=again run=run />
            <div class="figures">
                <Notices notices=notices />
                <StatusLine run=run />
                <Figure id="speed-chart"><chart::TimeChart params=params run=run /></Figure>
                <Figure id="speed-table"><table::ResultsTable params=params run=run /></Figure>
                <Figure id="speed-memory"><chart::MemoryChart params=params run=run /></Figure>
                <Figure id="speed-quality"><quality::QualityPanel params=params /></Figure>
                <machine::Machine />
            </div>
        </section>
    }
}

/// Largest N, head width, causal toggle, and the Run / Stop button.
#[component]
fn Controls(params: ReadSignal<SpeedParams>, again: RwSignal<u64>, run: SpeedRun) -> impl IntoView {
    let set_run = setter(RUN.key);
    let p = move || params.get();
    let running = move || matches!(run.status.get(), BenchState::Running { .. });
    let on_run = move |_| {
        if running() {
            set_run.set(Some(FlagParam::word(false).to_string()));
        } else if params.get_untracked().run {
            again.update(|a| *a += 1);
        } else {
            set_run.set(Some(FlagParam::word(true).to_string()));
        }
    };
    let label = move || {
        if running() {
            t("speed.stop")
        } else if run.results.with(|r| r.is_empty()) {
            t("speed.run")
        } else {
            t("speed.rerun")
        }
    };
    view! {
        <aside class="controls" data-testid="controls">
            <button class="button" data-testid="run" on:click=on_run>
                {label}
            </button>
            <SnapSelect spec=&MAX_N value=Signal::derive(move || p().plan.max_n) />
            <SnapSelect spec=&D value=Signal::derive(move || p().plan.d) />
            <FlagToggle spec=&CAUSAL value=Signal::derive(move || p().plan.causal) />
            <ChoiceSelect spec=&THREADS value=Signal::derive(move || p().plan.threads) test_id="threads" />
            <div class="hint">{t("workers.threads.hint")}</div>
            <div class="hint">{t("speed.skip_note")}</div>
        </aside>
    }
}

/// "Measuring … (k of n)", "Done …" or the idle explanation.
#[component]
fn StatusLine(run: SpeedRun) -> impl IntoView {
    let text = move || match run.status.get() {
        BenchState::Idle => t("speed.idle").to_string(),
        BenchState::Running { current, done, total } => tf(
            "speed.progress",
            &[
                ("kernel", current.map_or("…", |c| t(c.kernel.label_id()))),
                ("n", &current.map_or(String::new(), |c| c.n.to_string())),
                ("done", &done.to_string()),
                ("total", &total.to_string()),
            ],
        ),
        BenchState::Finished { measured, secs } => tf(
            "speed.finished",
            &[("count", &measured.to_string()), ("secs", &sig3(secs))],
        ),
        BenchState::Stopped => t("speed.stopped").to_string(),
    };
    let state = move || match run.status.get() {
        BenchState::Idle => "idle",
        BenchState::Running { .. } => "running",
        BenchState::Finished { .. } => "finished",
        BenchState::Stopped => "stopped",
    };
    view! {
        <div class="card stats">
            <p data-testid="status" data-state=state class="speed-status">
                {text}
            </p>
            <p class="caption speed-blocking">{t("speed.blocking")}</p>
        </div>
    }
}
