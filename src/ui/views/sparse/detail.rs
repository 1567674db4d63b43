//! The pattern's own machinery: BigBird's block kinds, Reformer's buckets and sorted chunks,
//! Sinkhorn's soft permutation iterating towards a permutation.

use std::sync::Arc;

use leptos::prelude::*;

use crate::attention::matrix::Matrix;
use crate::attention::sparse::zoo::Detail as DetailData;
use crate::i18n::{t, tf};
use crate::ui::render::heatmap::{Heatmap, HeatmapSpec};
use crate::ui::render::legend::Legend;
use crate::view_model::colormap::Colormap;

use super::maps::blues;
use super::SparseRun;

/// CSS size of the detail maps.
const DETAIL_PX: u32 = 300;
/// CSS size of one Sinkhorn iterate.
const ITER_PX: u32 = 120;
/// Tokens listed in the LSH bucket table.
const LSH_ROWS: usize = 24;
/// Sinkhorn iterates shown at most.
const MAX_ITERATES: usize = 6;

/// Iterations 0 … k thinned to at most `MAX_ITERATES`, always keeping the first and the last.
fn shown_iterations(k_plus_1: usize) -> Vec<usize> {
    if k_plus_1 <= MAX_ITERATES {
        return (0..k_plus_1).collect();
    }
    let last = k_plus_1 - 1;
    let mut v: Vec<usize> = (0..MAX_ITERATES).map(|s| s * last / (MAX_ITERATES - 1)).collect();
    v.dedup();
    v
}

/// The detail card (nothing for position-only patterns).
#[component]
pub fn Detail(run: SparseRun) -> impl IntoView {
    move || {
        run.result.with(|r| {
            let r = r.as_ref()?;
            let n = r.n;
            Some(match &r.detail {
                DetailData::None => return None,
                DetailData::BigBird { kinds, block } => {
                    let spec = HeatmapSpec {
                        matrix: Arc::new(kinds.clone()),
                        source: (kinds.rows, kinds.cols),
                        lo: 0.0,
                        hi: 3.0,
                        cmap: Colormap::Viridis,
                    };
                    view! {
                        <div class="card" data-testid="detail">
                            <h3>{tf("sparse.bigbird.title", &[("b", &block.to_string()), ("nb", &kinds.rows.to_string())])}</h3>
                            <p class="caption">{t("sparse.bigbird.caption")}</p>
                            <div class="row-wrap">
                                <Heatmap spec=Signal::derive(move || Some(spec.clone())) width=DETAIL_PX height=DETAIL_PX
                                    aria_label=t("sparse.bigbird.caption").to_string() test_id="detail-heatmap" />
                                <Legend cmap=Colormap::Viridis lo=0.0 hi=3.0 label=t("sparse.bigbird.legend").to_string() />
                            </div>
                        </div>
                    }
                    .into_any()
                }
                DetailData::Lsh { buckets, chunks, sorted_map } => {
                    let spec = blues(sorted_map, n);
                    let rows = (0..n.min(LSH_ROWS))
                        .map(|i| {
                            let cells = buckets
                                .iter()
                                .zip(chunks)
                                .map(|(b, c)| view! { <td>{format!("{} · {}", b[i], c[i])}</td> })
                                .collect_view();
                            view! { <tr><td>{i.to_string()}</td>{cells}</tr> }
                        })
                        .collect_view();
                    let heads = (0..buckets.len())
                        .map(|round| view! { <th>{tf("sparse.lsh.round", &[("round", &round.to_string())])}</th> })
                        .collect_view();
                    view! {
                        <div class="card" data-testid="detail">
                            <h3>{t("sparse.lsh.title")}</h3>
                            <p class="caption">{t("sparse.lsh.caption")}</p>
                            <div class="row-wrap">
                                <Heatmap spec=Signal::derive(move || Some(spec.clone())) width=DETAIL_PX height=DETAIL_PX
                                    aria_label=t("sparse.lsh.caption").to_string() test_id="detail-heatmap" />
                                <table data-testid="lsh-table">
                                    <tr><th>{t("sparse.lsh.token")}</th>{heads}</tr>
                                    {rows}
                                </table>
                            </div>
                        </div>
                    }
                    .into_any()
                }
                DetailData::Sinkhorn { iterations, partner, block } => {
                    let shown = shown_iterations(iterations.len());
                    let maps = shown
                        .into_iter()
                        .map(|it| {
                            let m: Matrix = iterations[it].clone();
                            let spec = HeatmapSpec {
                                source: (m.rows, m.cols),
                                matrix: Arc::new(m),
                                lo: 0.0,
                                hi: 1.0,
                                cmap: Colormap::Viridis,
                            };
                            let label = tf("sparse.sinkhorn.iter", &[("t", &it.to_string())]);
                            view! {
                                <div class="multiple">
                                    <Heatmap spec=Signal::derive(move || Some(spec.clone())) width=ITER_PX height=ITER_PX words=false aria_label=label.clone() />
                                    <span>{label.clone()}</span>
                                </div>
                            }
                        })
                        .collect_view();
                    let partners = partner
                        .iter()
                        .enumerate()
                        .map(|(i, j)| format!("{i}→{j}"))
                        .collect::<Vec<_>>()
                        .join("  ");
                    view! {
                        <div class="card" data-testid="detail">
                            <h3>{tf("sparse.sinkhorn.title", &[("b", &block.to_string()), ("nb", &partner.len().to_string())])}</h3>
                            <p class="caption">{t("sparse.sinkhorn.caption")}</p>
                            <div class="multiples" data-testid="sinkhorn-iterates">{maps}</div>
                            <Legend cmap=Colormap::Viridis lo=0.0 hi=1.0 label=t("sparse.sinkhorn.legend").to_string() />
                            <p class="caption" data-testid="partners">{tf("sparse.sinkhorn.partners", &[("list", &partners)])}</p>
                        </div>
                    }
                    .into_any()
                }
            })
        })
    }
}
