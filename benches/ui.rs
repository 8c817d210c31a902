//! The window's cost, headless (egui `Context::run_ui`, no window, no GPU): the CPU
//! time of a frame with 1k and with 1M responses loaded (goal: at 1M no more than
//! 1.5x the 1k frame), and at 1M the time to apply a filter and to expand all
//! failures (goal: under 100 ms each). Prints medians of interleaved rounds.
//!
//! `cargo bench --bench ui` (generates its payloads into bench-data/ when missing;
//! `DAVSCOPE_BENCH_1M=0` uses 100k instead of 1M).

use std::path::Path;
use std::time::Instant;

mod common;
use common::{median, payload};

use davscope::app::App;
use davscope::app::state::{Command, Persisted};

fn app_with(path: &Path) -> (egui::Context, App) {
    let ctx = egui::Context::default();
    let mut app = App::new(
        Persisted::default(),
        None,
        vec![path.to_path_buf()],
        Some(&ctx),
    );
    app.wait_for_loads();
    // Close the built-in sample if any: only the payload is open.
    (ctx, app)
}

fn frame(ctx: &egui::Context, app: &mut App) -> f64 {
    let input = egui::RawInput {
        screen_rect: Some(egui::Rect::from_min_size(
            egui::Pos2::ZERO,
            egui::vec2(1400.0, 900.0),
        )),
        ..Default::default()
    };
    let t = Instant::now();
    let _ = ctx.run_ui(input, |ui| app.frame_ui(ui));
    t.elapsed().as_secs_f64()
}

fn main() {
    let big_n = if std::env::var("DAVSCOPE_BENCH_1M").as_deref() == Ok("0") {
        100_000
    } else {
        1_000_000
    };
    let small = payload(1_000, "before");
    let big = payload(big_n, "before");
    let (sctx, mut sapp) = app_with(&small);
    let (bctx, mut bapp) = app_with(&big);
    assert_eq!(
        bapp.state.doc().map(|d| d.doc.responses().len()),
        Some(big_n)
    );
    // Warm up (fonts, layout caches).
    for _ in 0..5 {
        frame(&sctx, &mut sapp);
        frame(&bctx, &mut bapp);
    }
    let (mut fs, mut fb) = (Vec::new(), Vec::new());
    for _ in 0..60 {
        fs.push(frame(&sctx, &mut sapp));
        fb.push(frame(&bctx, &mut bapp));
    }
    let (fs, fb) = (median(fs), median(fb));
    println!("frame with 1k responses:  {:.2} ms", fs * 1e3);
    println!(
        "frame with {}k responses: {:.2} ms  ({:.2}x the 1k frame; goal <= 1.5x)",
        big_n / 1000,
        fb * 1e3,
        fb / fs
    );
    let mut filter = Vec::new();
    let mut reveal = Vec::new();
    let mut expand = Vec::new();
    for round in 0..5 {
        let q = if round % 2 == 0 {
            "status:403"
        } else {
            "outcome:failed -status:424"
        };
        let t = Instant::now();
        bapp.state.handle(Command::SetFilter(q.into()), None);
        filter.push(t.elapsed().as_secs_f64());
        bapp.state.handle(Command::ClearFilters, None);
        bapp.state.handle(Command::CollapseAll, None);
        let t = Instant::now();
        bapp.state.handle(Command::RevealFailures, None);
        reveal.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        bapp.state.handle(Command::ExpandAll, None);
        expand.push(t.elapsed().as_secs_f64());
    }
    println!(
        "apply a filter at {}k:     {:.1} ms (goal < 100 ms)",
        big_n / 1000,
        median(filter) * 1e3
    );
    println!(
        "reveal failures at {}k:    {:.1} ms (goal < 100 ms)",
        big_n / 1000,
        median(reveal) * 1e3
    );
    println!(
        "expand all at {}k:         {:.1} ms",
        big_n / 1000,
        median(expand) * 1e3
    );
    let f = frame(&bctx, &mut bapp);
    println!(
        "frame after expanding all at {}k: {:.2} ms",
        big_n / 1000,
        f * 1e3
    );
}
