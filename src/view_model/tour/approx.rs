//! The approximations tour, in the order of the lecture: Linformer (low rank), the associativity
//! lesson, linear attention, Performer, Synthesizer (no q·k) and MLP token mixing.

use super::{Step, Tour};
use crate::view_model::shell::ViewId;

const MAPS: &str = "#fig-approx-matrices";

pub const TOUR: Tour = Tour {
    view: ViewId::Approx,
    name: "tour.approx.name",
    steps: &[
        Step {
            title: "tour.approx.1.t",
            body: "tour.approx.1.b",
            formula: Some(crate::view_model::formulas::LINFORMER),
            set: &[("method", "linformer"), ("k", "16")],
            focus: &[MAPS, "#fig-approx-spectrum"],
        },
        Step {
            title: "tour.approx.2.t",
            body: "tour.approx.2.b",
            formula: Some(r"(φ(Q) φ(K)^T) V \quad ≡ \quad φ(Q) (φ(K)^T V)"),
            set: &[("method", "linear"), ("d", "64")],
            focus: &["#fig-approx-cost [data-testid=\"assoc-chart\"]"],
        },
        Step {
            title: "tour.approx.3.t",
            body: "tour.approx.3.b",
            formula: Some(crate::view_model::formulas::LINEAR),
            set: &[("method", "linear")],
            focus: &[MAPS],
        },
        Step {
            title: "tour.approx.4.t",
            body: "tour.approx.4.b",
            formula: Some(crate::view_model::formulas::PERFORMER),
            set: &[("method", "performer"), ("m", "64")],
            focus: &[MAPS, "#fig-approx-sweep"],
        },
        Step {
            title: "tour.approx.5.t",
            body: "tour.approx.5.b",
            formula: Some(crate::view_model::formulas::SYNTHESIZER),
            set: &[("method", "synthesizer"), ("synth", "dense")],
            focus: &[MAPS],
        },
        Step {
            title: "tour.approx.6.t",
            body: "tour.approx.6.b",
            formula: Some(crate::view_model::formulas::MIXER),
            set: &[("method", "mixer")],
            focus: &[MAPS],
        },
        Step {
            title: "tour.approx.7.t",
            body: "tour.approx.7.b",
            formula: Some(r"\t{tour.cost}: (d + d′) N^2 \quad → \quad 2 d′ d N"),
            set: &[("method", "performer"), ("n", "256")],
            focus: &["#fig-approx-cost"],
        },
    ],
};
