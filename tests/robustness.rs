#![allow(clippy::expect_used, clippy::unwrap_used)]
//! Robustness of the loader against damaged input: seeded random mutations of every
//! sample and of generated payloads never panic and only give positioned problems;
//! a truncated payload keeps exactly its complete responses; entity bombs and deep
//! nesting load in bounded memory.
//!
//! Deterministic: a splitmix64 PRNG with a fixed seed. `DAVSCOPE_FUZZ_SEED` and
//! `DAVSCOPE_FUZZ_CASES` (mutated inputs per source) change the run; inputs that fail
//! are written to `$CARGO_TARGET_TMPDIR/robustness/` for replay.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::{Cell, RefCell};
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Once};
use std::time::{Duration, Instant};

use davscope::core::document::{Bytes, Document, LoadOptions, load_bytes};
use davscope::core::filter::{FilterQuery, apply};
use davscope::core::model::Severity;
use davscope::core::parse::input::Format;

// ---------------------------------------------------------------------------------
// Per-thread heap accounting, so tests running in parallel do not disturb each other.

struct ThreadCountingAlloc;

thread_local! {
    static LIVE: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
}

fn track(delta: isize) {
    let _ = LIVE.try_with(|live| {
        let now = live.get() + delta;
        live.set(now);
        let _ = PEAK.try_with(|peak| peak.set(peak.get().max(now)));
    });
}

// SAFETY: every call is forwarded unchanged to the system allocator; the wrapper only
// updates const-initialised thread-local counters, which never allocate.
#[allow(unsafe_code)]
unsafe impl GlobalAlloc for ThreadCountingAlloc {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: same contract as the caller's.
        let ptr = unsafe { System.alloc(layout) };
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
static ALLOC: ThreadCountingAlloc = ThreadCountingAlloc;

/// Runs `f` and gives its result with the peak heap growth (bytes) it caused on this
/// thread.
fn peak_heap<T>(f: impl FnOnce() -> T) -> (T, usize) {
    let base = LIVE.with(Cell::get);
    PEAK.with(|p| p.set(base));
    let out = f();
    let peak = PEAK.with(Cell::get) - base;
    (out, peak.max(0) as usize)
}

// ---------------------------------------------------------------------------------
// PRNG and inputs.

/// splitmix64: tiny, seedable, good enough to pick mutations.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (0 when `n` is 0).
    fn below(&mut self, n: usize) -> usize {
        if n == 0 {
            0
        } else {
            (self.next() % n as u64) as usize
        }
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn manifest_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every sample file (the README and the generator script aside).
fn samples() -> Vec<(String, Vec<u8>)> {
    let dir = manifest_dir().join("samples");
    let mut out: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("dir entry").path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
            p.is_file() && name != "README.md" && !name.ends_with(".py")
        })
        .map(|p| {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let bytes = std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
            (name, bytes)
        })
        .collect();
    out.sort();
    assert!(out.len() >= 13, "samples/ shrank: {}", out.len());
    out
}

/// A payload from `../shared/tools/gen_multistatus.py`.
fn generated(responses: usize, seed: u64, prefix: &str, layout: &str) -> (String, Vec<u8>) {
    let output = std::process::Command::new("python3")
        .current_dir(manifest_dir())
        .args(["../shared/tools/gen_multistatus.py", "--responses"])
        .arg(responses.to_string())
        .arg("--seed")
        .arg(seed.to_string())
        .args([
            "--failure-rate",
            "0.3",
            "--prefix",
            prefix,
            "--layout",
            layout,
        ])
        .args(["--out", "-"])
        .output()
        .unwrap_or_else(|e| panic!("cannot run python3: {e}"));
    assert!(
        output.status.success(),
        "gen_multistatus.py: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let name = format!("gen-{responses}-seed{seed}-prefix[{prefix}]-{layout}");
    (name, output.stdout)
}

fn generated_set() -> Vec<(String, Vec<u8>)> {
    vec![
        generated(40, 1, "D", "lines"),
        generated(30, 2, "d", "compact"),
        generated(30, 3, "", "indent"),
        generated(20, 4, "ns0", "lines"),
    ]
}

// ---------------------------------------------------------------------------------
// Loading one input and checking the invariants.

// Quiets the panic message of cases run under `catch_unwind` on this thread while
// keeping where it happened; other threads keep the default hook.
thread_local! {
    static CATCHING: Cell<bool> = const { Cell::new(false) };
    static LAST_PANIC: RefCell<String> = const { RefCell::new(String::new()) };
}

fn install_panic_hook() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if CATCHING.with(Cell::get) {
                let at = info
                    .location()
                    .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
                    .unwrap_or_default();
                let msg = info
                    .payload()
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| info.payload().downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                LAST_PANIC.with(|l| *l.borrow_mut() = format!("panicked at {at}: {msg}"));
            } else {
                default(info);
            }
        }));
    });
}

