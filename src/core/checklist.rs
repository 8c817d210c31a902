//! The fix checklist: the seeds' six steps made specific to one path and the
//! findings that touch it, per-path state (ticks and notes), and exports of the
//! failing paths for retry or manual review.
//!
//! Pure functions of a document, its findings and the workspace state; depends on
//! `diagnose`, `session` and the status tables; never on the UI.

use serde::Serialize;

use crate::core::diagnose::{Cause, Finding};
use crate::core::document::Document;
use crate::core::href;
use crate::core::model::Outcome;
use crate::core::session::{PathState, Workspace};
use crate::core::status::{meaning, reason_phrase};

/// The six steps of the seeds' checklist, in order.
pub const STEPS: [&str; 6] = [
    "Validate the request scope",
    "Check authentication and permissions",
    "Inspect the payload",
    "Verify server WebDAV support",
    "Evaluate proxies and caches",
    "Re-test and confirm",
];

/// Index of the step that re-tests (ticked by a diff that shows the path fixed).
pub const RETEST: usize = 5;

/// What a click can do for a step.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub enum Action {
    /// Open the request editor pre-filled (with the given Depth, when set).
    EditRequest,
    /// Send OPTIONS and summarise the server's WebDAV support.
    ProbeServer,
    /// Re-run the request and compare before/after.
    RerunAndCompare,
    /// Show the response in the raw view.
    ShowRaw,
}

/// One step for one path.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Item {
    pub step: usize,
    pub title: &'static str,
    /// What to do, specific to this path and its findings.
    pub detail: String,
    /// A finding touches this step for this path.
    pub relevant: bool,
    pub action: Option<Action>,
}

fn touching<'f>(findings: &'f [Finding], path: &str, cause: Cause) -> Vec<&'f Finding> {
    let key = href::path_key(path);
    findings
        .iter()
        .filter(|f| {
            f.cause == cause
                && (f.paths.is_empty() || f.paths.iter().any(|p| href::path_key(p) == key))
        })
        .collect()
}

