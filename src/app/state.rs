//! The window's state and the commands that change it. Panels read `AppState` and
//! push `Command`s; `App` drains them (and the task inbox) once per frame and calls
//! `AppState::handle`. Nothing here draws.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use crate::app::live::{LiveCommand, LiveState};
use crate::app::tasks::{LoadEvent, Loader};
use crate::core::checklist::{Action, ExportFormat};
use crate::core::diagnose::{Finding, diagnose};
use crate::core::document::{Bytes, Document, LoadOptions, load_bytes};
use crate::core::filter::{self, FilterError, FilterQuery, FilteredTree};
use crate::core::model::Outcome;
use crate::core::session::{self, Workspace};
use crate::core::tree::NONE;

/// Samples built into the binary: a new user sees a real tree at once.
pub const SAMPLES: [(&str, &[u8]); 12] = [
    (
        "mixed-failures.xml",
        include_bytes!("../../samples/mixed-failures.xml"),
    ),
    (
        "proppatch-424.xml",
        include_bytes!("../../samples/proppatch-424.xml"),
    ),
    (
        "caldav-multiget-missing.xml",
        include_bytes!("../../samples/caldav-multiget-missing.xml"),
    ),
    (
        "sync-collection.xml",
        include_bytes!("../../samples/sync-collection.xml"),
    ),
    (
        "proxy-rewrite.http",
        include_bytes!("../../samples/proxy-rewrite.http"),
    ),
    (
        "truncated.xml",
        include_bytes!("../../samples/truncated.xml"),
    ),
    (
        "unauthorized-401.http",
        include_bytes!("../../samples/unauthorized-401.http"),
    ),
    (
        "gzip-response.http",
        include_bytes!("../../samples/gzip-response.http"),
    ),
    ("session.har", include_bytes!("../../samples/session.har")),
    (
        "fix-before.xml",
        include_bytes!("../../samples/fix-before.xml"),
    ),
    (
        "fix-after.xml",
        include_bytes!("../../samples/fix-after.xml"),
    ),
    (
        "status-and-propstat.xml",
        include_bytes!("../../samples/status-and-propstat.xml"),
    ),
];

/// Where a document came from (for reload and the recent list).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    File(PathBuf),
    Sample(usize),
    Pasted,
    /// The snapshot of a history entry (a live request's reply).
    Snapshot(u64),
}

/// Which view the bottom panel shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BottomTab {
    Raw,
    Problems,
}

/// The raw XML view's state.
#[derive(Debug, Default)]
pub struct RawState {
    /// Where the body's lines start (sparse: every 64th is kept).
    pub lines: crate::core::text::SparseLines,
    pub search: String,
    pub search_message: Option<String>,
    /// Offset of the last search hit.
    pub search_from: usize,
    /// Scroll to this line (0-based) next frame.
    pub scroll_to_line: Option<usize>,
    /// Lines to highlight (0-based, inclusive range).
    pub highlight: Option<(usize, usize)>,
    /// Show the selected response pretty-printed instead of the byte-exact body.
    pub pretty: bool,
}

/// One open document and its view state.
pub struct OpenDoc {
    pub doc: Arc<Document>,
    pub origin: Origin,
    pub filter_text: String,
    pub filter_error: Option<FilterError>,
    pub failures_only: bool,
    pub status_chips: BTreeSet<u16>,
    pub filtered: FilteredTree,
    pub expanded: Vec<bool>,
    /// The flattened visible rows (node ids), rebuilt on change, never per frame.
    pub rows: Vec<u32>,
    pub selected: Option<u32>,
    pub scroll_to_selected: bool,
    pub raw: RawState,
    /// Type-ahead buffer and when it was last typed into.
    pub type_ahead: (String, f64),
    /// The diagnosis, computed with the load.
    pub findings: Vec<Finding>,
    /// A finding whose paths alone are shown.
    pub pinned: Option<usize>,
    /// The summary strip's figures, computed once per document (never per frame).
    status_counts: Vec<(Option<u16>, usize)>,
    failures_by_folder: Vec<(String, u32)>,
    /// Reload when the file changes on disk.
    pub watch: bool,
    /// The file's modification time when it was read.
    pub modified: Option<std::time::SystemTime>,
    /// The last response read in full (values, texts): the details panel asks
    /// for it every frame, the body is read once per selection.
    detail: std::cell::RefCell<Option<(usize, Option<Arc<crate::core::model::ResponseDetail>>)>>,
}

