//! What the benches share: generated payloads (cached in bench-data/) and medians.

use std::path::PathBuf;

/// `bench-data/ms-<N>k[-after].xml` from `../shared/tools/gen_multistatus.py`,
/// generated when missing.
pub fn payload(responses: usize, variant: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("bench-data");
    let _ = std::fs::create_dir_all(&dir);
    let suffix = if variant == "after" { "-after" } else { "" };
    let name = if responses >= 1000 && responses.is_multiple_of(1000) {
        format!("ms-{}k{suffix}.xml", responses / 1000)
    } else {
        format!("ms-{responses}{suffix}.xml")
    };
    let path = dir.join(name);
    if !path.exists() {
        let ok = std::process::Command::new("python3")
            .arg(root.join("../shared/tools/gen_multistatus.py"))
            .args([
                "--responses",
                &responses.to_string(),
                "--seed",
                "1",
                "--variant",
                variant,
            ])
            .arg("--out")
            .arg(&path)
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "cannot generate {}", path.display());
    }
    path
}

/// The median of some timings.
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(f64::NAN)
}
