#![allow(clippy::expect_used, clippy::unwrap_used)]
//! The headless commands as a user runs them: the real binary, real files, exit
//! codes and JSON held to SEMANTICS.md.

use std::path::{Path, PathBuf};
use std::process::Command;

use serde_json::Value;

fn bin() -> Command {
    Command::new(env!("CARGO_BIN_EXE_davscope"))
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn sample(name: &str) -> PathBuf {
    root().join("samples").join(name)
}

fn run(args: &[&str]) -> (i32, String, String) {
    let out = bin().args(args).output().expect("run davscope");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json_lines(s: &str) -> Vec<Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

fn generate(dir: &Path, name: &str, args: &[&str]) -> PathBuf {
    let out = dir.join(name);
    let status = Command::new("python3")
        .arg(root().join("../shared/tools/gen_multistatus.py"))
        .args(args)
        .arg("--out")
        .arg(&out)
        .status()
        .expect("python3");
    assert!(status.success());
    out
}

fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("davscope-test-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&d).expect("tempdir");
    d
}

#[test]
fn inspect_json_follows_the_contract() {
    let path = sample("mixed-failures.xml");
    let (code, out, _) = run(&["inspect", "--json", path.to_str().expect("utf8")]);
    assert_eq!(code, 0);
    let docs = json_lines(&out);
    assert_eq!(docs.len(), 1);
    let d = &docs[0];
    assert_eq!(d["input"]["format"], "xml");
    assert_eq!(d["input"]["http_status"], Value::Null);
    assert_eq!(d["summary"]["responses"], 43);
    assert_eq!(d["summary"]["failed"], 11);
    assert_eq!(d["summary"]["by_status"]["403"], 4);
    let locked: Vec<&Value> = d["responses"]
        .as_array()
        .expect("responses")
        .iter()
        .filter(|r| r["status"] == 423)
        .collect();
    assert_eq!(locked.len(), 1);
    assert_eq!(
        locked[0]["path"],
        "/remote.php/dav/files/alice/Projects/Q3 Plan/budget.xlsx"
    );
    assert_eq!(
        locked[0]["hrefs"][0],
        "/remote.php/dav/files/alice/Projects/Q3%20Plan/budget.xlsx"
    );
    assert!(
        locked[0]["error"]
            .as_array()
            .expect("error")
            .iter()
            .any(|e| e == "{DAV:}lock-token-submitted")
    );
}

#[test]
fn har_gives_one_json_line_per_multistatus_entry() {
    let path = sample("session.har");
    let (code, out, _) = run(&["inspect", "--json", path.to_str().expect("utf8")]);
    assert_eq!(code, 0);
    let docs = json_lines(&out);
    assert_eq!(docs.len(), 2);
    assert_eq!(docs[0]["input"]["format"], "har");
    assert_eq!(docs[0]["input"]["http_status"], 207);
    assert_eq!(docs[0]["input"]["request"]["method"], "PROPFIND");
    assert_eq!(docs[1]["input"]["request"]["method"], "REPORT");
    assert_eq!(docs[1]["summary"]["responses"], 3);
}

#[test]
fn exit_codes() {
    let page = sample("unauthorized-401.http");
    let (code, out, err) = run(&["inspect", page.to_str().expect("utf8")]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(
        err.contains("not a multistatus") && err.contains("401"),
        "{err}"
    );
    assert!(
        out.contains("www-authenticate: Basic realm=\"Nextcloud\""),
        "{out}"
    );
    let mixed = sample("mixed-failures.xml");
    let m = mixed.to_str().expect("utf8");
    assert_eq!(run(&["inspect", "--fail-on", "status:5xx", m]).0, 1);
    assert_eq!(run(&["inspect", "--fail-on", "status:302", m]).0, 0);
    let (code, _, err) = run(&["inspect", "--filter", "statu:4", m]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown filter key"), "{err}");
    assert_eq!(run(&["inspect", "/nonexistent/x.xml"]).0, 2);
    // A truncated body is still work done: exit 0 with the problem reported.
    let (code, out, _) = run(&[
        "inspect",
        "--json",
        sample("truncated.xml").to_str().expect("utf8"),
    ]);
    assert_eq!(code, 0);
    let d = &json_lines(&out)[0];
    assert_eq!(d["summary"]["responses"], 5);
    assert_eq!(d["problems"][0]["severity"], "error");
    assert!(d["problems"][0]["line"].as_u64().unwrap_or(0) > 1);
}

#[test]
fn filter_and_tree_output() {
    let mixed = sample("mixed-failures.xml");
    let (code, out, _) = run(&[
        "inspect",
        "--tree",
        "--filter",
        "status:423",
        mixed.to_str().expect("utf8"),
    ]);
    assert_eq!(code, 0);
    assert!(out.contains("1 of 43 match the filter"), "{out}");
    assert!(out.contains("budget.xlsx [423 FAILED]"), "{out}");
    assert!(!out.contains("roadmap.odp"), "{out}");
}

#[test]
fn diff_of_the_sample_pair() {
    let (b, a) = (sample("fix-before.xml"), sample("fix-after.xml"));
    let (code, out, _) = run(&[
        "diff",
        "--json",
        b.to_str().expect("utf8"),
        a.to_str().expect("utf8"),
    ]);
    assert_eq!(code, 0);
    let d: Value = serde_json::from_str(out.trim()).expect("json");
    let s = &d["summary"];
    for (k, n) in [
        ("fixed", 4),
        ("regressed", 1),
        ("still_failing", 1),
        ("status_changed", 0),
        ("props_changed", 1),
        ("added", 1),
        ("removed", 1),
        ("unchanged", 4),
    ] {
        assert_eq!(s[k], n, "{k}: {s}");
    }
    let readme = d["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["path"] == "/dav/projects/README.md")
        .expect("README.md");
    assert_eq!(readme["change"], "props_changed");
    assert_eq!(readme["props"][0]["name"], "{DAV:}displayname");
    let notes = d["entries"]
        .as_array()
        .expect("entries")
        .iter()
        .find(|e| e["path"] == "/dav/projects/notes.txt")
        .expect("notes");
    assert_eq!(notes["before"]["propstats"][0], 200);
    assert_eq!(notes["after"]["status"], 403);
    assert_eq!(
        run(&[
            "diff",
            "--fail-on",
            "regressed",
            b.to_str().expect("utf8"),
            a.to_str().expect("utf8")
        ])
        .0,
        1
    );
    assert_eq!(
        run(&[
            "diff",
            "--fail-on",
            "status_changed",
            b.to_str().expect("utf8"),
            a.to_str().expect("utf8")
        ])
        .0,
        0
    );
    let (code, out, _) = run(&[
        "diff",
        "--json",
        "--filter",
        "change:regressed",
        b.to_str().expect("utf8"),
        a.to_str().expect("utf8"),
    ]);
    assert_eq!(code, 0);
    let d: Value = serde_json::from_str(out.trim()).expect("json");
    assert_eq!(d["entries"].as_array().map(Vec::len), Some(1));
    // A payload against itself: only unchanged and still failing.
    let (_, out, _) = run(&[
        "diff",
        "--json",
        b.to_str().expect("utf8"),
        b.to_str().expect("utf8"),
    ]);
    let d: Value = serde_json::from_str(out.trim()).expect("json");
    assert_eq!(
        d["summary"]["unchanged"].as_u64().unwrap_or(0)
            + d["summary"]["still_failing"].as_u64().unwrap_or(0),
        12
    );
    // A 401 page before a 207: every path is added, and the summary names the side.
    let page = sample("unauthorized-401.http");
    let (code, out, _) = run(&[
        "diff",
        "--json",
        page.to_str().expect("utf8"),
        a.to_str().expect("utf8"),
    ]);
    assert_eq!(code, 0);
    let d: Value = serde_json::from_str(out.trim()).expect("json");
    assert_eq!(d["summary"]["added"], 12);
    assert_eq!(d["summary"]["not_multistatus"], "before");
    assert_eq!(
        run(&[
            "diff",
            page.to_str().expect("utf8"),
            page.to_str().expect("utf8")
        ])
        .0,
        2
    );
}

#[test]
fn diff_of_generated_twins_matches_the_generator() {
    let dir = tempdir("twins");
    let common = ["--responses", "3000", "--seed", "7"];
    let before = generate(&dir, "before.xml", &common);
    let mut after_args = common.to_vec();
    after_args.extend(["--variant", "after", "--summary"]);
    let summary_path = dir.join("after.json");
    after_args.push(summary_path.to_str().expect("utf8"));
    let after = generate(&dir, "after.xml", &after_args);
    let truth: Value =
        serde_json::from_slice(&std::fs::read(&summary_path).expect("summary")).expect("json");
    let (code, out, _) = run(&[
        "diff",
        "--json",
        before.to_str().expect("utf8"),
        after.to_str().expect("utf8"),
    ]);
    assert_eq!(code, 0);
    let d: Value = serde_json::from_str(out.trim()).expect("json");
    assert_eq!(d["summary"]["fixed"], truth["fixed"]);
    assert_eq!(d["summary"]["regressed"], truth["regressed"]);
    assert_eq!(d["summary"]["added"], 0);
    assert_eq!(d["summary"]["removed"], 0);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn diff_ignores_prefixes_order_and_href_spelling() {
    let dir = tempdir("spelling");
    let a = generate(&dir, "a.xml", &["--responses", "1500", "--seed", "11"]);
    let b = generate(
        &dir,
        "b.xml",
        &["--responses", "1500", "--seed", "11", "--prefix", ""],
    );
    // Rewrite b: absolute hrefs, lower-case escapes, responses in reverse order.
    let text = std::fs::read_to_string(&b).expect("b");
    let start = text.find("<response>").expect("first response");
    let end = text.rfind("</multistatus>").expect("end");
    let responses: Vec<&str> = text[start..end].split_inclusive("</response>").collect();
    let mut rewritten = String::from(&text[..start]);
    for r in responses.iter().rev() {
        let mut r = r.replace("<href>/", "<href>https://files.example.net:8443/");
        let mut out = String::with_capacity(r.len());
        let mut chars = r.chars().peekable();
        while let Some(c) = chars.next() {
            out.push(c);
            if c == '%' {
                for _ in 0..2 {
                    if let Some(h) = chars.next() {
                        out.push(h.to_ascii_lowercase());
                    }
                }
            }
        }
        r = out;
        rewritten.push_str(&r);
    }
    rewritten.push_str(&text[end..]);
    assert!(
        rewritten.contains("%c3"),
        "the generator writes escapes to lower-case"
    );
    let b2 = dir.join("b2.xml");
    std::fs::write(&b2, rewritten).expect("write");
    let (code, out, _) = run(&[
        "diff",
        "--json",
        a.to_str().expect("utf8"),
        b2.to_str().expect("utf8"),
    ]);
    assert_eq!(code, 0);
    let d: Value = serde_json::from_str(out.trim()).expect("json");
    let s = &d["summary"];
    assert_eq!(
        s["unchanged"].as_u64().unwrap_or(0) + s["still_failing"].as_u64().unwrap_or(0),
        1500,
        "{s}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn each_sample_produces_the_findings_it_was_written_to_show() {
    let expect: [(&str, &[&str]); 12] = [
        (
            "mixed-failures.xml",
            &[
                "permissions",
                "incorrect-paths",
                "locks",
                "failed-dependency",
                "insufficient-storage",
                "server-config",
            ],
        ),
        ("proppatch-424.xml", &["failed-dependency", "permissions"]),
        ("caldav-multiget-missing.xml", &["incorrect-paths"]),
        ("sync-collection.xml", &["incorrect-paths"]),
        ("proxy-rewrite.http", &["proxy-rewriting"]),
        ("truncated.xml", &["malformed-payload", "proxy-rewriting"]),
        ("unauthorized-401.http", &["not-multistatus", "permissions"]),
        ("gzip-response.http", &["permissions"]),
        (
            "fix-before.xml",
            &["permissions", "locks", "incorrect-paths"],
        ),
        ("status-and-propstat.xml", &["malformed-payload"]),
        ("latin1.xml", &[]),
        ("session.har", &["permissions", "incorrect-paths"]),
    ];
    for (name, causes) in expect {
        let (code, out, err) = run(&["diagnose", "--json", sample(name).to_str().expect("utf8")]);
        assert!(
            code == 0 || name == "unauthorized-401.http",
            "{name}: {code} {err}"
        );
        let found: Vec<String> = json_lines(&out)
            .iter()
            .flat_map(|d| d["findings"].as_array().cloned().unwrap_or_default())
            .map(|f| f["cause"].as_str().unwrap_or("").to_string())
            .collect();
        for c in causes {
            assert!(found.iter().any(|f| f == c), "{name}: {c} not in {found:?}");
        }
        if causes.is_empty() {
            assert!(
                found.is_empty(),
                "{name}: a clean payload produced {found:?}"
            );
        }
        for d in json_lines(&out) {
            for f in d["findings"].as_array().cloned().unwrap_or_default() {
                assert!(
                    ["high", "medium", "low"].contains(&f["likelihood"].as_str().unwrap_or(""))
                );
                assert!(f["title"].as_str().is_some_and(|t| !t.is_empty()));
                assert!(f["evidence"].as_array().is_some_and(|e| !e.is_empty()));
                assert!(f["paths"].is_array());
            }
        }
    }
}
