//! The engine: GUI-free, synchronous, deterministic. Never imports egui, eframe or
//! rfd (CI builds it with `--no-default-features`).

pub mod checklist;
pub mod diagnose;
pub mod diff;
pub mod document;
pub mod fetch;
pub mod filter;
pub mod href;
pub mod model;
pub mod parse;
pub mod props;
pub mod render;
pub mod session;
pub mod status;
pub mod text;
pub mod tree;
