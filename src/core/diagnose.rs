//! Diagnosis: deterministic rules that read a document the way an expert reads a
//! 207 — group the failures, map each group to a likely cause, keep the evidence.
//!
//! Each rule is a function `fn(&Context, &mut Vec<Finding>)`, tested on a payload
//! written for it. Request context (method, URL, Depth, headers) comes from a live
//! request, a HAR entry or a raw capture when the document carries it. Depends on
//! the model, the tree, `href`, `props` and `status`; never on the UI.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::core::document::Document;
use crate::core::href::{self, HrefAnomalies};
use crate::core::model::{Multistatus, Outcome, Response, ResponseFlags, Severity};
use crate::core::props::{self, ActiveLock};
use crate::core::status::reason_phrase;

/// The causes davscope knows (the seeds' list, plus what a payload can show).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Cause {
    IncorrectPaths,
    Permissions,
    Locks,
    FailedDependency,
    ProxyRewriting,
    ServerConfig,
    RequestScope,
    InsufficientStorage,
    MalformedPayload,
    NotMultistatus,
}

impl Cause {
    pub fn as_str(&self) -> &'static str {
        match self {
            Cause::IncorrectPaths => "incorrect-paths",
            Cause::Permissions => "permissions",
            Cause::Locks => "locks",
            Cause::FailedDependency => "failed-dependency",
            Cause::ProxyRewriting => "proxy-rewriting",
            Cause::ServerConfig => "server-config",
            Cause::RequestScope => "request-scope",
            Cause::InsufficientStorage => "insufficient-storage",
            Cause::MalformedPayload => "malformed-payload",
            Cause::NotMultistatus => "not-multistatus",
        }
    }
    /// A human heading.
    pub fn label(&self) -> &'static str {
        match self {
            Cause::IncorrectPaths => "Incorrect paths",
            Cause::Permissions => "Permissions",
            Cause::Locks => "Lock conflicts",
            Cause::FailedDependency => "Failed dependency",
            Cause::ProxyRewriting => "Proxy or gateway rewriting",
            Cause::ServerConfig => "Server module configuration",
            Cause::RequestScope => "Request scope",
            Cause::InsufficientStorage => "Insufficient storage",
            Cause::MalformedPayload => "Malformed payload",
            Cause::NotMultistatus => "Not a multistatus",
        }
    }
}

/// How likely a finding explains the failures.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Likelihood {
    Low,
    Medium,
    High,
}

impl Likelihood {
    pub fn as_str(&self) -> &'static str {
        match self {
            Likelihood::Low => "low",
            Likelihood::Medium => "medium",
            Likelihood::High => "high",
        }
    }
}

/// One likely cause with what gave it away.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Finding {
    pub cause: Cause,
    pub likelihood: Likelihood,
    pub title: String,
    pub evidence: Vec<String>,
    /// Decoded paths of the affected resources.
    pub paths: Vec<String>,
    /// Locks named by the payload (for the checklist's UNLOCK step).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub locks: Vec<LockInfo>,
}

/// A lock the payload names.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LockInfo {
    pub path: String,
    pub owner: String,
    pub token: String,
    pub timeout: String,
    pub root: String,
}

/// At most this many example paths in an evidence line.
const EXAMPLES: usize = 3;

struct Context<'d> {
    doc: &'d Document,
    ms: Option<&'d Multistatus>,
    paths: Vec<String>,
    method: Option<String>,
    request_url: Option<String>,
    request_path: Option<String>,
    depth: Option<String>,
    /// Reads responses again in full, keeping its parser between them.
    reader: std::cell::RefCell<Option<crate::core::parse::xml::ResponseReader<'d>>>,
}

impl Context<'_> {
    /// Response `index` read again in full.
    fn detail(&self, index: usize) -> Option<crate::core::model::ResponseDetail> {
        let ms = self.ms?;
        match self.reader.try_borrow_mut() {
            Ok(mut reader) => reader.as_mut()?.read(ms, index),
            Err(_) => self.doc.detail(index),
        }
    }
    fn responses(&self) -> impl Iterator<Item = (usize, &Response)> {
        self.ms
            .into_iter()
            .flat_map(|m| m.responses.iter().enumerate())
    }
    fn outcome(&self, r: &Response) -> Outcome {
        self.ms.map(|m| m.outcome(r)).unwrap_or(Outcome::Failed)
    }
    /// Codes that explain a failed response: its own status, else its propstats'.
    fn fail_codes(&self, r: &Response) -> Vec<u16> {
        let Some(ms) = self.ms else { return Vec::new() };
        ms.codes(r)
            .flatten()
            .filter(|c| !(200..300).contains(c))
            .collect()
    }
    fn error_names(&self, r: &Response) -> Vec<String> {
        let Some(ms) = self.ms else { return Vec::new() };
        let Some(i) = ms.index_of(r) else {
            return Vec::new();
        };
        ms.conditions_of(i)
            .iter()
            .filter_map(|e| ms.names.name(e.name).map(|q| q.local.clone()))
            .collect()
    }
    fn header(&self, name: &str) -> Option<&str> {
        self.doc.info.header(name)
    }
}

fn examples(paths: &[String]) -> String {
    let mut s: Vec<String> = paths
        .iter()
        .take(EXAMPLES)
        .map(|p| format!("`{p}`"))
        .collect();
    if paths.len() > EXAMPLES {
        s.push(format!("and {} more", paths.len() - EXAMPLES));
    }
    s.join(", ")
}

fn parent_of(path: &str) -> String {
    let key = href::path_key(path);
    match key.rfind('/') {
        Some(0) | None => "/".to_string(),
        Some(i) => format!("{}/", &key[..i]),
    }
}

