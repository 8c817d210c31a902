//! Live requests in the window: the commands of the request editor (send, probe,
//! cancel, re-run, history, the practice server) and what happens when a reply
//! comes back — a history entry in the workspace, a snapshot file beside it, the
//! reply opened as a document, a comparison for a re-run. Also the checklist's
//! actions (edit the request, probe the server, re-run and compare).
//!
//! Nothing here draws; the request runs on the tasks module's thread. Secrets stay
//! in memory: the workspace gets `SavedRequest`s, the snapshot the redacted
//! exchange.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::app::request::{ProbeSummary, ReplySummary, RequestForm, now_secs, snapshot_name};
use crate::app::state::{AppState, Command, Message, Origin, View};
use crate::app::tasks::{RequestEvent, Requester};
use crate::core::checklist::Action;
use crate::core::document::{Bytes, Document};
use crate::core::fetch::{Depth, FetchError, Request};
use crate::core::session::{HistoryEntry, SavedRequest};
use crate::demo::{self, DemoServer, Fault};

/// The checklist step that validates the request scope (suggests Depth: 1).
const SCOPE_STEP: usize = 0;
/// The checklist step that evaluates proxies (bypasses the proxy).
const PROXY_STEP: usize = 4;

/// What the request editor asks for.
#[derive(Clone, Debug, PartialEq)]
pub enum LiveCommand {
    /// Send the editor's request.
    Send,
    /// OPTIONS on the editor's URL, summarised.
    Probe,
    Cancel,
    StartPractice,
    StopPractice,
    SetFault(Fault, bool),
    /// Open a history entry's snapshot as a document.
    OpenEntry(u64),
    /// Fill the editor from a history entry.
    EditEntry(u64),
    /// Send a history entry's request again and compare the two snapshots.
    RerunEntry(u64),
}

/// The document a re-run is compared against.
enum Before {
    Doc(Arc<Document>),
    Entry(u64),
}

/// Why a request was sent.
enum Purpose {
    Send,
    Probe,
    Rerun(Before),
}

/// The request in flight, as the UI side knows it.
struct Pending {
    generation: u64,
    purpose: Purpose,
    id: u64,
    at_secs: u64,
    saved: SavedRequest,
    request: Request,
}

/// A request's outcome, in words, for the panel.
#[derive(Clone, Debug)]
pub struct RequestError {
    pub text: String,
    pub hint: Option<String>,
    /// A body error with its caret (for an XML problem).
    pub rendered: Option<String>,
}

/// The request editor's state and the requests it sent.
pub struct LiveState {
    pub form: RequestForm,
    pub requester: Requester,
    pending: Option<Pending>,
    pub reply: Option<ReplySummary>,
    pub error: Option<RequestError>,
    pub probe: Option<ProbeSummary>,
    pub practice: Option<DemoServer>,
    /// Requests sent this session with their secrets, for an identical re-run.
    /// Memory only.
    sent: HashMap<u64, Request>,
    /// Snapshots not on disk (no workspace folder, or it could not be written).
    memory_snapshots: HashMap<u64, Arc<Bytes>>,
}

impl Default for LiveState {
    fn default() -> Self {
        LiveState {
            form: RequestForm::new(now_secs()),
            requester: Requester::default(),
            pending: None,
            reply: None,
            error: None,
            probe: None,
            practice: None,
            sent: HashMap::new(),
            memory_snapshots: HashMap::new(),
        }
    }
}

impl LiveState {
    /// What the in-flight request is for ("Send", "Probe", "Re-run").
    pub fn pending_purpose(&self) -> Option<&'static str> {
        self.pending.as_ref().map(|p| match p.purpose {
            Purpose::Send => "Send",
            Purpose::Probe => "Probe",
            Purpose::Rerun(_) => "Re-run",
        })
    }

    /// Whether a history entry's snapshot can be opened.
    pub fn has_snapshot(&self, entry: &HistoryEntry) -> bool {
        entry.snapshot.is_some() || self.memory_snapshots.contains_key(&entry.id)
    }
}

impl AppState {
    /// The folder snapshots are written to: `snapshots/` beside the workspace file.
    pub fn snapshots_dir(&self) -> Option<PathBuf> {
        let ws = self.workspace_path.as_ref()?;
        let dir = ws
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map(|p| p.to_path_buf())
            .unwrap_or_else(|| PathBuf::from("."));
        Some(dir.join("snapshots"))
    }

