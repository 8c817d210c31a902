//! Background work: each load runs on a named thread, reports progress through
//! atomics, can be cancelled, and sends its result over a channel, then asks for a
//! repaint. The only place in the app that spawns threads.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::{Receiver, Sender, channel};

use crate::app::state::Origin;
use crate::core::diagnose::{Finding, diagnose};
use crate::core::document::{Document, LoadError, LoadOptions, load_path};

/// What a finished load sends back.
pub enum LoadEvent {
    Loaded {
        docs: Vec<(Document, Vec<Finding>)>,
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
    pub fn load_file(&mut self, path: PathBuf, ctx: Option<egui::Context>) {
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
            cancel: Arc::new(AtomicBool::new(false)),
        };
        let (bytes_read, responses, cancel) = (
            job.bytes_read.clone(),
            job.responses.clone(),
            job.cancel.clone(),
        );
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
                    ..LoadOptions::default()
                };
                let event = match load_path(&path, options) {
                    Ok(docs) => LoadEvent::Loaded {
                        docs: docs
                            .into_iter()
                            .map(|d| {
                                let f = diagnose(&d);
                                (d, f)
                            })
                            .collect(),
                        origin: Origin::File(path),
                    },
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