/// The checklist of one path. `response` is its response index, when listed.
pub fn checklist(
    doc: &Document,
    findings: &[Finding],
    path: &str,
    response: Option<usize>,
) -> Vec<Item> {
    let request = doc.info.request.as_ref();
    let method = request
        .map(|r| r.method.as_str())
        .filter(|m| !m.is_empty())
        .unwrap_or("PROPFIND");
    let url = request.map(|r| r.url.as_str()).unwrap_or("");
    let ms = doc.multistatus.as_ref();
    let r = response.and_then(|i| doc.responses().get(i));
    let codes: Vec<u16> = match (ms, r) {
        (Some(ms), Some(r)) => ms.codes(r).flatten().collect(),
        _ => Vec::new(),
    };
    let failing: Vec<u16> = codes
        .iter()
        .copied()
        .filter(|c| !(200..300).contains(c))
        .collect();
    let mut items = Vec::with_capacity(6);

    // 1. Scope.
    let scope = touching(findings, path, Cause::RequestScope);
    let depth = request.and_then(|q| q.header("depth"));
    let detail = if let Some(f) = scope.first() {
        let suggested =
            if f.title.contains("without a Depth") || f.title.contains("deeper than Depth: 1") {
                "re-run with Depth: 1"
            } else {
                "re-run with the Depth you meant"
            };
        format!("{}: {suggested}.", f.title)
    } else if request.is_some() {
        format!(
            "The request was {method} {url} with Depth: {}. Confirm it targets `{}` and log the exact URL and Depth.",
            depth.unwrap_or("(none = infinity)"),
            parent(path)
        )
    } else {
        format!(
            "Confirm the {method} targeted `{}` with the Depth you meant; log the exact URL and Depth for reproducibility.",
            parent(path)
        )
    };
    items.push(Item {
        step: 0,
        title: STEPS[0],
        detail,
        relevant: !scope.is_empty(),
        action: Some(Action::EditRequest),
    });

    // 2. Authentication and permissions.
    let perms = touching(findings, path, Cause::Permissions);
    let detail = if perms.is_empty() {
        "No authentication or permission failure on this path.".to_string()
    } else {
        let mut d: Vec<String> = perms.iter().map(|f| f.title.clone()).collect();
        if let Some(e) = perms
            .iter()
            .flat_map(|f| f.evidence.iter())
            .find(|e| e.contains("need-privileges"))
        {
            d.push(e.clone());
        }
        d.push("Try as a known-good user to isolate the ACL; document every permission change and test its impact.".into());
        d.join(". ")
    };
    items.push(Item {
        step: 1,
        title: STEPS[1],
        detail,
        relevant: !perms.is_empty(),
        action: None,
    });

    // 3. The payload: status explained, locks and dependencies.
    let mut d = Vec::new();
    if failing.is_empty() && !codes.is_empty() {
        d.push(format!("All statuses are 2xx ({}).", join_codes(&codes)));
    }
    for c in dedup(&failing) {
        d.push(format!("{c} {}: {}", reason_phrase(c), meaning(c)));
    }
    let locks = touching(findings, path, Cause::Locks);
    let key = href::path_key(path);
    for f in &locks {
        if let Some(l) = f
            .locks
            .iter()
            .find(|l| href::path_key(&l.path) == key)
            .or(f.locks.first())
        {
            d.push(format!(
                "The lock owned by {} blocks this {method}: UNLOCK {} with Lock-Token: <{}>{}",
                if l.owner.is_empty() {
                    "an unnamed owner"
                } else {
                    &l.owner
                },
                if l.root.is_empty() { &l.path } else { &l.root },
                if l.token.is_empty() {
                    "token not shown: PROPFIND lockdiscovery"
                } else {
                    &l.token
                },
                if l.timeout.is_empty() {
                    String::new()
                } else {
                    format!(", or wait for its timeout ({})", l.timeout)
                }
            ));
        } else {
            d.push(format!("{}: find the lock with PROPFIND lockdiscovery, then UNLOCK it or send its token in an If header.", f.title));
        }
    }
    for f in touching(findings, path, Cause::FailedDependency) {
        d.push(format!("{}.", f.title));
    }
    for f in touching(findings, path, Cause::IncorrectPaths) {
        d.push(format!(
            "{}: check the resource exists and the URL's case and encoding.",
            f.title
        ));
    }
    for f in touching(findings, path, Cause::InsufficientStorage) {
        d.push(format!("{}: free space or raise the quota.", f.title));
    }
    for f in touching(findings, path, Cause::MalformedPayload) {
        d.push(format!("{}.", f.title));
    }
    if d.is_empty() {
        d.push("Nothing was listed for this path itself.".into());
    }
    let relevant = !failing.is_empty() || !locks.is_empty();
    items.push(Item {
        step: 2,
        title: STEPS[2],
        detail: d.join("\n"),
        relevant,
        action: Some(Action::ShowRaw),
    });

    // 4. Server support.
    let server = touching(findings, path, Cause::ServerConfig);
    let detail = if server.is_empty() {
        format!("Probe the server: OPTIONS should answer `DAV: 1, 2` and list {method} in Allow.")
    } else {
        let t: Vec<String> = server.iter().map(|f| f.title.clone()).collect();
        format!(
            "{}. Probe the server (OPTIONS), check the WebDAV module is loaded and its recent configuration changes; back up configs first.",
            t.join(". ")
        )
    };
    items.push(Item {
        step: 3,
        title: STEPS[3],
        detail,
        relevant: !server.is_empty(),
        action: Some(Action::ProbeServer),
    });

    // 5. Proxies and caches.
    let proxy = touching(findings, path, Cause::ProxyRewriting);
    let detail = if proxy.is_empty() {
        "No sign of a proxy rewriting this reply (hrefs on the requested host, body complete)."
            .to_string()
    } else {
        let ev: Vec<String> = proxy
            .iter()
            .flat_map(|f| f.evidence.iter().take(2).cloned())
            .collect();
        format!(
            "{}. Re-run with the proxy bypassed and caching disabled.",
            ev.join("; ")
        )
    };
    items.push(Item {
        step: 4,
        title: STEPS[4],
        detail,
        relevant: !proxy.is_empty(),
        action: Some(Action::EditRequest),
    });

    // 6. Re-test.
    items.push(Item {
        step: RETEST,
        title: STEPS[RETEST],
        detail: format!("Re-run the same {method} and compare before and after; this step ticks itself when the comparison shows `{path}` fixed."),
        relevant: !failing.is_empty(),
        action: Some(Action::RerunAndCompare),
    });
    items
}

