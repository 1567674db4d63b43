use super::*;
use crate::i18n::{chinese_sections, english_sections, Lang};
use crate::view_model::math::{message_ids, parse};
use crate::view_model::params::{pairs_lookup, Notice};
use crate::view_model::permalink::canonical_query;
use crate::view_model::{approx, heads, model, sdpa, sparse, speed};

fn ids(sections: &[&'static [(&'static str, &'static str)]]) -> Vec<&'static str> {
    sections.iter().flat_map(|s| s.iter().map(|m| m.0)).collect()
}

/// The (key, value) pairs step `k` leaves in the URL.
fn pairs_of(tour: &Tour, k: usize) -> Vec<(&'static str, String)> {
    step_writes(tour, k)
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| (k, v)))
        .collect()
}

fn notices(view: ViewId, get: &dyn Fn(&str) -> Option<String>) -> Vec<Notice> {
    match view {
        ViewId::Sdpa => sdpa::params::parse(get).notices,
        ViewId::Heads => heads::params::parse(get).notices,
        ViewId::Sparse => sparse::params::parse(get).notices,
        ViewId::Approx => approx::params::parse(get).notices,
        ViewId::Speed => speed::params::parse(get).notices,
        ViewId::Model => model::params::parse(get).notices,
        _ => unreachable!("no tour"),
    }
}

#[test]
fn every_tour_has_6_to_12_steps_in_both_languages_with_formulas_that_parse() {
    let (en, zh) = (ids(&english_sections()), ids(&chinese_sections()));
    for tour in TOURS {
        assert!(
            (6..=12).contains(&tour.steps.len()),
            "{:?}: {} steps",
            tour.view,
            tour.steps.len()
        );
        assert!(tour.steps.len() as i64 <= STEP.max);
        let mut all = vec![tour.name];
        for step in tour.steps {
            all.extend([step.title, step.body]);
            if let Some(f) = step.formula {
                let tree = parse(f).unwrap_or_else(|e| panic!("{f}: {e}"));
                message_ids(&tree, &mut all);
            }
            assert!(!step.focus.is_empty(), "{}: nothing highlighted", step.title);
            for sel in step.focus {
                assert!(
                    !sel.trim().is_empty() && !sel.contains(','),
                    "{sel}: one selector per entry"
                );
            }
        }
        for id in all {
            assert!(en.contains(&id), "{id} in English");
            assert!(zh.contains(&id), "{id} in Chinese");
        }
    }
}

#[test]
fn every_step_sets_known_keys_without_notices_and_changes_the_chapter() {
    for tour in TOURS {
        let keys = schema_of(tour.view).keys();
        let mut previous = String::new();
        for (k, step) in tour.steps.iter().enumerate() {
            for (key, _) in step.set {
                assert!(
                    keys.contains(key),
                    "{}: {key} is not a key of {:?}",
                    step.title,
                    tour.view
                );
            }
            let pairs = pairs_of(tour, k);
            let borrowed: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            let get = pairs_lookup(&borrowed);
            let n = notices(tour.view, &get);
            assert!(n.is_empty(), "{}: notices {n:?}", step.title);
            let shell = crate::view_model::shell::parse(&get);
            assert_eq!(
                (shell.view, shell.tour),
                (tour.view, Some((tour.view, k))),
                "{}",
                step.title
            );
            // The chapter's own parameters, without the step number: each step must change them.
            let without = |key: &str| if key == STEP.key { None } else { get(key) };
            let q = canonical_query(&without, Lang::En);
            assert_ne!(
                q, previous,
                "{} sets the same parameters as the step before",
                step.title
            );
            previous = q;
        }
    }
}

#[test]
fn a_step_resets_the_keys_it_does_not_set_and_keeps_the_shell_keys() {
    let tour = of(ViewId::Sdpa).unwrap();
    let writes = step_writes(tour, 2);
    assert!(writes.contains(&("d_model", Some("256".into()))));
    assert!(writes.contains(&("causal", None)), "causal back to its default");
    assert!(writes.contains(&("step", Some("3".into()))));
    assert!(!writes
        .iter()
        .any(|(k, _)| ["lang", "theme", "cmap", "class"].contains(k)));
    assert_eq!(
        end_writes(tour),
        vec![("view", Some("sdpa".into())), ("tour", None), ("step", None)]
    );
    let href = start_href(tour, "&lang=zh");
    assert!(href.starts_with("?view=sdpa&tour=sdpa&step=1&n=8&heads=1"), "{href}");
    assert!(href.ends_with("&lang=zh"));
}

#[test]
fn the_url_picks_the_tour_clamps_the_step_and_refuses_a_chapter_without_one() {
    let p = crate::view_model::shell::parse(&pairs_lookup(&[("tour", "sparse"), ("step", "99")]));
    assert_eq!(p.view, ViewId::Sparse, "the tour opens its chapter");
    assert_eq!(
        p.tour,
        Some((ViewId::Sparse, of(ViewId::Sparse).unwrap().steps.len() - 1))
    );
    assert_eq!(p.notices.len(), 1, "the step was clamped");
    let none = crate::view_model::shell::parse(&pairs_lookup(&[("view", "model"), ("tour", "home")]));
    assert_eq!(
        (none.view, none.tour, none.notices.len()),
        (ViewId::Model, None, 0),
        "tour=home: no tour"
    );
    let junk = crate::view_model::shell::parse(&pairs_lookup(&[("tour", "<b>"), ("step", "x")]));
    assert_eq!((junk.view, junk.tour), (ViewId::Home, None));
}
