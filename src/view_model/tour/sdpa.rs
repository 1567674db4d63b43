//! The SDPA tour, in the order of the LLaMA derivation: projections, scores, the 1/√d_head scale and
//! why, the causal mask, softmax rows, ×V, heads concatenated, W_O.

use super::{Step, Tour};
use crate::view_model::shell::ViewId;

pub const TOUR: Tour = Tour {
    view: ViewId::Sdpa,
    name: "tour.sdpa.name",
    steps: &[
        Step {
            title: "tour.sdpa.1.t",
            body: "tour.sdpa.1.b",
            formula: Some(r"Q = X W_Q, \quad K = X W_K, \quad V = X W_V"),
            set: &[("n", "8"), ("heads", "1")],
            focus: &[
                "#fig-sdpa-pipeline [data-testid=\"step-0\"]",
                "#fig-sdpa-pipeline [data-testid=\"step-1\"]",
                "#fig-sdpa-pipeline [data-testid=\"step-2\"]",
                "#fig-sdpa-pipeline [data-testid=\"step-3\"]",
            ],
        },
        Step {
            title: "tour.sdpa.2.t",
            body: "tour.sdpa.2.b",
            formula: Some(r"S = Q K^T, \quad S_{ij} = q_i · k_j"),
            set: &[("n", "12"), ("heads", "1")],
            focus: &["#fig-sdpa-pipeline [data-testid=\"step-4\"]", "#fig-sdpa-weights"],
        },
        Step {
            title: "tour.sdpa.3.t",
            body: "tour.sdpa.3.b",
            formula: Some(r"Var(q · k) = d_{head} \quad \t{tour.when_unit}"),
            set: &[("n", "12"), ("heads", "1"), ("d_model", "256"), ("scale", "none")],
            focus: &["#fig-sdpa-scaling", "#fig-sdpa-weights"],
        },
        Step {
            title: "tour.sdpa.4.t",
            body: "tour.sdpa.4.b",
            formula: Some(r"softmax(\frac{Q K^T}{\sqrt{d_{head}}})"),
            set: &[("n", "12"), ("heads", "1"), ("d_model", "256")],
            focus: &["#fig-sdpa-scaling", "#fig-sdpa-weights"],
        },
        Step {
            title: "tour.sdpa.5.t",
            body: "tour.sdpa.5.b",
            formula: Some(r"M_{ij} = 0 \quad (j ≤ i), \quad M_{ij} = −∞ \quad (j > i)"),
            set: &[("n", "12"), ("heads", "1"), ("causal", "1")],
            focus: &["#fig-sdpa-pipeline [data-testid=\"step-6\"]", "#fig-sdpa-weights"],
        },
        Step {
            title: "tour.sdpa.6.t",
            body: "tour.sdpa.6.b",
            formula: Some(r"A_{ij} = \frac{exp(s_{ij})}{Σ_k exp(s_{ik})}, \quad Σ_j A_{ij} = 1"),
            set: &[("causal", "1")],
            focus: &["#fig-sdpa-weights", "#fig-sdpa-pipeline [data-testid=\"step-7\"]"],
        },
        Step {
            title: "tour.sdpa.7.t",
            body: "tour.sdpa.7.b",
            formula: Some(r"head_h = A_h V_h, \quad o_i = Σ_j A_{ij} v_j"),
            set: &[("causal", "1"), ("head", "1")],
            focus: &["#fig-sdpa-pipeline [data-testid=\"step-8\"]"],
        },
        Step {
            title: "tour.sdpa.8.t",
            body: "tour.sdpa.8.b",
            formula: Some(r"[head_1, …, head_h] ∈ ℝ^{N × d_{model}}"),
            set: &[("causal", "1"), ("heads", "8")],
            focus: &["#fig-sdpa-heads", "#fig-sdpa-pipeline [data-testid=\"step-9\"]"],
        },
        Step {
            title: "tour.sdpa.9.t",
            body: "tour.sdpa.9.b",
            formula: Some(r"MultiHead(X) = [head_1, …, head_h] W_O"),
            set: &[("causal", "1"), ("heads", "8"), ("d_model", "128")],
            focus: &[
                "#fig-sdpa-pipeline [data-testid=\"step-0\"]",
                "#fig-sdpa-pipeline [data-testid=\"step-10\"]",
            ],
        },
    ],
};
