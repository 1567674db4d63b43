//! Each chapter's header formula in the notation of [`crate::view_model::math`]; the plain-text
//! fallback of each is its `*.formula` message (human-written and translated).

use crate::view_model::shell::ViewId;

/// Scaled dot-product attention with the projections and the output projection.
pub const SDPA: &str = r"Attention(Q, K, V) = softmax(\frac{Q K^T}{\sqrt{d_{head}}} + M) V, \quad Q = X W_Q, \quad K = X W_K, \quad V = X W_V, \quad MultiHead(X) = [head_1, …, head_h] W_O";
/// Grouped K/V heads and the KV cache per token per layer of each variant.
pub const HEADS: &str = r"head_h: K_{\floor{h/g}}, V_{\floor{h/g}}, \quad g = \frac{n_h}{n_{kv}} \quad \t{formula.kv_per_token} \quad MHA: 2 n_h d_h, \quad GQA: 2 n_{kv} d_h, \quad MQA: 2 d_h, \quad MLA: d_c + d_R";
/// Attention restricted to a pattern by an additive mask.
pub const SPARSE: &str = r"softmax(\frac{Q K^T}{\sqrt{d}} + M) V, \quad M_{ij} = 0 \t{formula.if_allowed}, \quad M_{ij} = −∞ \t{formula.otherwise}";
/// Linear attention, computed right to left.
pub const LINEAR: &str = r"O = \frac{φ(Q) (φ(K)^T V)}{φ(Q) (φ(K)^T 1)}, \quad φ(x) = elu(x) + 1";
/// Performer's positive random features.
pub const PERFORMER: &str =
    r"exp(\frac{q · k}{\sqrt{d}}) ≈ φ(q) · φ(k), \quad φ(x) = \frac{1}{\sqrt{m}} exp(W x − \frac{‖x‖^2}{2})";
/// Linformer's sequence compression.
pub const LINFORMER: &str = r"O = softmax(\frac{Q (E K)^T}{\sqrt{d}}) (F V), \quad E, F ∈ ℝ^{k × N}";
/// Synthesizer's logits without q·k.
pub const SYNTHESIZER: &str = r"O = softmax(L) V, \quad L_i = relu(x_i W_1) W_2 \quad \t{formula.or} \quad L = R";
/// MLP-Mixer token mixing.
pub const MIXER: &str = r"Y = W_2 gelu(W_1 V)";
/// The power law fitted to the measured times.
pub const SPEED: &str = r"t ≈ c N^p \quad ⇔ \quad ln t = ln c + p ln N";
/// One layer of SmolLM2-135M.
pub const MODEL: &str = r"x ← x + W_O [softmax(\frac{Q_h K_{\floor{h/3}}^T}{\sqrt{64}} + M_{\t{formula.causal}}) V_{\floor{h/3}}]_h \quad \t{formula.then} \quad x ← x + W_{down}(SiLU(W_{gate} x) ⊙ W_{up} x), \quad × 30 \t{formula.layers}";

/// The formula a chapter's home card shows (None for the home page itself).
pub fn for_view(v: ViewId) -> Option<&'static str> {
    match v {
        ViewId::Home => None,
        ViewId::Sdpa => Some(r"softmax(\frac{Q K^T}{\sqrt{d_{head}}} + M) V"),
        ViewId::Heads => Some(r"K_{\floor{h/g}}, V_{\floor{h/g}}, \quad g = \frac{n_h}{n_{kv}}"),
        ViewId::Sparse => Some(r"softmax(\frac{Q K^T}{\sqrt{d}} + M_{pattern}) V"),
        ViewId::Approx => Some(r"φ(Q) (φ(K)^T V)"),
        ViewId::Speed => Some(SPEED),
        ViewId::Model => Some(r"2 · 30 · 3 · 64 · 4 \text{B} = 46080 \text{B}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::math::{message_ids, parse, plain};
    use crate::view_model::schema::UrlChoice;

    #[test]
    fn every_formula_parses_and_its_words_exist_in_both_languages() {
        let mut all = vec![
            SDPA,
            HEADS,
            SPARSE,
            LINEAR,
            PERFORMER,
            LINFORMER,
            SYNTHESIZER,
            MIXER,
            SPEED,
            MODEL,
        ];
        all.extend(ViewId::ALL.iter().filter_map(|v| for_view(*v)));
        let en: Vec<&str> = crate::i18n::english_sections()
            .iter()
            .flat_map(|s| s.iter().map(|m| m.0))
            .collect();
        let zh: Vec<&str> = crate::i18n::chinese_sections()
            .iter()
            .flat_map(|s| s.iter().map(|m| m.0))
            .collect();
        for src in all {
            let tree = parse(src).unwrap_or_else(|e| panic!("{src}: {e}"));
            let mut ids = Vec::new();
            message_ids(&tree, &mut ids);
            for id in ids {
                assert!(en.contains(&id) && zh.contains(&id), "{id} in both languages");
            }
            assert!(!plain(&tree, &|id| id.to_string()).is_empty());
        }
        let model = plain(&parse(MODEL).unwrap(), &|id| id.to_string());
        assert!(
            model.starts_with("x ← x + W_O [softmax((Q_h K_(⌊h/3⌋)ᵀ)/√64 + M_formula.causal) V_(⌊h/3⌋)]_h  formula.then  x ← x + W_down(SiLU"),
            "{model}"
        );
    }
}
