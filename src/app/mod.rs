//! The window (placeholder until the explorer lands).

/// Opens the window.
pub fn run(_files: Vec<std::path::PathBuf>) -> anyhow::Result<()> {
    anyhow::bail!("the window is not built yet")
}
