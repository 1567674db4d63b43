//! What the pattern saves and loses: pairs, FLOPs, memory, attention mass kept, the tiles a
//! block-sparse kernel would still compute, and the live check of the sparse kernel.

use leptos::prelude::*;

use crate::i18n::{t, tf};
use crate::view_model::format::{bytes, millis, si, sig3};
use crate::view_model::sparse::params::SparseParams;
use crate::view_model::sparse::CHECK_ROWS;

use super::SparseRun;

/// Counts, costs and tiles.
#[component]
pub fn Numbers(params: ReadSignal<SparseParams>, run: SparseRun) -> impl IntoView {
    let counts = move || {
        let d = params.with(|p| p.d);
        run.result.with(|r| {
            r.as_ref().map(|r| {
                let s = &r.stats;
                let pct = |a: f64, b: f64| if b > 0.0 { sig3(100.0 * a / b) } else { "—".into() };
                let mass_ref = if r.pattern.is_causal() {
                    t("sparse.mass.ref.causal")
                } else {
                    t("sparse.mass.ref.full")
                };
                view! {
                    <p data-testid="count">{tf("sparse.stats.pairs", &[
                        ("nnz", &s.allowed.to_string()),
                        ("total", &(s.n_queries * s.n_keys).to_string()),
                        ("pct", &sig3(s.density_percent)),
                    ])}</p>
                    <p data-testid="flops">{tf("sparse.stats.flops", &[
                        ("d", &d.to_string()),
                        ("sparse", &si(s.flops_sparse)),
                        ("dense", &si(s.flops_dense)),
                        ("pct", &pct(s.flops_sparse, s.flops_dense)),
                    ])}</p>
                    <p>{tf("sparse.stats.memory", &[
                        ("sparse", &bytes(s.bytes_sparse)),
                        ("dense", &bytes(s.bytes_dense)),
                    ])}</p>
                    <p data-testid="mass">{tf("sparse.stats.mass", &[
                        ("pct", &sig3(100.0 * r.mass)),
                        ("reference", mass_ref),
                    ])}</p>
                    <p class="caption" data-testid="kernel-check">{tf("sparse.stats.check", &[
                        ("rows", &CHECK_ROWS.min(r.n).to_string()),
                        ("diff", &format!("{:.1e}", r.kernel_diff)),
                    ])}</p>
                }
            })
        })
    };
    let tiles = move || {
        run.result.with(|r| {
            r.as_ref().map(|r| {
                r.tiles
                    .iter()
                    .map(|row| {
                        view! {
                            <tr>
                                <td>{format!("{0}×{0}", row.block)}</td>
                                <td>{format!("{} / {}", row.occupied, row.total)}</td>
                                <td>{format!("{} %", sig3(100.0 * row.occupied as f64 / row.total.max(1) as f64))}</td>
                                <td>{format!("{} %", sig3(100.0 * row.useful))}</td>
                            </tr>
                        }
                    })
                    .collect_view()
            })
        })
    };
    let timing = move || run.timing.get().map(|ms| tf("sparse.timing", &[("ms", &millis(ms))]));
    view! {
        <div class="card stats">
            <h3>{t("sparse.stats.title")}</h3>
            {counts}
            <h3>{t("sparse.tiles.title")}</h3>
            <p class="caption">{t("sparse.tiles.caption")}</p>
            <table class="tile-table" data-testid="tiles">
                <tr>
                    <th>{t("sparse.tiles.size")}</th>
                    <th>{t("sparse.tiles.occupied")}</th>
                    <th>{t("sparse.tiles.share")}</th>
                    <th>{t("sparse.tiles.useful")}</th>
                </tr>
                {tiles}
            </table>
            <super::tiles::TilePicture run=run />
            <p class="timing" data-testid="timing">{timing}</p>
        </div>
    }
}
