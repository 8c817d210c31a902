//! Background work: each load and each live request runs on a named thread,
//! reports progress through atomics, can be cancelled, and sends its result over a
//! channel, then asks for a repaint. Request results carry a generation number: a
//! superseded or cancelled request's result is dropped. The only place in the app
//! that spawns threads.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

use crate::app::state::{OpenDoc, Origin};
use crate::core::diagnose::{Finding, diagnose};
use crate::core::document::{Document, LoadError, LoadOptions, load_path};

/// What a finished load sends back.
pub enum LoadEvent {
    Loaded {
        docs: Vec<(Document, Vec<Finding>)>,
        origin: Origin,
    },
    /// Documents with their view state built off the UI thread.
    Ready {
        docs: Vec<OpenDoc>,
        origin: Origin,
    },
    Failed {
        label: String,
        error: String,
    },
    Cancelled {
        label: String,
    },
}

/// A load in flight, as the progress bar shows it.
pub struct Job {
    pub id: u64,
    pub label: String,
    pub total_bytes: u64,
    pub bytes_read: Arc<AtomicU64>,
    pub responses: Arc<AtomicU64>,
    /// Set once the body is read: the findings and the view are being prepared.
    pub preparing: Arc<AtomicBool>,
    cancel: Arc<AtomicBool>,
}

/// Runs loads off the UI thread.
pub struct Loader {
    tx: Sender<(u64, LoadEvent)>,
    rx: Receiver<(u64, LoadEvent)>,
    pub jobs: Vec<Job>,
    next_id: u64,
}

impl Default for Loader {
    fn default() -> Self {
        let (tx, rx) = channel();
        Loader {
            tx,
            rx,
            jobs: Vec::new(),
            next_id: 1,
        }
    }
}

impl Loader {
    /// Loads a file on a thread: parse, index, diagnose, and the view's first state
    /// (rows, filter, summary) are all built there, so the window never waits.
    pub fn load_file(
        &mut self,
        path: PathBuf,
        ctx: Option<egui::Context>,
        threads: Option<usize>,
        filter: String,
    ) {
        let id = self.next_id;
        self.next_id += 1;
        let label = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string());
        let total_bytes = std::fs::metadata(&path).map(|m| m.len()).unwrap_or(0);
        let job = Job {
            id,
            label: label.clone(),
            total_bytes,
            bytes_read: Arc::new(AtomicU64::new(0)),
            responses: Arc::new(AtomicU64::new(0)),
            preparing: Arc::new(AtomicBool::new(false)),
            cancel: Arc::new(AtomicBool::new(false)),
        };
        let (bytes_read, responses, cancel) = (
            job.bytes_read.clone(),
            job.responses.clone(),
            job.cancel.clone(),
        );
        let (preparing, cancelled) = (job.preparing.clone(), job.cancel.clone());
        self.jobs.push(job);
        let tx = self.tx.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("load {label}"))
            .spawn(move || {
                let progress_ctx = ctx.clone();
                let mut last_repaint = std::time::Instant::now();
                let progress = move |b: u64, r: u64| {
                    bytes_read.store(b, Ordering::Relaxed);
                    responses.store(r, Ordering::Relaxed);
                    if let Some(c) = &progress_ctx
                        && last_repaint.elapsed().as_millis() > 50
                    {
                        last_repaint = std::time::Instant::now();
                        c.request_repaint();
                    }
                    !cancel.load(Ordering::Relaxed)
                };
                let options = LoadOptions {
                    progress: Some(Box::new(progress)),
                    threads,
                };
                let event = match load_path(&path, options) {
                    Ok(docs) => {
                        preparing.store(true, Ordering::Relaxed);
                        if let Some(c) = &ctx {
                            c.request_repaint();
                        }
                        let origin = Origin::File(path);
                        let docs: Vec<OpenDoc> = docs
                            .into_iter()
                            .map(|d| {
                                let f = diagnose(&d);
                                OpenDoc::new(d, f, origin.clone(), filter.clone())
                            })
                            .collect();
                        // Cancel still holds while the findings are prepared.
                        if cancelled.load(Ordering::Relaxed) {
                            LoadEvent::Cancelled { label }
                        } else {
                            LoadEvent::Ready { docs, origin }
                        }
                    }
                    Err(LoadError::Cancelled) => LoadEvent::Cancelled { label },
                    Err(e) => LoadEvent::Failed {
                        label,
                        error: e.to_string(),
                    },
                };
                // The window may have closed; nothing to report to then.
                let _ = tx.send((id, event));
                if let Some(c) = ctx {
                    c.request_repaint();
                }
            });
        if let Err(e) = spawned {
            self.jobs.retain(|j| j.id != id);
            let _ = self.tx.send((
                id,
                LoadEvent::Failed {
                    label: "load".into(),
                    error: format!("cannot start a loading thread: {e}"),
                },
            ));
        }
    }

    /// Cancels every load in flight.
    pub fn cancel(&self) {
        for j in &self.jobs {
            j.cancel.store(true, Ordering::Relaxed);
        }
    }

    pub fn busy(&self) -> bool {
        !self.jobs.is_empty()
    }

    /// Finished loads since the last poll.
    pub fn poll(&mut self) -> Vec<LoadEvent> {
        let mut out = Vec::new();
        while let Ok((id, event)) = self.rx.try_recv() {
            self.jobs.retain(|j| j.id != id);
            out.push(event);
        }
        out
    }

    /// Waits for every load in flight (tests and the CLI-driven window).
    pub fn wait(&mut self) -> Vec<LoadEvent> {
        let mut out = Vec::new();
        while !self.jobs.is_empty() {
            match self.rx.recv_timeout(std::time::Duration::from_secs(60)) {
                Ok((id, event)) => {
                    self.jobs.retain(|j| j.id != id);
                    out.push(event);
                }
                Err(_) => break,
            }
        }
        out
    }
}

