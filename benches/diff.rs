#![allow(clippy::expect_used)]
//! Diffing two payloads against loading one of them, in the same run: the 1M
//! "before" payload of `../shared/tools/gen_multistatus.py` and its "after" twin
//! (goal: the diff costs no more than one load). Prints medians of interleaved
//! rounds. `DAVSCOPE_BENCH_1M=0` uses 100k responses.

use std::path::PathBuf;
use std::time::Instant;

use davscope::core::diff::{DiffOptions, diff};
use davscope::core::document::{LoadOptions, load_path};

fn payload(responses: usize, variant: &str) -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let dir = root.join("bench-data");
    let _ = std::fs::create_dir_all(&dir);
    let suffix = if variant == "after" { "-after" } else { "" };
    let path = dir.join(format!("ms-{}k{suffix}.xml", responses / 1000));
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
                "--out",
            ])
            .arg(&path)
            .stdout(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success());
        assert!(ok, "cannot generate {}", path.display());
    }
    path
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let n = if std::env::var("DAVSCOPE_BENCH_1M").as_deref() == Ok("0") {
        100_000
    } else {
        1_000_000
    };
    let (before, after) = (payload(n, "before"), payload(n, "after"));
    let rounds = 5;
    let (mut loads, mut diffs) = (Vec::new(), Vec::new());
    let mut counts = String::new();
    for _ in 0..rounds {
        let t = Instant::now();
        let b = load_path(&before, LoadOptions::default())
            .expect("load")
            .remove(0);
        loads.push(t.elapsed().as_secs_f64());
        let a = load_path(&after, LoadOptions::default())
            .expect("load")
            .remove(0);
        let t = Instant::now();
        let d = diff(&b, &a, DiffOptions::default());
        diffs.push(t.elapsed().as_secs_f64());
        counts = format!(
            "fixed {} regressed {} still_failing {} unchanged {}",
            d.count(davscope::core::diff::ChangeKind::Fixed),
            d.count(davscope::core::diff::ChangeKind::Regressed),
            d.count(davscope::core::diff::ChangeKind::StillFailing),
            d.count(davscope::core::diff::ChangeKind::Unchanged)
        );
    }
    let (l, d) = (median(loads), median(diffs));
    println!(
        "{n} responses, {rounds} rounds: load {l:.3} s, diff {d:.3} s = {:.2}x one load (goal <= 1.0)",
        d / l
    );
    println!("{counts}");
}
