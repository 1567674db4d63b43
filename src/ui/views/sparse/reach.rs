//! Reach through stacked layers: the share of (query, key) pairs connected after L layers, when the
//! pattern connects everything (or that it never does), and the reach map after the chosen L.

use leptos::prelude::*;
use plotters::style::RGBColor;

use crate::attention::sparse::reach::{FullReach, ReachTarget};
use crate::i18n::{t, tf};
use crate::ui::render::heatmap::Heatmap;
use crate::ui::render::plot::{LineChart, LineChartSpec, Series};
use crate::view_model::sparse::params::SparseParams;

use super::maps::blues;
use super::SparseRun;

/// CSS size of the reach map.
const REACH_PX: u32 = 300;

/// Chart, verdict and map.
#[component]
pub fn Reach(params: ReadSignal<SparseParams>, run: SparseRun) -> impl IntoView {
    let layers = Memo::new(move |_| params.with(|p| p.layers));
    let spec = Signal::derive(move || {
        let pts: Vec<(f64, f64)> = run.result.with(|r| {
            r.as_ref()
                .map(|r| {
                    r.reach
                        .coverage
                        .iter()
                        .enumerate()
                        .map(|(l, c)| (l as f64, 100.0 * c))
                        .collect()
                })
                .unwrap_or_default()
        });
        let n_points = pts.len();
        LineChartSpec {
            legend_outside: false,
            x_label: t("sparse.reach.x").into(),
            y_label: t("sparse.reach.y").into(),
            x_log: false,
            y_log: false,
            series: vec![Series {
                label: t("sparse.reach.series").into(),
                points: pts,
                color: RGBColor(44, 95, 212),
                dashed: false,
            }],
            // The marker only when the chosen L lies on the curve (it stops once nothing changes).
            markers: (layers.get() < n_points)
                .then(|| (layers.get() as f64, t("sparse.reach.current").to_string()))
                .into_iter()
                .collect(),
        }
    });
    let verdict = move || {
        run.result.with(|r| {
            r.as_ref().map(|r| {
                let target = match r.reach.target {
                    ReachTarget::All => t("sparse.reach.target.all"),
                    ReachTarget::Causal => t("sparse.reach.target.causal"),
                };
                match r.reach.full {
                    FullReach::After(l) => tf("sparse.reach.full", &[("layers", &l.to_string()), ("target", target)]),
                    FullReach::Never => tf("sparse.reach.never", &[("target", target)]),
                }
            })
        })
    };
    let map = Memo::new(move |_| run.result.with(|r| r.as_ref().map(|r| blues(&r.reach_map, r.n))));
    view! {
        <div class="card">
            <h3>{t("sparse.reach.title")}</h3>
            <p class="caption">{t("sparse.reach.caption")}</p>
            <p data-testid="reach-verdict"><strong>{verdict}</strong></p>
            <div class="row-wrap">
                <LineChart spec=spec width=560 height=300 test_id="reach-chart" />
                <div>
                    <p class="caption">{move || tf("sparse.reach.map", &[("layers", &layers.get().to_string())])}</p>
                    <Heatmap
                        spec=map
                        width=REACH_PX
                        height=REACH_PX
                        busy=run.busy_text()
                        aria_label=t("sparse.reach.title").to_string()
                        test_id="reach-heatmap"
                    />
                </div>
            </div>
        </div>
    }
}
