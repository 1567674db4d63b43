//! One folder per view. Each view reads its own parameters from the URL query and owns its layout.

pub mod approx;
pub mod heads;
pub mod sdpa;
pub mod sparse;
pub mod speed;

use leptos::prelude::*;

/// The chapters of the atlas, as named by `view=` in the URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ViewId {
    Sdpa,
    Heads,
    Sparse,
    Approx,
    Speed,
}

impl ViewId {
    /// Every view, in navigation order.
    pub const ALL: [ViewId; 5] = [
        ViewId::Sdpa,
        ViewId::Heads,
        ViewId::Sparse,
        ViewId::Approx,
        ViewId::Speed,
    ];

    /// The `view=` value.
    pub fn param(self) -> &'static str {
        match self {
            ViewId::Sdpa => "sdpa",
            ViewId::Heads => "heads",
            ViewId::Sparse => "sparse",
            ViewId::Approx => "approx",
            ViewId::Speed => "speed",
        }
    }

    /// Parses a `view=` value.
    pub fn from_param(s: &str) -> Option<ViewId> {
        ViewId::ALL
            .into_iter()
            .find(|v| v.param().eq_ignore_ascii_case(s.trim()))
    }

    /// Message id of the navigation label.
    pub fn nav_id(self) -> &'static str {
        match self {
            ViewId::Sdpa => "nav.sdpa",
            ViewId::Heads => "nav.heads",
            ViewId::Sparse => "nav.sparse",
            ViewId::Approx => "nav.approx",
            ViewId::Speed => "nav.speed",
        }
    }
}

/// The component of a view.
pub fn render(id: ViewId) -> AnyView {
    match id {
        ViewId::Sdpa => view! { <sdpa::SdpaView /> }.into_any(),
        ViewId::Heads => view! { <heads::HeadsView /> }.into_any(),
        ViewId::Sparse => view! { <sparse::SparseView /> }.into_any(),
        ViewId::Approx => view! { <approx::ApproxView /> }.into_any(),
        ViewId::Speed => view! { <speed::SpeedView /> }.into_any(),
    }
}