/// Runs every rule on a document; findings ranked by likelihood, then by how many
/// paths they touch.
pub fn diagnose(doc: &Document) -> Vec<Finding> {
    let request = doc.info.request.as_ref();
    let request_url = request.map(|r| r.url.clone()).filter(|u| !u.is_empty());
    let ctx = Context {
        doc,
        ms: doc.multistatus.as_ref(),
        paths: doc.paths(),
        method: request
            .map(|r| r.method.to_ascii_uppercase())
            .filter(|m| !m.is_empty()),
        request_path: request_url
            .as_deref()
            .and_then(href::split_origin)
            .map(|(_, p)| href::normalize(p, None).path),
        request_url,
        depth: request
            .and_then(|r| r.header("depth"))
            .map(|d| d.trim().to_ascii_lowercase()),
        reader: std::cell::RefCell::new(
            doc.multistatus
                .as_ref()
                .and_then(|m| crate::core::parse::xml::ResponseReader::new(doc.body.bytes(), m)),
        ),
    };
    let mut findings = Vec::new();
    not_multistatus(&ctx, &mut findings);
    missing_resources(&ctx, &mut findings);
    href_anomalies(&ctx, &mut findings);
    permissions(&ctx, &mut findings);
    locks(&ctx, &mut findings);
    failed_dependency(&ctx, &mut findings);
    proxy(&ctx, &mut findings);
    server_config(&ctx, &mut findings);
    request_scope(&ctx, &mut findings);
    storage(&ctx, &mut findings);
    malformed(&ctx, &mut findings);
    findings.sort_by(|a, b| {
        b.likelihood
            .cmp(&a.likelihood)
            .then(b.paths.len().cmp(&a.paths.len()))
            .then(a.cause.cmp(&b.cause))
    });
    findings
}

fn finding(
    cause: Cause,
    likelihood: Likelihood,
    title: String,
    evidence: Vec<String>,
    paths: Vec<String>,
) -> Finding {
    Finding {
        cause,
        likelihood,
        title,
        evidence,
        paths,
        locks: Vec::new(),
    }
}

fn not_multistatus(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(what) = &ctx.doc.not_multistatus else {
        return;
    };
    let info = &ctx.doc.info;
    let mut evidence = vec![format!("the body is {what}")];
    if let Some(s) = info.http_status {
        evidence.push(format!("HTTP status {s} {}", reason_phrase(s)));
    }
    for h in [
        "content-type",
        "www-authenticate",
        "allow",
        "dav",
        "server",
        "via",
    ] {
        if let Some(v) = info.header(h) {
            evidence.push(format!("{h}: {v}"));
        }
    }
    out.push(finding(
        Cause::NotMultistatus,
        Likelihood::High,
        format!("The reply is not a multistatus: {what}"),
        evidence,
        Vec::new(),
    ));
    match info.http_status {
        Some(401) => {
            let schemes = info.header("www-authenticate").unwrap_or("none offered");
            out.push(finding(
                Cause::Permissions,
                Likelihood::High,
                "The server wants authentication (401)".into(),
                vec![format!("WWW-Authenticate: {schemes}")],
                Vec::new(),
            ));
        }
        Some(403) => out.push(finding(
            Cause::Permissions,
            Likelihood::High,
            "The whole request was forbidden (403)".into(),
            vec!["HTTP status 403 on the request itself".into()],
            Vec::new(),
        )),
        Some(405 | 501) => out.push(finding(
            Cause::ServerConfig,
            Likelihood::High,
            format!(
                "The server does not accept {} here ({})",
                ctx.method.as_deref().unwrap_or("this method"),
                info.http_status.unwrap_or(0)
            ),
            vec![format!(
                "Allow: {}",
                info.header("allow").unwrap_or("(no Allow header)")
            )],
            Vec::new(),
        )),
        _ => {}
    }
    if what.starts_with("an HTML page") {
        out.push(finding(
            Cause::ProxyRewriting,
            Likelihood::Medium,
            "HTML came back where XML was due".into(),
            vec![
                format!("the body is {what}"),
                "a proxy, a login page or an error page answered instead of the WebDAV server"
                    .into(),
            ],
            Vec::new(),
        ));
    }
}

fn is_missing(ctx: &Context<'_>, r: &Response) -> bool {
    ctx.outcome(r) == Outcome::Failed && {
        let codes = ctx.fail_codes(r);
        !codes.is_empty() && codes.iter().all(|c| *c == 404 || *c == 410)
    }
}

fn missing_resources(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut by_folder: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (i, r) in ctx.responses() {
        if is_missing(ctx, r) {
            by_folder
                .entry(parent_of(&ctx.paths[i]))
                .or_default()
                .push(ctx.paths[i].clone());
        }
    }
    let total: usize = by_folder.values().map(Vec::len).sum();
    if total == 0 {
        return;
    }
    let mut evidence = vec![format!("{total} response(s) answered 404 Not Found")];
    let mut clusters: Vec<(&String, &Vec<String>)> = by_folder.iter().collect();
    clusters.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.0.cmp(b.0)));
    for (folder, paths) in clusters.iter().take(5) {
        evidence.push(format!(
            "{} under `{folder}`: {}",
            paths.len(),
            examples(paths)
        ));
    }
    let (top, top_paths) = clusters[0];
    let title = if top_paths.len() >= 2 && top_paths.len() * 2 >= total {
        format!("{total} missing resource(s), clustered under `{top}`")
    } else {
        format!("{total} missing resource(s)")
    };
    let paths = by_folder.into_values().flatten().collect();
    out.push(finding(
        Cause::IncorrectPaths,
        Likelihood::High,
        title,
        evidence,
        paths,
    ));
}