fn load(bytes: &[u8]) -> Vec<Document> {
    load_bytes(
        "mutant",
        Arc::new(Bytes::Owned(bytes.to_vec())),
        LoadOptions::default(),
    )
    .unwrap_or_else(|e| panic!("load_bytes refused the input: {e}"))
}

/// Loads `bytes` and checks every invariant; `Err` says what broke.
fn check(bytes: &[u8]) -> Result<Vec<Document>, String> {
    install_panic_hook();
    CATCHING.with(|c| c.set(true));
    let result = catch_unwind(AssertUnwindSafe(|| {
        let docs = load(bytes);
        let query = FilterQuery::parse("path:/** -status:404 a").expect("query");
        for doc in &docs {
            // Downstream readers of the model must not trip over it either.
            for r in doc.responses() {
                let _ = doc.hrefs(r);
            }
            if let Some(ms) = &doc.multistatus {
                let _ = apply(&query, ms, &doc.tree, None);
            }
        }
        docs
    }));
    CATCHING.with(|c| c.set(false));
    let docs = result.map_err(|_| LAST_PANIC.with(|l| l.borrow().clone()))?;
    for doc in &docs {
        let len = doc.body.bytes().len() as u64;
        for p in &doc.problems {
            if p.line < 1 || p.column < 1 || p.offset > len {
                return Err(format!(
                    "badly positioned problem (body is {len} bytes): {p:?}"
                ));
            }
        }
        if let Some(ms) = &doc.multistatus {
            for (i, r) in ms.responses.iter().enumerate() {
                let span = r.span();
                if span.start > span.end || span.end > len {
                    return Err(format!("response #{i} span {span:?} outside the body"));
                }
                // Read again in full, a response agrees with its compact record.
                let Some(d) = doc.detail(i) else {
                    return Err(format!("response #{i} cannot be read again"));
                };
                let codes: Vec<Option<u16>> = d.propstats.iter().map(|p| p.code()).collect();
                let want: Vec<Option<u16>> = ms.propstats_of(r).iter().map(|p| p.code()).collect();
                if codes != want || d.status.and_then(|s| s.code()) != r.status_code() {
                    return Err(format!(
                        "response #{i} read again differs: {codes:?} vs {want:?}"
                    ));
                }
            }
            if doc.tree.response_node.len() != ms.responses.len() {
                return Err(format!(
                    "tree maps {} responses, the model has {}",
                    doc.tree.response_node.len(),
                    ms.responses.len()
                ));
            }
        }
    }
    Ok(docs)
}

fn save_failure(name: &str, bytes: &[u8]) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("robustness");
    let _ = std::fs::create_dir_all(&dir);
    let path = dir.join(name);
    let _ = std::fs::write(&path, bytes);
    path
}

// ---------------------------------------------------------------------------------
// Mutations.

const DOCTYPE: &str = "<!DOCTYPE x [<!ENTITY a \"&a;&a;\">]>";

