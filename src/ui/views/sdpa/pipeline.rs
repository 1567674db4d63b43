//! The computation laid out: X → Q, K, V → Q·Kᵀ → × scale → + mask → softmax → · V → concat → · W_O,
//! each tensor as a small heatmap with its shape.

use std::sync::Arc;

use leptos::prelude::*;

use crate::attention::matrix::Matrix;
use crate::attention::pooling::{pool, PoolMode};
use crate::i18n::{t, tf};
use crate::ui::jobs::{drive, AFTER_RESULT};
use crate::ui::reactive::relay;
use crate::ui::render::heatmap::{Heatmap, HeatmapSpec};
use crate::view_model::format::sig3;
use crate::view_model::sdpa::params::SdpaParams;
use crate::view_model::sdpa::{HeadScoreJob, Projected, SdpaResult, PIPE_PX};

use super::SdpaRun;

/// Longest side of a step's picture, in CSS pixels.
const STEP_PX: f64 = 92.0;

/// One tensor of the pipeline.
#[derive(Clone, Debug, PartialEq)]
struct Step {
    name: String,
    shape: String,
    spec: HeatmapSpec,
}

fn small(m: &Matrix) -> Arc<Matrix> {
    Arc::new(pool(m, PIPE_PX, PIPE_PX, PoolMode::Mean))
}

fn columns(m: &Matrix, start: usize, width: usize) -> Matrix {
    Matrix::from_view(m.columns(start, width))
}

/// The projections a result was computed from, compared by identity: a new run that reused them
/// (mask, scale or head count changed) does not re-pool X, Q, K and V.
type Inputs = Option<(Arc<Projected>, usize)>;

fn inputs_changed(a: Option<&Inputs>, b: Option<&Inputs>) -> bool {
    match (a, b) {
        (Some(Some((x, dx))), Some(Some((y, dy)))) => !Arc::ptr_eq(x, y) || dx != dy,
        (Some(None), Some(None)) => false,
        _ => true,
    }
}

/// A result and a head: the key of the score maps' job. The maps depend only on the projections
/// (compared by identity), the head and its width, not on the scale or the mask
/// ([`crate::view_model::sdpa::HeadScoreMaps`]), so a temperature or mask change keeps them.
#[derive(Clone)]
struct ScoreKey(Option<Arc<SdpaResult>>, usize);

impl PartialEq for ScoreKey {
    fn eq(&self, other: &Self) -> bool {
        self.1 == other.1
            && match (&self.0, &other.0) {
                (Some(a), Some(b)) => Arc::ptr_eq(&a.projected, &b.projected) && a.d_head == b.d_head,
                (None, None) => true,
                _ => false,
            }
    }
}

