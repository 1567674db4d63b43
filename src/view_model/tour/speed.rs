//! The speed tour: the reader's own machine, the measured curves and their slopes, the causal mask,
//! both cores, and the speed-against-quality chart.

use super::{Step, Tour};
use crate::view_model::shell::ViewId;

pub const TOUR: Tour = Tour {
    view: ViewId::Speed,
    name: "tour.speed.name",
    steps: &[
        Step {
            title: "tour.speed.1.t",
            body: "tour.speed.1.b",
            formula: None,
            set: &[("max_n", "512")],
            focus: &["[data-testid=\"machine\"]"],
        },
        Step {
            title: "tour.speed.2.t",
            body: "tour.speed.2.b",
            formula: Some(crate::view_model::formulas::SPEED),
            set: &[("max_n", "1024"), ("run", "1")],
            focus: &["#fig-speed-chart"],
        },
        Step {
            title: "tour.speed.3.t",
            body: "tour.speed.3.b",
            formula: Some(r"p ≈ 2 \quad \t{tour.exact} , \quad p ≈ 1 \quad \t{tour.linear}"),
            set: &[("max_n", "2048"), ("run", "1")],
            focus: &["#fig-speed-table"],
        },
        Step {
            title: "tour.speed.4.t",
            body: "tour.speed.4.b",
            formula: None,
            set: &[("max_n", "1024"), ("run", "1"), ("causal", "1")],
            focus: &["#fig-speed-chart", "#fig-speed-table"],
        },
        Step {
            title: "tour.speed.5.t",
            body: "tour.speed.5.b",
            formula: None,
            set: &[("max_n", "1024"), ("run", "1"), ("threads", "workers")],
            focus: &["#fig-speed-table"],
        },
        Step {
            title: "tour.speed.6.t",
            body: "tour.speed.6.b",
            formula: None,
            set: &[("quality", "1")],
            focus: &["#fig-speed-quality"],
        },
    ],
};
