//! Error against the method's size parameter: Linformer's k (Gaussian vs mean-pooled projections)
//! or the Performer's m (positive vs trigonometric features), averaged over redraws.

use leptos::prelude::*;
use plotters::style::RGBColor;

use crate::i18n::{t, tf};
use crate::ui::reactive::relay;
use crate::ui::render::plot::{LineChart, LineChartSpec, Series};
use crate::view_model::approx::params::{ApproxParams, MethodChoice};
use crate::view_model::approx::sweep::SWEEP_SEEDS;

use super::driver::ApproxRun;

/// Errors below this are drawn at it (a logarithmic axis has no 0; mean pooling at k = N is exact).
const ERROR_FLOOR: f64 = 1e-4;

/// Colours of the two curves (blue, red) as in the other charts of the atlas.
const COLORS: [RGBColor; 2] = [RGBColor(44, 95, 212), RGBColor(214, 69, 69)];

/// The sweep chart, or a note for methods without a size parameter.
#[component]
pub fn ErrorSweep(params: ReadSignal<ApproxParams>, run: ApproxRun) -> impl IntoView {
    // A signal: the panel is rebuilt when the method changes, and its caption reads it (`ui::reactive`).
    let method = relay(Memo::new(move |_| params.with(|p| p.method)));
    let spec = Signal::derive(move || {
        let p = params.get();
        let x_label = if p.method == MethodChoice::Linformer {
            t("approx.sweep.x.k")
        } else {
            t("approx.sweep.x.m")
        };
        let current = if p.method == MethodChoice::Linformer {
            p.projected_len
        } else {
            p.feature_count
        };
        LineChartSpec {
            legend_outside: false,
            x_label: x_label.into(),
            y_label: t("approx.sweep.y").into(),
            x_log: true,
            y_log: true,
            series: run.sweep.result.with(|s| {
                s.iter()
                    .flat_map(|s| s.iter())
                    .zip(COLORS)
                    .map(|(s, color)| Series {
                        label: t(s.label_id).into(),
                        points: s
                            .points
                            .iter()
                            .map(|pt| (pt.x as f64, (pt.mean.output as f64).max(ERROR_FLOOR)))
                            .collect(),
                        color,
                        dashed: false,
                    })
                    .collect()
            }),
            markers: vec![(
                current as f64,
                tf("approx.sweep.current", &[("v", &current.to_string())]),
            )],
        }
    });
    let busy = run.sweep.busy_text();
    view! {
        <div class="card">
            <h3>{t("approx.sweep.title")}</h3>
            {move || match method.get() {
                MethodChoice::Linformer | MethodChoice::Performer => view! {
                    <p class="caption">
                        {move || {
                            let id = if method.get() == MethodChoice::Linformer {
                                "approx.sweep.caption.linformer"
                            } else {
                                "approx.sweep.caption.performer"
                            };
                            tf(id, &[("seeds", &SWEEP_SEEDS.len().to_string())])
                        }}
                    </p>
                    <LineChart spec=spec width=640 height=330 test_id="sweep-chart" />
                    <p class="timing" data-testid="sweep-busy">{move || busy.get()}</p>
                }
                .into_any(),
                _ => view! { <p class="caption" data-testid="sweep-none">{t("approx.sweep.none")}</p> }.into_any(),
            }}
        </div>
    }
}