/// The pipeline strip for the selected head.
#[component]
pub fn Pipeline(params: ReadSignal<SdpaParams>, run: SdpaRun) -> impl IntoView {
    let head = Memo::new(move |_| params.with(|p| p.head));
    // The selected head's score maps: without kept scores (large N) Q_h·K_hᵀ is recomputed, so
    // they go through the runner in slices instead of one long task (`HeadScoreJob`).
    let score_key = Memo::new(move |_| ScoreKey(run.result.get(), head.get()));
    let score_run = drive(
        "sdpa_scores",
        score_key,
        AFTER_RESULT,
        |k: &ScoreKey| {
            k.0.clone()
                .map(|r| HeadScoreJob::new(r, k.1))
                .ok_or_else(|| crate::attention::message::Message::new("error.zero").arg("what", "N"))
        },
        |_| {},
    );
    let inputs = Memo::new_with_compare(
        move |_| run.result.with(|r| r.as_ref().map(|r| (r.projected.clone(), r.d_head))),
        inputs_changed,
    );
    // X, Q, K, V of the selected head: they change only with the projections or the head.
    let input_steps = Memo::new(move |_| {
        let h = head.get();
        inputs.with(|i| {
            let Some((p, dh)) = i.as_ref() else { return Vec::new() };
            let (n, d, dh) = (p.x.rows, p.x.cols, *dh);
            if (h + 1) * dh > d {
                return Vec::new();
            }
            let step = |name: &str, m: &Matrix, cols: usize| Step {
                name: name.to_string(),
                shape: format!("{n}×{cols}"),
                spec: HeatmapSpec::signed(small(m), (n, cols)),
            };
            vec![
                step(t("sdpa.step.x"), &p.x, d),
                step(t("sdpa.step.q"), &columns(&p.q, h * dh, dh), dh),
                step(t("sdpa.step.k"), &columns(&p.k, h * dh, dh), dh),
                step(t("sdpa.step.v"), &columns(&p.v, h * dh, dh), dh),
            ]
        })
    });
    // A signal: the strip is rebuilt when the shapes change, and its parts read the steps (`ui::reactive`).
    let steps = relay(Memo::new(move |_| {
        let h = head.get();
        let mut steps = input_steps.get();
        if steps.is_empty() {
            return steps;
        }
        run.result.with(|r| {
            let Some(r) = r.as_ref() else { return Vec::new() };
            let Some(maps) = r.heads.get(h) else { return Vec::new() };
            let (n, d, dh) = (r.n(), r.projected.x.cols, r.d_head);
            let factor = r.cfg.scale.factor(dh);
            let nn = (n, n);
            let shape = |a: usize, b: usize| format!("{a}×{b}");
            let signed = |m: Arc<Matrix>, src: (usize, usize)| HeatmapSpec::signed(m, src);
            // Until the first maps arrive, blank maps of their size (the strip keeps its shape).
            let side = n.min(PIPE_PX);
            let (raw, masked) = score_run
                .result
                .get()
                .filter(|m| (m.raw.rows, m.raw.cols) == (side, side))
                .map(|m| (m.raw.clone(), m.masked(r.cfg.causal, factor)))
                .unwrap_or_else(|| (Matrix::zeros(side, side), Matrix::zeros(side, side)));
            let scaled = Arc::new(Matrix::from_vec(
                raw.rows,
                raw.cols,
                raw.data.iter().map(|v| v * factor).collect(),
            ));
            // Rows already mean-pooled by the job (see `SdpaResult::concat_rows`).
            let head_out = columns(&r.concat_rows, h * dh, dh);
            steps.extend([
                Step {
                    name: t("sdpa.step.scores").into(),
                    shape: shape(n, n),
                    spec: signed(Arc::new(raw), nn),
                },
                Step {
                    name: tf("sdpa.step.scale", &[("s", &sig3(factor as f64))]),
                    shape: shape(n, n),
                    spec: signed(scaled, nn),
                },
                Step {
                    name: t("sdpa.step.mask").into(),
                    shape: shape(n, n),
                    spec: signed(Arc::new(masked), nn),
                },
                Step {
                    name: t("sdpa.step.softmax").into(),
                    shape: shape(n, n),
                    spec: HeatmapSpec::weights(Arc::new(pool(&maps.weights, PIPE_PX, PIPE_PX, r.pool)), nn),
                },
                Step {
                    name: t("sdpa.step.headout").into(),
                    shape: shape(n, dh),
                    spec: signed(small(&head_out), (n, dh)),
                },
                Step {
                    name: t("sdpa.step.concat").into(),
                    shape: shape(n, d),
                    spec: signed(small(&r.concat_rows), (n, d)),
                },
                Step {
                    name: t("sdpa.step.out").into(),
                    shape: shape(n, d),
                    spec: signed(Arc::new(r.out_small.clone()), (n, d)),
                },
            ]);
            steps
        })
    }));
    let step_view = move |idx: usize| {
        // A memo per step: a canvas whose picture did not change (X, Q, K, V after a mask
        // toggle) is not repainted.
        let spec = Memo::new(move |_| steps.with(|s| s.get(idx).map(|s| s.spec.clone())));
        let (w, h) = steps.with_untracked(|s| {
            s.get(idx)
                .map(|s| {
                    let (r, c) = (s.spec.matrix.rows as f64, s.spec.matrix.cols as f64);
                    let k = STEP_PX / r.max(c);
                    ((c * k).max(8.0) as u32, (r * k).max(8.0) as u32)
                })
                .unwrap_or((STEP_PX as u32, STEP_PX as u32))
        });
        // The step's name and shape as the canvas's text alternative (fixed per build, like its size).
        let label = steps.with_untracked(|s| {
            s.get(idx)
                .map(|s| format!("{} ({})", s.name, s.shape))
                .unwrap_or_default()
        });
        view! {
            {(idx > 0).then(|| view! { <span class="arrow">"→"</span> })}
            <div class="step" data-testid=format!("step-{idx}")>
                <span class="name">{move || steps.with(|s| s.get(idx).map(|s| s.name.clone()))}</span>
                <Heatmap spec=spec width=w height=h aria_label=label words=false />
                <span class="shape">{move || steps.with(|s| s.get(idx).map(|s| s.shape.clone()))}</span>
            </div>
        }
    };
    // The strip is rebuilt when the number of steps or the shapes change (sizes are fixed per build).
    let shapes = Memo::new(move |_| {
        steps.with(|s| {
            s.iter()
                .map(|s| (s.spec.matrix.rows, s.spec.matrix.cols))
                .collect::<Vec<_>>()
        })
    });
    view! {
        <div class="card">
            <h3>{move || tf("sdpa.pipeline.title", &[("h", &head.get().to_string())])}</h3>
            <div class="pipeline" data-testid="pipeline">
                {move || {
                    let count = shapes.get().len();
                    (0..count).map(step_view).collect_view()
                }}
            </div>
        </div>
    }
}
