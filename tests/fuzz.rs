//! Property tests over every parameter parser and every kernel entry point: thousands of random
//! (often hostile) inputs, no panic, every output finite, every parsed permalink stable.

use attention_atlas::attention::approx::linformer::ProjectionKind;
use attention_atlas::attention::approx::method::{ApproxMethod, HeadInput};
use attention_atlas::attention::approx::performer::{FeatureKind, PerformerConfig};
use attention_atlas::attention::exact::attend;
use attention_atlas::attention::flash::{flash_attend, Tiles};
use attention_atlas::attention::mask::causal_or_full;
use attention_atlas::attention::matrix::Matrix;
use attention_atlas::attention::sparse::csr::SparsePattern;
use attention_atlas::attention::sparse::kernel::sparse_attend;
use attention_atlas::attention::sparse::lsh::{lsh_attention, LshConfig};
use attention_atlas::view_model::params::Notice;
use attention_atlas::view_model::schema::Schema;
use attention_atlas::view_model::{approx, heads, model, sdpa, shell, sparse, speed};
use proptest::prelude::*;
use std::collections::HashMap;

/// A hostile value for a URL key: numbers of every size and sign, words, blanks, markup, unicode.
fn hostile_value() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<i64>().prop_map(|v| v.to_string()),
        any::<f64>().prop_map(|v| v.to_string()),
        (-40i32..40).prop_map(|e| format!("1e{e}")),
        Just("NaN".to_string()),
        Just("-inf".to_string()),
        Just("".to_string()),
        Just("   ".to_string()),
        Just("<script>alert(1)</script>".to_string()),
        Just("0x10".to_string()),
        Just("9".repeat(400)),
        "[a-z]{0,12}",
        "\\PC{0,40}",
    ]
}

/// A query of random keys (mostly the schema's, some unknown) with hostile values.
fn hostile_query(schema: &'static Schema) -> impl Strategy<Value = HashMap<String, String>> {
    let keys: Vec<String> = schema
        .keys()
        .into_iter()
        .map(String::from)
        .chain(["view", "embed", "lang", "zzz", "n\u{0}"].map(String::from))
        .collect();
    proptest::collection::hash_map(proptest::sample::select(keys), hostile_value(), 0..12)
}

fn lookup(map: &HashMap<String, String>) -> impl Fn(&str) -> Option<String> + '_ {
    move |k: &str| map.get(k).cloned()
}

/// Every notice names a key and says what was used instead.
fn notices_are_complete(notices: &[Notice]) -> bool {
    notices.iter().all(|n| !n.key.is_empty() && !n.used.is_empty())
}

