//! davscope: explore WebDAV 207 Multi-Status payloads.
//!
//! Data flow: input bytes (file, mmap) -> `core::parse::input` unwraps a raw HTTP
//! capture, a HAR entry or gzip -> `core::parse::xml` streams the body into a compact
//! `core::model::Multistatus` (spans into the body, interned names) with positioned
//! `Problem`s -> `core::document::Document` adds the `core::tree::PathTree` (hrefs
//! normalised by `core::href`) -> `core::filter` selects responses and visible nodes.
//! Two faces read that core: `cli` (headless commands, text and JSON) and `app`
//! (the eframe window, behind the `gui` feature). Dependencies point one way:
//! `cli -> core`, `app -> core`; `demo` (the practice server) serves both faces.

#[cfg(feature = "gui")]
pub mod app;
pub mod cli;
pub mod core;
pub mod demo;
