//! One folder per view. Each view reads its own parameters from the URL query and owns its layout.

pub mod approx;
pub mod heads;
pub mod home;
pub mod model;
pub mod sdpa;
pub mod sparse;
pub mod speed;

use leptos::prelude::*;

pub use crate::view_model::shell::ViewId;

/// The component of a view.
pub fn render(id: ViewId) -> AnyView {
    match id {
        ViewId::Home => view! { <home::HomeView /> }.into_any(),
        ViewId::Sdpa => view! { <sdpa::SdpaView /> }.into_any(),
        ViewId::Heads => view! { <heads::HeadsView /> }.into_any(),
        ViewId::Sparse => view! { <sparse::SparseView /> }.into_any(),
        ViewId::Approx => view! { <approx::ApproxView /> }.into_any(),
        ViewId::Speed => view! { <speed::SpeedView /> }.into_any(),
        ViewId::Model => view! { <model::ModelView /> }.into_any(),
    }
}