impl OpenDoc {
    pub fn new(doc: Document, findings: Vec<Finding>, origin: Origin, filter_text: String) -> Self {
        let doc = Arc::new(doc);
        let n = doc.tree.len();
        let lines = crate::core::text::SparseLines::new(doc.body.bytes());
        let mut open = OpenDoc {
            doc,
            origin,
            filter_text,
            filter_error: None,
            failures_only: false,
            status_chips: BTreeSet::new(),
            filtered: FilteredTree::default(),
            expanded: vec![false; n],
            rows: Vec::new(),
            selected: None,
            scroll_to_selected: false,
            raw: RawState {
                lines,
                ..RawState::default()
            },
            type_ahead: (String::new(), 0.0),
            findings,
            pinned: None,
            status_counts: Vec::new(),
            failures_by_folder: Vec::new(),
            watch: false,
            modified: None,
            detail: std::cell::RefCell::new(None),
        };
        if let Origin::File(p) = &open.origin {
            open.modified = std::fs::metadata(p).and_then(|m| m.modified()).ok();
        }
        open.status_counts = open.count_statuses();
        open.failures_by_folder = open.count_failures_by_folder();
        if let Some(root) = open.expanded.first_mut() {
            *root = true;
        }
        open.reveal_failures();
        open.apply_filter();
        open
    }

    pub fn label(&self) -> &str {
        &self.doc.info.label
    }

    /// The query the tree shows: the typed text plus the quick toggles.
    pub fn effective_query(&self) -> String {
        let mut q = self.filter_text.trim().to_string();
        if self.failures_only {
            q.push_str(" -outcome:ok");
        }
        if !self.status_chips.is_empty() {
            let codes: Vec<String> = self.status_chips.iter().map(u16::to_string).collect();
            q.push_str(&format!(" status:{}", codes.join(",")));
        }
        q.trim().to_string()
    }

    /// Re-evaluates the filter (once per change) and rebuilds the rows.
    pub fn apply_filter(&mut self) {
        let text = self.effective_query();
        match FilterQuery::parse(&text) {
            Ok(query) => {
                self.filter_error = None;
                self.filtered = match &self.doc.multistatus {
                    Some(ms) => filter::apply(&query, ms, &self.doc.tree, None),
                    None => FilteredTree::default(),
                };
            }
            Err(e) => {
                // Keep the last good result on screen; the error shows under the box.
                self.filter_error = Some(e);
            }
        }
        if let Some(f) = self.pinned.and_then(|i| self.findings.get(i)) {
            let keys: std::collections::HashSet<&str> = f
                .paths
                .iter()
                .map(|p| crate::core::href::path_key(p))
                .collect();
            let tree = &self.doc.tree;
            let mut matched = vec![false; self.doc.responses().len()];
            let mut visible = vec![false; tree.len()];
            let mut count = 0;
            for (i, m) in matched.iter_mut().enumerate() {
                let node = tree.response_node.get(i).copied().unwrap_or(NONE);
                let passes = self.filtered.matched.get(i).copied().unwrap_or(true)
                    && keys.contains(crate::core::href::path_key(&self.doc.path_of(i)));
                if passes {
                    *m = true;
                    count += 1;
                    let mut n = node;
                    while n != NONE && !visible[n as usize] {
                        visible[n as usize] = true;
                        n = tree.nodes[n as usize].parent;
                    }
                }
            }
            if let Some(root) = visible.first_mut() {
                *root = true;
            }
            self.filtered = FilteredTree {
                matched,
                visible,
                matched_count: count,
            };
        }
        self.rebuild_rows();
    }

    fn visible(&self, node: u32) -> bool {
        self.filtered
            .visible
            .get(node as usize)
            .copied()
            .unwrap_or(self.filtered.visible.is_empty())
    }

    /// Flattens the expanded, visible part of the tree into rows.
    pub fn rebuild_rows(&mut self) {
        self.rows.clear();
        let tree = &self.doc.tree;
        if tree.nodes.is_empty() {
            return;
        }
        let mut stack: Vec<u32> = Vec::new();
        if tree.nodes[0].response != NONE {
            self.rows.push(0);
        }
        stack.extend(tree.children(0));
        stack.reverse();
        while let Some(id) = stack.pop() {
            if !self.visible(id) {
                continue;
            }
            self.rows.push(id);
            if self.expanded.get(id as usize).copied().unwrap_or(false) {
                let first = stack.len();
                stack.extend(tree.children(id));
                stack[first..].reverse();
            }
        }
        if let Some(sel) = self.selected
            && !self.rows.contains(&sel)
            && !self.visible(sel)
        {
            self.selected = None;
        }
    }

