//! The sparse tour, in the order of the efficient-attention lecture: the N² problem, local, strided,
//! global, Longformer (their combination), BigBird (+ random), Reformer (LSH), Sinkhorn, and reach
//! across layers.

use super::{Step, Tour};
use crate::view_model::shell::ViewId;

const MASK: &str = "#fig-sparse-mask";
const NUMBERS: &str = ".card:has([data-testid=\"count\"])";

pub const TOUR: Tour = Tour {
    view: ViewId::Sparse,
    name: "tour.sparse.name",
    steps: &[
        Step {
            title: "tour.sparse.1.t",
            body: "tour.sparse.1.b",
            formula: Some(r"\t{tour.cost} ∝ N^2 d"),
            set: &[("pattern", "causal"), ("n", "512")],
            focus: &[MASK, NUMBERS],
        },
        Step {
            title: "tour.sparse.2.t",
            body: "tour.sparse.2.b",
            formula: Some(r"M_{ij} = 0 \quad \t{formula.if_allowed} \quad |i − j| ≤ w"),
            set: &[("pattern", "local"), ("n", "64"), ("w", "4")],
            focus: &[MASK, "#fig-sparse-attention"],
        },
        Step {
            title: "tour.sparse.3.t",
            body: "tour.sparse.3.b",
            formula: Some(r"(i − j) mod s = 0"),
            set: &[("pattern", "strided"), ("n", "64"), ("s", "8")],
            focus: &[MASK],
        },
        Step {
            title: "tour.sparse.4.t",
            body: "tour.sparse.4.b",
            formula: None,
            set: &[("pattern", "global"), ("n", "64"), ("g", "2")],
            focus: &[MASK],
        },
        Step {
            title: "tour.sparse.5.t",
            body: "tour.sparse.5.b",
            formula: Some(r"M = M_{local} ∪ M_{global}"),
            set: &[("pattern", "longformer"), ("n", "64"), ("w", "8"), ("g", "2")],
            focus: &[MASK, NUMBERS],
        },
        Step {
            title: "tour.sparse.6.t",
            body: "tour.sparse.6.b",
            formula: Some(r"M = M_{local} ∪ M_{global} ∪ M_{random}"),
            set: &[("pattern", "bigbird"), ("n", "64")],
            focus: &[MASK, NUMBERS],
        },
        Step {
            title: "tour.sparse.7.t",
            body: "tour.sparse.7.b",
            formula: Some(r"h(x) = argmax([x R; −x R])"),
            set: &[("pattern", "lsh"), ("n", "64")],
            focus: &[MASK, "#fig-sparse-detail"],
        },
        Step {
            title: "tour.sparse.8.t",
            body: "tour.sparse.8.b",
            formula: Some(r"P = Sinkhorn(exp(\frac{R}{τ})), \quad P 1 = 1, \quad P^T 1 = 1"),
            set: &[("pattern", "sinkhorn"), ("n", "64")],
            focus: &[MASK, "#fig-sparse-detail"],
        },
        Step {
            title: "tour.sparse.9.t",
            body: "tour.sparse.9.b",
            formula: Some(r"R_L = \t{tour.reach_of} M^L"),
            set: &[("pattern", "local"), ("n", "64"), ("w", "4"), ("layers", "4")],
            focus: &["#fig-sparse-reach"],
        },
    ],
};
