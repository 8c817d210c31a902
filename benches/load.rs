//! Load benchmarks on generated 100k- and 1M-response payloads.
//!
//! In one run, over the same bytes: (a) a bare quick-xml event loop that builds
//! nothing (the ceiling), (b) `parse_body` alone, (c) the full `load_bytes` (parse +
//! path tree; sequential with one thread and parallel on every core), (d) two
//! filters on the loaded document. Besides the criterion groups
//! it prints, from a few interleaved manual rounds, the median ratios the engine is
//! judged by (load / bare loop, filter / load) and the peak heap `load_bytes` takes,
//! measured by a counting global allocator, as a multiple of the payload size.
//!
//! Payloads are generated once into `bench-data/` (gitignored) by
//! `../shared/tools/gen_multistatus.py`. `DAVSCOPE_BENCH_1M=0` skips the 1M payload
//! (~650 MB). Under `cargo test --benches` (criterion's test mode) a small payload is
//! used and every routine runs once.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput};
use davscope::core::document::{Bytes, Document, LoadOptions, load_bytes};
use davscope::core::filter::{self, FilterQuery};
use davscope::core::model::{Condition, Propstat, Response};
use davscope::core::parse::xml::parse_body;
use davscope::core::tree::{Node, PathTree};
use quick_xml::Reader;
use quick_xml::events::Event;

/// Counts live heap bytes while `TRACKING` is set, and their peak.
struct CountingAlloc;

static TRACKING: AtomicBool = AtomicBool::new(false);
/// Net bytes allocated since tracking started (frees of older blocks make it dip).
static NET: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

fn track(delta: isize) {
    if TRACKING.load(Ordering::Relaxed) {
        let now = NET.fetch_add(delta, Ordering::Relaxed) + delta;
        PEAK.fetch_max(now, Ordering::Relaxed);
    }
}

// SAFETY: every call is forwarded unchanged to the system allocator; the wrapper only
// updates counters and never touches the memory.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for CountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let ptr = unsafe { System.alloc(layout) };
        if !ptr.is_null() {
            track(layout.size() as isize);
        }
        ptr
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let ptr = unsafe { System.alloc_zeroed(layout) };
        if !ptr.is_null() {
            track(layout.size() as isize);
        }
        ptr
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) };
        track(-(layout.size() as isize));
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let new = unsafe { System.realloc(ptr, layout, new_size) };
        if !new.is_null() {
            track(new_size as isize - layout.size() as isize);
        }
        new
    }
}

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// Runs `f` and returns its result with the peak and the retained heap growth (bytes)
/// it caused. Memory allocated before the call (the input payload) is not counted.
fn heap_of<T>(f: impl FnOnce() -> T) -> (T, usize, usize) {
    NET.store(0, Ordering::SeqCst);
    PEAK.store(0, Ordering::SeqCst);
    TRACKING.store(true, Ordering::SeqCst);
    let out = f();
    TRACKING.store(false, Ordering::SeqCst);
    let peak = PEAK.load(Ordering::SeqCst).max(0) as usize;
    let retained = NET.load(Ordering::SeqCst).max(0) as usize;
    (out, peak, retained)
}

const OUTCOME_QUERY: &str = "outcome:failed";
const PATH_QUERY: &str = "path:/remote.php/** -status:404";

/// The bare ceiling: every event of the payload, nothing built.
fn bare_loop(bytes: &[u8]) -> u64 {
    let mut reader = Reader::from_reader(bytes);
    let mut events = 0u64;
    loop {
        match reader.read_event() {
            Ok(Event::Eof) => break,
            Ok(event) => {
                black_box(&event);
                events += 1;
            }
            Err(err) => panic!("the generated payload is malformed: {err}"),
        }
    }
    events
}

/// The load as the app and the CLI run it: parallel on every core.
fn load(bytes: &Arc<Bytes>) -> Vec<Document> {
    load_bytes("bench", bytes.clone(), LoadOptions::default())
        .unwrap_or_else(|e| panic!("load_bytes failed: {e}"))
}