    /// Expands exactly the folders that lead to a failed response.
    pub fn reveal_failures(&mut self) {
        let tree = &self.doc.tree;
        for (id, e) in self.expanded.iter_mut().enumerate() {
            *e = id == 0
                || tree
                    .children(id as u32)
                    .any(|c| tree.nodes[c as usize].has_failure());
        }
        self.rebuild_rows();
    }

    pub fn set_all_expanded(&mut self, expanded: bool) {
        for (id, e) in self.expanded.iter_mut().enumerate() {
            *e = expanded || id == 0;
        }
        self.rebuild_rows();
    }

    /// Selects a node, expanding its ancestors so it shows.
    pub fn select(&mut self, node: u32) {
        let tree = &self.doc.tree;
        let mut p = tree
            .nodes
            .get(node as usize)
            .map(|n| n.parent)
            .unwrap_or(NONE);
        let mut changed = false;
        while p != NONE {
            if !self.expanded[p as usize] {
                self.expanded[p as usize] = true;
                changed = true;
            }
            p = tree.nodes[p as usize].parent;
        }
        if changed {
            self.rebuild_rows();
        }
        self.selected = Some(node);
        self.scroll_to_selected = true;
        self.highlight_selected();
    }

    /// Marks the selected response's lines in the raw view.
    fn highlight_selected(&mut self) {
        let Some(node) = self.selected else { return };
        let Some(r) = self.response_of(node) else {
            self.raw.highlight = None;
            return;
        };
        let first = self.line_of(r.span().start as usize);
        let last = self.line_of(r.span().end.saturating_sub(1) as usize);
        self.raw.highlight = Some((first, last));
        // The raw view follows the selection.
        self.raw.scroll_to_line = Some(first);
    }

    pub fn response_of(&self, node: u32) -> Option<crate::core::model::Response> {
        let n = self.doc.tree.nodes.get(node as usize)?;
        if n.response == NONE {
            return None;
        }
        self.doc.responses().get(n.response as usize).copied()
    }

    /// Response `index` read in full, cached for as long as it is asked for.
    pub fn detail(&self, index: usize) -> Option<Arc<crate::core::model::ResponseDetail>> {
        let Ok(mut cache) = self.detail.try_borrow_mut() else {
            return self.doc.detail(index).map(Arc::new);
        };
        if let Some((i, d)) = cache.as_ref()
            && *i == index
        {
            return d.clone();
        }
        let d = self.doc.detail(index).map(Arc::new);
        *cache = Some((index, d.clone()));
        d
    }

    /// 0-based line of a byte offset in the body.
    pub fn line_of(&self, offset: usize) -> usize {
        self.raw.lines.line_of(self.doc.body.bytes(), offset)
    }

    pub fn toggle(&mut self, node: u32) {
        if let Some(e) = self.expanded.get_mut(node as usize) {
            *e = !*e;
            self.rebuild_rows();
        }
    }

    /// Moves the selection by `delta` rows (clamped).
    pub fn move_selection(&mut self, delta: isize) {
        if self.rows.is_empty() {
            return;
        }
        let cur = self
            .selected
            .and_then(|s| self.rows.iter().position(|&r| r == s));
        let next = match cur {
            Some(i) => (i as isize + delta).clamp(0, self.rows.len() as isize - 1) as usize,
            None => 0,
        };
        self.select(self.rows[next]);
    }

    /// Type-ahead: selects the next row whose name starts with `prefix`.
    pub fn find_by_prefix(&mut self, prefix: &str) -> bool {
        let prefix = prefix.to_lowercase();
        let start = self
            .selected
            .and_then(|s| self.rows.iter().position(|&r| r == s))
            .unwrap_or(0);
        let n = self.rows.len();
        for k in 0..n {
            // The current row stays a candidate while the prefix grows.
            let i = (start + k) % n;
            let id = self.rows[i];
            if self.doc.tree.name(id).to_lowercase().starts_with(&prefix) {
                self.select(id);
                return true;
            }
        }
        false
    }

    /// Counts for the summary strip: responses per code (each code once per
    /// response), in code order.
    pub fn status_counts(&self) -> &[(Option<u16>, usize)] {
        &self.status_counts
    }

