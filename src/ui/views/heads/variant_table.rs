//! The calculator's per-variant table: the cache formula written out with the model's numbers
//! (numbers per token per layer, × bytes × layers, × context × batch) and the decode step's cost
//! (attention FLOPs, KV bytes read, FLOPs per byte) for MHA, GQA, MQA and MLA.

use leptos::prelude::*;

use crate::i18n::t;
use crate::view_model::format::{bytes, si, sig3};
use crate::view_model::heads::calculator::VariantRow;

use super::memory_bars::{css, variant_color, variant_label};

/// Style of every cell: room around the numbers and a rule between rows.
const CELL: &str = "padding:.35rem .6rem;border-bottom:1px solid var(--line);vertical-align:top";
/// Style of a formula cell.
const FORMULA: &str = "padding:.35rem .6rem;border-bottom:1px solid var(--line);vertical-align:top;font-family:var(--mono);font-size:.92em";
/// Style of a number cell.
const NUMBER: &str =
    "padding:.35rem .6rem;border-bottom:1px solid var(--line);vertical-align:top;text-align:right;white-space:nowrap";

/// The table.
#[component]
pub fn VariantTable(rows: Memo<Vec<VariantRow>>) -> impl IntoView {
    let body = move || {
        rows.get()
            .into_iter()
            .map(|r| {
                let id = r.variant.id();
                let marker = format!(
                    "{CELL};border-left:6px solid {};font-weight:700;white-space:nowrap",
                    css(variant_color(r.variant))
                );
                let built = r.as_built.then(|| view! { <div style="font-weight:400;font-size:.88rem;color:#2c5fd4">{t("heads.calc.bars.asbuilt")}</div> });
                view! {
                    <tr data-testid=format!("variant-row-{id}")>
                        <td style=marker>{variant_label(&r)}{built}</td>
                        <td style=FORMULA>{r.elements_formula.clone()}</td>
                        <td style=FORMULA data-testid=format!("variant-per-token-{id}") data-bytes=r.bytes_per_token.to_string()>
                            {r.per_token_formula.clone()}
                        </td>
                        <td style=FORMULA data-testid=format!("variant-cache-{id}")>{r.cache_formula.clone()}</td>
                        <td style=NUMBER>{si(r.decode_flops)}</td>
                        <td style=NUMBER>{bytes(r.decode_bytes)}</td>
                        <td style=NUMBER data-testid=format!("variant-intensity-{id}")>{sig3(r.intensity)}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <div style="overflow-x:auto" data-testid="variant-table">
            <table style="border-collapse:collapse;font-size:.95rem;line-height:1.35">
                <thead>
                    <tr style="text-align:left;vertical-align:bottom">
                        <th style=CELL>{t("heads.calc.table.variant")}</th>
                        <th style=CELL>{t("heads.calc.table.elements")}</th>
                        <th style=CELL>{t("heads.calc.table.per_token")}</th>
                        <th style=CELL>{t("heads.calc.table.cache")}</th>
                        <th style=CELL>{t("heads.calc.table.flops")}</th>
                        <th style=CELL>{t("heads.calc.table.read")}</th>
                        <th style=CELL>{t("heads.calc.table.intensity")}</th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
            <p class="caption" data-testid="intensity-why">{t("heads.calc.table.why")}</p>
        </div>
    }
}