fn href_anomalies(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let tree = &ctx.doc.tree;
    if !tree.outside_request.is_empty() && tree.outside_request.len() < ctx.paths.len() {
        let paths: Vec<String> = tree
            .outside_request
            .iter()
            .map(|i| ctx.paths[*i as usize].clone())
            .collect();
        out.push(finding(
            Cause::IncorrectPaths,
            Likelihood::Medium,
            format!("{} href(s) outside the requested collection", paths.len()),
            vec![
                format!("requested `{}`", ctx.request_path.as_deref().unwrap_or("?")),
                format!("outside it: {}", examples(&paths)),
            ],
            paths,
        ));
    }
    if !tree.case_collisions.is_empty() {
        let mut paths = Vec::new();
        let mut evidence = Vec::new();
        for (a, b) in &tree.case_collisions {
            let (pa, pb) = (tree.path(*a), tree.path(*b));
            evidence.push(format!("`{pa}` and `{pb}` differ only in case"));
            paths.push(pa);
            paths.push(pb);
        }
        evidence.truncate(5);
        out.push(finding(
            Cause::IncorrectPaths,
            Likelihood::Medium,
            format!("{} name(s) differ only in case", tree.case_collisions.len()),
            evidence,
            paths,
        ));
    }
    // Trailing slash: a collection without it, or a file with it.
    let mut slash = Vec::new();
    if let Some(ms) = ctx.ms {
        let _ = ms;
        for (i, r) in ctx.responses() {
            let Some(first) = ctx.doc.hrefs(r).into_iter().next() else {
                continue;
            };
            // The first resourcetype in a 2xx propstat, noted by the parser.
            let declared = r
                .flags
                .has(ResponseFlags::TYPE_DECLARED)
                .then(|| r.flags.has(ResponseFlags::DECLARED_COLLECTION));
            let ends = first.trim_end_matches(['?', '#']).ends_with('/') && first.len() > 1;
            if declared.is_some_and(|collection| collection != ends)
                && href::path_key(&ctx.paths[i]) != "/"
            {
                slash.push(ctx.paths[i].clone());
            }
        }
    }
    if !slash.is_empty() {
        out.push(finding(
            Cause::IncorrectPaths,
            Likelihood::Low,
            format!("{} trailing-slash mismatch(es)", slash.len()),
            vec![format!(
                "collections without a trailing slash or files with one: {}",
                examples(&slash)
            )],
            slash,
        ));
    }
    let mut enc: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let lower = tree
        .anomalies
        .iter()
        .filter(|(_, a)| a.has(HrefAnomalies::LOWERCASE_ESCAPE))
        .count();
    for (i, a) in &tree.anomalies {
        let p = ctx.paths[*i as usize].clone();
        for (flag, what) in [
            (HrefAnomalies::DOUBLE_ENCODED, "encoded twice (%25XX)"),
            (HrefAnomalies::INVALID_ESCAPE, "invalid % escapes"),
            (HrefAnomalies::NOT_UTF8, "escapes that are not UTF-8"),
            (HrefAnomalies::UNESCAPED, "unescaped spaces or non-ASCII"),
        ] {
            if a.has(flag) {
                enc.entry(what).or_default().push(p.clone());
            }
        }
    }
    let escaped = tree.anomalies.len();
    if lower > 0 && lower < escaped {
        enc.entry("mixed upper- and lower-case escapes")
            .or_default()
            .push(format!("{lower} href(s) with lower-case hex"));
    }
    if !enc.is_empty() {
        let evidence: Vec<String> = enc
            .iter()
            .map(|(k, v)| format!("{k}: {}", examples(v)))
            .collect();
        let likelihood = if enc.contains_key("encoded twice (%25XX)")
            || enc.contains_key("escapes that are not UTF-8")
        {
            Likelihood::Medium
        } else {
            Likelihood::Low
        };
        let mut paths: Vec<String> = enc
            .into_values()
            .flatten()
            .filter(|p| p.starts_with('/'))
            .collect();
        paths.sort();
        paths.dedup();
        out.push(finding(
            Cause::IncorrectPaths,
            likelihood,
            "Href encoding anomalies".into(),
            evidence,
            paths,
        ));
    }
}

/// The privilege a method needs (RFC 3744 §7.3 / §3).
fn needed_privilege(method: &str) -> &'static str {
    match method {
        "PROPPATCH" => "write-properties",
        "PUT" | "LOCK" => "write-content",
        "DELETE" | "MOVE" => "unbind",
        "MKCOL" | "COPY" => "bind",
        "ACL" => "write-acl",
        _ => "read",
    }
}

fn permissions(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut refused = Vec::new();
    let mut codes: BTreeMap<u16, usize> = BTreeMap::new();
    let mut need: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut protected_props = 0;
    for (i, r) in ctx.responses() {
        let fc = ctx.fail_codes(r);
        let hit: Vec<u16> = fc
            .iter()
            .copied()
            .filter(|c| *c == 401 || *c == 403)
            .collect();
        if !hit.is_empty() {
            if ctx
                .error_names(r)
                .iter()
                .any(|e| e == "cannot-modify-protected-property")
            {
                protected_props += 1;
            }
            refused.push(ctx.paths[i].clone());
            for c in hit {
                *codes.entry(c).or_insert(0) += 1;
            }
        }
        if let Some(ms) = ctx.ms
            && r.flags.has(ResponseFlags::HAS_ERROR)
            && let Some(d) = ctx.detail(i)
        {
            for e in &d.errors {
                if ms
                    .names
                    .name(e.name)
                    .is_some_and(|q| q.local == "need-privileges")
                {
                    let raw = ctx.doc.raw(r, e.element);
                    let privs: Vec<String> = props::element_names(&raw)
                        .into_iter()
                        .filter(|n| {
                            !["need-privileges", "resource", "href", "privilege"]
                                .contains(&n.as_str())
                        })
                        .collect();
                    for p in privs {
                        need.entry(p).or_default().push(ctx.paths[i].clone());
                    }
                }
            }
        }
    }
    if !refused.is_empty() {
        let mut evidence: Vec<String> = codes
            .iter()
            .map(|(c, n)| format!("{n} × {c} {}", reason_phrase(*c)))
            .collect();
        evidence.push(format!("refused: {}", examples(&refused)));
        for (p, paths) in &need {
            evidence.push(format!(
                "need-privileges: missing `{p}` on {}",
                examples(paths)
            ));
        }
        let common = common_folder(&refused);
        let protected = refused.len() == protected_props;
        let title = match (&common, refused.len()) {
            (_, n) if protected => format!(
                "{n} protected propert(ies) cannot be set (403, cannot-modify-protected-property)"
            ),
            (Some(f), n) if n > 1 => format!("{n} resource(s) refused (401/403) under `{f}`"),
            (_, n) => format!("{n} resource(s) refused (401/403)"),
        };
        let likelihood = if protected {
            Likelihood::Medium
        } else {
            Likelihood::High
        };
        out.push(finding(
            Cause::Permissions,
            likelihood,
            title,
            evidence,
            refused,
        ));
    }
    // A privilege set that lacks what the request needed.
    let Some(ms) = ctx.ms else { return };
    let Some(cups) = ms.names.find("DAV:", "current-user-privilege-set") else {
        return;
    };
    let needed = needed_privilege(ctx.method.as_deref().unwrap_or("PROPFIND"));
    let mut lacking = Vec::new();
    for (i, r) in ctx.responses() {
        // Only responses that carry the property are read again.
        if !ms.has_prop(r, &[cups]) {
            continue;
        }
        let Some(d) = ctx.detail(i) else { continue };
        for ps in &d.propstats {
            if !ps.is_success() {
                continue;
            }
            for p in ps.props.iter().filter(|p| p.name == cups) {
                let privs = props::element_names(&ctx.doc.raw(r, p.value));
                let ok = privs.iter().any(|x| {
                    x == needed
                        || x == "all"
                        || (needed.starts_with("write") && x == "write")
                        || (needed == "bind" || needed == "unbind") && x == "write"
                });
                if !ok {
                    lacking.push(ctx.paths[i].clone());
                }
            }
        }
    }
    if !lacking.is_empty() {
        out.push(finding(
            Cause::Permissions,
            Likelihood::Medium,
            format!(
                "current-user-privilege-set lacks `{needed}` on {} resource(s)",
                lacking.len()
            ),
            vec![
                format!(
                    "{} needs `{needed}` (RFC 3744)",
                    ctx.method
                        .as_deref()
                        .unwrap_or("the request (assumed PROPFIND)")
                ),
                format!("lacking: {}", examples(&lacking)),
            ],
            lacking,
        ));
    }
}

