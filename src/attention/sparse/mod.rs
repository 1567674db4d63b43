//! (chapter module; filled in by its issue)