    pub fn handle_live(&mut self, cmd: LiveCommand, ctx: Option<&egui::Context>) {
        match cmd {
            LiveCommand::Send => match self.live.form.to_request() {
                Ok(request) => {
                    if self.live.form.body_error().is_some() {
                        self.live.reply = None;
                        self.live.error = Some(RequestError {
                            text: "the body is not well-formed XML: nothing was sent".into(),
                            hint: Some("fix the body (the problem is shown under it), or fill it from a template".into()),
                            rendered: None,
                        });
                        return;
                    }
                    let saved = self.live.form.saved(&request);
                    self.start_request(request, saved, Purpose::Send, ctx);
                }
                Err(e) => self.form_error(e),
            },
            LiveCommand::Probe => {
                let url = self.live.form.url.clone();
                self.probe(url, ctx);
            }
            LiveCommand::Cancel => {
                self.live.requester.cancel();
                if let Some(p) = self.live.pending.take() {
                    self.message = Some(Message {
                        error: false,
                        text: format!("{} {} cancelled", p.request.method, p.saved.url),
                    });
                }
            }
            LiveCommand::StartPractice => self.start_practice(),
            LiveCommand::StopPractice => {
                if let Some(s) = self.live.practice.take() {
                    s.stop();
                }
            }
            LiveCommand::SetFault(fault, on) => {
                if let Some(s) = &self.live.practice {
                    s.faults().set(fault, on);
                }
            }
            LiveCommand::OpenEntry(id) => {
                if self.open_entry(id).is_some() {
                    self.view = View::Explorer;
                }
            }
            LiveCommand::EditEntry(id) => {
                if let Some(e) = self.workspace.history_entry(id).cloned() {
                    self.live.form.load_saved(&e.request);
                    self.live.form.note = Some(format!(
                        "filled from history entry {id} ({} {})",
                        e.request.method, e.request.url
                    ));
                    self.view = View::Request;
                }
            }
            LiveCommand::RerunEntry(id) => self.rerun_entry(id, Before::Entry(id), ctx),
        }
    }

    fn form_error(&mut self, text: String) {
        self.live.reply = None;
        self.live.error = Some(RequestError {
            text,
            hint: None,
            rendered: None,
        });
    }

    fn start_practice(&mut self) {
        if let Some(s) = &self.live.practice {
            self.live.form.url = s.url();
            return;
        }
        match demo::start(0) {
            Ok(server) => {
                // A new user sees failures at once, then switches them off one by one.
                server.faults().set_all(true);
                self.live.form.url = server.url();
                self.live.form.set_method("PROPFIND");
                self.live.form.depth = Some(Depth::One);
                self.live.form.body.clear();
                self.live.form.note = Some(
                    "the practice server runs on 127.0.0.1 with every fault on: Send, read the diagnosis, switch a fault off, then Re-run and compare".into(),
                );
                self.live.practice = Some(server);
            }
            Err(e) => self.error(format!("cannot start the practice server: {e}")),
        }
    }

    fn probe(&mut self, url: String, ctx: Option<&egui::Context>) {
        let form = &self.live.form;
        let built = form.auth().and_then(|auth| {
            form.transport().map(|transport| Request {
                url: url.trim().to_string(),
                method: "OPTIONS".into(),
                depth: None,
                headers: Vec::new(),
                body: None,
                auth,
                transport,
            })
        });
        match built {
            Ok(request) if !request.url.is_empty() => {
                let saved = form.saved(&request);
                self.start_request(request, saved, Purpose::Probe, ctx);
            }
            Ok(_) => self.form_error("give the URL to probe".into()),
            Err(e) => self.form_error(e),
        }
    }

    fn start_request(
        &mut self,
        request: Request,
        saved: SavedRequest,
        purpose: Purpose,
        ctx: Option<&egui::Context>,
    ) {
        let at_secs = now_secs();
        // Ids grow past what is in flight and what was recorded.
        let id = self
            .workspace
            .next_history_id()
            .max(self.live.pending.as_ref().map_or(0, |p| p.id + 1))
            .max(self.live.sent.keys().max().map_or(0, |k| k + 1));
        let snapshot = self
            .snapshots_dir()
            .map(|d| d.join(snapshot_name(id, at_secs, &request.method)));
        let parse = !matches!(purpose, Purpose::Probe);
        let generation = self
            .live
            .requester
            .send(request.clone(), snapshot, parse, ctx.cloned());
        self.live.error = None;
        self.live.pending = Some(Pending {
            generation,
            purpose,
            id,
            at_secs,
            saved,
            request,
        });
    }

    /// Drains finished requests.
    pub fn poll_requests(&mut self) {
        for event in self.live.requester.poll() {
            self.apply_request_event(event);
        }
    }

