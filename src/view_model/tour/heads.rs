//! The heads tour, in the order of the MHA → MQA → GQA → MLA lecture: every head its own K/V, one
//! shared K/V, groups, a latent c_KV and its low-rank view, decoupled RoPE, absorbed = naive, and
//! the KV-cache bars of real models.

use super::{Step, Tour};
use crate::view_model::shell::ViewId;

pub const TOUR: Tour = Tour {
    view: ViewId::Heads,
    name: "tour.heads.name",
    steps: &[
        Step {
            title: "tour.heads.1.t",
            body: "tour.heads.1.b",
            formula: Some(r"K_h = X W_K^{(h)}, \quad V_h = X W_V^{(h)}, \quad h = 1 … n_h"),
            set: &[("heads", "8"), ("kv", "8")],
            focus: &[
                "#fig-heads-sharing [data-testid=\"kv-diagram\"]",
                "#fig-heads-sharing [data-testid=\"multiples\"]",
            ],
        },
        Step {
            title: "tour.heads.2.t",
            body: "tour.heads.2.b",
            formula: Some(r"K_h = X W_K, \quad V_h = X W_V \quad \t{tour.for_every_h}"),
            set: &[("heads", "8"), ("kv", "1")],
            focus: &["#fig-heads-sharing"],
        },
        Step {
            title: "tour.heads.3.t",
            body: "tour.heads.3.b",
            formula: Some(r"head_h: K_{\floor{h/g}}, V_{\floor{h/g}}, \quad g = \frac{n_h}{n_{kv}}"),
            set: &[("heads", "8"), ("kv", "2")],
            focus: &["#fig-heads-sharing"],
        },
        Step {
            title: "tour.heads.4.t",
            body: "tour.heads.4.b",
            formula: Some(r"c_{KV} = x W_{DKV} ∈ ℝ^{d_c}, \quad k = c_{KV} W_{UK}, \quad v = c_{KV} W_{UV}"),
            set: &[("part", "mla"), ("d_c", "16")],
            focus: &[
                "#fig-heads-mla [data-testid=\"cache-bars\"]",
                "#fig-heads-mla [data-testid=\"deepseek-line\"]",
            ],
        },
        Step {
            title: "tour.heads.5.t",
            body: "tour.heads.5.b",
            formula: Some(r"[K, V] = U S V^T ≈ U_r S_r V_r^T, \quad r = d_c"),
            set: &[("part", "mla"), ("d_c", "4")],
            focus: &[
                "#fig-heads-mla [data-testid=\"low-rank-chart\"]",
                "#fig-heads-mla [data-testid=\"low-rank-stats\"]",
            ],
        },
        Step {
            title: "tour.heads.6.t",
            body: "tour.heads.6.b",
            formula: Some(r"q_i^T k_j = [q_i^C; R_i q_i^R]^T [k_j^C; R_j k^R], \quad R_i^T R_j = R_{j−i}"),
            set: &[("part", "rope"), ("d_r", "8")],
            focus: &["#fig-heads-rope"],
        },
        Step {
            title: "tour.heads.7.t",
            body: "tour.heads.7.b",
            formula: Some(r"q^T (W_{UK}^T c) = (W_{UK} q)^T c"),
            set: &[("part", "mla"), ("d_c", "16"), ("seed", "2")],
            focus: &["#fig-heads-mla [data-testid=\"absorbed-check\"]"],
        },
        Step {
            title: "tour.heads.8.t",
            body: "tour.heads.8.b",
            formula: Some(r"\t{tour.kv_bytes} = 2 · L · n_{kv} · d_h · N · \t{tour.bytes_per_number}"),
            set: &[("part", "memory"), ("model", "llama3.1-70b"), ("ctx", "32768")],
            focus: &["#fig-heads-memory"],
        },
    ],
};
