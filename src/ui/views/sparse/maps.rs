//! The pattern itself: which (query, key) pairs are kept, with a hover readout that says why.

use std::sync::Arc;

use leptos::prelude::*;

use crate::attention::sparse::kernel::sparse_weights_row;
use crate::attention::sparse::zoo::Detail;
use crate::i18n::{t, tf};
use crate::ui::render::heatmap::{Heatmap, HeatmapSpec};
use crate::ui::render::legend::Legend;
use crate::view_model::colormap::Colormap;
use crate::view_model::format::fixed4;
use crate::view_model::schema::UrlChoice;
use crate::view_model::sparse::params::{definition_id, SparseParams};
use crate::view_model::sparse::SparseResult;

use super::SparseRun;

/// CSS size of the mask map.
const MAIN_PX: u32 = 520;

/// A 0…1 map drawn light grey → dark blue.
pub fn blues(matrix: &crate::attention::matrix::Matrix, n: usize) -> HeatmapSpec {
    HeatmapSpec {
        matrix: Arc::new(matrix.clone()),
        source: (n, n),
        lo: 0.0,
        hi: 1.0,
        cmap: Colormap::Blues,
    }
}

/// Pattern-specific reason lines for pair (i, j).
fn why(r: &SparseResult, i: usize, j: usize) -> Vec<String> {
    match &r.detail {
        Detail::BigBird { kinds, block } => {
            let (bi, bj) = (i / block, j / block);
            let id = match kinds.get(bi, bj) as u8 {
                3 => "sparse.why.global_block",
                2 => "sparse.why.window_block",
                1 => "sparse.why.random_block",
                _ => "sparse.why.no_block",
            };
            vec![tf(id, &[("bi", &bi.to_string()), ("bj", &bj.to_string())])]
        }
        Detail::Lsh { buckets, chunks, .. } => buckets
            .iter()
            .zip(chunks)
            .enumerate()
            .map(|(round, (b, c))| {
                tf(
                    "sparse.why.lsh",
                    &[
                        ("round", &round.to_string()),
                        ("i", &i.to_string()),
                        ("j", &j.to_string()),
                        ("bi", &b[i].to_string()),
                        ("bj", &b[j].to_string()),
                        ("ci", &c[i].to_string()),
                        ("cj", &c[j].to_string()),
                    ],
                )
            })
            .collect(),
        Detail::Sinkhorn { partner, block, .. } => {
            let bi = i / block;
            vec![tf(
                "sparse.why.sinkhorn",
                &[
                    ("bi", &bi.to_string()),
                    ("bj", &(j / block).to_string()),
                    ("partner", &partner.get(bi).copied().unwrap_or(0).to_string()),
                ],
            )]
        }
        Detail::None => vec![tf("sparse.why.offset", &[("d", &(i as i64 - j as i64).to_string())])],
    }
}

/// The mask map with legend, definition, and hover readout.
#[component]
pub fn MaskMap(params: ReadSignal<SparseParams>, tokens: Memo<Arc<Vec<String>>>, run: SparseRun) -> impl IntoView {
    let spec = Memo::new(move |_| run.result.with(|r| r.as_ref().map(|r| blues(&r.mask_map, r.n))));
    let hover = RwSignal::new(None::<(usize, usize)>);
    let labels = Signal::derive(move || tokens.get().iter().cloned().collect::<Vec<_>>());
    let readout = move || {
        let (i, j) = hover.get()?;
        let toks = tokens.get();
        run.result.with(|r| {
            let r = r.as_ref()?;
            if i >= r.n || j >= r.n || i >= toks.len() || j >= toks.len() {
                return None;
            }
            let p = &r.pattern;
            let allowed = p.contains(i, j);
            let weight = if allowed {
                let w = sparse_weights_row(r.q.view(), r.k.view(), r.scale, p, i).ok()?;
                p.row(i).binary_search(&j).ok().and_then(|pos| w.get(pos).copied())
            } else {
                None
            };
            let pair = tf(
                "sparse.hover.pair",
                &[
                    ("i", &i.to_string()),
                    ("qi", &toks[i]),
                    ("j", &j.to_string()),
                    ("kj", &toks[j]),
                ],
            );
            let status = if allowed {
                t("sparse.hover.allowed")
            } else {
                t("sparse.hover.blocked")
            };
            let row = tf(
                "sparse.hover.row",
                &[
                    ("i", &i.to_string()),
                    ("count", &p.row_len(i).to_string()),
                    ("n", &r.n.to_string()),
                ],
            );
            Some((pair, status, row, weight, why(r, i, j)))
        })
    };
    let readout_view = move || {
        match readout() {
        None => view! { <p class="hint">{t("sparse.hover.hint")}</p> }.into_any(),
        Some((pair, status, row, weight, reasons)) => view! {
            <div class="pair">{pair}</div>
            <p data-testid="hover-status">{status}</p>
            <p>{row}</p>
            {weight.map(|w| view! { <p data-testid="hover-weight">{tf("sparse.hover.weight", &[("w", &fixed4(w))])}</p> })}
            <ul>{reasons.into_iter().map(|s| view! { <li>{s}</li> }).collect_view()}</ul>
        }
        .into_any(),
    }
    };
    let definition = move || t(definition_id(params.with(|p| p.pattern)));
    view! {
        <div class="card">
            <h3>{move || tf("sparse.map.title", &[("pattern", t(params.with(|p| p.pattern.label_id())))])}</h3>
            <p class="caption" data-testid="definition">{definition}</p>
            <p class="caption">{t("sparse.map.axes")}</p>
            <div class="row-wrap">
                <Heatmap
                    spec=spec
                    width=MAIN_PX
                    height=MAIN_PX
                    row_labels=labels
                    col_labels=labels
                    on_hover=Callback::new(move |c| hover.set(c))
                    busy=run.busy_text()
                    aria_label=t("sparse.map.axes").to_string()
                    test_id="mask-heatmap"
                />
                <div class="figures">
                    <Legend cmap=Colormap::Blues lo=0.0 hi=1.0 label=t("sparse.legend.allowed").to_string() />
                    <div class="readout" data-testid="readout">{readout_view}</div>
                </div>
            </div>
        </div>
    }
}