/// A finished request: the exchange, its snapshot and the documents read back from
/// it (diagnosed), or what went wrong.
pub struct RequestEvent {
    pub generation: u64,
    pub outcome: Result<Reply, crate::core::fetch::FetchError>,
}

/// A reply as the UI needs it.
pub struct Reply {
    pub exchange: crate::core::fetch::Exchange,
    /// The snapshot (`Exchange::to_raw_http`, redacted).
    pub raw: Arc<crate::core::document::Bytes>,
    /// Where the snapshot was written; `Err` says why it could not be.
    pub saved: Option<Result<PathBuf, String>>,
    /// The snapshot read back (empty when parsing was not asked for).
    pub docs: Vec<(Document, Vec<Finding>)>,
}

/// The request in flight, as the progress line shows it.
pub struct InFlight {
    pub generation: u64,
    pub label: String,
    pub bytes_received: Arc<AtomicU64>,
    pub started: std::time::Instant,
    cancel: Arc<AtomicBool>,
    /// Where its snapshot goes (removed when the result is dropped).
    snapshot: Option<PathBuf>,
}

/// Sends live requests off the UI thread, one at a time.
pub struct Requester {
    tx: Sender<RequestEvent>,
    rx: Receiver<RequestEvent>,
    pub current: Option<InFlight>,
    generation: u64,
    /// Snapshots of dropped results, removed when their result arrives.
    orphans: Vec<(u64, PathBuf)>,
}

impl Default for Requester {
    fn default() -> Self {
        let (tx, rx) = channel();
        Requester {
            tx,
            rx,
            current: None,
            generation: 0,
            orphans: Vec::new(),
        }
    }
}

impl Requester {
    /// Sends `request` on a new thread, superseding any request in flight. The
    /// snapshot is written to `snapshot` (when given) and, with `parse`, read back as
    /// documents and diagnosed. Returns the request's generation.
    pub fn send(
        &mut self,
        request: crate::core::fetch::Request,
        snapshot: Option<PathBuf>,
        parse: bool,
        ctx: Option<egui::Context>,
    ) -> u64 {
        self.supersede();
        self.generation += 1;
        let generation = self.generation;
        let label = format!("{} {}", request.method, request.url);
        let flight = InFlight {
            generation,
            label: label.clone(),
            bytes_received: Arc::new(AtomicU64::new(0)),
            started: std::time::Instant::now(),
            cancel: Arc::new(AtomicBool::new(false)),
            snapshot: snapshot.clone(),
        };
        let (bytes_received, cancel) = (flight.bytes_received.clone(), flight.cancel.clone());
        self.current = Some(flight);
        let tx = self.tx.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("request {}", request.method))
            .spawn(move || {
                let progress_ctx = ctx.clone();
                let mut last_repaint = std::time::Instant::now();
                let mut progress = |n: u64| {
                    bytes_received.store(n, Ordering::Relaxed);
                    if let Some(c) = &progress_ctx
                        && last_repaint.elapsed().as_millis() > 50
                    {
                        last_repaint = std::time::Instant::now();
                        c.request_repaint();
                    }
                    !cancel.load(Ordering::Relaxed)
                };
                let outcome = crate::core::fetch::send(&request, &mut progress)
                    .map(|exchange| reply_of(exchange, snapshot, parse));
                // The window may have closed; nothing to report to then.
                let _ = tx.send(RequestEvent {
                    generation,
                    outcome,
                });
                if let Some(c) = ctx {
                    c.request_repaint();
                }
            });
        if let Err(e) = spawned {
            self.current = None;
            let _ = self.tx.send(RequestEvent {
                generation,
                outcome: Err(crate::core::fetch::FetchError::InvalidRequest(format!(
                    "cannot start a request thread: {e}"
                ))),
            });
        }
        generation
    }

    /// Cancels the request in flight: its result, when it comes, is dropped.
    pub fn cancel(&mut self) {
        self.supersede();
    }

    fn supersede(&mut self) {
        if let Some(f) = self.current.take() {
            f.cancel.store(true, Ordering::Relaxed);
            if let Some(p) = f.snapshot {
                self.orphans.push((f.generation, p));
            }
        }
    }

    pub fn busy(&self) -> bool {
        self.current.is_some()
    }

    /// Keeps the current result, drops superseded ones (and their snapshot files).
    fn accept(&mut self, event: RequestEvent) -> Option<RequestEvent> {
        let current = self.current.as_ref().map(|f| f.generation);
        if current == Some(event.generation) {
            self.current = None;
            return Some(event);
        }
        if let Some(i) = self
            .orphans
            .iter()
            .position(|(g, _)| *g == event.generation)
        {
            let (_, path) = self.orphans.remove(i);
            if event.outcome.is_ok() {
                // Best effort: a stray snapshot is harmless and listed nowhere.
                let _ = std::fs::remove_file(path);
            }
        }
        None
    }

    /// The finished request since the last poll, when it is the current one.
    pub fn poll(&mut self) -> Vec<RequestEvent> {
        let mut out = Vec::new();
        while let Ok(event) = self.rx.try_recv() {
            out.extend(self.accept(event));
        }
        out
    }

    /// Waits for the request in flight (tests).
    pub fn wait(&mut self) -> Vec<RequestEvent> {
        let mut out = Vec::new();
        while self.current.is_some() {
            match self.rx.recv_timeout(std::time::Duration::from_secs(60)) {
                Ok(event) => out.extend(self.accept(event)),
                Err(_) => break,
            }
        }
        out
    }
}