const TOKENS: &[&[u8]] = &[
    b"<",
    b"&",
    b"]]>",
    DOCTYPE.as_bytes(),
    b"\0",
    b"\xEF\xBB\xBF",
    b"\xFF\xFE",
    b"\xFE\xFF",
    b"\xC3",
    b"\xFF",
    b"&#0;",
    b"&#xD800;",
    b"&#99999999999;",
    b"&lol;",
    b"&amp",
    b"<![CDATA[",
    b"<!--",
    b"-->",
    b"<?xml version=\"1.0\"?>",
    b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?>",
    b"\"",
    b"'",
    b">",
    b"/>",
    b"\r",
    b"</D:response>",
    b"<D:response>",
    b"</d:multistatus>",
    b"<D:multistatus xmlns:D=\"DAV:\">",
    b" xmlns:D=\"urn:not-dav\"",
    b"HTTP/1.1 207 Multi-Status\r\n\r\n",
];

const BOMS: &[&[u8]] = &[b"\xEF\xBB\xBF", b"\xFF\xFE", b"\xFE\xFF"];

const PREFIXES: &[&str] = &[
    "D:", "d:", "x:", "xml:", "xmlns:", "a:b:", ":", "0:", "ns0:", "\u{e9}:",
];
const URIS: &[&str] = &["DAV:", "urn:x", "", "&quot;", "DAV:\0"];

/// Offsets of `<`, where markup mutations bite.
fn tag_starts(buf: &[u8]) -> Vec<usize> {
    buf.iter()
        .enumerate()
        .filter(|(_, b)| **b == b'<')
        .map(|(i, _)| i)
        .collect()
}

/// Somewhere in `buf`: anywhere, in the first 64 bytes (the XML declaration), or at
/// a tag.
fn position(rng: &mut Rng, buf: &[u8]) -> usize {
    let dice = rng.below(6);
    if dice < 2 {
        rng.below(buf.len() + 1)
    } else if dice == 2 {
        rng.below(buf.len().min(64) + 1)
    } else {
        let tags = tag_starts(buf);
        if tags.is_empty() {
            rng.below(buf.len() + 1)
        } else {
            let at = *rng.pick(&tags);
            // At the `<`, or just after it (inside the name).
            (at + rng.below(2)).min(buf.len())
        }
    }
}

fn insert(buf: &mut Vec<u8>, at: usize, what: &[u8]) {
    let at = at.min(buf.len());
    buf.splice(at..at, what.iter().copied());
}