fn parent(path: &str) -> String {
    let key = href::path_key(path);
    match key.rfind('/') {
        Some(0) | None => "/".into(),
        Some(i) => format!("{}/", &key[..i]),
    }
}

fn dedup(codes: &[u16]) -> Vec<u16> {
    let mut v = codes.to_vec();
    v.sort();
    v.dedup();
    v
}

fn join_codes(codes: &[u16]) -> String {
    dedup(codes)
        .iter()
        .map(u16::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    Csv,
    Json,
    Markdown,
}

#[derive(Serialize)]
struct ExportRow {
    path: String,
    outcome: &'static str,
    status: String,
    causes: Vec<&'static str>,
    checked: Vec<&'static str>,
    notes: Vec<String>,
}

fn rows(doc: &Document, findings: &[Finding], ws: &Workspace) -> Vec<ExportRow> {
    let Some(ms) = doc.multistatus.as_ref() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (i, r) in ms.responses.iter().enumerate() {
        let outcome = ms.outcome(r);
        if outcome == Outcome::Ok {
            continue;
        }
        let path = doc.path_of(i);
        let key = href::path_key(&path).to_string();
        let mut causes: Vec<&'static str> = findings
            .iter()
            .filter(|f| f.paths.iter().any(|p| href::path_key(p) == key))
            .map(|f| f.cause.as_str())
            .collect();
        causes.dedup();
        let state = ws.checklist.get(&key).cloned().unwrap_or_default();
        out.push(ExportRow {
            status: ms
                .codes(r)
                .map(|c| c.map(|c| c.to_string()).unwrap_or_else(|| "none".into()))
                .collect::<Vec<_>>()
                .join("+"),
            outcome: outcome.as_str(),
            causes,
            checked: STEPS
                .iter()
                .enumerate()
                .filter(|(s, _)| state.checked.get(*s).copied().unwrap_or(false))
                .map(|(_, t)| *t)
                .collect(),
            notes: state
                .notes
                .iter()
                .enumerate()
                .filter(|(_, n)| !n.trim().is_empty())
                .map(|(s, n)| format!("{}: {}", STEPS.get(s).copied().unwrap_or("note"), n.trim()))
                .collect(),
            path,
        });
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

/// The failing (and partial) paths with status, causes, checklist state and notes.
pub fn export(
    doc: &Document,
    findings: &[Finding],
    ws: &Workspace,
    format: ExportFormat,
) -> String {
    let rows = rows(doc, findings, ws);
    match format {
        ExportFormat::Json => serde_json::to_string_pretty(&rows)
            .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}")),
        ExportFormat::Csv => {
            let mut s = String::from("path,outcome,status,causes,checked,notes\n");
            for r in &rows {
                s.push_str(&format!(
                    "{},{},{},{},{},{}\n",
                    csv_field(&r.path),
                    r.outcome,
                    csv_field(&r.status),
                    csv_field(&r.causes.join(" ")),
                    csv_field(&r.checked.join("; ")),
                    csv_field(&r.notes.join("; "))
                ));
            }
            s
        }
        ExportFormat::Markdown => {
            let mut s = format!(
                "### Failing paths in `{}`\n\n| path | outcome | status | causes | checked | notes |\n|---|---|---|---|---|---|\n",
                doc.info.label
            );
            let cell = |t: &str| t.replace('|', "\\|").replace('\n', " ");
            for r in &rows {
                s.push_str(&format!(
                    "| `{}` | {} | {} | {} | {} | {} |\n",
                    cell(&r.path),
                    r.outcome,
                    r.status,
                    r.causes.join(", "),
                    r.checked.len(),
                    cell(&r.notes.join("; "))
                ));
            }
            s
        }
    }
}

/// Ticks "Re-test and confirm" for every path a comparison shows fixed.
pub fn confirm_fixed<'a>(
    ws: &mut Workspace,
    fixed_paths: impl Iterator<Item = &'a str>,
    note: &str,
) -> usize {
    let mut n = 0;
    for p in fixed_paths {
        let state: &mut PathState = ws
            .checklist
            .entry(href::path_key(p).to_string())
            .or_default();
        state.ensure_len();
        if !state.checked[RETEST] {
            state.checked[RETEST] = true;
            n += 1;
        }
        state.confirmed = Some(note.to_string());
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::diagnose::diagnose;
    use crate::core::document::{Bytes, LoadOptions, load_bytes};
    use std::sync::Arc;

    fn sample(name: &str) -> Document {
        let bytes = std::fs::read(format!("{}/samples/{name}", env!("CARGO_MANIFEST_DIR")))
            .expect("sample");
        load_bytes(name, Arc::new(Bytes::Owned(bytes)), LoadOptions::default())
            .expect("load")
            .remove(0)
    }

    #[test]
    fn the_locked_file_gets_its_unlock_step() {
        let doc = sample("mixed-failures.xml");
        let findings = diagnose(&doc);
        let i = (0..doc.responses().len())
            .find(|i| doc.path_of(*i).ends_with("budget.xlsx"))
            .expect("budget");
        let items = checklist(&doc, &findings, &doc.path_of(i), Some(i));
        assert_eq!(items.len(), 6);
        assert_eq!(items.iter().map(|i| i.title).collect::<Vec<_>>(), STEPS);
        let payload = &items[2];
        assert!(payload.relevant);
        assert!(
            payload
                .detail
                .contains("The lock owned by mailto:bob@example.com"),
            "{}",
            payload.detail
        );
        assert!(
            payload
                .detail
                .contains("opaquelocktoken:e71d4fae-5dec-22d6-fea5-00a0c91e6be4"),
            "{}",
            payload.detail
        );
        assert!(!items[1].relevant, "a lock is not a permission problem");
    }

    #[test]
    fn permissions_step_for_a_forbidden_path() {
        let doc = sample("mixed-failures.xml");
        let findings = diagnose(&doc);
        let i = (0..doc.responses().len())
            .find(|i| doc.path_of(*i).ends_with("payroll-2024.csv"))
            .expect("payroll");
        let items = checklist(&doc, &findings, &doc.path_of(i), Some(i));
        assert!(items[1].relevant);
        assert!(items[1].detail.contains("known-good user"));
    }

    #[test]
    fn exports_and_confirmation() {
        let doc = sample("fix-before.xml");
        let findings = diagnose(&doc);
        let mut ws = Workspace::default();
        let notes_key = "/dav/projects/report.odt";
        let st = ws.checklist.entry(notes_key.into()).or_default();
        st.ensure_len();
        st.checked[1] = true;
        st.notes[1] = "asked bob, \"unlocked\"".into();
        let csv = export(&doc, &findings, &ws, ExportFormat::Csv);
        assert_eq!(csv.lines().count(), 1 + 5, "{csv}");
        assert!(
            csv.contains("\"Check authentication and permissions: asked bob, \"\"unlocked\"\"\""),
            "{csv}"
        );
        let json: serde_json::Value =
            serde_json::from_str(&export(&doc, &findings, &ws, ExportFormat::Json)).expect("json");
        assert_eq!(json.as_array().map(Vec::len), Some(5));
        let md = export(&doc, &findings, &ws, ExportFormat::Markdown);
        assert!(
            md.contains("| `/dav/projects/report.odt` | failed | 423 | locks |"),
            "{md}"
        );
        let n = confirm_fixed(
            &mut ws,
            ["/dav/projects/report.odt", "/dav/projects/secret/plan.md/"].into_iter(),
            "diff",
        );
        assert_eq!(n, 2);
        assert!(ws.checklist["/dav/projects/secret/plan.md"].checked[RETEST]);
    }
}