/// Writes the snapshot and reads it back, on the request's thread.
fn reply_of(
    exchange: crate::core::fetch::Exchange,
    snapshot: Option<PathBuf>,
    parse: bool,
) -> Reply {
    let raw = exchange.to_raw_http();
    let saved = snapshot.map(|path| {
        crate::core::session::write_atomic(&path, &raw)
            .map(|()| path.clone())
            .map_err(|e| format!("cannot write the snapshot {}: {e}", path.display()))
    });
    let raw = Arc::new(crate::core::document::Bytes::Owned(raw));
    let label = match &saved {
        Some(Ok(p)) => p
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| exchange.request.url.clone()),
        _ => format!("{} {}", exchange.request.method, exchange.request.url),
    };
    let docs = if parse {
        match crate::core::document::load_bytes(&label, raw.clone(), LoadOptions::default()) {
            Ok(docs) => docs
                .into_iter()
                .map(|d| {
                    let f = diagnose(&d);
                    (d, f)
                })
                .collect(),
            // Owned bytes cannot fail to read and no progress callback cancels.
            Err(_) => Vec::new(),
        }
    } else {
        Vec::new()
    };
    Reply {
        exchange,
        raw,
        saved,
        docs,
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read as _, Write as _};

    use super::*;
    use crate::core::fetch::Request;

    /// A server that answers one request with a small 207 after `delay_ms`.
    fn slow_server(delay_ms: u64) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        std::thread::spawn(move || {
            if let Ok((mut s, _)) = listener.accept() {
                let mut buf = [0u8; 4096];
                let _ = s.read(&mut buf);
                std::thread::sleep(std::time::Duration::from_millis(delay_ms));
                let body = "<D:multistatus xmlns:D=\"DAV:\"><D:response><D:href>/slow</D:href><D:status>HTTP/1.1 200 OK</D:status></D:response></D:multistatus>";
                let _ = s.write_all(
                    format!(
                        "HTTP/1.1 207 Multi-Status\r\nContent-Type: application/xml\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                        body.len()
                    )
                    .as_bytes(),
                );
            }
        });
        format!("http://{addr}/")
    }

    fn temp(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("davscope-tasks-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        d
    }

    #[test]
    fn a_superseded_request_is_dropped_with_its_snapshot() {
        let dir = temp("supersede");
        let slow = slow_server(400);
        let fast = slow_server(0);
        let mut r = Requester::default();
        let first = r.send(
            Request::propfind(slow),
            Some(dir.join("first.http")),
            true,
            None,
        );
        let second = r.send(
            Request::propfind(fast),
            Some(dir.join("second.http")),
            true,
            None,
        );
        assert!(second > first);
        let events = r.wait();
        assert_eq!(events.len(), 1);
        assert_eq!(events[0].generation, second);
        let reply = events[0].outcome.as_ref().expect("a reply");
        assert_eq!(reply.exchange.status, 207);
        assert_eq!(reply.docs.len(), 1);
        assert!(dir.join("second.http").exists());
        // The first finishes later: dropped, and its snapshot removed.
        std::thread::sleep(std::time::Duration::from_millis(800));
        assert!(r.poll().is_empty());
        assert!(!dir.join("first.http").exists());
        assert!(!r.busy());
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn a_cancelled_request_reports_nothing() {
        let slow = slow_server(300);
        let mut r = Requester::default();
        r.send(Request::propfind(slow), None, false, None);
        assert!(r.busy());
        r.cancel();
        assert!(!r.busy());
        std::thread::sleep(std::time::Duration::from_millis(600));
        assert!(r.poll().is_empty());
    }
}
