//! The calculator's per-variant table: the cache formula written out with the model's numbers
//! (numbers per token per layer, × bytes × layers, × context × batch) and the decode step's cost
//! (attention FLOPs, KV bytes read, FLOPs per byte) for MHA, GQA, MQA and MLA.

use leptos::prelude::*;

use crate::i18n::t;
use crate::view_model::format::{bytes, si, sig3};
use crate::view_model::heads::calculator::VariantRow;

use super::memory_bars::{css, variant_color, variant_label};

/// The table.
#[component]
pub fn VariantTable(rows: Memo<Vec<VariantRow>>) -> impl IntoView {
    let body = move || {
        rows.get()
            .into_iter()
            .map(|r| {
                let id = r.variant.id();
                let marker = css(variant_color(r.variant));
                let built = r.as_built.then(|| view! { <div class="as-built">{t("heads.calc.bars.asbuilt")}</div> });
                view! {
                    <tr data-testid=format!("variant-row-{id}")>
                        <td class="variant" style:border-left-color=marker>{variant_label(&r)}{built}</td>
                        <td class="formula-cell">{r.elements_formula.clone()}</td>
                        <td class="formula-cell" data-testid=format!("variant-per-token-{id}") data-bytes=r.bytes_per_token.to_string()>
                            {r.per_token_formula.clone()}
                        </td>
                        <td class="formula-cell" data-testid=format!("variant-cache-{id}")>{r.cache_formula.clone()}</td>
                        <td class="num">{si(r.decode_flops)}</td>
                        <td class="num">{bytes(r.decode_bytes)}</td>
                        <td class="num" data-testid=format!("variant-intensity-{id}")>{sig3(r.intensity)}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <div class="table-scroll variant-table" data-testid="variant-table">
            <table>
                <thead>
                    <tr>
                        <th>{t("heads.calc.table.variant")}</th>
                        <th>{t("heads.calc.table.elements")}</th>
                        <th>{t("heads.calc.table.per_token")}</th>
                        <th>{t("heads.calc.table.cache")}</th>
                        <th>{t("heads.calc.table.flops")}</th>
                        <th>{t("heads.calc.table.read")}</th>
                        <th>{t("heads.calc.table.intensity")}</th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
            <p class="caption" data-testid="intensity-why">{t("heads.calc.table.why")}</p>
        </div>
    }
}