fn common_folder(paths: &[String]) -> Option<String> {
    let mut common: Option<String> = None;
    for p in paths {
        let parent = parent_of(p);
        common = Some(match common {
            None => parent,
            Some(c) => {
                let mut c = c;
                while !parent.starts_with(&c) {
                    c = parent_of(&c);
                    if c == "/" {
                        break;
                    }
                }
                c
            }
        });
    }
    common.filter(|c| c != "/")
}

fn locks(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(ms) = ctx.ms else { return };
    let mut locked = Vec::new();
    let mut conflicts = Vec::new();
    let mut conditions: BTreeMap<String, usize> = BTreeMap::new();
    let mut named: Vec<LockInfo> = Vec::new();
    let lockdiscovery = ms.names.find("DAV:", "lockdiscovery");
    for (i, r) in ctx.responses() {
        let fc = ctx.fail_codes(r);
        let errs = ctx.error_names(r);
        let lock_err: Vec<&String> = errs
            .iter()
            .filter(|e| {
                matches!(
                    e.as_str(),
                    "lock-token-submitted"
                        | "no-conflicting-lock"
                        | "lock-token-matches-request-uri"
                )
            })
            .collect();
        for e in &lock_err {
            *conditions.entry((*e).clone()).or_insert(0) += 1;
        }
        if fc.contains(&423) || !lock_err.is_empty() {
            locked.push(ctx.paths[i].clone());
        }
        if fc.contains(&409) {
            conflicts.push(ctx.paths[i].clone());
        }
        // Locks in error content or in a lockdiscovery property (read again,
        // only for the responses that have either).
        let with_ld = lockdiscovery.is_some_and(|ld| ms.has_prop(r, &[ld]));
        let detail = if r.flags.has(ResponseFlags::HAS_ERROR) || with_ld {
            ctx.detail(i)
        } else {
            None
        };
        let mut raws: Vec<String> = Vec::new();
        if let Some(d) = &detail {
            raws.extend(
                d.errors
                    .iter()
                    .map(|e| ctx.doc.raw(r, e.element).into_owned())
                    .filter(|raw| raw.contains("activelock")),
            );
            if let Some(ld) = lockdiscovery {
                raws.extend(
                    d.props()
                        .filter(|(_, p)| p.name == ld)
                        .map(|(_, p)| ctx.doc.raw(r, p.value).into_owned()),
                );
            }
        }
        for raw in raws {
            for l in props::active_locks(&raw) {
                named.push(lock_info(&ctx.paths[i], &l));
            }
        }
    }
    // Locks only matter here when something failed because of them.
    if !locked.is_empty() {
        let mut evidence = vec![format!(
            "{} resource(s) locked (423 or a lock precondition): {}",
            locked.len(),
            examples(&locked)
        )];
        for (c, n) in &conditions {
            evidence.push(format!("{n} × `{c}`"));
        }
        for l in named.iter().take(3) {
            evidence.push(format!(
                "lock on `{}` owned by {} (token {}, timeout {})",
                if l.root.is_empty() { &l.path } else { &l.root },
                if l.owner.is_empty() {
                    "an unnamed owner"
                } else {
                    &l.owner
                },
                if l.token.is_empty() {
                    "not shown"
                } else {
                    &l.token
                },
                if l.timeout.is_empty() {
                    "not shown"
                } else {
                    &l.timeout
                }
            ));
        }
        let title = match named.first() {
            Some(l) if !l.owner.is_empty() => format!(
                "{} resource(s) blocked by a lock held by {}",
                locked.len(),
                l.owner
            ),
            _ => format!("{} resource(s) blocked by locks", locked.len()),
        };
        let mut f = finding(Cause::Locks, Likelihood::High, title, evidence, locked);
        f.locks = named.clone();
        out.push(f);
    }
    if !conflicts.is_empty() {
        out.push(finding(
            Cause::Locks,
            Likelihood::Medium,
            format!("{} conflict(s) (409)", conflicts.len()),
            vec![
                format!("409 Conflict on {}", examples(&conflicts)),
                "a missing parent collection, a version conflict, or a constraint on the value"
                    .into(),
            ],
            conflicts,
        ));
    }
}

fn lock_info(path: &str, l: &ActiveLock) -> LockInfo {
    LockInfo {
        path: path.to_string(),
        owner: l.owner.clone(),
        token: l.token.clone(),
        timeout: l.timeout.clone(),
        root: l.root.clone(),
    }
}

