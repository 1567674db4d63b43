//! [`relay`]: a view-lifetime memo read through a signal, so that the parts of a view that are rebuilt
//! leave nothing behind.
//!
//! In reactive_graph 0.2 a memo, or an `RwSignal`, forgets a subscriber only when that subscriber
//! runs again; one dropped without running again (an effect inside a `Show` that closed, inside a
//! list that was rebuilt, inside a `move ||` view that changed shape) stays in the subscriber set,
//! with the allocation its weak reference keeps, for as long as the memo or signal lives: ≈ 70 bytes
//! each, and a rebuilt panel drops dozens. A signal made by `signal()` and written through its write
//! half empties its subscriber set at every change instead (live subscribers subscribe again when
//! they re-run), so dropped ones are gone at its next change. Values that live as long as a view and
//! are read by its rebuilt parts are therefore such signals: [`relay`]s of the view's memos, and the
//! runner's `JobRun`.

use leptos::prelude::*;
use leptos::reactive::graph::{Subscriber, ToAnySubscriber};

/// `memo`'s value in a signal that follows it synchronously (an [`ImmediateEffect`] copies each new
/// value, so a reader never sees an older value than the memo holds). The copy lives as long as the
/// current owner. Read view-wide values that rebuilt parts of the view depend on through this.
pub fn relay<T>(memo: Memo<T>) -> ReadSignal<T>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    follow(move || memo.get())
}

/// `f()` in a signal, recomputed synchronously whenever what it reads changes, for as long as the
/// current owner lives; at its cleanup the follower unsubscribes from what it read. So a view reads a
/// session-wide signal (which outlives it) through this, and leaves nothing in it when it closes.
pub fn follow<T>(f: impl Fn() -> T + Send + Sync + 'static) -> ReadSignal<T>
where
    T: Clone + PartialEq + Send + Sync + 'static,
{
    let (value, set) = signal(untrack(&f));
    let effect = ImmediateEffect::new(move || {
        let next = f();
        if value.with_untracked(|v| *v != next) {
            set.set(next);
        }
    });
    Owner::on_cleanup(move || {
        let me = effect.to_any_subscriber();
        me.clear_sources(&me);
    });
    value
}