    fn count_statuses(&self) -> Vec<(Option<u16>, usize)> {
        let mut counts: std::collections::BTreeMap<Option<u16>, usize> = Default::default();
        if let Some(ms) = &self.doc.multistatus {
            for r in &ms.responses {
                let mut codes: Vec<Option<u16>> = ms.codes(r).collect();
                codes.sort();
                codes.dedup();
                for c in codes {
                    *counts.entry(c).or_insert(0) += 1;
                }
            }
        }
        counts.into_iter().collect()
    }

    /// Failed responses per top-level folder (the first path segment under the
    /// deepest common folder), most first.
    pub fn failures_by_folder(&self) -> &[(String, u32)] {
        &self.failures_by_folder
    }

    fn count_failures_by_folder(&self) -> Vec<(String, u32)> {
        let tree = &self.doc.tree;
        // Descend while there is a single child: that is the common prefix.
        let mut top = 0u32;
        loop {
            let mut kids = tree.children(top);
            match (kids.next(), kids.next()) {
                (Some(only), None) if tree.nodes[only as usize].first_child != NONE => top = only,
                _ => break,
            }
        }
        let mut out: Vec<(String, u32)> = tree
            .children(top)
            .map(|c| (tree.name(c).to_string(), tree.nodes[c as usize].failed()))
            .filter(|(_, n)| *n > 0)
            .collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }

    pub fn outcome_counts(&self) -> [u32; 3] {
        self.doc
            .tree
            .nodes
            .first()
            .map(|n| n.counts)
            .unwrap_or([0; 3])
    }

    pub fn failed_count(&self) -> u32 {
        self.outcome_counts()[Outcome::Failed as usize]
    }
}

/// Which main view shows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum View {
    Explorer,
    Compare,
    /// The request editor, its reply and the history.
    Request,
}

/// What panels ask for.
#[derive(Clone, Debug, PartialEq)]
pub enum Command {
    /// Show only a finding's paths (or all again).
    PinFinding(Option<usize>),
    SetCheck {
        path: String,
        step: usize,
        on: bool,
    },
    SetNote {
        path: String,
        step: usize,
        text: String,
    },
    Export {
        format: ExportFormat,
        to_clipboard: bool,
    },
    /// A checklist step's action (`step` is its index in `checklist::STEPS`).
    RunAction {
        action: Action,
        step: usize,
    },
    /// The request editor's commands.
    Live(LiveCommand),
    ShowView(View),
    /// Compare two open documents (indices into `docs`).
    StartCompare {
        before: usize,
        after: usize,
    },
    SetComparePick {
        before: usize,
        after: usize,
    },
    /// Open two built-in samples and compare them.
    CompareSamples(usize, usize),
    SwapCompare,
    CopyCompareMarkdown,
    SetCompareAllProps(bool),
    ToggleChangeKind(crate::core::diff::ChangeKind),
    SetCompareFilter(String),
    SelectDiff(u32),
    ToggleDiff(u32),
    OpenFile(PathBuf),
    OpenSample(usize),
    OpenBytes {
        label: String,
        bytes: Vec<u8>,
    },
    OpenDialog,
    Reload,
    /// Reload the active document whenever its file changes on disk.
    SetWatch(bool),
    /// Parse threads for the next loads.
    SetThreads(Option<usize>),
    /// Look at the watched files (sent about once a second).
    CheckWatched,
    Close(usize),
    Activate(usize),
    CancelLoad,
    SetFilter(String),
    SetFailuresOnly(bool),
    ToggleStatusChip(u16),
    ClearFilters,
    Select(u32),
    Toggle(u32),
    MoveSelection(isize),
    SelectFirst,
    SelectLast,
    TypeAhead(String, f64),
    RevealFailures,
    ExpandAll,
    CollapseAll,
    ShowRaw,
    JumpToOffset(u64),
    SearchRaw,
    SetDark(bool),
    DismissMessage,
}

/// A message for the user, shown until dismissed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Message {
    pub error: bool,
    pub text: String,
}

/// Settings kept between runs (never any payload content or credential).
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Persisted {
    pub recent: Vec<PathBuf>,
    pub dark: bool,
    pub last_filter: String,
    /// Parse threads (`None`: every core for big payloads; 1: sequential).
    #[serde(default)]
    pub threads: Option<usize>,
}

