//! The window's panels: each a struct holding only view state, with one `ui`.

pub mod compare;
pub mod details;
pub mod diagnosis;
pub mod overview;
pub mod raw;
pub mod request;
pub mod tree;