    pub fn apply_request_event(&mut self, event: RequestEvent) {
        let Some(p) = self.live.pending.take() else {
            return;
        };
        if p.generation != event.generation {
            self.live.pending = Some(p);
            return;
        }
        let mut entry = HistoryEntry {
            id: p.id,
            at_secs: p.at_secs,
            request: p.saved,
            status: None,
            error: None,
            snapshot: None,
            total_ms: None,
        };
        let reply = match event.outcome {
            Err(e) => {
                entry.error = Some(e.to_string());
                self.record(entry);
                let rendered = match &e {
                    FetchError::InvalidXml(problem) => Some(crate::core::render::render_problem(
                        problem,
                        "body",
                        p.request.body.as_deref().unwrap_or(&[]),
                    )),
                    _ => None,
                };
                self.live.reply = None;
                self.live.error = Some(RequestError {
                    text: e.to_string(),
                    hint: e.hint(),
                    rendered,
                });
                return;
            }
            Ok(r) => r,
        };
        let x = &reply.exchange;
        entry.status = Some(x.status);
        entry.total_ms = Some(x.timings.total_ms);
        let snapshot_text = match &reply.saved {
            Some(Ok(path)) => {
                entry.snapshot = path.file_name().map(|n| n.to_string_lossy().into_owned());
                path.display().to_string()
            }
            Some(Err(e)) => {
                self.error(format!(
                    "{e}: the snapshot is kept in memory until you quit"
                ));
                self.live.memory_snapshots.insert(p.id, reply.raw.clone());
                "in memory only (it could not be written)".into()
            }
            None => {
                self.live.memory_snapshots.insert(p.id, reply.raw.clone());
                "in memory only (no workspace folder)".into()
            }
        };
        let mut summary = ReplySummary::of(p.id, x, snapshot_text);
        if let Some(token) = crate::core::fetch::sync_token_of(&x.body) {
            self.live.form.template.sync_token = token;
        }
        self.live.sent.insert(p.id, p.request);
        self.live.error = None;
        self.record(entry);
        match p.purpose {
            Purpose::Probe => {
                self.live.probe = Some(ProbeSummary::of(x));
                summary.probe = true;
                self.live.reply = Some(summary);
            }
            Purpose::Send | Purpose::Rerun(_) => {
                self.live.probe = None;
                summary.not_multistatus = reply
                    .docs
                    .first()
                    .and_then(|(d, _)| d.not_multistatus.clone());
                self.live.reply = Some(summary);
                self.add_docs(reply.docs, Origin::Snapshot(p.id));
                if let Purpose::Rerun(before) = p.purpose {
                    self.compare_rerun(before, p.id);
                }
            }
        }
    }

    /// Records an exchange in the workspace history and saves it.
    fn record(&mut self, entry: HistoryEntry) {
        let dropped = self.workspace.push_history(entry);
        let dir = self.snapshots_dir();
        for e in dropped {
            if let (Some(dir), Some(name)) = (&dir, e.snapshot) {
                // Best effort: an old snapshot left behind is listed nowhere.
                let _ = std::fs::remove_file(dir.join(name));
            }
            self.live.memory_snapshots.remove(&e.id);
            self.live.sent.remove(&e.id);
        }
        self.save_workspace();
    }

    /// The index of the open document of a history entry, opening its snapshot
    /// (synchronously: snapshots are small) when it is not open.
    fn open_entry(&mut self, id: u64) -> Option<usize> {
        if let Some(i) = self
            .docs
            .iter()
            .position(|d| d.origin == Origin::Snapshot(id))
        {
            self.active = i;
            return Some(i);
        }
        let entry = self.workspace.history_entry(id).cloned();
        let label = entry
            .as_ref()
            .and_then(|e| e.snapshot.clone())
            .unwrap_or_else(|| format!("snapshot {id}"));
        let bytes: Vec<u8> = if let Some(b) = self.live.memory_snapshots.get(&id) {
            b.to_vec()
        } else {
            let Some(name) = entry.as_ref().and_then(|e| e.snapshot.clone()) else {
                self.error(format!(
                    "history entry {id} has no snapshot (no reply came, or it was kept in memory by an earlier session)"
                ));
                return None;
            };
            let path = self.snapshots_dir().map(|d| d.join(&name));
            match path.map(std::fs::read) {
                Some(Ok(b)) => b,
                Some(Err(e)) => {
                    self.error(format!("cannot read the snapshot {name}: {e}"));
                    return None;
                }
                None => {
                    self.error("no workspace folder to read snapshots from".into());
                    return None;
                }
            }
        };
        self.open_now(&label, bytes, Origin::Snapshot(id));
        self.docs
            .iter()
            .position(|d| d.origin == Origin::Snapshot(id))
    }

    /// Re-opens a snapshot document (Reload).
    pub fn reload_snapshot(&mut self, id: u64) {
        if let Some(i) = self
            .docs
            .iter()
            .position(|d| d.origin == Origin::Snapshot(id))
        {
            self.docs.remove(i);
        }
        self.open_entry(id);
    }

