//! Teaching aids over every chapter: the guided tour's panel and highlight ([`tour`]), and classroom
//! mode's one-figure full screen ([`full_screen`]). Both are driven by the URL (`tour=`, `step=`,
//! `class=`) through the shell.

pub mod full_screen;
pub mod highlight;
pub mod keys;
pub mod tour;
