//! Bytes -> model: input unwrapping (`input`) and the multistatus parser (`xml`).
//! Never imports the UI.

pub mod input;
pub mod parallel;
pub mod xml;