/// The sequential load (`--threads 1`).
fn load_sequential(bytes: &Arc<Bytes>) -> Vec<Document> {
    let options = LoadOptions {
        threads: Some(1),
        ..LoadOptions::default()
    };
    load_bytes("bench", bytes.clone(), options).unwrap_or_else(|e| panic!("load_bytes failed: {e}"))
}

/// Median and spread (min..max) of per-round ratios.
fn ratio_stats(num: &[f64], den: &[f64]) -> (f64, f64, f64) {
    let r: Vec<f64> = num.iter().zip(den).map(|(n, d)| n / d).collect();
    let min = r.iter().copied().fold(f64::INFINITY, f64::min);
    let max = r.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    (median(r), min, max)
}

fn query(text: &str) -> FilterQuery {
    FilterQuery::parse(text).unwrap_or_else(|e| panic!("query {text:?}: {e}"))
}

/// The generated payload with `responses` responses, made on first use.
fn payload(responses: usize) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let name = format!("ms-{}k.xml", responses / 1000);
    let path = root.join("bench-data").join(&name);
    if path.exists() {
        return path;
    }
    std::fs::create_dir_all(root.join("bench-data"))
        .unwrap_or_else(|e| panic!("cannot create bench-data/: {e}"));
    // Written under a temporary name so an interrupted run leaves no partial payload.
    let partial = format!("bench-data/{name}.partial");
    eprintln!("generating bench-data/{name} ({responses} responses)...");
    let started = Instant::now();
    let status = std::process::Command::new("python3")
        .current_dir(root)
        .args(["../shared/tools/gen_multistatus.py", "--responses"])
        .arg(responses.to_string())
        .args(["--seed", "1", "--out", &partial])
        .stdout(std::process::Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("cannot run python3: {e}"));
    assert!(status.success(), "gen_multistatus.py failed: {status}");
    std::fs::rename(root.join(&partial), &path)
        .unwrap_or_else(|e| panic!("cannot rename {partial}: {e}"));
    eprintln!("  done in {:.1} s", started.elapsed().as_secs_f64());
    path
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn secs(f: impl FnOnce()) -> f64 {
    let t = Instant::now();
    f();
    t.elapsed().as_secs_f64()
}

fn mb_per_s(bytes: usize, secs: f64) -> f64 {
    bytes as f64 / 1e6 / secs
}

