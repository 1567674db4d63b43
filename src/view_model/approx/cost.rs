//! The cost charts of the approximations view: FLOPs and largest buffer against N for exact
//! attention and the three linear-cost methods, and the associativity lesson (QKᵀ)V vs Q(KᵀV).

use crate::attention::approx::cost::{
    associativity, crossover_length, exact_cost, linear_cost, linformer_cost, performer_cost, MethodCost,
};
use crate::view_model::approx::params::ApproxParams;

/// Sequence lengths of the cost charts: 16, 32, …, 65,536.
pub fn cost_lengths() -> Vec<usize> {
    (4..=16).map(|e| 1usize << e).collect()
}

/// One cost curve: message id of its label and (N, value) points.
#[derive(Clone, Debug, PartialEq)]
pub struct CostSeries {
    pub label_id: &'static str,
    pub points: Vec<(f64, f64)>,
}

/// FLOPs (`flops = true`) or largest buffer against N for exact attention, linear attention,
/// Linformer (k = `p.projected_len`, capped at N) and the Performer (m = `p.feature_count`), at width d.
pub fn cost_curves(p: &ApproxParams, flops: bool) -> Vec<CostSeries> {
    let pick = |c: MethodCost| if flops { c.flops } else { c.largest_buffer };
    let curve = |label_id: &'static str, f: &dyn Fn(usize) -> MethodCost| CostSeries {
        label_id,
        points: cost_lengths().into_iter().map(|n| (n as f64, pick(f(n)))).collect(),
    };
    let d = p.d();
    vec![
        curve("approx.cost.exact", &|n| exact_cost(n, d, d)),
        curve("approx.cost.linear", &|n| linear_cost(n, d, d)),
        curve("approx.cost.linformer", &|n| {
            linformer_cost(n, d, d, p.projected_len.min(n))
        }),
        curve("approx.cost.performer", &|n| {
            performer_cost(n, d, d, p.feature_count, p.feature_map)
        }),
    ]
}

/// The associativity lesson at width d: (QKᵀ)V and Q(KᵀV) FLOPs against N, and the crossover N*.
pub fn associativity_curves(d: usize) -> (Vec<CostSeries>, f64) {
    let ns = cost_lengths();
    let left = ns.iter().map(|&n| (n as f64, associativity(n, d, d).left)).collect();
    let right = ns.iter().map(|&n| (n as f64, associativity(n, d, d).right)).collect();
    (
        vec![
            CostSeries {
                label_id: "approx.assoc.left",
                points: left,
            },
            CostSeries {
                label_id: "approx.assoc.right",
                points: right,
            },
        ],
        crossover_length(d, d),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::view_model::approx::params::parse;
    use crate::view_model::params::pairs_lookup;

    #[test]
    fn cost_curves_cross_where_the_formulas_say() {
        let p = parse(&pairs_lookup(&[("d", "64")])).params;
        let flops = cost_curves(&p, true);
        assert_eq!(flops.len(), 4);
        assert_eq!(flops[0].points.len(), 13);
        // At N = 65,536 exact attention costs far more than linear attention; at N = 16 it is cheaper.
        let (exact, linear) = (&flops[0].points, &flops[1].points);
        assert!(exact[12].1 > 100.0 * linear[12].1);
        assert!(exact[0].1 < linear[0].1);
        let (assoc, crossover) = associativity_curves(64);
        assert_eq!(crossover, 64.0);
        // N = 64 is the third length (16, 32, 64): both groupings cost the same there.
        assert_eq!(assoc[0].points[2], assoc[1].points[2]);
    }
}