fn failed_dependency(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(ms) = ctx.ms else { return };
    let mut dependent = Vec::new();
    let mut roots: BTreeMap<String, Vec<u16>> = BTreeMap::new();
    for (i, r) in ctx.responses() {
        let codes: Vec<u16> = ms.codes(r).flatten().collect();
        if !codes.contains(&424) {
            continue;
        }
        dependent.push(ctx.paths[i].clone());
        // Within one response (PROPPATCH is atomic): the other failing propstats.
        let own: Vec<u16> = codes
            .iter()
            .copied()
            .filter(|c| !(200..300).contains(c) && *c != 424)
            .collect();
        if !own.is_empty() {
            roots.entry(ctx.paths[i].clone()).or_default().extend(own);
        }
    }
    if dependent.is_empty() {
        return;
    }
    if roots.is_empty() {
        // Across responses: the failures that are not 424 themselves, preferring
        // those on the same branch (an ancestor or a member of a 424 path).
        // On the same branch as a 424: an ancestor of one (a prefix ending
        // before a `/`) or inside one. Sets, not a scan per path: a big listing
        // has thousands of each.
        let dep_keys: std::collections::HashSet<&str> =
            dependent.iter().map(|d| href::path_key(d)).collect();
        let mut dep_ancestors: std::collections::HashSet<&str> = std::collections::HashSet::new();
        for dk in &dep_keys {
            for (i, _) in dk.match_indices('/').filter(|(i, _)| *i > 0) {
                dep_ancestors.insert(&dk[..i]);
            }
        }
        let related = |p: &str| {
            let k = href::path_key(p);
            k == "/"
                || dep_ancestors.contains(k)
                || k.match_indices('/')
                    .any(|(i, _)| i > 0 && dep_keys.contains(&k[..i]))
        };
        let mut all: BTreeMap<String, Vec<u16>> = BTreeMap::new();
        for (i, r) in ctx.responses() {
            let fc: Vec<u16> = ctx
                .fail_codes(r)
                .into_iter()
                .filter(|c| *c != 424)
                .collect();
            if ctx.outcome(r) == Outcome::Failed && !fc.is_empty() {
                all.entry(ctx.paths[i].clone()).or_default().extend(fc);
            }
        }
        let near: BTreeMap<String, Vec<u16>> = all
            .iter()
            .filter(|(p, _)| related(p))
            .map(|(p, c)| (p.clone(), c.clone()))
            .collect();
        roots = if near.is_empty() { all } else { near };
    }
    let mut evidence = vec![format!(
        "{} response(s) carry 424 Failed Dependency: {}",
        dependent.len(),
        examples(&dependent)
    )];
    if roots.is_empty() {
        evidence.push("no other failure in this payload: the failing part was not reported".into());
    }
    for (p, codes) in roots.iter().take(5) {
        let mut codes = codes.clone();
        codes.sort();
        codes.dedup();
        let list: Vec<String> = codes
            .iter()
            .map(|c| format!("{c} {}", reason_phrase(*c)))
            .collect();
        evidence.push(format!("caused by `{p}`: {}", list.join(", ")));
    }
    let title = match roots.keys().next() {
        Some(p) if roots.len() == 1 => format!(
            "{} failed dependency(ies), traced to `{p}`",
            dependent.len()
        ),
        _ => format!(
            "{} failed dependency(ies): fix the failure they depend on first",
            dependent.len()
        ),
    };
    let mut paths = dependent;
    for p in roots.keys() {
        if !paths.contains(p) {
            paths.push(p.clone());
        }
    }
    out.push(finding(
        Cause::FailedDependency,
        Likelihood::High,
        title,
        evidence,
        paths,
    ));
}

fn proxy(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let tree = &ctx.doc.tree;
    let mut evidence = Vec::new();
    let mut paths = Vec::new();
    let mut likelihood = Likelihood::Low;
    let request_origin = ctx
        .request_url
        .as_deref()
        .and_then(href::split_origin)
        .map(|(o, _)| o);
    match &request_origin {
        Some(req) => {
            for (o, n) in &tree.origins {
                if o != req {
                    evidence.push(format!(
                        "{n} href(s) on `{o}`, but the request went to `{req}`"
                    ));
                    likelihood = Likelihood::High;
                }
            }
        }
        None => {
            if tree.origins.len() > 1 {
                let list: Vec<String> = tree
                    .origins
                    .iter()
                    .map(|(o, n)| format!("`{o}` ({n})"))
                    .collect();
                evidence.push(format!("hrefs name several hosts: {}", list.join(", ")));
                likelihood = likelihood.max(Likelihood::Medium);
            }
            if let Some(host) = ctx.header("x-forwarded-host") {
                for (o, n) in &tree.origins {
                    if !o.contains(&host.to_ascii_lowercase()) {
                        evidence.push(format!(
                            "{n} href(s) on `{o}`, but X-Forwarded-Host says `{host}`"
                        ));
                        likelihood = Likelihood::High;
                    }
                }
            }
        }
    }
    if !evidence.is_empty() {
        for (i, r) in ctx.responses() {
            let first = ctx.doc.hrefs(r).into_iter().next().unwrap_or_default();
            if href::split_origin(&first).is_some() {
                paths.push(ctx.paths[i].clone());
            }
        }
    }
    // Path prefix rewritten: every href outside the requested path.
    if !tree.outside_request.is_empty()
        && tree.outside_request.len() == ctx.paths.len()
        && !ctx.paths.is_empty()
    {
        evidence.push(format!(
            "every href lies outside the requested path `{}` (e.g. `{}`): a path prefix was rewritten",
            ctx.request_path.as_deref().unwrap_or("?"),
            ctx.paths[0]
        ));
        likelihood = Likelihood::High;
        paths.extend(ctx.paths.iter().cloned());
    }
    for h in [
        "via",
        "x-forwarded-for",
        "x-forwarded-host",
        "x-forwarded-proto",
        "forwarded",
    ] {
        if let Some(v) = ctx.header(h) {
            evidence.push(format!("{h}: {v} (an intermediary handled the reply)"));
        }
    }
    let cut = ctx.doc.problems.iter().any(|p| {
        p.severity == Severity::Error
            && (p.message.contains("truncated")
                || p.message.contains("cut off")
                || p.message.contains("ends without"))
    }) || ctx
        .doc
        .problems
        .iter()
        .any(|p| p.message.contains("Content-Length says"));
    if cut {
        evidence.push(
            "the body was cut off mid-stream (proxy buffering or timeouts are a common cause)"
                .into(),
        );
        likelihood = likelihood.max(Likelihood::Medium);
    }
    if ctx.doc.multistatus.is_some()
        && let Some(ct) = ctx.header("content-type")
        && !ct.to_ascii_lowercase().contains("xml")
    {
        evidence.push(format!("Content-Type `{ct}` is not XML"));
        likelihood = likelihood.max(Likelihood::Medium);
    }
    let strong = evidence
        .iter()
        .any(|e| !e.contains("an intermediary handled the reply"));
    if evidence.is_empty() || !strong {
        // A Via header alone is not a problem.
        return;
    }
    paths.sort();
    paths.dedup();
    out.push(finding(
        Cause::ProxyRewriting,
        likelihood,
        "A proxy or gateway changed the reply".into(),
        evidence,
        paths,
    ));
}