/// Parses the pairs a writer produced.
fn pairs_map(pairs: &[(&'static str, String)]) -> HashMap<String, String> {
    pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

/// Every notice is complete, and the canonical permalink of what was parsed parses back to the same
/// parameters with no notice.
macro_rules! permalink_is_stable {
    ($view:ident, $parsed:expr) => {{
        prop_assert!(notices_are_complete(&$parsed.notices));
        let again = $view::params::parse(&lookup(&pairs_map(&$view::params::to_query(&$parsed.params))));
        prop_assert_eq!(&again.params, &$parsed.params);
        prop_assert!(again.notices.is_empty(), "{:?}", again.notices);
    }};
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn the_shell_parser_takes_anything(q in hostile_query(&shell::SCHEMA)) {
        let s = shell::parse(&lookup(&q));
        prop_assert!(notices_are_complete(&s.notices));
    }

    #[test]
    fn the_sdpa_parser_takes_anything_and_its_permalink_is_stable(q in hostile_query(&sdpa::params::SCHEMA)) {
        let parsed = sdpa::params::parse(&lookup(&q));
        let p = &parsed.params;
        prop_assert!(p.n >= 1 && p.n <= 4096 && p.n == parsed.tokens.len());
        prop_assert!(p.heads >= 1 && p.d_model % p.heads == 0 && p.head < p.heads);
        prop_assert!(p.scale.factor(p.d_model / p.heads).is_finite());
        permalink_is_stable!(sdpa, parsed);
    }

    #[test]
    fn the_heads_parser_takes_anything_and_its_permalink_is_stable(q in hostile_query(&heads::params::SCHEMA)) {
        let parsed = heads::params::parse(&lookup(&q));
        let p = &parsed.params;
        prop_assert!(p.n_heads >= 1 && p.d_model % p.n_heads == 0);
        prop_assert!(p.n_kv_heads >= 1 && p.n_heads % p.n_kv_heads == 0 && p.selected_head < p.n_heads);
        prop_assert!(p.d_r % 2 == 0 && p.d_c >= 1 && p.context >= 1 && p.batch >= 1);
        permalink_is_stable!(heads, parsed);
    }

    #[test]
    fn the_sparse_parser_takes_anything_and_its_permalink_is_stable(q in hostile_query(&sparse::params::SCHEMA)) {
        let parsed = sparse::params::parse(&lookup(&q));
        let p = &parsed.params;
        prop_assert!(p.n >= 2 && p.n <= 512 && p.d >= 1 && p.settings.temperature.is_finite() && p.settings.temperature > 0.0);
        permalink_is_stable!(sparse, parsed);
    }

    #[test]
    fn the_approx_parser_takes_anything_and_its_permalink_is_stable(q in hostile_query(&approx::params::SCHEMA)) {
        let parsed = approx::params::parse(&lookup(&q));
        let p = &parsed.params;
        prop_assert!(p.n >= 1 && p.n <= 256 && p.feature_count >= 1 && p.projected_len >= 1 && p.projected_len <= p.n.max(1));
        permalink_is_stable!(approx, parsed);
    }

    #[test]
    fn the_speed_parser_takes_anything_and_its_permalink_is_stable(q in hostile_query(&speed::params::SCHEMA)) {
        let parsed = speed::params::parse(&lookup(&q));
        permalink_is_stable!(speed, parsed);
    }

    #[test]
    fn the_model_parser_takes_anything_and_its_permalink_is_stable(q in hostile_query(&model::params::SCHEMA)) {
        let parsed = model::params::parse(&lookup(&q));
        let p = &parsed.params;
        prop_assert!(p.layer < 30 && p.head < 9 && p.new_tokens >= 1 && p.temperature.is_finite());
        prop_assert!(p.change.first_layer <= p.change.last_layer && p.change.last_layer < 30);
        prop_assert!(p.change.ablate.is_none_or(|(l, h)| l < 30 && h < 9));
        // Every intervention the URL can describe is one the engine accepts.
        let spec = attention_atlas::view_model::model::hooks::intervention_spec(&p.change);
        let config = attention_atlas::attention::model::config::ModelConfig::SMOLLM2_135M;
        prop_assert!(attention_atlas::attention::model::intervention::Intervention::from_spec(&spec, &config).is_ok());
        permalink_is_stable!(model, parsed);
    }
}

/// An n × d matrix with entries of magnitude about 10^exp, some exactly zero.
fn matrix(n: usize, d: usize, exp: i32, seed: u64) -> Matrix {
    let mut state = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    let scale = 10f32.powi(exp);
    let data = (0..n * d)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let u = ((state >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0;
            if (state >> 20) % 7 == 0 {
                0.0
            } else {
                u * scale
            }
        })
        .collect();
    Matrix::from_vec(n, d, data)
}

fn finite(m: &Matrix) -> bool {
    m.data.iter().all(|v| v.is_finite())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    /// Scores from ±1e-30 to beyond f32's range (q·k overflowing to ±∞), temperatures down to 0.01:
    /// the exact and the online-softmax kernels stay finite and agree on outputs whose weights are sane.
    #[test]
    fn exact_and_flash_attention_stay_finite_for_any_scale(
        n in 1usize..40, d in 1usize..12, exp in -30i32..25, seed in any::<u64>(),
        causal in any::<bool>(), tau in prop_oneof![Just(0.01f32), Just(1.0), Just(1000.0)],
    ) {
        let (q, k, v) = (matrix(n, d, exp, seed), matrix(n, d, exp, seed ^ 1), matrix(n, d, 0, seed ^ 2));
        let mask = causal_or_full(causal);
        let exact = attend(q.view(), k.view(), v.view(), 1.0 / tau, mask);
        let flash = flash_attend(q.view(), k.view(), v.view(), 1.0 / tau, mask, Tiles { queries: 8, keys: 8 });
        prop_assert!(finite(&exact), "exact: {:?}", exact.data);
        prop_assert!(finite(&flash), "flash: {:?}", flash.data);
        // Each output row is a convex combination of value rows, so it stays inside their range.
        let vmax = v.data.iter().fold(0.0f32, |a, b| a.max(b.abs()));
        prop_assert!(exact.data.iter().all(|o| o.abs() <= vmax * 1.0001 + 1e-6));
    }

    /// Random patterns, empty rows included: the sparse kernel gives finite rows (an empty row is 0).
    #[test]
    fn sparse_attention_is_finite_on_any_pattern(
        n in 1usize..48, d in 1usize..8, exp in -20i32..25, seed in any::<u64>(), density in 0u64..100,
    ) {
        let pattern = SparsePattern::from_row_fn(n, n, |i, row| {
            for j in 0..n {
                if (seed ^ (i * 131 + j * 7) as u64).wrapping_mul(2654435761) % 100 < density {
                    row.push(j);
                }
            }
        });
        let (q, k, v) = (matrix(n, d, exp, seed), matrix(n, d, exp, seed ^ 3), matrix(n, d, 0, seed ^ 4));
        let out = sparse_attend(q.view(), k.view(), v.view(), 1.0, &pattern).expect("shapes match");
        prop_assert!(finite(&out));
        for i in 0..n {
            if pattern.row_len(i) == 0 {
                prop_assert!(out.row(i).iter().all(|o| *o == 0.0), "an empty row attends to nothing");
            }
        }
    }

    /// Zero-norm and huge inputs, any bucket count and chunk: LSH gives a valid pattern.
    #[test]
    fn lsh_gives_a_valid_pattern_for_any_input(
        n in 1usize..64, d in 1usize..8, exp in prop_oneof![Just(-40i32), -5i32..30], seed in any::<u64>(),
        buckets in 0usize..80, hashes in 0usize..10, chunk in 0usize..80, causal in any::<bool>(),
    ) {
        let x = if exp == -40 { Matrix::zeros(n, d) } else { matrix(n, d, exp, seed) };
        let config = LshConfig { n_buckets: buckets, n_hashes: hashes, chunk, causal };
        let lsh = lsh_attention(x.view(), &config, seed).value;
        prop_assert_eq!(lsh.pattern.to_dense().count() , lsh.pattern.nnz());
        for i in 0..n {
            prop_assert!(lsh.pattern.row(i).iter().all(|&j| j < n && (!causal || j <= i)));
        }
    }

    /// Every approximation, with its smallest settings (m = 1 feature, k = 1 summary, N = 1, d = 1)
    /// and extreme inputs, returns finite outputs or a typed refusal.
    #[test]
    fn approximations_are_finite_or_refuse(
        n in 1usize..40, d in 1usize..10, exp in -10i32..3, seed in any::<u64>(), causal in any::<bool>(),
        m in 1usize..40, kk in 1usize..50, which in 0usize..5, trig in any::<bool>(), gaussian in any::<bool>(),
    ) {
        let (x, q, k, v) = (matrix(n, d, 0, seed), matrix(n, d, exp, seed ^ 5), matrix(n, d, exp, seed ^ 6), matrix(n, d, 0, seed ^ 7));
        let method = match which {
            0 => ApproxMethod::Linear,
            1 => ApproxMethod::Performer(PerformerConfig {
                features: m,
                kind: if trig { FeatureKind::Trigonometric } else { FeatureKind::Positive },
                seed,
            }),
            2 => ApproxMethod::Linformer {
                kind: if gaussian { ProjectionKind::Gaussian } else { ProjectionKind::MeanPool },
                k: kk,
                seed,
            },
            3 => ApproxMethod::Mixer { hidden: m, max_len: kk, seed },
            _ => ApproxMethod::Linear,
        };
        let input = HeadInput { x: x.view(), q: q.view(), k: k.view(), v: v.view(), causal };
        match method.run(&input) {
            Ok(run) => {
                prop_assert!(finite(&run.output), "{:?}: {:?}", method, run.output.data);
                prop_assert!(finite(&run.implied));
            }
            Err(_) => {
                let is_mixer = matches!(method, ApproxMethod::Mixer { .. });
                prop_assert!(causal || is_mixer, "only causal requests and long mixer inputs are refused");
            }
        }
    }
}

mod patterns_and_heads {
    use super::{finite, matrix};
    use attention_atlas::attention::heads::grouped::{grouped_query_attention, GqaConfig, GqaWeights};
    use attention_atlas::attention::heads::mla::{mla_absorbed, mla_naive, MlaConfig, MlaWeights};
    use attention_atlas::attention::sparse::bigbird::{bigbird, BigBirdConfig};
    use attention_atlas::attention::sparse::csr::SparsePattern;
    use attention_atlas::attention::sparse::global::global_tokens;
    use attention_atlas::attention::sparse::longformer::longformer;
    use attention_atlas::attention::sparse::reach::reach_after;
    use attention_atlas::attention::sparse::sinkhorn::{sinkhorn_attention, SinkhornConfig};
    use attention_atlas::attention::sparse::strided::{fixed, strided};
    use attention_atlas::attention::sparse::window::{local_window, Direction};
    use proptest::prelude::*;

    /// Every row's keys are in range and strictly increasing.
    fn valid(p: &SparsePattern, n: usize) -> bool {
        p.n_queries == n
            && (0..p.n_queries).all(|i| p.row(i).windows(2).all(|w| w[0] < w[1]) && p.row(i).iter().all(|&j| j < n))
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

        /// Any sizes, zero and larger than N included: every position-based builder clamps to a valid
        /// N × N pattern, and stacking it over layers never panics.
        #[test]
        fn position_patterns_are_valid_for_any_parameters(
            n in 1usize..80, w in 0usize..200, s in 0usize..200, c in 0usize..200, dil in 0usize..80,
            g in proptest::collection::vec(0usize..300, 0..6), b in 0usize..200, gb in 0usize..20, r in 0usize..20,
            seed in any::<u64>(), causal in any::<bool>(), layers in 0usize..6,
        ) {
            let dir = if causal { Direction::Causal } else { Direction::Symmetric };
            let built = [
                local_window(n, w, dir).value,
                strided(n, s, causal).value,
                fixed(n, s, c, causal).value,
                longformer(n, w, dil, &g).value,
                global_tokens(n, &g).value,
                bigbird(n, &BigBirdConfig { block: b, global_blocks: gb, random_blocks: r }, seed, 0).value.pattern,
            ];
            for p in &built {
                prop_assert!(valid(p, n));
                prop_assert!(reach_after(p, layers).is_ok());
            }
        }

        /// Sinkhorn on zero, tiny and huge inputs, any block, iteration count and temperature.
        #[test]
        fn sinkhorn_sorting_is_valid_for_any_input(
            n in 1usize..64, d in 1usize..6, exp in prop_oneof![Just(-40i32), -8i32..20], seed in any::<u64>(),
            block in 0usize..80, iterations in 0usize..60, tau in prop_oneof![Just(0.0f32), Just(0.01), Just(1.0), Just(1e6)],
        ) {
            let x = if exp == -40 { attention_atlas::attention::matrix::Matrix::zeros(n, d) } else { matrix(n, d, exp, seed) };
            let config = SinkhornConfig { block, hidden: 8, iterations, temperature: tau };
            let s = sinkhorn_attention(x.view(), &config, seed).value;
            prop_assert!(valid(&s.pattern, n));
        }

        /// GQA (every divisor of the head count) and MLA naive = absorbed on extreme inputs: finite, or a
        /// typed refusal for sizes that cannot work.
        #[test]
        fn grouped_and_latent_attention_are_finite_or_refuse(
            n in 1usize..24, heads in 0usize..9, kv in 0usize..9, d_head in 0usize..9, exp in -6i32..6,
            seed in any::<u64>(), causal in any::<bool>(), d_c in 0usize..12, d_r in 0usize..7,
        ) {
            let d_model = 16;
            let x = matrix(n, d_model, exp, seed);
            let cfg = GqaConfig { n_heads: heads, n_kv_heads: kv, d_head, causal };
            match GqaWeights::seeded(d_model, &cfg, seed).and_then(|w| grouped_query_attention(&x, &w, &cfg)) {
                Ok(o) => prop_assert!(finite(&o.out) && finite(&o.concat)),
                Err(_) => prop_assert!(heads == 0 || kv == 0 || d_head == 0 || heads % kv != 0),
            }
            let mla = MlaConfig { n_heads: heads, d_head, d_c, d_r, d_cq: None, rope_base: 10000.0, causal };
            match MlaWeights::seeded(d_model, &mla, seed) {
                Ok(w) => {
                    let naive = mla_naive(&x, &w, &mla).expect("validated config");
                    let absorbed = mla_absorbed(&x, &w, &mla).expect("validated config");
                    prop_assert!(finite(&naive.out) && finite(&absorbed.out));
                    let scale = naive.out.data.iter().fold(1.0f32, |m, v| m.max(v.abs()));
                    prop_assert!(naive.out.max_abs_diff(&absorbed.out) <= 1e-3 * scale, "absorbed = naive");
                }
                Err(_) => prop_assert!(heads == 0 || d_head == 0 || d_c == 0 || d_r == 0 || d_r % 2 == 1),
            }
        }
    }
}
