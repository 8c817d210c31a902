//! Times the stages of a load on one file, interleaved with the bare loop, and
//! prints medians: `cargo run --release --example load_timing -- FILE [ROUNDS]`.
//! A quick check between criterion runs (benches/load.rs holds the goals).

use std::time::Instant;

use davscope::core::document::{LoadOptions, load_path};
use davscope::core::filter::{FilterQuery, apply};
use davscope::core::parse::xml::parse_body;

fn bare(bytes: &[u8]) -> u64 {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut n = 0;
    while let Ok(e) = reader.read_event() {
        if matches!(e, quick_xml::events::Event::Eof) {
            break;
        }
        n += 1;
    }
    n
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let path = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "bench-data/ms-100k.xml".into());
    let rounds: usize = std::env::args()
        .nth(2)
        .and_then(|r| r.parse().ok())
        .unwrap_or(5);
    // A third argument: the "after" twin, to time a diff against a load.
    let after = std::env::args().nth(3);
    let Ok(data) = std::fs::read(&path) else {
        eprintln!("cannot read {path}");
        return;
    };
    let (mut b, mut p, mut l, mut f1, mut f2, mut tb) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let q1 = FilterQuery::parse("outcome:failed").ok();
    let q2 = FilterQuery::parse("path:/remote.php/** -status:404").ok();
    for _ in 0..rounds {
        let t = Instant::now();
        std::hint::black_box(bare(&data));
        b.push(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let parsed = parse_body(&data, None);
        p.push(t.elapsed().as_secs_f64());
        if let Some(ms) = &parsed.multistatus {
            let t = Instant::now();
            std::hint::black_box(davscope::core::tree::PathTree::build(ms, &data, None));
            tb.push(t.elapsed().as_secs_f64());
        }
        let t = Instant::now();
        // What a user waits for: the file memory-mapped, parsed and indexed.
        let docs = load_path(std::path::Path::new(&path), LoadOptions::default());
        l.push(t.elapsed().as_secs_f64());
        if let Ok(docs) = docs
            && let (Some(doc), Some(q1), Some(q2)) = (docs.first(), &q1, &q2)
            && let Some(ms) = &doc.multistatus
        {
            let t = Instant::now();
            std::hint::black_box(apply(q1, ms, &doc.tree, None));
            f1.push(t.elapsed().as_secs_f64());
            let t = Instant::now();
            std::hint::black_box(apply(q2, ms, &doc.tree, None));
            f2.push(t.elapsed().as_secs_f64());
        }
    }
    if let Some(after) = &after {
        let opts = || LoadOptions::default();
        let (Ok(mut b), Ok(mut a)) = (
            load_path(std::path::Path::new(&path), opts()),
            load_path(std::path::Path::new(after), opts()),
        ) else {
            eprintln!("cannot load the pair");
            return;
        };
        let (b, a) = (b.remove(0), a.remove(0));
        let mut d = vec![];
        for _ in 0..rounds {
            let t = Instant::now();
            std::hint::black_box(davscope::core::diff::diff(&b, &a, Default::default()));
            d.push(t.elapsed().as_secs_f64());
        }
        let d = median(d);
        println!("diff  {d:.3}s = {:.2}x one load", d / median(l.clone()));
    }
    let mb = data.len() as f64 / 1e6;
    let (b, p, l) = (median(b), median(p), median(l));
    println!("bare  {:.3}s {:.0} MB/s", b, mb / b);
    println!(
        "parse {:.3}s {:.0} MB/s  {:.0}% of bare",
        p,
        mb / p,
        100.0 * b / p
    );
    println!(
        "load  {:.3}s {:.0} MB/s  {:.0}% of bare (mmap, parse, tree)",
        l,
        mb / l,
        100.0 * b / l
    );
    if !tb.is_empty() {
        println!("tree  {:.3}s", median(tb));
    }
    if !f1.is_empty() {
        let (f1, f2) = (median(f1), median(f2));
        println!(
            "filter outcome:failed {:.1} ms = 1/{:.0} of load",
            f1 * 1e3,
            l / f1
        );
        println!(
            "filter path+status    {:.1} ms = 1/{:.0} of load",
            f2 * 1e3,
            l / f2
        );
    }
}