fn server_config(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let mut evidence = Vec::new();
    let mut paths = Vec::new();
    let mut likelihood = Likelihood::Medium;
    for (i, r) in ctx.responses() {
        let fc = ctx.fail_codes(r);
        if fc.iter().any(|c| *c == 405 || *c == 501) {
            evidence.push(format!(
                "`{}`: {} to {}",
                ctx.paths[i],
                fc[0],
                ctx.method.as_deref().unwrap_or("the request")
            ));
            paths.push(ctx.paths[i].clone());
            likelihood = Likelihood::High;
        } else if fc.iter().any(|c| (500..600).contains(c) && *c != 507) {
            evidence.push(format!(
                "`{}`: {} {}",
                ctx.paths[i],
                fc[0],
                reason_phrase(fc[0])
            ));
            paths.push(ctx.paths[i].clone());
        }
        if ctx
            .error_names(r)
            .iter()
            .any(|e| e == "propfind-finite-depth")
        {
            evidence.push("`propfind-finite-depth`: the server refuses Depth: infinity".into());
            paths.push(ctx.paths[i].clone());
            likelihood = Likelihood::High;
        }
    }
    let info = &ctx.doc.info;
    if ctx.method.as_deref() == Some("OPTIONS")
        && info.header("dav").is_none()
        && info.http_status.is_some()
    {
        evidence.push("OPTIONS answered without a DAV header: WebDAV is not enabled here".into());
        likelihood = Likelihood::High;
    }
    if evidence.is_empty() {
        return;
    }
    evidence.truncate(8);
    paths.sort();
    paths.dedup();
    out.push(finding(
        Cause::ServerConfig,
        likelihood,
        format!(
            "{} server-side failure(s): check the WebDAV module and its logs",
            paths.len().max(1)
        ),
        evidence,
        paths,
    ));
}

fn request_scope(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let (Some(method), Some(req)) = (ctx.method.as_deref(), ctx.request_path.as_deref()) else {
        return;
    };
    if method != "PROPFIND" || ctx.ms.is_none() {
        return;
    }
    let base = href::path_key(req);
    let depth_of = |p: &str| -> Option<usize> {
        let k = href::path_key(p);
        if k == base {
            return Some(0);
        }
        let rest = if base == "/" {
            k.strip_prefix('/')
        } else {
            k.strip_prefix(base).and_then(|r| r.strip_prefix('/'))
        }?;
        Some(rest.split('/').count())
    };
    let max = ctx
        .paths
        .iter()
        .filter_map(|p| depth_of(p))
        .max()
        .unwrap_or(0);
    match ctx.depth.as_deref() {
        None => out.push(finding(
            Cause::RequestScope,
            if max > 1 {
                Likelihood::Medium
            } else {
                Likelihood::Low
            },
            "PROPFIND without a Depth header: servers treat it as Depth: infinity".into(),
            vec![
                "no Depth header in the request (RFC 4918 §9.1: missing means infinity)".into(),
                format!("the reply goes {max} level(s) below `{req}`"),
            ],
            Vec::new(),
        )),
        Some("0") if ctx.paths.len() > 1 || max > 0 => {
            let deeper: Vec<String> = ctx
                .paths
                .iter()
                .filter(|p| depth_of(p).unwrap_or(1) > 0)
                .cloned()
                .collect();
            out.push(finding(
                Cause::RequestScope,
                Likelihood::Medium,
                "The reply is deeper than Depth: 0".into(),
                vec![format!(
                    "Depth: 0 asks for `{req}` only; {} other resource(s) came back",
                    deeper.len()
                )],
                deeper,
            ));
        }
        Some("1") if max > 1 => {
            let deeper: Vec<String> = ctx
                .paths
                .iter()
                .filter(|p| depth_of(p).unwrap_or(0) > 1)
                .cloned()
                .collect();
            out.push(finding(
                Cause::RequestScope,
                Likelihood::Medium,
                "The reply is deeper than Depth: 1".into(),
                vec![format!(
                    "{} resource(s) more than one level below `{req}`: {}",
                    deeper.len(),
                    examples(&deeper)
                )],
                deeper,
            ));
        }
        _ => {}
    }
}

fn storage(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(ms) = ctx.ms else { return };
    let mut full = Vec::new();
    for (i, r) in ctx.responses() {
        if ctx.fail_codes(r).contains(&507) {
            full.push(ctx.paths[i].clone());
        }
    }
    let mut evidence = Vec::new();
    if !full.is_empty() {
        evidence.push(format!(
            "{} × 507 Insufficient Storage: {}",
            full.len(),
            examples(&full)
        ));
    }
    let avail = ms.names.find("DAV:", "quota-available-bytes");
    let used = ms.names.find("DAV:", "quota-used-bytes");
    let mut quota_paths = Vec::new();
    for (i, r) in ctx.responses() {
        let Some(a_id) = avail else { break };
        if !ms.has_prop(r, &[a_id]) {
            continue;
        }
        let Some(d) = ctx.detail(i) else { continue };
        let value = |id| -> Option<i128> {
            d.props()
                .map(|(_, p)| p)
                .find(|p| Some(p.name) == id)
                .and_then(|p| ctx.doc.text(r, p.value).trim().parse().ok())
        };
        if let Some(a) = value(avail)
            && a >= 0
        {
            let u = value(used).unwrap_or(0);
            if a == 0 || (u > 0 && a * 100 < u) {
                evidence.push(format!(
                    "`{}`: quota-available-bytes {a}, quota-used-bytes {u}",
                    ctx.paths[i]
                ));
                quota_paths.push(ctx.paths[i].clone());
            }
        }
    }
    if evidence.is_empty() {
        return;
    }
    evidence.truncate(6);
    let likelihood = if full.is_empty() {
        Likelihood::Medium
    } else {
        Likelihood::High
    };
    let mut paths = full;
    paths.extend(quota_paths);
    out.push(finding(
        Cause::InsufficientStorage,
        likelihood,
        "Storage or quota is exhausted".into(),
        evidence,
        paths,
    ));
}