/// The whole window state.
pub struct AppState {
    pub docs: Vec<OpenDoc>,
    pub active: usize,
    pub persisted: Persisted,
    pub message: Option<Message>,
    pub bottom_tab: BottomTab,
    pub loader: Loader,
    pub commands: Vec<Command>,
    /// Set when a dialog must be opened by the face (rfd runs off the UI thread).
    pub wants_dialog: bool,
    pub view: View,
    pub compare: Option<crate::app::compare::CompareState>,
    /// The before / after documents chosen in the compare picker.
    pub compare_pick: (usize, usize),
    /// What the user wrote: checklist ticks and notes.
    pub workspace: Workspace,
    /// Where the workspace is saved (none: kept in memory only).
    pub workspace_path: Option<PathBuf>,
    /// An export waiting for the face's save dialog.
    pub pending_export: Option<(ExportFormat, String)>,
    /// The request editor, live requests and the practice server.
    pub live: LiveState,
}

impl AppState {
    pub fn new(persisted: Persisted, workspace_path: Option<PathBuf>) -> Self {
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_secs())
            .unwrap_or(0);
        let (workspace, message) = match workspace_path.as_deref().map(|p| session::load(p, now)) {
            Some(Ok(ws)) => (ws, None),
            Some(Err(e)) => (
                Workspace::default(),
                Some(Message {
                    error: true,
                    text: format!("{e:#}"),
                }),
            ),
            None => (Workspace::default(), None),
        };
        AppState {
            docs: Vec::new(),
            active: 0,
            persisted,
            message,
            workspace,
            workspace_path,
            pending_export: None,
            bottom_tab: BottomTab::Raw,
            loader: Loader::default(),
            commands: Vec::new(),
            wants_dialog: false,
            view: View::Explorer,
            compare: None,
            compare_pick: (0, 1),
            live: LiveState::default(),
        }
    }

    pub fn doc(&self) -> Option<&OpenDoc> {
        self.docs.get(self.active)
    }
    pub fn doc_mut(&mut self) -> Option<&mut OpenDoc> {
        self.docs.get_mut(self.active)
    }

    /// Loads bytes on the calling thread (small inputs: the built-in samples, tests).
    pub fn open_now(&mut self, label: &str, bytes: Vec<u8>, origin: Origin) {
        match load_bytes(label, Arc::new(Bytes::Owned(bytes)), LoadOptions::default()) {
            Ok(docs) => {
                let docs = docs
                    .into_iter()
                    .map(|d| {
                        let f = diagnose(&d);
                        (d, f)
                    })
                    .collect();
                self.add_docs(docs, origin)
            }
            Err(e) => self.error(format!("{label}: {e}")),
        }
    }

    pub(crate) fn add_docs(&mut self, docs: Vec<(Document, Vec<Finding>)>, origin: Origin) {
        let filter = self.persisted.last_filter.clone();
        let docs = docs
            .into_iter()
            .map(|(doc, findings)| OpenDoc::new(doc, findings, origin.clone(), filter.clone()))
            .collect();
        self.add_open_docs(docs, origin);
    }

    /// Adds documents whose view state is built (a reload replaces in place).
    pub(crate) fn add_open_docs(&mut self, docs: Vec<OpenDoc>, origin: Origin) {
        for mut open in docs {
            let label = open.label().to_string();
            let replaces =
                |d: &OpenDoc| origin != Origin::Pasted && d.origin == origin && d.label() == label;
            if let Some(i) = self.docs.iter().position(replaces) {
                // A reload keeps the view: the filter, the watch, the selection.
                let old = &self.docs[i];
                open.watch = old.watch;
                if old.filter_text != open.filter_text
                    || old.failures_only
                    || !old.status_chips.is_empty()
                {
                    open.filter_text = old.filter_text.clone();
                    open.failures_only = old.failures_only;
                    open.status_chips = old.status_chips.clone();
                    open.apply_filter();
                }
                if let Some(sel) = old.selected {
                    let path = old.doc.tree.path(sel);
                    let key = crate::core::href::path_key(&path).to_string();
                    let found = open.doc.tree.find(&key);
                    if let Some(n) = found {
                        open.select(n);
                    }
                }
                self.docs[i] = open;
                self.active = i;
            } else {
                self.docs.push(open);
                self.active = self.docs.len() - 1;
            }
        }
        if let Origin::File(path) = origin {
            self.persisted.recent.retain(|p| p != &path);
            self.persisted.recent.insert(0, path);
            self.persisted.recent.truncate(10);
        }
        if let Some(d) = self.doc()
            && let Some(what) = &d.doc.not_multistatus
        {
            let status = d
                .doc
                .info
                .http_status
                .map(|s| format!(" (HTTP {s})"))
                .unwrap_or_default();
            let text = format!("{}: not a multistatus{status}: {what}", d.label());
            self.message = Some(Message { error: true, text });
        }
    }

    pub fn error(&mut self, text: String) {
        self.message = Some(Message { error: true, text });
    }

    /// Drains background task events.
    pub fn poll_tasks(&mut self) {
        for event in self.loader.poll() {
            self.apply_load_event(event);
        }
        self.poll_requests();
    }

    pub fn apply_load_event(&mut self, event: LoadEvent) {
        {
            match event {
                LoadEvent::Loaded { docs, origin } => self.add_docs(docs, origin),
                LoadEvent::Ready { docs, origin } => self.add_open_docs(docs, origin),
                LoadEvent::Failed { label, error } => self.error(format!("{label}: {error}")),
                LoadEvent::Cancelled { label } => {
                    self.message = Some(Message {
                        error: false,
                        text: format!("loading {label} cancelled"),
                    });
                }
            }
        }
    }

    /// Applies every queued command.
    pub fn drain(&mut self, ctx: Option<&egui::Context>) {
        let commands = std::mem::take(&mut self.commands);
        for cmd in commands {
            self.handle(cmd, ctx);
        }
    }

    pub fn handle(&mut self, cmd: Command, ctx: Option<&egui::Context>) {
        match cmd {
            Command::OpenFile(path) => self.loader.load_file(
                path,
                ctx.cloned(),
                self.persisted.threads,
                self.persisted.last_filter.clone(),
            ),
            Command::OpenSample(i) => {
                if let Some((name, bytes)) = SAMPLES.get(i) {
                    self.open_now(name, bytes.to_vec(), Origin::Sample(i));
                }
            }
            Command::OpenBytes { label, bytes } => self.open_now(&label, bytes, Origin::Pasted),
            Command::OpenDialog => self.wants_dialog = true,
            Command::Reload => {
                if let Some(d) = self.doc() {
                    match d.origin.clone() {
                        Origin::File(p) => self.loader.load_file(
                            p,
                            ctx.cloned(),
                            self.persisted.threads,
                            self.persisted.last_filter.clone(),
                        ),
                        Origin::Sample(i) => self.handle(Command::OpenSample(i), ctx),
                        Origin::Snapshot(id) => self.reload_snapshot(id),
                        Origin::Pasted => {}
                    }
                }
            }
            Command::SetThreads(n) => self.persisted.threads = n,
            Command::SetWatch(on) => {
                if let Some(d) = self.doc_mut() {
                    d.watch = on;
                }
            }
            Command::CheckWatched => {
                let mut changed = Vec::new();
                for d in &mut self.docs {
                    let Origin::File(p) = &d.origin else { continue };
                    if !d.watch {
                        continue;
                    }
                    let now = std::fs::metadata(p).and_then(|m| m.modified()).ok();
                    if now.is_some() && now != d.modified {
                        // Remembered now, so a slow load is not started twice.
                        d.modified = now;
                        changed.push(p.clone());
                    }
                }
                for p in changed {
                    self.loader.load_file(
                        p,
                        ctx.cloned(),
                        self.persisted.threads,
                        self.persisted.last_filter.clone(),
                    );
                }
            }
            Command::Close(i) => {
                if i < self.docs.len() {
                    self.docs.remove(i);
                    self.active = self.active.min(self.docs.len().saturating_sub(1));
                }
            }
            Command::Activate(i) => {
                if i < self.docs.len() {
                    self.active = i;
                }
            }
            Command::CancelLoad => self.loader.cancel(),
            Command::SetFilter(text) => {
                self.persisted.last_filter = text.clone();
                if let Some(d) = self.doc_mut() {
                    d.filter_text = text;
                    d.apply_filter();
                }
            }
            Command::SetFailuresOnly(on) => {
                if let Some(d) = self.doc_mut() {
                    d.failures_only = on;
                    d.apply_filter();
                }
            }
            Command::ToggleStatusChip(code) => {
                if let Some(d) = self.doc_mut() {
                    if !d.status_chips.remove(&code) {
                        d.status_chips.insert(code);
                    }
                    d.apply_filter();
                }
            }
            Command::ClearFilters => {
                self.persisted.last_filter.clear();
                if let Some(d) = self.doc_mut() {
                    d.filter_text.clear();
                    d.failures_only = false;
                    d.status_chips.clear();
                    d.apply_filter();
                }
            }
            Command::Select(node) => {
                if let Some(d) = self.doc_mut() {
                    d.select(node);
                }
            }
            Command::Toggle(node) => {
                if let Some(d) = self.doc_mut() {
                    d.toggle(node);
                }
            }
            Command::MoveSelection(delta) => {
                if let Some(d) = self.doc_mut() {
                    d.move_selection(delta);
                }
            }
            Command::SelectFirst => {
                if let Some(d) = self.doc_mut()
                    && let Some(&first) = d.rows.first()
                {
                    d.select(first);
                }
            }
            Command::SelectLast => {
                if let Some(d) = self.doc_mut()
                    && let Some(&last) = d.rows.last()
                {
                    d.select(last);
                }
            }
            Command::TypeAhead(text, now) => {
                if let Some(d) = self.doc_mut() {
                    if now - d.type_ahead.1 > 1.0 {
                        d.type_ahead.0.clear();
                    }
                    d.type_ahead.0.push_str(&text);
                    d.type_ahead.1 = now;
                    let prefix = d.type_ahead.0.clone();
                    d.find_by_prefix(&prefix);
                }
            }
            Command::RevealFailures => {
                if let Some(d) = self.doc_mut() {
                    d.reveal_failures();
                }
            }
            Command::ExpandAll => {
                if let Some(d) = self.doc_mut() {
                    d.set_all_expanded(true);
                }
            }
            Command::CollapseAll => {
                if let Some(d) = self.doc_mut() {
                    d.set_all_expanded(false);
                }
            }
            Command::ShowRaw => {
                self.bottom_tab = BottomTab::Raw;
                if let Some(d) = self.doc_mut()
                    && let Some((first, _)) = d.raw.highlight
                {
                    d.raw.pretty = false;
                    d.raw.scroll_to_line = Some(first);
                }
            }
            Command::JumpToOffset(offset) => {
                self.bottom_tab = BottomTab::Raw;
                if let Some(d) = self.doc_mut() {
                    let line = d.line_of(offset as usize);
                    d.raw.pretty = false;
                    d.raw.highlight = Some((line, line));
                    d.raw.scroll_to_line = Some(line);
                }
            }
            Command::SearchRaw => {
                if let Some(d) = self.doc_mut() {
                    search_raw(d);
                }
            }
            Command::SetDark(dark) => {
                self.persisted.dark = dark;
                if let Some(ctx) = ctx {
                    ctx.set_theme(if dark {
                        egui::Theme::Dark
                    } else {
                        egui::Theme::Light
                    });
                }
            }
            Command::DismissMessage => self.message = None,
            Command::PinFinding(i) => {
                if let Some(d) = self.doc_mut() {
                    d.pinned = i;
                    d.apply_filter();
                    if let Some(f) = i.and_then(|i| d.findings.get(i))
                        && let Some(first) = f.paths.first().cloned()
                    {
                        let key = crate::core::href::path_key(&first).to_string();
                        let node = (0..d.doc.responses().len())
                            .find(|r| crate::core::href::path_key(&d.doc.path_of(*r)) == key)
                            .and_then(|r| d.doc.tree.response_node.get(r).copied());
                        if let Some(n) = node {
                            d.select(n);
                        }
                    }
                }
            }
            Command::SetCheck { path, step, on } => {
                let state = self.workspace.checklist.entry(path).or_default();
                state.ensure_len();
                if let Some(c) = state.checked.get_mut(step) {
                    *c = on;
                }
                self.save_workspace();
            }
            Command::SetNote { path, step, text } => {
                let state = self.workspace.checklist.entry(path).or_default();
                state.ensure_len();
                if let Some(n) = state.notes.get_mut(step) {
                    *n = text;
                }
                self.save_workspace();
            }
            Command::Export {
                format,
                to_clipboard,
            } => {
                if let Some(d) = self.doc() {
                    let text = crate::core::checklist::export(
                        &d.doc,
                        &d.findings,
                        &self.workspace,
                        format,
                    );
                    if to_clipboard {
                        if let Some(ctx) = ctx {
                            ctx.copy_text(text);
                        }
                        self.message = Some(Message {
                            error: false,
                            text: "failing paths copied to the clipboard".into(),
                        });
                    } else {
                        self.pending_export = Some((format, text));
                    }
                }
            }
            Command::RunAction { action, step } => self.run_action(action, step, ctx),
            Command::Live(cmd) => self.handle_live(cmd, ctx),
            Command::ShowView(v) => self.view = v,
            Command::SetComparePick { before, after } => self.compare_pick = (before, after),
            Command::CompareSamples(b, a) => {
                self.handle(Command::OpenSample(b), ctx);
                self.handle(Command::OpenSample(a), ctx);
                let find = |i| self.docs.iter().position(|d| d.origin == Origin::Sample(i));
                if let (Some(before), Some(after)) = (find(b), find(a)) {
                    self.handle(Command::StartCompare { before, after }, ctx);
                }
            }
            Command::StartCompare { before, after } => {
                match (self.docs.get(before), self.docs.get(after)) {
                    (Some(b), Some(a)) => {
                        let all = self.compare.as_ref().is_some_and(|c| c.all_props);
                        self.compare = Some(crate::app::compare::CompareState::new(
                            b.doc.clone(),
                            a.doc.clone(),
                            all,
                        ));
                        self.compare_pick = (before, after);
                        self.view = View::Compare;
                        self.confirm_fixes();
                    }
                    _ => self.error("open two documents to compare (File > Open, or File > Open sample > fix-before.xml and fix-after.xml)".into()),
                }
            }
            Command::SwapCompare => {
                if let Some(c) = &self.compare {
                    self.compare = Some(c.swapped());
                    self.compare_pick = (self.compare_pick.1, self.compare_pick.0);
                }
            }
            Command::SetCompareAllProps(all) => {
                if let Some(c) = &self.compare {
                    self.compare = Some(c.with_all_props(all));
                }
            }
            Command::CopyCompareMarkdown => {
                if let (Some(c), Some(ctx)) = (&self.compare, ctx) {
                    ctx.copy_text(crate::core::diff::markdown(&c.diff, &c.before, &c.after));
                    self.message = Some(Message {
                        error: false,
                        text: "Markdown summary copied to the clipboard".into(),
                    });
                }
            }
            Command::ToggleChangeKind(kind) => {
                if let Some(c) = self.compare.as_mut() {
                    c.shown[kind as usize] = !c.shown[kind as usize];
                    c.apply_filter();
                }
            }
            Command::SetCompareFilter(text) => {
                if let Some(c) = self.compare.as_mut() {
                    c.filter_text = text;
                    c.apply_filter();
                }
            }
            Command::SelectDiff(id) => {
                if let Some(c) = self.compare.as_mut() {
                    c.selected = Some(id);
                }
            }
            Command::ToggleDiff(id) => {
                if let Some(c) = self.compare.as_mut() {
                    c.toggle(id);
                }
            }
        }
    }
}

