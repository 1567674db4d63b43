//! The computation laid out: X → Q, K, V → Q·Kᵀ → × scale → + mask → softmax → · V → concat → · W_O,
//! each tensor as a small heatmap with its shape.

use std::sync::Arc;

use leptos::prelude::*;

use crate::attention::matrix::Matrix;
use crate::attention::pooling::{pool, PoolMode};
use crate::i18n::{t, tf};
use crate::ui::render::heatmap::{Heatmap, HeatmapSpec};
use crate::view_model::format::sig3;
use crate::view_model::sdpa::{head_score_maps, PIPE_PX};
use crate::view_model::sdpa_params::SdpaParams;

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

/// The pipeline strip for the selected head.
#[component]
pub fn Pipeline(params: Memo<SdpaParams>, run: SdpaRun) -> impl IntoView {
    let head = Memo::new(move |_| params.with(|p| p.head));
    let steps = Memo::new(move |_| {
        let h = head.get();
        run.result.with(|r| {
            let Some(r) = r.as_ref() else { return Vec::new() };
            let Some(maps) = r.heads.get(h) else { return Vec::new() };
            let (n, d, dh) = (r.n(), r.projected.x.cols, r.d_head);
            let p = &r.projected;
            let factor = r.cfg.scale.factor(dh);
            let nn = (n, n);
            let shape = |a: usize, b: usize| format!("{a}×{b}");
            let signed = |m: Arc<Matrix>, src: (usize, usize)| HeatmapSpec::signed(m, src);
            let (raw, masked) = head_score_maps(r, h);
            let scaled = Arc::new(Matrix::from_vec(
                raw.rows,
                raw.cols,
                raw.data.iter().map(|v| v * factor).collect(),
            ));
            let head_out = columns(&r.concat, h * dh, dh);
            vec![
                Step {
                    name: t("sdpa.step.x").into(),
                    shape: shape(n, d),
                    spec: signed(small(&p.x), (n, d)),
                },
                Step {
                    name: t("sdpa.step.q").into(),
                    shape: shape(n, dh),
                    spec: signed(small(&columns(&p.q, h * dh, dh)), (n, dh)),
                },
                Step {
                    name: t("sdpa.step.k").into(),
                    shape: shape(n, dh),
                    spec: signed(small(&columns(&p.k, h * dh, dh)), (n, dh)),
                },
                Step {
                    name: t("sdpa.step.v").into(),
                    shape: shape(n, dh),
                    spec: signed(small(&columns(&p.v, h * dh, dh)), (n, dh)),
                },
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
                    spec: signed(small(&r.concat), (n, d)),
                },
                Step {
                    name: t("sdpa.step.out").into(),
                    shape: shape(n, d),
                    spec: signed(small(&r.out), (n, d)),
                },
            ]
        })
    });
    let step_view = move |idx: usize| {
        let spec = Signal::derive(move || steps.with(|s| s.get(idx).map(|s| s.spec.clone())));
        let (w, h) = steps.with_untracked(|s| {
            s.get(idx)
                .map(|s| {
                    let (r, c) = (s.spec.matrix.rows as f64, s.spec.matrix.cols as f64);
                    let k = STEP_PX / r.max(c);
                    ((c * k).max(8.0) as u32, (r * k).max(8.0) as u32)
                })
                .unwrap_or((STEP_PX as u32, STEP_PX as u32))
        });
        view! {
            {(idx > 0).then(|| view! { <span class="arrow">"→"</span> })}
            <div class="step" data-testid=format!("step-{idx}")>
                <span class="name">{move || steps.with(|s| s.get(idx).map(|s| s.name.clone()))}</span>
                <Heatmap spec=spec width=w height=h />
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
