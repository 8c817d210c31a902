#![allow(clippy::expect_used, clippy::unwrap_used)]
//! The parallel load equals the sequential one: seeded random payloads with every
//! hazard the cut finder can fall for, random thread counts, the JSON report and
//! the tree compared byte for byte; and `inspect --json` with and without
//! `--threads 1` on the corpus and on generated payloads.

use std::path::PathBuf;
use std::sync::Arc;

use davscope::cli::report::inspect_json;
use davscope::core::document::{Bytes, Document, LoadOptions, load_bytes};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

/// A random payload; `p` is the DAV prefix ("" for a default namespace).
fn payload(rng: &mut Rng) -> Vec<u8> {
    let prefix = ["D", "d", "", "a"][rng.below(4) as usize];
    let p = if prefix.is_empty() {
        String::new()
    } else {
        format!("{prefix}:")
    };
    let nl = if rng.chance(30) { "\r\n" } else { "\n" };
    let mut s = String::new();
    if rng.chance(20) {
        s.push('\u{feff}');
    }
    s.push_str(&format!("<?xml version=\"1.0\" encoding=\"utf-8\"?>{nl}"));
    let wrapper = rng.chance(15);
    if wrapper {
        s.push_str("<xml>");
    }
    let decl = if prefix.is_empty() {
        "xmlns=\"DAV:\"".to_string()
    } else {
        format!("xmlns:{prefix}=\"DAV:\"")
    };
    // Sometimes DAV: is bound to a second prefix as well.
    let second = if rng.chance(25) {
        " xmlns:Z=\"DAV:\""
    } else {
        ""
    };
    s.push_str(&format!(
        "<{p}multistatus {decl}{second} xmlns:x=\"urn:x\">{nl}"
    ));
    let n = 5 + rng.below(200);
    // A third of the payloads carry hazards (fake boundaries the proofs must catch).
    let hazards = rng.chance(33);
    let depth = 1 + rng.below(6);
    for i in 0..n {
        let rp = if !second.is_empty() && rng.chance(30) {
            "Z:".to_string()
        } else {
            p.clone()
        };
        let mut path = String::from("/dav");
        for d in 0..rng.below(depth + 1) {
            // Sometimes a folder differs from another only in case.
            let f = if rng.chance(5) { "F" } else { "f" };
            path.push_str(&format!("/{f}{}", (i + d) % 7));
        }
        // Same paths twice (side by side), folders listed after their
        // children, and the root itself.
        match rng.below(20) {
            0 => path.push_str(&format!("/file%20{}.txt", i / 2)),
            1 => path.push('/'),
            2 => path = "/".to_string(),
            _ => path.push_str(&format!("/file%20{i}.txt")),
        }
        s.push_str(&format!(
            "<{rp}response>{nl}<{rp}href>{path}</{rp}href>{nl}"
        ));
        match rng.below(10) {
            0 => {} // an href without any status
            1 => s.push_str(&format!("<{rp}status>HTTP/1.1 423 Locked</{rp}status>")),
            2 => s.push_str(&format!("<{rp}status>HTTP/1.1 404 Not Found</{rp}status>")),
            _ => {
                s.push_str(&format!(
                    "<{rp}propstat><{rp}prop><{rp}getetag>\"e{i}\"</{rp}getetag>"
                ));
                match if hazards { rng.below(12) } else { 5 + rng.below(7) } {
                    // A comment, CDATA or PI holding response tags.
                    0 => s.push_str(&format!("<!-- </{p}response>{nl}<{p}response> -->")),
                    1 => s.push_str(&format!("<x:v><![CDATA[</{p}response> <{p}response>]]></x:v>")),
                    2 => s.push_str(&format!("<?pi </{p}response> <{p}response>?>")),
                    // A prefix rebound inside a property.
                    3 if !prefix.is_empty() => s.push_str(&format!(
                        "<x:w xmlns:{prefix}=\"urn:other\"><{p}response></{p}response>{nl}<{p}response></{p}response></x:w>"
                    )),
                    // A DAV: response nested inside a property.
                    4 => s.push_str(&format!(
                        "<x:n><{p}response><{p}href>/inner</{p}href></{p}response>{nl}<{p}response></{p}response></x:n>"
                    )),
                    5 => s.push_str("<x:u>é &amp; ü</x:u>"),
                    6 => s.push_str("<nc:undeclared>1</nc:undeclared>"),
                    _ => {}
                }
                s.push_str(&format!(
                    "</{rp}prop><{rp}status>HTTP/1.1 200 OK</{rp}status></{rp}propstat>"
                ));
                if rng.chance(20) {
                    s.push_str(&format!("<{rp}propstat><{rp}prop><{rp}quota/></{rp}prop><{rp}status>HTTP/1.1 404 x</{rp}status></{rp}propstat>"));
                }
            }
        }
        s.push_str(&format!("</{rp}response>"));
        // Whitespace, comments or nothing between responses.
        match rng.below(5) {
            0 => {}
            1 => s.push_str(&format!("<!-- gap {i} -->{nl}")),
            _ => s.push_str(nl),
        }
    }
    if rng.chance(30) {
        s.push_str(&format!("<{p}sync-token>tok</{p}sync-token>"));
    }
    s.push_str(&format!("</{p}multistatus>"));
    if rng.chance(15) {
        s.push_str(&format!("<!-- </{p}multistatus> -->"));
    }
    if wrapper {
        s.push_str("</xml>");
    }
    let mut bytes = s.into_bytes();
    // Truncated bodies, sometimes.
    if rng.chance(20) {
        let cut = rng.below(bytes.len() as u64) as usize;
        bytes.truncate(cut.max(1));
    }
    bytes
}