impl AppState {
    /// Saves what the user wrote; a failure is shown, never swallowed.
    pub fn save_workspace(&mut self) {
        if let Some(p) = &self.workspace_path
            && let Err(e) = session::save(p, &self.workspace)
        {
            self.message = Some(Message {
                error: true,
                text: format!(
                    "{e:#}: your ticks and notes are kept in memory; fix the folder and they will be saved on the next change"
                ),
            });
        }
    }

    /// Ticks "Re-test and confirm" for the paths the comparison shows fixed.
    fn confirm_fixes(&mut self) {
        let Some(c) = &self.compare else { return };
        let note = format!("fixed in {} -> {}", c.before.info.label, c.after.info.label);
        let fixed: Vec<String> = c
            .diff
            .entries
            .iter()
            .filter(|e| e.change == crate::core::diff::ChangeKind::Fixed)
            .map(|e| e.path.clone())
            .collect();
        if crate::core::checklist::confirm_fixed(
            &mut self.workspace,
            fixed.iter().map(String::as_str),
            &note,
        ) > 0
        {
            self.save_workspace();
        }
    }
}

/// Finds the next occurrence of the search text after the last hit (wrapping).
fn search_raw(d: &mut OpenDoc) {
    let needle = d.raw.search.as_bytes().to_vec();
    if needle.is_empty() {
        return;
    }
    let body = d.doc.body.bytes();
    let from = d.raw.search_from.min(body.len());
    let hit = memchr::memmem::find(&body[from..], &needle)
        .map(|i| i + from)
        .or_else(|| memchr::memmem::find(body, &needle));
    match hit {
        Some(at) => {
            let line = d.line_of(at);
            d.raw.search_from = at + 1;
            d.raw.highlight = Some((line, line));
            d.raw.scroll_to_line = Some(line);
            d.raw.pretty = false;
            d.raw.search_message = Some(format!("found at line {}", line + 1));
        }
        None => d.raw.search_message = Some("not found".to_string()),
    }
}
