//! The model tour: SmolLM2-135M in the page, its real heads, heads found by what they do, induction
//! on repeated text, and every chapter's mask and approximation applied to it.

use super::{Step, Tour};
use crate::view_model::shell::ViewId;

pub const TOUR: Tour = Tour {
    view: ViewId::Model,
    name: "tour.model.name",
    steps: &[
        Step {
            title: "tour.model.1.t",
            body: "tour.model.1.b",
            formula: Some(crate::view_model::formulas::MODEL),
            set: &[],
            focus: &["#fig-model-prompt"],
        },
        Step {
            title: "tour.model.2.t",
            body: "tour.model.2.b",
            formula: None,
            set: &[("layer", "3"), ("head", "4")],
            focus: &["#fig-model-heads"],
        },
        Step {
            title: "tour.model.3.t",
            body: "tour.model.3.b",
            formula: None,
            set: &[("score", "prev")],
            focus: &["#fig-model-finder"],
        },
        Step {
            title: "tour.model.4.t",
            body: "tour.model.4.b",
            formula: None,
            set: &[("input", "repeat"), ("score", "induction")],
            focus: &["#fig-model-finder"],
        },
        Step {
            title: "tour.model.5.t",
            body: "tour.model.5.b",
            formula: Some(r"M_{ij} = −∞ \quad (i − j > w)"),
            set: &[("change", "local"), ("w", "4")],
            focus: &["#fig-model-change"],
        },
        Step {
            title: "tour.model.6.t",
            body: "tour.model.6.b",
            formula: Some(crate::view_model::formulas::PERFORMER),
            set: &[("change", "performer"), ("m", "64")],
            focus: &["#fig-model-change"],
        },
        Step {
            title: "tour.model.7.t",
            body: "tour.model.7.b",
            formula: None,
            set: &[("gen", "24")],
            focus: &["#fig-model-generate"],
        },
    ],
};