fn load(bytes: &[u8], threads: usize) -> Document {
    let options = LoadOptions {
        threads: Some(threads),
        ..LoadOptions::default()
    };
    load_bytes("p.xml", Arc::new(Bytes::Owned(bytes.to_vec())), options)
        .expect("load")
        .remove(0)
}

type Fingerprint = (String, Vec<String>);

/// The JSON report and the tree as a user sees it: every node in display order
/// with its depth, name, response, outcome, counts and worst code, then the
/// diagnosis inputs (by path). Node numbering is internal and not compared.
fn fingerprint(doc: &Document) -> Fingerprint {
    let json = serde_json::to_string(&inspect_json(doc, None)).expect("json");
    let t = &doc.tree;
    let mut lines = Vec::new();
    let mut stack = vec![0u32];
    while let Some(id) = stack.pop() {
        let n = &t.nodes[id as usize];
        lines.push(format!(
            "{} {:?} r{} {:?} {:?} {:?} {:?} c{}",
            n.depth(),
            t.name(id),
            n.response,
            n.outcome(),
            n.code(),
            n.counts,
            n.worst(),
            n.collection()
        ));
        let kids: Vec<u32> = t.children(id).collect();
        stack.extend(kids.into_iter().rev());
    }
    for (id, n) in t.nodes.iter().enumerate().skip(1) {
        assert!(
            (n.parent as usize) < id,
            "node {id}: parent {} after it",
            n.parent
        );
    }
    for (ri, node) in t.response_node.iter().enumerate() {
        lines.push(format!("response {ri} at {}", t.path(*node)));
    }
    for (a, b) in &t.case_collisions {
        lines.push(format!("collision {} {}", t.path(*a), t.path(*b)));
    }
    lines.push(format!("anomalies {:?}", t.anomalies));
    lines.push(format!("outside {:?}", t.outside_request));
    lines.push(format!("origins {:?}", t.origins));
    lines.push(format!("nodes {}", t.len()));
    (json, lines)
}