/// Interleaved manual rounds and the heap measurement, printed to stdout.
fn report(label: &str, bytes: &Arc<Bytes>, rounds: usize) {
    let len = bytes.len();
    let outcome_q = query(OUTCOME_QUERY);
    let path_q = query(PATH_QUERY);

    let (docs, peak, retained) = heap_of(|| load(bytes));
    let (parsed, parse_peak, _) = heap_of(|| parse_body(bytes, None));
    let Some(ms) = docs.first().and_then(|d| d.multistatus.as_ref()) else {
        panic!("{label}: no multistatus");
    };
    let responses = ms.responses.len();
    assert_eq!(
        parsed.multistatus.map(|m| m.responses.len()),
        Some(responses)
    );
    assert!(
        parsed.problems.is_empty(),
        "{label}: the generated payload has problems: {:?}",
        &parsed.problems[..parsed.problems.len().min(3)]
    );
    let tree = &docs[0].tree;
    let failed = filter::apply(&outcome_q, ms, tree, None).matched_count;
    let kept = filter::apply(&path_q, ms, tree, None).matched_count;

    let (mut bare, mut parse, mut build, mut full, mut f_outcome, mut f_path) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    let mut sequential = vec![];
    let mut events = 0;
    for _ in 0..rounds {
        bare.push(secs(|| events = bare_loop(bytes)));
        parse.push(secs(|| {
            black_box(parse_body(bytes, None));
        }));
        build.push(secs(|| {
            black_box(PathTree::build(ms, bytes, None));
        }));
        // The model's drop is not part of the load.
        let mut out = Vec::new();
        sequential.push(secs(|| out = load_sequential(bytes)));
        drop(out);
        let mut out = Vec::new();
        full.push(secs(|| out = load(bytes)));
        drop(out);
        f_outcome.push(secs(|| {
            black_box(filter::apply(&outcome_q, ms, tree, None));
        }));
        f_path.push(secs(|| {
            black_box(filter::apply(&path_q, ms, tree, None));
        }));
    }
    let ratios =
        |num: &[f64], den: &[f64]| median(num.iter().zip(den).map(|(n, d)| n / d).collect());
    let parse_over_bare = ratios(&parse, &bare);
    let load_over_bare = ratios(&full, &bare);
    let build_over_load = ratios(&build, &full);
    let outcome_over_load = ratios(&f_outcome, &full);
    let path_over_load = ratios(&f_path, &full);
    let mb = len as f64 / 1e6;
    let (seq_med, seq_min, seq_max) = ratio_stats(&sequential, &bare);
    let (par_med, par_min, par_max) = ratio_stats(&full, &bare);
    let spread = |v: &[f64]| {
        let min = v.iter().copied().fold(f64::INFINITY, f64::min);
        let max = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        format!("{:.1}..{:.1} ms", min * 1e3, max * 1e3)
    };
    println!();
    println!(
        "== {label}: {mb:.1} MB, {responses} responses, {events} events; medians of {rounds} interleaved rounds"
    );
    println!(
        "  (a) bare quick-xml loop  {:>8.1} MB/s  {:>9.1} ms",
        mb_per_s(len, median(bare.clone())),
        median(bare.clone()) * 1e3
    );
    println!(
        "  (b) parse_body           {:>8.1} MB/s  {:>9.1} ms  parse/bare time {parse_over_bare:.2} (= {:.0}% of bare throughput)",
        mb_per_s(len, median(parse.clone())),
        median(parse.clone()) * 1e3,
        100.0 / parse_over_bare
    );
    println!(
        "  (c) load_bytes           {:>8.1} MB/s  {:>9.1} ms  load/bare time {load_over_bare:.2} (= {:.0}% of bare throughput)",
        mb_per_s(len, median(full.clone())),
        median(full.clone()) * 1e3,
        100.0 / load_over_bare
    );
    println!(
        "  time / bare loop time, median of {rounds} interleaved rounds [spread]: sequential load {seq_med:.2} [{seq_min:.2}..{seq_max:.2}], parallel load {par_med:.2} [{par_min:.2}..{par_max:.2}] (goal <= 1.0 on 2+ cores; {} threads)",
        std::thread::available_parallelism().map_or(1, |n| n.get())
    );
    println!(
        "  spreads: bare {}, sequential {}, parallel {}",
        spread(&bare),
        spread(&sequential),
        spread(&full)
    );
    println!(
        "      PathTree::build alone             {:>9.1} ms  = {:.0}% of load_bytes",
        median(build) * 1e3,
        100.0 * build_over_load
    );
    println!(
        "  (d) filter {OUTCOME_QUERY:<28} {:>9.2} ms  filter/load 1/{:.0} ({failed} matched; goal < 1/20)",
        median(f_outcome) * 1e3,
        1.0 / outcome_over_load
    );
    println!(
        "  (d) filter {PATH_QUERY:<28} {:>9.2} ms  filter/load 1/{:.0} ({kept} matched; goal < 1/20)",
        median(f_path) * 1e3,
        1.0 / path_over_load
    );
    println!(
        "  heap: load_bytes peak {:.1} MB = {:.3}x payload (goal <= 0.2x), retained {:.1} MB = {:.3}x; parse_body peak {:.3}x",
        peak as f64 / 1e6,
        peak as f64 / len as f64,
        retained as f64 / 1e6,
        retained as f64 / len as f64,
        parse_peak as f64 / len as f64
    );
    let bytes_of = |cap: usize, size: usize| (cap * size) as f64 / len as f64;
    println!(
        "  model by part (capacity x size, / payload): responses {:.3}x ({} B each), propstats {:.3}x ({} B each, {:.2} per response), shapes {} ({:.4}x), conditions {:.4}x, names {:.4}x, tree nodes {:.3}x ({} B each) + response_node {:.3}x",
        bytes_of(ms.responses.capacity(), size_of::<Response>()),
        size_of::<Response>(),
        bytes_of(ms.propstats.capacity(), size_of::<Propstat>()),
        size_of::<Propstat>(),
        ms.propstats.len() as f64 / responses.max(1) as f64,
        ms.shapes.len(),
        ms.shapes.heap_bytes() as f64 / len as f64,
        bytes_of(ms.conditions.capacity(), size_of::<Condition>()),
        ms.names.heap_bytes() as f64 / len as f64,
        bytes_of(tree.nodes.capacity(), size_of::<Node>()),
        size_of::<Node>(),
        bytes_of(tree.response_node.capacity(), size_of::<u32>()),
    );
    println!();
}