fn malformed(ctx: &Context<'_>, out: &mut Vec<Finding>) {
    let Some(ms) = ctx.ms else { return };
    let mut evidence = Vec::new();
    let mut paths = Vec::new();
    let mut both = 0;
    let mut unreadable = 0;
    let mut no_href = 0;
    for (i, r) in ctx.responses() {
        if r.flags.has(ResponseFlags::STATUS_AND_PROPSTAT) {
            both += 1;
            paths.push(ctx.paths[i].clone());
        }
        if r.flags.has(ResponseFlags::UNREADABLE_STATUS) {
            unreadable += 1;
            paths.push(ctx.paths[i].clone());
        }
        if r.flags.has(ResponseFlags::NO_HREF) {
            no_href += 1;
        }
    }
    if both > 0 {
        evidence.push(format!(
            "{both} response(s) with both a status and propstats (RFC 4918 §14.24 forbids it)"
        ));
    }
    if unreadable > 0 {
        evidence.push(format!(
            "{unreadable} response(s) with a status line that carries no code"
        ));
    }
    if no_href > 0 {
        evidence.push(format!("{no_href} response(s) without an href"));
    }
    let _ = ms;
    let errors: Vec<&crate::core::model::Problem> = ctx
        .doc
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Error)
        .collect();
    for p in errors.iter().take(5) {
        evidence.push(format!(
            "line {}, column {}: {}",
            p.line, p.column, p.message
        ));
    }
    if evidence.is_empty() {
        return;
    }
    let likelihood = if errors.is_empty() {
        Likelihood::Low
    } else {
        Likelihood::Medium
    };
    paths.sort();
    paths.dedup();
    out.push(finding(
        Cause::MalformedPayload,
        likelihood,
        "The payload is malformed or non-conforming".into(),
        evidence,
        paths,
    ));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::document::{Bytes, LoadOptions, load_bytes};
    use std::sync::Arc;

    fn load(text: &str) -> Document {
        load_bytes(
            "t",
            Arc::new(Bytes::Owned(text.as_bytes().to_vec())),
            LoadOptions::default(),
        )
        .expect("load")
        .remove(0)
    }

    fn ms(body: &str) -> String {
        format!("<d:multistatus xmlns:d=\"DAV:\">{body}</d:multistatus>")
    }

    fn resp(href: &str, code: u16) -> String {
        format!(
            "<d:response><d:href>{href}</d:href><d:status>HTTP/1.1 {code} x</d:status></d:response>"
        )
    }

    const OK: &str = "<d:propstat><d:prop><d:displayname>x</d:displayname></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat>";

    fn ok(href: &str) -> String {
        format!("<d:response><d:href>{href}</d:href>{OK}</d:response>")
    }

    fn capture(
        method: &str,
        url_path: &str,
        depth: Option<&str>,
        extra_headers: &str,
        body: &str,
    ) -> String {
        let depth = depth.map(|d| format!("Depth: {d}\r\n")).unwrap_or_default();
        format!(
            "{method} {url_path} HTTP/1.1\r\nHost: files.example.com\r\n{depth}Content-Length: 0\r\n\r\nHTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\n{extra_headers}\r\n{body}"
        )
    }

    fn causes(doc: &Document) -> Vec<(Cause, Likelihood)> {
        diagnose(doc)
            .iter()
            .map(|f| (f.cause, f.likelihood))
            .collect()
    }

    #[test]
    fn a_clean_payload_produces_nothing() {
        let doc = load(&ms(&(ok("/a/") + &ok("/a/b.txt"))));
        assert!(diagnose(&doc).is_empty(), "{:?}", diagnose(&doc));
        let doc = load(&capture(
            "PROPFIND",
            "/a/",
            Some("1"),
            "",
            &ms(&(ok("/a/") + &ok("/a/b.txt"))),
        ));
        assert!(diagnose(&doc).is_empty(), "{:?}", diagnose(&doc));
    }

    #[test]
    fn missing_resources_cluster_under_a_folder() {
        let doc = load(&ms(&(ok("/a/")
            + &resp("/a/old/x", 404)
            + &resp("/a/old/y", 404)
            + &resp("/a/z", 404))));
        let f = diagnose(&doc);
        assert_eq!(f[0].cause, Cause::IncorrectPaths);
        assert!(
            f[0].title.contains("clustered under `/a/old/`"),
            "{}",
            f[0].title
        );
        assert_eq!(f[0].paths.len(), 3);
    }

    #[test]
    fn a_404_propstat_is_not_a_missing_resource() {
        let partial = "<d:response><d:href>/a</d:href><d:propstat><d:prop><d:x/></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat><d:propstat><d:prop><d:quota/></d:prop><d:status>HTTP/1.1 404 x</d:status></d:propstat></d:response>";
        assert!(diagnose(&load(&ms(partial))).is_empty());
    }

    #[test]
    fn permissions_with_need_privileges() {
        let body = "<d:response><d:href>/s/f/a</d:href><d:status>HTTP/1.1 403 Forbidden</d:status><d:error><d:need-privileges><d:resource><d:href>/s/f/a</d:href><d:privilege><d:read/></d:privilege></d:resource></d:need-privileges></d:error></d:response>".to_string()
            + &resp("/s/f/b", 403);
        let f = diagnose(&load(&ms(&body)));
        assert_eq!(f[0].cause, Cause::Permissions);
        assert!(f[0].title.contains("under `/s/f/`"), "{}", f[0].title);
        assert!(
            f[0].evidence.iter().any(|e| e.contains("missing `read`")),
            "{:?}",
            f[0].evidence
        );
    }

    #[test]
    fn privilege_set_lacking_what_the_method_needs() {
        let body = "<d:response><d:href>/a</d:href><d:propstat><d:prop><d:current-user-privilege-set><d:privilege><d:read/></d:privilege></d:current-user-privilege-set></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>";
        let doc = load(&capture("PROPPATCH", "/a", None, "", &ms(body)));
        let f = diagnose(&doc);
        assert!(
            f.iter()
                .any(|f| f.cause == Cause::Permissions && f.title.contains("write-properties")),
            "{f:?}"
        );
        let doc = load(&capture("PROPFIND", "/a", Some("0"), "", &ms(body)));
        assert!(diagnose(&doc).is_empty(), "read is enough for PROPFIND");
    }

    #[test]
    fn locks_name_owner_and_token() {
        let body = "<d:response><d:href>/a/f.odt</d:href><d:status>HTTP/1.1 423 Locked</d:status><d:error><d:lock-token-submitted><d:href>/a/f.odt</d:href></d:lock-token-submitted><d:lockdiscovery><d:activelock><d:locktype><d:write/></d:locktype><d:lockscope><d:exclusive/></d:lockscope><d:owner>bob</d:owner><d:timeout>Second-60</d:timeout><d:locktoken><d:href>opaquelocktoken:t1</d:href></d:locktoken></d:activelock></d:lockdiscovery></d:error></d:response>".to_string() + &resp("/a/c", 409);
        let f = diagnose(&load(&ms(&body)));
        let lock = f
            .iter()
            .find(|f| f.cause == Cause::Locks && f.likelihood == Likelihood::High)
            .expect("lock finding");
        assert!(lock.title.contains("held by bob"), "{}", lock.title);
        assert_eq!(lock.locks[0].token, "opaquelocktoken:t1");
        assert!(
            f.iter()
                .any(|f| f.cause == Cause::Locks && f.title.contains("409"))
        );
    }

    #[test]
    fn failed_dependency_traced_within_and_across_responses() {
        let proppatch = "<d:response><d:href>/a</d:href><d:propstat><d:prop><d:getetag/></d:prop><d:status>HTTP/1.1 403 x</d:status></d:propstat><d:propstat><d:prop><d:x/></d:prop><d:status>HTTP/1.1 424 x</d:status></d:propstat></d:response>";
        let f = diagnose(&load(&ms(proppatch)));
        let dep = f
            .iter()
            .find(|f| f.cause == Cause::FailedDependency)
            .expect("424");
        assert!(dep.title.contains("traced to `/a`"), "{}", dep.title);
        assert!(dep.evidence.iter().any(|e| e.contains("403 Forbidden")));
        let across = resp("/c/", 424) + &resp("/c/locked", 423);
        let f = diagnose(&load(&ms(&across)));
        let dep = f
            .iter()
            .find(|f| f.cause == Cause::FailedDependency)
            .expect("424");
        assert!(dep.title.contains("traced to `/c/locked`"), "{}", dep.title);
    }

    #[test]
    fn proxy_rewriting_from_hosts_headers_and_truncation() {
        let body =
            ms(&(ok("http://backend.internal:8080/dav/")
                + &ok("http://backend.internal:8080/dav/a")));
        let doc = load(&capture(
            "PROPFIND",
            "/dav/",
            Some("1"),
            "Via: 1.1 proxy\r\n",
            &body,
        ));
        let f = diagnose(&doc);
        let p = f
            .iter()
            .find(|f| f.cause == Cause::ProxyRewriting)
            .expect("proxy");
        assert_eq!(p.likelihood, Likelihood::High);
        assert!(
            p.evidence
                .iter()
                .any(|e| e.contains("http://backend.internal:8080"))
        );
        assert!(p.evidence.iter().any(|e| e.starts_with("via:")));
        // A Via header alone is not a finding.
        let doc = load(&capture(
            "PROPFIND",
            "/dav/",
            Some("1"),
            "Via: 1.1 proxy\r\n",
            &ms(&ok("/dav/")),
        ));
        assert!(diagnose(&doc).is_empty(), "{:?}", diagnose(&doc));
        // Cut off mid-stream.
        let cut = "<d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>/a</d:href>";
        let causes = causes(&load(cut));
        assert!(
            causes.contains(&(Cause::ProxyRewriting, Likelihood::Medium)),
            "{causes:?}"
        );
        assert!(causes.iter().any(|c| c.0 == Cause::MalformedPayload));
    }

    #[test]
    fn not_a_multistatus_401_and_html() {
        let doc = load(
            "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"x\"\r\nContent-Type: text/html\r\n\r\n<html><title>Login</title></html>",
        );
        let c = causes(&doc);
        assert!(c.contains(&(Cause::NotMultistatus, Likelihood::High)));
        assert!(c.contains(&(Cause::Permissions, Likelihood::High)));
        assert!(c.contains(&(Cause::ProxyRewriting, Likelihood::Medium)));
        let f = diagnose(&doc);
        assert!(
            f.iter()
                .any(|f| f.evidence.iter().any(|e| e.contains("Basic realm")))
        );
    }

    #[test]
    fn server_config_405_500_and_finite_depth() {
        let body = resp("/a", 500)
            + "<d:response><d:href>/b/</d:href><d:status>HTTP/1.1 403 x</d:status><d:error><d:propfind-finite-depth/></d:error></d:response>";
        let f = diagnose(&load(&ms(&body)));
        let s = f
            .iter()
            .find(|f| f.cause == Cause::ServerConfig)
            .expect("server");
        assert_eq!(s.likelihood, Likelihood::High);
        assert!(
            s.evidence
                .iter()
                .any(|e| e.contains("propfind-finite-depth"))
        );
        let doc = load("HTTP/1.1 405 Method Not Allowed\r\nAllow: GET, HEAD\r\n\r\n");
        assert!(causes(&doc).contains(&(Cause::ServerConfig, Likelihood::High)));
    }

    #[test]
    fn request_scope_depth() {
        let body = ms(&(ok("/d/") + &ok("/d/a/") + &ok("/d/a/b")));
        let c = causes(&load(&capture("PROPFIND", "/d/", Some("1"), "", &body)));
        assert!(
            c.contains(&(Cause::RequestScope, Likelihood::Medium)),
            "{c:?}"
        );
        let c = causes(&load(&capture("PROPFIND", "/d/", None, "", &body)));
        assert!(
            c.contains(&(Cause::RequestScope, Likelihood::Medium)),
            "{c:?}"
        );
        let c = causes(&load(&capture(
            "PROPFIND",
            "/d/",
            Some("infinity"),
            "",
            &body,
        )));
        assert!(c.is_empty(), "{c:?}");
    }

    #[test]
    fn storage_507_and_quota() {
        let c = causes(&load(&ms(&resp("/u/x", 507))));
        assert!(c.contains(&(Cause::InsufficientStorage, Likelihood::High)));
        let q = "<d:response><d:href>/u/</d:href><d:propstat><d:prop><d:quota-available-bytes>0</d:quota-available-bytes><d:quota-used-bytes>1000</d:quota-used-bytes></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>";
        let c = causes(&load(&ms(q)));
        assert!(
            c.contains(&(Cause::InsufficientStorage, Likelihood::Medium)),
            "{c:?}"
        );
    }

    #[test]
    fn href_anomalies_are_findings() {
        let body = ms(&(ok("/a/File.txt")
            + &ok("/a/file.txt")
            + &ok("/a/x%2541")
            + &ok("http://other/out")));
        let doc = load(&capture("PROPFIND", "/a/", Some("1"), "", &body));
        let f = diagnose(&doc);
        assert!(
            f.iter().any(|f| f.title.contains("differ only in case")),
            "{f:?}"
        );
        assert!(f.iter().any(|f| f.title.contains("encoding")
            && f.evidence.iter().any(|e| e.contains("encoded twice"))));
        assert!(
            f.iter()
                .any(|f| f.title.contains("outside the requested collection"))
        );
        let slash = "<d:response><d:href>/a/dir</d:href><d:propstat><d:prop><d:resourcetype><d:collection/></d:resourcetype></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>";
        let f = diagnose(&load(&ms(slash)));
        assert!(
            f.iter().any(|f| f.title.contains("trailing-slash")),
            "{f:?}"
        );
    }

    #[test]
    fn malformed_status_and_propstat() {
        let body = "<d:response><d:href>/a</d:href><d:status>HTTP/1.1 200 OK</d:status><d:propstat><d:prop><d:x/></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>";
        let c = causes(&load(&ms(body)));
        assert_eq!(c, vec![(Cause::MalformedPayload, Likelihood::Low)]);
    }
}
