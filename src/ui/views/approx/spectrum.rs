//! Why a low-rank projection can work: the singular values of the exact attention matrix and the
//! share of ‖A‖_F² the best rank-r matrix keeps (Eckart–Young), with Linformer's k marked.

use leptos::prelude::*;
use plotters::style::RGBColor;

use crate::i18n::{t, tf};
use crate::ui::render::plot::{LineChart, LineChartSpec, Series};
use crate::view_model::approx::params::{ApproxParams, MethodChoice};
use crate::view_model::format::sig3;

use super::driver::ApproxRun;

/// Cumulative energy chart and the ranks that reach 90% and 99%.
#[component]
pub fn SpectrumPanel(params: ReadSignal<ApproxParams>, run: ApproxRun) -> impl IntoView {
    let spec = Signal::derive(move || {
        let p = params.get();
        let points = run.compare.result.with(|c| {
            c.as_ref()
                .map(|c| {
                    c.spectrum
                        .cumulative_energy
                        .iter()
                        .enumerate()
                        .map(|(r, e)| ((r + 1) as f64, *e as f64))
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        });
        let markers = if p.method == MethodChoice::Linformer {
            vec![(
                p.projected_len as f64,
                tf("approx.spectrum.k", &[("k", &p.projected_len.to_string())]),
            )]
        } else {
            Vec::new()
        };
        LineChartSpec {
            legend_outside: false,
            x_label: t("approx.spectrum.x").into(),
            y_label: t("approx.spectrum.y").into(),
            x_log: true,
            y_log: false,
            series: vec![Series {
                label: t("approx.spectrum.series").into(),
                points,
                color: RGBColor(44, 95, 212),
                dashed: false,
            }],
            markers,
        }
    });
    let stats = move || {
        run.compare.result.with(|c| {
            c.as_ref().map(|c| {
                let s = &c.spectrum;
                tf(
                    "approx.spectrum.stats",
                    &[
                        ("s1", &sig3(s.singular_values.first().copied().unwrap_or(0.0) as f64)),
                        ("r90", &s.rank_for_energy(0.9).to_string()),
                        ("r99", &s.rank_for_energy(0.99).to_string()),
                        ("n", &s.singular_values.len().to_string()),
                    ],
                )
            })
        })
    };
    view! {
        <div class="card">
            <h3>{t("approx.spectrum.title")}</h3>
            <p class="caption">{t("approx.spectrum.caption")}</p>
            <LineChart spec=spec width=640 height=300 test_id="spectrum-chart" />
            <p class="stats" data-testid="spectrum-stats">{stats}</p>
        </div>
    }
}
