//! Guided tours: per chapter, 6–12 short steps in the order of the lectures the atlas follows. A step
//! sets some of the chapter's parameters (the others go back to their defaults), names the panels it
//! talks about (CSS selectors, highlighted while the rest is dimmed) and says what to look at.
//! The URL carries `tour=<chapter>&step=k` (1-based), so a reload or a shared link lands on the step.

mod approx;
mod heads;
mod model;
mod sdpa;
mod sparse;
mod speed;

use crate::view_model::params::ParamReader;
use crate::view_model::permalink::schema_of;
use crate::view_model::schema::{ChoiceParam, IntParam, UrlChoice};
use crate::view_model::shell::ViewId;

/// One step of a tour.
#[derive(Debug)]
pub struct Step {
    /// Message id of the step's title.
    pub title: &'static str,
    /// Message id of the 2–4 sentences saying what to look at.
    pub body: &'static str,
    /// The step's formula in `view_model::math` notation, if it has one.
    pub formula: Option<&'static str>,
    /// The chapter parameters the step sets (URL key, value); every other key of the chapter is reset.
    pub set: &'static [(&'static str, &'static str)],
    /// CSS selectors of the panels the step talks about (highlighted; figures without them are dimmed).
    pub focus: &'static [&'static str],
}

/// A chapter's tour.
#[derive(Debug)]
pub struct Tour {
    pub view: ViewId,
    /// Message id of the tour's name.
    pub name: &'static str,
    pub steps: &'static [Step],
}

/// The chapters that have a tour, in reading order.
pub const TOURS: [&Tour; 6] = [
    &sdpa::TOUR,
    &heads::TOUR,
    &sparse::TOUR,
    &approx::TOUR,
    &speed::TOUR,
    &model::TOUR,
];

/// The tour of chapter `view`, if it has one.
pub fn of(view: ViewId) -> Option<&'static Tour> {
    TOURS.iter().copied().find(|t| t.view == view)
}

/// `tour=`: the chapter whose tour is running (`home` = none).
pub const TOUR: ChoiceParam<ViewId> = ChoiceParam {
    key: "tour",
    label: "tour.name",
    doc: "a guided tour of the chapter (`sdpa`, `heads`, `sparse`, `approx`, `speed`, `model`); it opens that chapter",
    default: ViewId::Home,
};
/// `step=`: the tour's step, 1-based (clamped to the tour's length).
pub const STEP: IntParam = IntParam::new("step", "tour.step", "the tour's step, from 1", 1, 1, 12);

/// The tour in the query and its step, 0-based.
pub fn read(r: &mut ParamReader<'_>) -> Option<(&'static Tour, usize)> {
    // Every chapter has a tour; `home` (the default) is none.
    let tour = of(TOUR.read(r))?;
    let step = STEP.read_within(r, tour.steps.len() as i64) as usize;
    Some((tour, step - 1))
}

/// The query writes that open step `k` (0-based) of `tour`: the chapter, the tour and step keys, the
/// step's parameters, and every other key of the chapter removed (so it shows its default).
/// Shell keys (`lang`, `theme`, `cmap`, `class`) are not touched.
pub fn step_writes(tour: &Tour, k: usize) -> Vec<(&'static str, Option<String>)> {
    let step = &tour.steps[k.min(tour.steps.len() - 1)];
    let mut out: Vec<(&'static str, Option<String>)> = vec![
        ("view", Some(tour.view.word().into())),
        (TOUR.key, Some(tour.view.word().into())),
        (STEP.key, Some((k + 1).to_string())),
    ];
    for key in schema_of(tour.view).keys() {
        let value = step.set.iter().find(|(k, _)| *k == key).map(|(_, v)| v.to_string());
        out.push((key, value));
    }
    out
}

/// The writes that end `tour` (its chapter and parameters stay).
pub fn end_writes(tour: &Tour) -> Vec<(&'static str, Option<String>)> {
    vec![
        ("view", Some(tour.view.word().into())),
        (TOUR.key, None),
        (STEP.key, None),
    ]
}

/// `?view=…&tour=…&step=1&…`: the link that starts `tour`, in language suffix form (`&lang=zh` or "").
pub fn start_href(tour: &Tour, lang_suffix: &str) -> String {
    let pairs: Vec<String> = step_writes(tour, 0)
        .into_iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}={v}")))
        .collect();
    format!("?{}{lang_suffix}", pairs.join("&"))
}

#[cfg(test)]
mod tests;