/// Applies one random mutation; returns what it did.
fn mutate_once(rng: &mut Rng, buf: &mut Vec<u8>) -> String {
    let len = buf.len();
    match rng.below(11) {
        0 => {
            let at = rng.below(len + 1);
            buf.truncate(at);
            format!("truncate@{at}")
        }
        1 => {
            let n = 1 + rng.below(4);
            for _ in 0..n {
                let at = position(rng, buf);
                if let Some(b) = buf.get_mut(at) {
                    *b ^= 1 + rng.below(255) as u8;
                }
            }
            format!("flip{n}")
        }
        2 | 3 => {
            let at = position(rng, buf);
            let token = *rng.pick(TOKENS);
            insert(buf, at, token);
            format!("insert@{at}:{:?}", String::from_utf8_lossy(token))
        }
        4 => {
            let at = rng.below(len + 1);
            let n = if rng.below(4) == 0 {
                rng.below(len - at + 1)
            } else {
                rng.below(200.min(len - at) + 1)
            };
            buf.drain(at..at + n);
            format!("delete@{at}+{n}")
        }
        5 => {
            let from = rng.below(len + 1);
            let n = rng.below(400.min(len - from) + 1);
            let chunk = buf[from..from + n].to_vec();
            let at = if rng.below(2) == 0 {
                from + n
            } else {
                position(rng, buf)
            };
            insert(buf, at, &chunk);
            format!("duplicate@{from}+{n}->{at}")
        }
        6 => {
            // A prefix on an element name (often unbound, sometimes absurd).
            let tags = tag_starts(buf);
            let at = if tags.is_empty() {
                0
            } else {
                let t = *rng.pick(&tags);
                if buf.get(t + 1) == Some(&b'/') {
                    t + 2
                } else {
                    t + 1
                }
            };
            let prefix = *rng.pick(PREFIXES);
            insert(buf, at, prefix.as_bytes());
            format!("prefix@{at}:{prefix}")
        }
        7 => {
            // A namespace declaration right after an element name.
            let tags = tag_starts(buf);
            let start = if tags.is_empty() { 0 } else { *rng.pick(&tags) };
            let name_end = buf[start..]
                .iter()
                .position(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
                .map(|e| start + e)
                .unwrap_or(buf.len());
            let prefix = rng.pick(PREFIXES).trim_end_matches(':');
            let uri = *rng.pick(URIS);
            let decl = if prefix.is_empty() || rng.below(4) == 0 {
                format!(" xmlns=\"{uri}\"")
            } else {
                format!(" xmlns:{prefix}=\"{uri}\"")
            };
            insert(buf, name_end, decl.as_bytes());
            format!("xmlns@{name_end}:{decl}")
        }
        8 => {
            let bom = *rng.pick(BOMS);
            let at = if rng.below(2) == 0 {
                0
            } else {
                position(rng, buf)
            };
            insert(buf, at, bom);
            format!("bom@{at}:{bom:02X?}")
        }
        9 => {
            let n = 1 + rng.below(8);
            let at = position(rng, buf);
            insert(buf, at, &vec![0u8; n]);
            format!("nul@{at}x{n}")
        }
        _ => {
            // A structural byte where another was.
            let specials = b"<>&;:\"'/=?! [\n";
            if buf.is_empty() {
                return "noop".to_string();
            }
            let at = position(rng, buf).min(buf.len() - 1);
            let b = *rng.pick(specials);
            buf[at] = b;
            format!("set@{at}:{:?}", b as char)
        }
    }
}

#[test]
fn random_mutations_never_panic_and_problems_are_positioned() {
    let started = Instant::now();
    let seed = env_u64("DAVSCOPE_FUZZ_SEED", 0x00DA_5C0F);
    let cases = env_u64("DAVSCOPE_FUZZ_CASES", 1000) as usize;
    let mut sources = samples();
    sources.extend(generated_set());
    let mut rng = Rng(seed);
    let mut failures: Vec<String> = Vec::new();
    let mut total = 0usize;
    let mut with_errors = 0usize;
    for (name, original) in &sources {
        // The unmutated input first: it must pass too.
        if let Err(e) = check(original) {
            failures.push(format!("{name} (unmutated): {e}"));
        }
        for case in 0..cases {
            let mut buf = original.clone();
            let ops: Vec<String> = (0..1 + rng.below(3))
                .map(|_| mutate_once(&mut rng, &mut buf))
                .collect();
            total += 1;
            match check(&buf) {
                Ok(docs) => {
                    if docs.iter().any(|d| d.error_count() > 0) {
                        with_errors += 1;
                    }
                }
                Err(e) => {
                    let saved = save_failure(&format!("{name}.case{case}"), &buf);
                    failures.push(format!(
                        "{name} case {case} [{}] -> {}: {e}",
                        ops.join(", "),
                        saved.display()
                    ));
                }
            }
        }
    }
    eprintln!(
        "{total} mutated inputs from {} sources ({with_errors} with errors) in {:.1} s",
        sources.len(),
        started.elapsed().as_secs_f64()
    );
    assert!(
        failures.is_empty(),
        "{} of {total} inputs failed (seed {seed:#x}):\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
}

// ---------------------------------------------------------------------------------
// Truncation keeps exactly the complete responses.

/// Offsets just after each `</…response>` end tag (any prefix, `>` included).
fn response_ends(body: &[u8]) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut i = 0;
    while let Some(rel) = body[i..].windows(2).position(|w| w == b"</") {
        let start = i + rel + 2;
        let Some(close) = body[start..].iter().position(|b| *b == b'>') else {
            break;
        };
        let name = std::str::from_utf8(&body[start..start + close])
            .unwrap_or("")
            .trim_end();
        let local = name.rsplit(':').next().unwrap_or(name);
        if local == "response" {
            ends.push(start + close + 1);
        }
        i = start;
    }
    ends
}

/// Offsets of each `<…response` start tag.
fn response_starts(body: &[u8]) -> Vec<usize> {
    let mut starts = Vec::new();
    for (i, _) in body.iter().enumerate().filter(|(_, b)| **b == b'<') {
        let rest = &body[i + 1..];
        let name_len = rest
            .iter()
            .position(|b| b.is_ascii_whitespace() || *b == b'>' || *b == b'/')
            .unwrap_or(rest.len());
        let name = std::str::from_utf8(&rest[..name_len]).unwrap_or("");
        if name.rsplit(':').next() == Some("response") {
            starts.push(i);
        }
    }
    starts
}

fn responses_kept(body: &[u8]) -> Result<(usize, usize, bool), String> {
    let docs = check(body)?;
    if docs.len() != 1 {
        return Err(format!("{} documents", docs.len()));
    }
    let doc = &docs[0];
    Ok((
        doc.responses().len(),
        doc.error_count(),
        doc.not_multistatus.is_some(),
    ))
}

#[test]
fn truncation_keeps_exactly_the_complete_responses() {
    let mut sources: Vec<(String, Vec<u8>)> = generated_set();
    // Plain, well-formed UTF-8 samples whose end tags the count below can rely on.
    for (name, bytes) in samples() {
        let docs = load(&bytes);
        let plain = docs.len() == 1
            && docs[0].info.format == Format::Xml
            && docs[0].info.transcoded_from.is_none()
            && docs[0].error_count() == 0
            && docs[0].multistatus.is_some();
        if plain && response_ends(&bytes).len() == docs[0].responses().len() {
            sources.push((name, bytes));
        }
    }
    let names: Vec<&str> = sources.iter().map(|(n, _)| n.as_str()).collect();
    assert!(
        sources.len() >= 8,
        "too few sources usable for the truncation check: {names:?}"
    );
    let mut rng = Rng(env_u64("DAVSCOPE_FUZZ_SEED", 0x7C07));
    let mut failures = Vec::new();
    let mut cuts_checked = 0;
    for (name, body) in &sources {
        let ends = response_ends(body);
        let (full, _, _) = responses_kept(body)
            .map_err(|e| format!("{name}: {e}"))
            .unwrap();
        assert_eq!(full, ends.len(), "{name}: the full payload");
        assert!(full > 0, "{name}");
        let root_end = body
            .iter()
            .rposition(|b| *b == b'>')
            .map(|e| e + 1)
            .unwrap_or(body.len());
        // Response boundaries (after each end tag, before each start tag), one byte
        // either side of them, and random cuts anywhere.
        let mut cuts: Vec<usize> = Vec::new();
        for &e in &ends {
            cuts.extend([e - 1, e, e + 1]);
        }
        for s in response_starts(body) {
            cuts.extend([s, s + 1]);
        }
        cuts.extend((0..150).map(|_| rng.below(body.len() + 1)));
        cuts.retain(|&c| c <= body.len());
        cuts.sort_unstable();
        cuts.dedup();
        for cut in cuts {
            let expected = ends.iter().filter(|&&e| e <= cut).count();
            cuts_checked += 1;
            match responses_kept(&body[..cut]) {
                Ok((kept, errors, not_ms)) => {
                    if kept != expected {
                        failures.push(format!(
                            "{name} cut at {cut}: {kept} responses kept, {expected} complete before the cut"
                        ));
                    }
                    if cut < root_end && errors == 0 && !not_ms {
                        failures.push(format!(
                            "{name} cut at {cut} (root ends at {root_end}): no error reported"
                        ));
                    }
                }
                Err(e) => failures.push(format!("{name} cut at {cut}: {e}")),
            }
        }
    }
    eprintln!(
        "{cuts_checked} truncations of {} payloads: {names:?}",
        sources.len()
    );
    assert!(
        failures.is_empty(),
        "{} of {cuts_checked} truncations wrong:\n{}",
        failures.len(),
        failures[..failures.len().min(20)].join("\n")
    );
}

// ---------------------------------------------------------------------------------
// Entity bombs and deep nesting.

/// Loads `body` on a thread with a small stack, within a time limit, and gives its
/// peak heap growth.
fn load_bounded(body: Vec<u8>, limit: Duration) -> (Vec<Document>, usize) {
    let len = body.len();
    let started = Instant::now();
    let handle = std::thread::Builder::new()
        .name("bounded-load".into())
        .stack_size(256 * 1024)
        .spawn(move || {
            let bytes = Arc::new(Bytes::Owned(body));
            let (docs, peak) =
                peak_heap(|| load_bytes("bounded", bytes, LoadOptions::default()).expect("load"));
            (docs, peak)
        })
        .expect("spawn");
    let (docs, peak) = handle
        .join()
        .expect("the load panicked or overflowed its stack");
    let took = started.elapsed();
    assert!(took < limit, "loading {len} bytes took {took:?}");
    (docs, peak)
}

#[test]
fn billion_laughs_is_never_expanded() {
    let mut dtd = String::from("<!DOCTYPE d:multistatus [\n <!ENTITY lol \"lol\">\n");
    for i in 1..=9 {
        let prev = if i == 1 {
            "lol".to_string()
        } else {
            format!("lol{}", i - 1)
        };
        dtd.push_str(&format!(
            " <!ENTITY lol{i} \"{}\">\n",
            format!("&{prev};").repeat(10)
        ));
    }
    dtd.push_str(" <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n]>\n");
    let body = format!(
        "<?xml version=\"1.0\"?>\n{dtd}<d:multistatus xmlns:d=\"DAV:\">\
<d:response><d:href>/&lol9;</d:href><d:propstat><d:prop>\
<d:displayname>&lol9;&lol9;</d:displayname><d:comment>&xxe;</d:comment></d:prop>\
<d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>\
<d:response><d:href>/b</d:href><d:status>HTTP/1.1 404 Not Found</d:status></d:response>\
</d:multistatus>\n"
    );
    let len = body.len();
    let (docs, peak) = load_bounded(body.into_bytes(), Duration::from_secs(10));
    let doc = &docs[0];
    assert_eq!(doc.responses().len(), 2);
    assert!(
        doc.problems
            .iter()
            .any(|p| p.severity == Severity::Warning && p.message.contains("document type")),
        "{:?}",
        doc.problems
    );
    let r = doc.responses()[0];
    assert_eq!(doc.hrefs(&r), ["/&lol9;"], "entities stay as written");
    // 10^9 "lol"s would be 3 GB; the document must stay a small multiple of its size.
    assert!(
        peak < 1024 * 1024 + 64 * len,
        "peak heap {peak} bytes for {len}"
    );
}

/// `<x:n>` nested `depth` times inside a property of a valid response.
fn deep_body(depth: usize, closed: bool, xmlns_each: bool) -> Vec<u8> {
    let mut s = String::from(
        "<d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>/a</d:href>\
<d:status>HTTP/1.1 200 OK</d:status></d:response>\
<d:response><d:href>/deep</d:href><d:propstat><d:prop><x:top xmlns:x=\"urn:x\">",
    );
    for i in 0..depth {
        if xmlns_each {
            s.push_str(&format!("<x:n xmlns:p{i}=\"urn:p{i}\">"));
        } else {
            s.push_str("<x:n>");
        }
    }
    if closed {
        for _ in 0..depth {
            s.push_str("</x:n>");
        }
        s.push_str(
            "</x:top></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>\
</d:multistatus>",
        );
    }
    s.into_bytes()
}

#[test]
fn deep_nesting_loads_in_bounded_stack_and_memory() {
    const DEPTH: usize = 50_000;
    let body = deep_body(DEPTH, true, false);
    let len = body.len();
    let (docs, peak) = load_bounded(body, Duration::from_secs(10));
    let doc = &docs[0];
    assert_eq!(doc.responses().len(), 2);
    assert_eq!(doc.error_count(), 0, "{:?}", doc.problems);
    assert!(peak < 1024 * 1024 + 64 * len, "peak heap {peak} for {len}");

    // The same, cut off inside the nesting: the complete response is kept.
    let body = deep_body(DEPTH, false, false);
    let (docs, _) = load_bounded(body, Duration::from_secs(10));
    assert_eq!(docs[0].responses().len(), 1);
    assert!(docs[0].error_count() > 0);

    // 50k nested elements with no multistatus at all, and a 50k-deep wrapper around one.
    let mut wrapped = "<a>".repeat(DEPTH);
    wrapped.push_str(
        "<multistatus xmlns=\"DAV:\"><response><href>/w</href>\
<status>HTTP/1.1 200 OK</status></response></multistatus>",
    );
    wrapped.push_str(&"</a>".repeat(DEPTH));
    let (docs, _) = load_bounded(wrapped.into_bytes(), Duration::from_secs(10));
    assert_eq!(docs[0].responses().len(), 1);
    let (docs, _) = load_bounded("<a>".repeat(DEPTH).into_bytes(), Duration::from_secs(10));
    assert!(docs[0].multistatus.is_none());
}

// ---------------------------------------------------------------------------------
// Regressions: bugs the mutation test found, each pinned down by a minimal input.

/// A de-chunking problem's offset used to count the de-chunked (still compressed)
/// bytes of a `Content-Encoding: gzip` reply, past the end of the decoded body.
#[test]
fn chunked_gzip_problem_offsets_point_into_the_body() {
    let capture = std::fs::read(manifest_dir().join("samples/gzip-response.http")).expect("sample");
    // Cut the capture 100 bytes into the first chunk's data (`200` hex = 512 bytes).
    let chunk = capture
        .windows(5)
        .position(|w| w == b"\r\n200")
        .map(|i| i + 7)
        .expect("first chunk");
    let cut = &capture[..chunk + 100];
    let docs = load(cut);
    let doc = &docs[0];
    let len = doc.body.bytes().len() as u64;
    let p = doc
        .problems
        .iter()
        .find(|p| p.message.contains("chunk is cut off"))
        .expect("the cut chunk is reported");
    assert!(
        p.offset <= len,
        "offset {} (compressed bytes read) is past the {len}-byte decoded body",
        p.offset
    );
}

/// `parse_status_code` used to slice the first token with `first[..5]`: a status line
/// whose fifth byte fell inside a multi-byte character panicked the whole load.
#[test]
fn non_ascii_status_line_does_not_panic() {
    let body = "<multistatus xmlns=\"DAV:\"><response><href>/a</href>\
<status>HTTP\u{e9}1.1 200 OK</status></response></multistatus>";
    let docs = check(body.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    let doc = &docs[0];
    assert_eq!(doc.responses().len(), 1);
    assert!(
        doc.problems
            .iter()
            .any(|p| p.message.contains("without a readable code")),
        "{:?}",
        doc.problems
    );
}

/// `transcode` used to take any character after `encoding=` as the quote and slice
/// `rest[1..]`: a non-ASCII byte there (a damaged quote, a BOM) panicked the load.
#[test]
fn non_ascii_quote_in_xml_declaration_does_not_panic() {
    let body = "<?xml version=\"1.0\" encoding=\u{e9}utf-8\u{e9}?>\
<multistatus xmlns=\"DAV:\"><response><href>/a</href>\
<status>HTTP/1.1 200 OK</status></response></multistatus>";
    let docs = check(body.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(docs[0].responses().len(), 1);
}