#[test]
fn parallel_equals_sequential_on_random_payloads() {
    let mut rng = Rng(0xDA75_C0DE);
    let mut parallel_used = 0;
    for case in 0..400 {
        let bytes = payload(&mut rng);
        let threads = 2 + rng.below(7) as usize;
        let seq = load(&bytes, 1);
        let par = load(&bytes, threads);
        let (fs, fp) = (fingerprint(&seq), fingerprint(&par));
        if fs != fp {
            let (a, b) = (fs.0.as_bytes(), fp.0.as_bytes());
            let at = a
                .iter()
                .zip(b)
                .position(|(x, y)| x != y)
                .unwrap_or(a.len().min(b.len()));
            let show = |v: &[u8]| {
                String::from_utf8_lossy(&v[at.saturating_sub(200)..(at + 200).min(v.len())])
                    .into_owned()
            };
            panic!(
                "case {case} threads {threads}: the JSON differs at {at}:\nsequential …{}…\nparallel   …{}…\ntrees equal: {}\n{}",
                show(a),
                show(b),
                fs.1 == fp.1,
                String::from_utf8_lossy(&bytes)
            );
        }
        assert_eq!(seq.problems, par.problems, "case {case}");
        assert_eq!(seq.info.pieces, 0);
        if par.info.pieces > 1 {
            parallel_used += 1;
        }
    }
    // Hazards and truncation make some loads fall back; most must not.
    assert!(
        parallel_used > 150,
        "{parallel_used} of 400 loads were parallel"
    );
}

#[test]
fn the_cut_finder_finds_boundaries_and_only_candidates() {
    use davscope::core::parse::parallel::find_cut;
    let body = b"<D:multistatus xmlns:D=\"DAV:\"><D:response><D:href>/a</D:href></D:response>\r\n  <D:response><D:href>/b</D:href></D:response><D:responsedescription/></D:multistatus>";
    let d = vec![b"D".to_vec()];
    let first = find_cut(body, 0, &d).expect("a boundary");
    assert!(body[first..].starts_with(b"<D:response><D:href>/b"));
    assert_eq!(
        find_cut(body, first + 1, &d),
        None,
        "responsedescription is not a response"
    );
    assert_eq!(find_cut(body, 0, &[b"X".to_vec()]), None);
}

fn run(args: &[&str]) -> (i32, Vec<u8>) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_davscope"))
        .args(args)
        .output()
        .expect("davscope");
    (out.status.code().unwrap_or(-1), out.stdout)
}

#[test]
fn inspect_json_is_the_same_bytes_with_threads_1() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("../shared/corpus/public"))
        .expect("corpus")
        .flatten()
        .filter(|e| e.path().is_dir())
        .flat_map(|d| {
            std::fs::read_dir(d.path())
                .expect("dir")
                .flatten()
                .map(|e| e.path())
        })
        .collect();
    let dir = std::env::temp_dir().join(format!("davscope-par-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tempdir");
    for (i, args) in [
        ["--responses", "30000", "--seed", "9", "--prefix", "D"],
        ["--responses", "20000", "--seed", "4", "--prefix", ""],
    ]
    .iter()
    .enumerate()
    {
        let out = dir.join(format!("g{i}.xml"));
        let ok = std::process::Command::new("python3")
            .arg(root.join("../shared/tools/gen_multistatus.py"))
            .args(*args)
            .arg("--out")
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .status()
            .expect("python3");
        assert!(ok.success());
        files.push(out);
    }
    files.sort();
    for f in &files {
        let f = f.to_str().expect("utf8");
        let (c1, one) = run(&["inspect", "--json", "--threads", "1", f]);
        let (c2, many) = run(&["inspect", "--json", f]);
        let (c3, four) = run(&["inspect", "--json", "--threads", "4", f]);
        assert_eq!((c1, &one), (c2, &many), "{f}");
        assert_eq!((c1, &one), (c3, &four), "{f}");
    }
    assert!(files.len() > 100);
    let _ = std::fs::remove_dir_all(&dir);
}
