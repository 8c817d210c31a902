#![allow(clippy::expect_used)]
//! Diffing two payloads against loading one of them, in the same run: the 1M
//! "before" payload of `../shared/tools/gen_multistatus.py` and its "after" twin
//! (goal: the diff costs no more than one load). Prints medians of interleaved
//! rounds. `DAVSCOPE_BENCH_1M=0` uses 100k responses.

use std::time::Instant;

mod common;
use common::{median, payload};

use davscope::core::diff::{DiffOptions, diff};
use davscope::core::document::{LoadOptions, load_path};

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