    /// The request of a history entry, as sent this session (secret included), or
    /// rebuilt from the workspace with the editor's credentials.
    fn request_of_entry(&self, id: u64) -> Result<(Request, SavedRequest), String> {
        let entry = self
            .workspace
            .history_entry(id)
            .ok_or_else(|| format!("history entry {id} is gone"))?;
        let request = match self.live.sent.get(&id) {
            Some(r) => r.clone(),
            None => {
                let auth = self.live.form.auth_for(&entry.request.auth)?;
                entry.request.to_request(auth)
            }
        };
        Ok((request, entry.request.clone()))
    }

    fn rerun_entry(&mut self, id: u64, before: Before, ctx: Option<&egui::Context>) {
        match self.request_of_entry(id) {
            Ok((request, saved)) => {
                self.view = View::Request;
                self.start_request(request, saved, Purpose::Rerun(before), ctx);
            }
            Err(e) => {
                self.view = View::Request;
                self.form_error(format!("cannot re-run: {e}"));
            }
        }
    }

    /// Opens the comparison of a re-run: `before` against the new snapshot.
    fn compare_rerun(&mut self, before: Before, after_id: u64) {
        let Some(after) = self
            .docs
            .iter()
            .position(|d| d.origin == Origin::Snapshot(after_id))
        else {
            return;
        };
        let before = match before {
            Before::Doc(doc) => self.docs.iter().position(|d| Arc::ptr_eq(&d.doc, &doc)),
            Before::Entry(id) => self.open_entry(id),
        };
        match before {
            Some(before) => {
                self.handle(Command::StartCompare { before, after }, None);
                self.active = after;
            }
            None => self.error(
                "the document before the re-run was closed: pick it in Compare to compare".into(),
            ),
        }
    }

    /// The checklist's actions on the active document.
    pub fn run_action(&mut self, action: Action, step: usize, ctx: Option<&egui::Context>) {
        if action == Action::ShowRaw {
            self.handle(Command::ShowRaw, ctx);
            return;
        }
        let Some(d) = self.doc() else { return };
        let Some(context) = d.doc.info.request.clone() else {
            self.error(
                "this document carries no request: open a HAR or raw capture, or query the server from the Request tab".into(),
            );
            return;
        };
        let entry = match d.origin {
            Origin::Snapshot(id) => self.workspace.history_entry(id).cloned(),
            _ => None,
        };
        let captured_body = crate::app::request::request_body_in_capture(&d.doc.original)
            .filter(|_| !d.doc.info.gzip);
        let doc = d.doc.clone();
        let label = d.label().to_string();
        match action {
            Action::EditRequest => {
                let form = &mut self.live.form;
                match &entry {
                    Some(e) => form.load_saved(&e.request),
                    None => form.load_context(&context, captured_body),
                }
                let mut note = format!("filled from {label}");
                if let Some(n) = form.note.take() {
                    note.push_str(&format!("; {n}"));
                }
                if step == SCOPE_STEP {
                    form.depth = Some(Depth::One);
                    note.push_str("; Depth: 1 suggested (walk the tree one level at a time)");
                }
                if step == PROXY_STEP {
                    form.proxy = crate::app::request::ProxyKind::None;
                    note.push_str("; proxy bypassed: send again and compare the hrefs");
                }
                form.note = Some(note);
                self.view = View::Request;
            }
            Action::ProbeServer => {
                self.view = View::Request;
                self.probe(context.url.clone(), ctx);
            }
            Action::RerunAndCompare => {
                if let Some(e) = entry {
                    self.rerun_entry(e.id, Before::Doc(doc), ctx);
                    return;
                }
                // A capture from elsewhere: its request with the editor's credentials
                // and transport.
                let mut form = RequestForm::new(0);
                form.load_context(&context, captured_body);
                let built = self.live.form.auth().and_then(|auth| {
                    self.live.form.transport().map(|transport| Request {
                        url: form.url.clone(),
                        method: form.effective_method(),
                        depth: form.depth,
                        headers: form.headers.clone(),
                        body: (!form.body.is_empty()).then(|| form.body.clone().into_bytes()),
                        auth,
                        transport,
                    })
                });
                self.view = View::Request;
                match built {
                    Ok(request) => {
                        let saved = self.live.form.saved(&request);
                        self.start_request(request, saved, Purpose::Rerun(Before::Doc(doc)), ctx);
                    }
                    Err(e) => self.form_error(format!(
                        "cannot re-run {label}: {e} (the Auth section of the editor supplies the credentials)"
                    )),
                }
            }
            Action::ShowRaw => {}
        }
    }
}
