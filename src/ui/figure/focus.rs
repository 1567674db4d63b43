//! Which figure an embed shows alone (`fig=`), and whether its controls stay (`controls=`): the shell
//! provides it, each [`super::Figure`] marks itself selected, and each control marks itself needed, so
//! the stylesheet can hide everything else (`body.fig-only`).

use leptos::prelude::*;

use crate::view_model::figures::FigureDef;

/// The lone figure of an embed, if any.
#[derive(Clone, Copy)]
pub struct FigFocus {
    pub fig: Signal<Option<&'static FigureDef>>,
}

impl FigFocus {
    /// Whether figure `id` is the one shown alone, as a signal of the calling component's own
    /// (`ui::reactive::follow`), which leaves nothing in the page-wide signal when it is gone.
    pub fn selected(self, id: &'static str) -> Signal<bool> {
        let fig = self.fig;
        crate::ui::reactive::follow(move || fig.get().map(|f| f.id) == Some(id)).into()
    }
}

/// Provides the focus for the views below the shell.
pub fn provide_focus(fig: Signal<Option<&'static FigureDef>>) -> FigFocus {
    let focus = FigFocus { fig };
    provide_context(focus);
    focus
}

/// Whether the control of URL key `key` is one the lone figure needs (always true outside an embed
/// of one figure; the stylesheet only hides controls in `body.fig-only`).
pub fn needs_control(key: &'static str) -> impl Fn() -> bool + Send + Sync + Copy + 'static {
    let fig = use_context::<FigFocus>().map(|f| f.fig);
    let needed =
        crate::ui::reactive::follow(move || fig.and_then(|f| f.get()).is_none_or(|f| f.controls.contains(&key)));
    move || needed.get()
}
