//! The window's panels: each a struct holding only view state, with one `ui`.

pub mod compare;
pub mod details;
pub mod overview;
pub mod raw;
pub mod tree;
