//! Tests of [`ComparisonJob`].

use std::sync::Arc;

use crate::attention::approx::example_head::ExampleHead;
use crate::attention::approx::linformer::ProjectionKind;
use crate::attention::approx::method::MethodError;
use crate::view_model::approx::params::{parse, ApproxParams, MethodChoice, MAX_N};
use crate::view_model::approx::{Comparison, ComparisonJob};
use crate::view_model::job::{run_to_end, Job};
use crate::view_model::params::pairs_lookup;
use crate::view_model::schema::UrlChoice;

fn compare(p: &ApproxParams) -> Result<Comparison, MethodError> {
    let input = Arc::new(ExampleHead::build(p.n, p.d(), p.seed, p.qk_percent));
    ComparisonJob::new(p, input).map(run_to_end)
}

#[test]
fn every_method_compares_on_the_default_input_and_mean_pool_with_k_equal_n_is_exact() {
    for method in MethodChoice::ALL {
        let mut p = parse(&pairs_lookup(&[("method", method.word()), ("n", "24")])).params;
        let c = compare(&p).expect("every method runs at N ≤ MAX_N");
        assert_eq!((c.difference.rows, c.difference.cols), (24, 24));
        assert!(
            c.metrics.output.is_finite() && c.metrics.matrix.is_finite(),
            "{method:?}"
        );
        assert_eq!(c.spectrum.singular_values.len(), 24);
        if *method == MethodChoice::Linformer {
            p.projection = ProjectionKind::MeanPool;
            p.projected_len = 24;
            let c = compare(&p).unwrap();
            assert!(c.metrics.output < 1e-5 && c.metrics.matrix < 1e-5, "{:?}", c.metrics);
        }
    }
}

#[test]
fn finish_completes_an_unfinished_comparison_and_refusals_are_errors() {
    let p = parse(&pairs_lookup(&[("n", "16")])).params;
    let input = Arc::new(ExampleHead::build(16, 32, 1, 100));
    let mut job = ComparisonJob::new(&p, input.clone()).unwrap();
    job.step();
    assert!(!job.is_done() && job.progress() > 0.0);
    let early = job.finish();
    assert_eq!(early, compare(&p).unwrap());
    // The parser never lets these through; the job still refuses them with the engine's error.
    let causal_linformer = ApproxParams {
        method: MethodChoice::Linformer,
        causal: true,
        ..p.clone()
    };
    assert!(matches!(
        ComparisonJob::new(&causal_linformer, input).err(),
        Some(MethodError::CausalUnsupported { .. })
    ));
    let too_long = ApproxParams {
        method: MethodChoice::Mixer,
        n: MAX_N + 1,
        ..p
    };
    let long_input = Arc::new(ExampleHead::build(MAX_N + 1, 32, 1, 100));
    assert!(matches!(
        ComparisonJob::new(&too_long, long_input).err(),
        Some(MethodError::TooLong(_))
    ));
}
