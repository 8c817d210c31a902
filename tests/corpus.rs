#![allow(clippy::expect_used, clippy::unwrap_used)]
//! Every file of `../shared/corpus/public/` against its `INDEX.json` ground truth:
//! well-formed files give exactly the responses, hrefs, status codes and property
//! counts; malformed ones give positioned problems and never a panic.

use std::path::PathBuf;

use davscope::core::document::{LoadOptions, load_path};
use davscope::core::model::Severity;
use serde_json::Value;

fn corpus() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/public")
}

#[test]
fn corpus_matches_ground_truth() {
    let index_path = corpus().join("INDEX.json");
    let index: Value = serde_json::from_slice(
        &std::fs::read(&index_path).unwrap_or_else(|e| panic!("{}: {e}", index_path.display())),
    )
    .expect("INDEX.json");
    let files = index["files"].as_object().expect("files");
    assert!(files.len() >= 129, "the corpus shrank: {}", files.len());
    let mut checked_responses = 0;
    let mut malformed = 0;
    for (name, entry) in files {
        let path = corpus().join(name);
        let docs = load_path(&path, LoadOptions::default())
            .unwrap_or_else(|e| panic!("{name}: cannot load: {e}"));
        assert_eq!(docs.len(), 1, "{name}");
        let doc = &docs[0];
        if entry["well_formed"].as_bool() != Some(true) {
            malformed += 1;
            let errors: Vec<_> = doc
                .problems
                .iter()
                .filter(|p| p.severity == Severity::Error)
                .collect();
            assert!(
                !errors.is_empty() || doc.not_multistatus.is_some(),
                "{name}: malformed but no error reported"
            );
            for p in &doc.problems {
                assert!(p.line >= 1 && p.column >= 1, "{name}: unpositioned {p:?}");
            }
            continue;
        }
        let truth = &entry["ground_truth"];
        let ms = doc
            .multistatus
            .as_ref()
            .unwrap_or_else(|| panic!("{name}: no multistatus ({:?})", doc.not_multistatus));
        let want = truth["responses"].as_array().expect("responses");
        assert_eq!(ms.responses.len(), want.len(), "{name}: response count");
        assert_eq!(
            truth["response_count"].as_u64(),
            Some(ms.responses.len() as u64),
            "{name}"
        );
        let mut reader = davscope::core::parse::xml::ResponseReader::new(doc.body.bytes(), ms);
        let paths = doc.paths();
        assert_eq!(paths.len(), ms.responses.len(), "{name}: paths");
        for (i, p) in paths.iter().enumerate() {
            assert_eq!(p, &doc.path_of(i), "{name} #{i}: paths() and path_of");
        }
        for (i, (r, w)) in ms.responses.iter().zip(want).enumerate() {
            let hrefs = doc.hrefs(r);
            let want_href = w["href"].as_str().map(str::trim);
            assert_eq!(
                hrefs.first().map(String::as_str),
                want_href,
                "{name} #{i}: href"
            );
            assert_eq!(
                r.status_code().map(u64::from),
                w["status_code"].as_u64(),
                "{name} #{i}: status"
            );
            let ps = ms.propstats_of(r);
            let want_ps = w["propstats"].as_array().expect("propstats");
            assert_eq!(ps.len(), want_ps.len(), "{name} #{i}: propstats");
            // The response read again in full agrees with the compact record, and
            // a reader kept across responses reads the same.
            let detail = doc.detail(i).expect("read again");
            assert_eq!(
                reader.as_mut().and_then(|r| r.read(ms, i)).as_ref(),
                Some(&detail),
                "{name} #{i}: kept reader"
            );
            assert_eq!(detail.propstats.len(), ps.len(), "{name} #{i}: detail");
            assert_eq!(
                detail.status.and_then(|s| s.code()),
                r.status_code(),
                "{name} #{i}: detail status"
            );
            for (j, (p, wp)) in ps.iter().zip(want_ps).enumerate() {
                assert_eq!(
                    p.code().map(u64::from),
                    wp["code"].as_u64(),
                    "{name} #{i}.{j}: propstat code"
                );
                assert_eq!(
                    ms.prop_names(p).len() as u64,
                    wp["prop_count"].as_u64().unwrap_or(0),
                    "{name} #{i}.{j}: prop count"
                );
                let names: Vec<_> = detail.propstats[j].props.iter().map(|x| x.name).collect();
                assert_eq!(names, ms.prop_names(p), "{name} #{i}.{j}: detail names");
                assert_eq!(detail.propstats[j].code(), p.code(), "{name} #{i}.{j}");
            }
            checked_responses += 1;
        }
        if let Some(token) = truth.get("sync_token").and_then(Value::as_str) {
            let got = ms.sync_token.map(|s| doc.span_text(s).trim().to_string());
            assert_eq!(got.as_deref(), Some(token), "{name}: sync-token");
        }
        let errors = doc
            .problems
            .iter()
            .filter(|p| p.severity == Severity::Error)
            .count();
        assert_eq!(errors, 0, "{name}: well-formed but {:?}", doc.problems);
    }
    assert_eq!(malformed, 7);
    assert!(checked_responses >= 226, "{checked_responses}");
}

type Sig = Vec<(String, u32, Option<u16>, [u32; 3], Option<u16>, bool)>;

fn signature(t: &davscope::core::tree::PathTree) -> Sig {
    (0..t.len() as u32)
        .map(|id| {
            let n = &t.nodes[id as usize];
            (
                t.path(id),
                n.response,
                n.code(),
                n.counts,
                n.worst(),
                n.collection(),
            )
        })
        .collect()
}

/// The load builds the tree on a second thread while it parses; the result must
/// equal building it afterwards from the finished multistatus.
#[test]
fn the_pipelined_tree_equals_the_sequential_one() {
    let mut files: Vec<PathBuf> = Vec::new();
    for dir in [
        corpus(),
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("samples"),
    ] {
        for entry in walk(&dir) {
            files.push(entry);
        }
    }
    // A generated payload spans several hand-over batches.
    let dir = std::env::temp_dir().join(format!("davscope-pipe-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tempdir");
    let generated = dir.join("g.xml");
    let ok = std::process::Command::new("python3")
        .arg(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/gen_multistatus.py"))
        .args(["--responses", "20000", "--seed", "5", "--out"])
        .arg(&generated)
        .stdout(std::process::Stdio::null())
        .status()
        .expect("python3");
    assert!(ok.success());
    files.push(generated);
    let mut compared = 0;
    for path in files {
        let Ok(docs) = load_path(&path, LoadOptions::default()) else {
            continue;
        };
        for doc in docs {
            let Some(ms) = &doc.multistatus else { continue };
            let url = doc.info.request.as_ref().map(|r| r.url.as_str());
            let sequential = davscope::core::tree::PathTree::build(ms, doc.body.bytes(), url);
            assert_eq!(
                signature(&doc.tree),
                signature(&sequential),
                "{}",
                path.display()
            );
            assert_eq!(
                doc.tree.response_node,
                sequential.response_node,
                "{}",
                path.display()
            );
            assert_eq!(
                doc.tree.anomalies,
                sequential.anomalies,
                "{}",
                path.display()
            );
            assert_eq!(doc.tree.origins, sequential.origins, "{}", path.display());
            compared += 1;
        }
    }
    assert!(compared > 120, "{compared}");
    let _ = std::fs::remove_dir_all(&dir);
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else if !p
            .extension()
            .is_some_and(|x| x == "md" || x == "json" || x == "txt" || x == "py")
        {
            out.push(p);
        }
    }
    out.sort();
    out
}