/// The criterion group of one payload.
fn bench_payload(c: &mut Criterion, label: &str, bytes: &Arc<Bytes>, large: bool) {
    let docs = load(bytes);
    let Some(ms) = docs.first().and_then(|d| d.multistatus.as_ref()) else {
        panic!("{label}: no multistatus");
    };
    let tree = &docs[0].tree;
    let outcome_q = query(OUTCOME_QUERY);
    let path_q = query(PATH_QUERY);

    let mut group = c.benchmark_group(label);
    group.throughput(Throughput::Bytes(bytes.len() as u64));
    group.sampling_mode(SamplingMode::Flat);
    group.sample_size(10);
    if large {
        group.warm_up_time(Duration::from_millis(500));
        group.measurement_time(Duration::from_secs(10));
    } else {
        group.warm_up_time(Duration::from_secs(1));
        group.measurement_time(Duration::from_secs(5));
    }
    group.bench_function("a_bare_quick_xml", |b| b.iter(|| bare_loop(bytes)));
    group.bench_function("b_parse_body", |b| b.iter(|| parse_body(bytes, None)));
    group.bench_function("c_load_sequential", |b| b.iter(|| load_sequential(bytes)));
    group.bench_function("c_load_bytes", |b| b.iter(|| load(bytes)));
    group.bench_function("d_filter_outcome_failed", |b| {
        b.iter(|| filter::apply(&outcome_q, ms, tree, None))
    });
    group.bench_function("d_filter_path_not_404", |b| {
        b.iter(|| filter::apply(&path_q, ms, tree, None))
    });
    group.finish();
}

fn read(path: &Path) -> Arc<Bytes> {
    let vec = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    Arc::new(Bytes::Owned(vec))
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    // Criterion's own rule: without `--bench` (cargo test --benches) it only tests.
    let test_mode = !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--test");
    let mut c = Criterion::default().configure_from_args();
    if test_mode {
        let bytes = read(&payload(2000));
        report("load-2k", &bytes, 1);
        bench_payload(&mut c, "load-2k", &bytes, false);
    } else {
        let bytes = read(&payload(100_000));
        report("load-100k", &bytes, 9);
        bench_payload(&mut c, "load-100k", &bytes, false);
        drop(bytes);
        if std::env::var("DAVSCOPE_BENCH_1M").is_ok_and(|v| v == "0") {
            println!("DAVSCOPE_BENCH_1M=0: the 1M payload is skipped");
        } else {
            let bytes = read(&payload(1_000_000));
            report("load-1M", &bytes, 7);
            bench_payload(&mut c, "load-1M", &bytes, true);
        }
    }
    c.final_summary();
}
