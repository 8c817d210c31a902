//! The explorer window (eframe). `App` owns the `AppState` and the panels; each
//! frame it drains the task inbox and the commands panels pushed, then draws.
//! Three views: Explorer, Compare, and Request (the request editor, live requests
//! with their history and snapshots, the practice server — see `live`).
//! Depends on `core` (and on `demo` for the built-in practice server); the
//! core never depends on this.

use std::path::PathBuf;

use egui::{Key, KeyboardShortcut, Modifiers, RichText};

pub mod compare;
pub mod live;
pub mod panels;
pub mod request;
pub mod state;
pub mod tasks;
pub mod theme;
pub mod widgets;

use panels::compare::ComparePanel;
use panels::details::DetailsPanel;
use panels::diagnosis::DiagnosisPanel;
use panels::overview::OverviewPanel;
use panels::raw::RawPanel;
use panels::request::RequestPanel;
use panels::tree::TreePanel;
use state::{AppState, BottomTab, Command, Persisted, SAMPLES, View};

const STORAGE_KEY: &str = "davscope";

/// The eframe application.
pub struct App {
    pub state: AppState,
    tree: TreePanel,
    details: DetailsPanel,
    raw: RawPanel,
    overview: OverviewPanel,
    compare: ComparePanel,
    diagnosis: DiagnosisPanel,
    request: RequestPanel,
    dialog: Option<std::sync::mpsc::Receiver<Vec<PathBuf>>>,
    export_result: Option<std::sync::mpsc::Receiver<Result<String, String>>>,
    /// When the watched files were last looked at (egui time, seconds).
    last_watch_check: f64,
}

impl App {
    /// A window on `files`, or on the built-in sample when there are none.
    pub fn new(
        persisted: Persisted,
        workspace: Option<PathBuf>,
        files: Vec<PathBuf>,
        ctx: Option<&egui::Context>,
    ) -> Self {
        let mut state = AppState::new(persisted, workspace);
        if let Some(ctx) = ctx {
            ctx.set_theme(if state.persisted.dark {
                egui::Theme::Dark
            } else {
                egui::Theme::Light
            });
        }
        if files.is_empty() {
            state.handle(Command::OpenSample(0), ctx);
        } else {
            for f in files {
                state.handle(Command::OpenFile(f), ctx);
            }
        }
        App {
            state,
            tree: TreePanel,
            details: DetailsPanel,
            raw: RawPanel,
            overview: OverviewPanel::default(),
            compare: ComparePanel::default(),
            diagnosis: DiagnosisPanel::default(),
            request: RequestPanel,
            dialog: None,
            export_result: None,
            last_watch_check: 0.0,
        }
    }

    /// Waits for background loads (tests, and `davscope FILE` before the first frame).
    pub fn wait_for_loads(&mut self) {
        for event in self.state.loader.wait() {
            // Re-queue through the same path the frame loop uses.
            self.state.apply_load_event(event);
        }
    }

    /// Waits for the live request in flight (tests).
    pub fn wait_for_requests(&mut self) {
        for event in self.state.live.requester.wait() {
            self.state.apply_request_event(event);
        }
    }

    fn open_dialog(&mut self) {
        let (tx, rx) = std::sync::mpsc::channel();
        let spawned = std::thread::Builder::new()
            .name("file dialog".into())
            .spawn(move || {
                let picked = rfd::FileDialog::new()
                    .set_title("Open 207 payloads")
                    .add_filter(
                        "Payloads",
                        &["xml", "http", "txt", "har", "gz", "log", "resp"],
                    )
                    .add_filter("All files", &["*"])
                    .pick_files()
                    .unwrap_or_default();
                let _ = tx.send(picked);
            });
        match spawned {
            Ok(_) => self.dialog = Some(rx),
            Err(e) => self
                .state
                .error(format!("cannot open the file dialog: {e}")),
        }
    }

    /// Asks where to save an export (off the UI thread), then writes it atomically.
    fn save_export(&mut self, format: crate::core::checklist::ExportFormat, text: String) {
        use crate::core::checklist::ExportFormat as F;
        let (ext, name) = match format {
            F::Csv => ("csv", "failing-paths.csv"),
            F::Json => ("json", "failing-paths.json"),
            F::Markdown => ("md", "failing-paths.md"),
        };
        let (tx, rx) = std::sync::mpsc::channel();
        self.export_result = Some(rx);
        let spawned = std::thread::Builder::new()
            .name("export".into())
            .spawn(move || {
                let Some(path) = rfd::FileDialog::new()
                    .set_title("Export failing paths")
                    .set_file_name(name)
                    .add_filter(ext, &[ext])
                    .save_file()
                else {
                    return;
                };
                let result = crate::core::session::write_atomic(&path, text.as_bytes())
                    .map(|()| path.display().to_string())
                    .map_err(|e| format!("cannot write {}: {e}", path.display()));
                let _ = tx.send(result);
            });
        if let Err(e) = spawned {
            self.state
                .error(format!("cannot open the save dialog: {e}"));
        }
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        let cmd = |k| KeyboardShortcut::new(Modifiers::COMMAND, k);
        let typing = ctx.egui_wants_keyboard_input();
        let mut out = Vec::new();
        ctx.input_mut(|i| {
            if i.consume_shortcut(&cmd(Key::O)) {
                out.push(Command::OpenDialog);
            }
            if i.consume_shortcut(&cmd(Key::W)) {
                out.push(Command::Close(self.state.active));
            }
            if i.consume_shortcut(&cmd(Key::F)) {
                self.overview.focus_filter = true;
            }
            if i.consume_shortcut(&KeyboardShortcut::new(Modifiers::NONE, Key::F5))
                || i.consume_shortcut(&cmd(Key::R))
            {
                out.push(Command::Reload);
            }
            if i.consume_shortcut(&cmd(Key::E)) {
                out.push(Command::RevealFailures);
            }
            if typing {
                return;
            }
            for event in &i.events {
                match event {
                    egui::Event::Paste(text) if !text.trim().is_empty() => {
                        out.push(Command::OpenBytes {
                            label: "pasted payload".into(),
                            bytes: text.clone().into_bytes(),
                        });
                    }
                    egui::Event::Text(t) if !i.modifiers.command => {
                        out.push(Command::TypeAhead(t.clone(), i.time));
                    }
                    _ => {}
                }
            }
            let pressed = |k| i.key_pressed(k);
            if pressed(Key::ArrowDown) {
                out.push(Command::MoveSelection(1));
            }
            if pressed(Key::ArrowUp) {
                out.push(Command::MoveSelection(-1));
            }
            if pressed(Key::PageDown) {
                out.push(Command::MoveSelection(20));
            }
            if pressed(Key::PageUp) {
                out.push(Command::MoveSelection(-20));
            }
            if pressed(Key::Home) {
                out.push(Command::SelectFirst);
            }
            if pressed(Key::End) {
                out.push(Command::SelectLast);
            }
            if let Some(d) = self.state.doc()
                && let Some(sel) = d.selected
            {
                let node = &d.doc.tree.nodes[sel as usize];
                let open = d.expanded.get(sel as usize).copied().unwrap_or(false);
                let has_children = node.first_child != crate::core::tree::NONE;
                if pressed(Key::Enter) && has_children {
                    out.push(Command::Toggle(sel));
                }
                if pressed(Key::ArrowRight) && has_children && !open {
                    out.push(Command::Toggle(sel));
                }
                if pressed(Key::ArrowLeft) {
                    if has_children && open {
                        out.push(Command::Toggle(sel));
                    } else if node.parent != 0 && node.parent != crate::core::tree::NONE {
                        out.push(Command::Select(node.parent));
                    }
                }
            }
        });
        self.state.commands.extend(out);
    }

    fn menu_ui(&mut self, ui: &mut egui::Ui) {
        let watch_state = self
            .state
            .doc()
            .filter(|d| matches!(d.origin, state::Origin::File(_)))
            .map(|d| d.watch);
        let commands = &mut self.state.commands;
        egui::MenuBar::new().ui(ui, |ui| {
            ui.menu_button("File", |ui| {
                if ui.button("Open…  (Ctrl+O)").clicked() {
                    commands.push(Command::OpenDialog);
                    ui.close();
                }
                if ui
                    .button("Paste payload  (Ctrl+V)")
                    .on_hover_text("open the XML, raw HTTP or HAR text on the clipboard")
                    .clicked()
                {
                    ui.ctx()
                        .send_viewport_cmd(egui::ViewportCommand::RequestPaste);
                    ui.close();
                }
                ui.menu_button("Open sample", |ui| {
                    for (i, (name, _)) in SAMPLES.iter().enumerate() {
                        if ui.button(*name).clicked() {
                            commands.push(Command::OpenSample(i));
                            ui.close();
                        }
                    }
                });
                ui.menu_button("Recent files", |ui| {
                    if self.state.persisted.recent.is_empty() {
                        ui.label("none yet");
                    }
                    for p in &self.state.persisted.recent {
                        if ui.button(p.display().to_string()).clicked() {
                            commands.push(Command::OpenFile(p.clone()));
                            ui.close();
                        }
                    }
                });
                ui.separator();
                if ui.button("Reload  (F5)").clicked() {
                    commands.push(Command::Reload);
                    ui.close();
                }
                if let Some(mut watch) = watch_state
                    && ui
                        .checkbox(&mut watch, "Watch the file")
                        .on_hover_text("reload it whenever it changes on disk")
                        .changed()
                {
                    commands.push(Command::SetWatch(watch));
                }
                if ui.button("Close  (Ctrl+W)").clicked() {
                    commands.push(Command::Close(self.state.active));
                    ui.close();
                }
                if ui.button("Quit").clicked() {
                    ui.ctx().send_viewport_cmd(egui::ViewportCommand::Close);
                }
            });
            ui.menu_button("View", |ui| {
                if ui.button("Reveal failures  (Ctrl+E)").clicked() {
                    commands.push(Command::RevealFailures);
                    ui.close();
                }
                if ui.button("Expand all").clicked() {
                    commands.push(Command::ExpandAll);
                    ui.close();
                }
                if ui.button("Collapse all").clicked() {
                    commands.push(Command::CollapseAll);
                    ui.close();
                }
                ui.separator();
                let threads = self.state.persisted.threads;
                ui.menu_button("Parse threads", |ui| {
                    for (label, value) in [
                        ("Every core (default)", None),
                        ("1 (sequential)", Some(1)),
                        ("2", Some(2)),
                        ("4", Some(4)),
                        ("8", Some(8)),
                    ] {
                        if ui.radio(threads == value, label).clicked() {
                            commands.push(Command::SetThreads(value));
                            ui.close();
                        }
                    }
                });
                let dark = self.state.persisted.dark;
                if ui
                    .button(if dark { "Light theme" } else { "Dark theme" })
                    .clicked()
                {
                    commands.push(Command::SetDark(!dark));
                    ui.close();
                }
            });
            ui.separator();
            if ui.button("Reveal failures").clicked() {
                commands.push(Command::RevealFailures);
            }
        });
    }

    fn tabs_ui(&mut self, ui: &mut egui::Ui) {
        ui.horizontal_wrapped(|ui| {
            let view = self.state.view;
            if ui
                .selectable_label(view == View::Explorer, "Explorer")
                .clicked()
            {
                self.state.commands.push(Command::ShowView(View::Explorer));
            }
            if ui
                .selectable_label(view == View::Compare, "Compare")
                .on_hover_text("before-and-after diff of two open documents")
                .clicked()
            {
                self.state.commands.push(Command::ShowView(View::Compare));
            }
            if ui
                .selectable_label(view == View::Request, "Request")
                .on_hover_text("query a server: request editor, probe, history, practice server")
                .clicked()
            {
                self.state.commands.push(Command::ShowView(View::Request));
            }
            ui.separator();
            for (i, d) in self.state.docs.iter().enumerate() {
                let failed = d.failed_count();
                let text = if failed > 0 {
                    format!("{}  ({failed} failed)", d.label())
                } else {
                    d.label().to_string()
                };
                let selected = i == self.state.active;
                if ui.selectable_label(selected, text).clicked() {
                    self.state.commands.push(Command::Activate(i));
                }
                if ui
                    .small_button("x")
                    .on_hover_text(format!("close {}", d.label()))
                    .clicked()
                {
                    self.state.commands.push(Command::Close(i));
                }
                ui.separator();
            }
            if ui.button("Open…").clicked() {
                self.state.commands.push(Command::OpenDialog);
            }
        });
    }

    fn progress_ui(&mut self, ui: &mut egui::Ui) {
        if self.state.live.requester.busy() {
            ui.horizontal_wrapped(|ui| {
                self.request
                    .progress_ui(ui, &self.state.live, &mut self.state.commands)
            });
        }
        let jobs = &self.state.loader.jobs;
        if jobs.is_empty() {
            return;
        }
        for job in jobs {
            let read = job.bytes_read.load(std::sync::atomic::Ordering::Relaxed);
            let found = job.responses.load(std::sync::atomic::Ordering::Relaxed);
            ui.horizontal(|ui| {
                let fraction = if job.total_bytes > 0 {
                    read as f32 / job.total_bytes as f32
                } else {
                    0.0
                };
                let preparing = job.preparing.load(std::sync::atomic::Ordering::Relaxed);
                let text = if preparing {
                    format!(
                        "loading {}: {found} responses read; finding likely causes, preparing the view...",
                        job.label
                    )
                } else {
                    format!(
                        "loading {}: {:.1} of {:.1} MB, {found} responses",
                        job.label,
                        read as f64 / 1e6,
                        job.total_bytes as f64 / 1e6
                    )
                };
                ui.add(
                    egui::ProgressBar::new(fraction)
                        .desired_width(560.0)
                        .animate(preparing)
                        .text(text),
                );
                if ui.button("Cancel").clicked() {
                    self.state.commands.push(Command::CancelLoad);
                }
            });
        }
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(100));
    }

    fn message_ui(&mut self, ui: &mut egui::Ui) {
        let Some(m) = self.state.message.clone() else {
            return;
        };
        let dark = ui.visuals().dark_mode;
        ui.horizontal_wrapped(|ui| {
            let colour = if m.error {
                theme::error_text(dark)
            } else {
                ui.visuals().text_color()
            };
            ui.label(RichText::new(&m.text).color(colour).strong());
            if ui.small_button("Dismiss").clicked() {
                self.state.commands.push(Command::DismissMessage);
            }
        });
    }

    fn compare_picker_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        let labels: Vec<String> = self
            .state
            .docs
            .iter()
            .map(|d| d.label().to_string())
            .collect();
        let (mut before, mut after) = self.state.compare_pick;
        ui.horizontal_wrapped(|ui| {
            doc_picker_ui(ui, "Before:", "pick-before", &labels, &mut before);
            doc_picker_ui(ui, "After:", "pick-after", &labels, &mut after);
            if (before, after) != self.state.compare_pick {
                commands.push(Command::SetComparePick { before, after });
            }
            let ready = before < labels.len() && after < labels.len();
            if ui
                .add_enabled(ready, egui::Button::new("Compare"))
                .clicked()
            {
                commands.push(Command::StartCompare { before, after });
            }
            if ui
                .button("Open the sample pair")
                .on_hover_text("fix-before.xml and fix-after.xml")
                .clicked()
            {
                let find = |name: &str| SAMPLES.iter().position(|(n, _)| *n == name);
                if let (Some(b), Some(a)) = (find("fix-before.xml"), find("fix-after.xml")) {
                    commands.push(Command::CompareSamples(b, a));
                }
            }
        });
    }

    fn compare_view_ui(&mut self, ui: &mut egui::Ui, commands: &mut Vec<Command>) {
        egui::Panel::top("compare-header").show(ui, |ui| {
            self.compare_picker_ui(ui, commands);
            if let Some(c) = &self.state.compare {
                ui.separator();
                self.compare.header_ui(ui, c, commands);
            }
        });
        let Some(c) = &self.state.compare else {
            egui::CentralPanel::default().show(ui, |ui| {
                ui.heading("Compare two payloads");
                ui.label("Choose the payload before the fix and the one after it, then Compare. Paths are matched by meaning: prefixes, order and href spelling never count as changes.");
            });
            return;
        };
        egui::Panel::right("compare-details")
            .resizable(true)
            .default_size(560.0)
            .show(ui, |ui| self.compare.details_ui(ui, c));
        egui::CentralPanel::default().show(ui, |ui| self.compare.tree_ui(ui, c, commands));
    }

    /// Draws one frame into `ui` (the whole window).
    pub fn frame_ui(&mut self, ui: &mut egui::Ui) {
        let ctx = ui.ctx().clone();
        self.state.poll_tasks();
        if let Some(rx) = &self.dialog
            && let Ok(paths) = rx.try_recv()
        {
            self.dialog = None;
            for p in paths {
                self.state.commands.push(Command::OpenFile(p));
            }
        }
        if let Some(rx) = &self.export_result
            && let Ok(result) = rx.try_recv()
        {
            self.export_result = None;
            self.state.message = Some(match result {
                Ok(path) => state::Message {
                    error: false,
                    text: format!("exported to {path}"),
                },
                Err(e) => state::Message {
                    error: true,
                    text: e,
                },
            });
        }
        let dropped: Vec<egui::DroppedFileHandle> = ctx.input(|i| i.raw.dropped_files.clone());
        for f in dropped {
            let path = f.path();
            if path.as_os_str().is_empty() {
                match f.bytes() {
                    Ok(bytes) => self.state.commands.push(Command::OpenBytes {
                        label: "dropped payload".into(),
                        bytes,
                    }),
                    Err(e) => self
                        .state
                        .error(format!("cannot read the dropped file: {e}")),
                }
            } else {
                self.state
                    .commands
                    .push(Command::OpenFile(path.to_path_buf()));
            }
        }
        self.shortcuts(&ctx);
        if self.state.docs.iter().any(|d| d.watch) {
            let now = ctx.input(|i| i.time);
            if now - self.last_watch_check >= 1.0 {
                self.last_watch_check = now;
                self.state.commands.push(Command::CheckWatched);
            }
            ctx.request_repaint_after(std::time::Duration::from_secs(1));
        }
        self.state.drain(Some(&ctx));
        if std::mem::take(&mut self.state.wants_dialog) {
            self.open_dialog();
        }
        if let Some((format, text)) = self.state.pending_export.take() {
            self.save_export(format, text);
        }

        egui::Panel::top("menu").show(ui, |ui| {
            self.menu_ui(ui);
            self.tabs_ui(ui);
            self.progress_ui(ui);
            self.message_ui(ui);
        });
        let mut commands = Vec::new();
        let tab = self.state.bottom_tab;
        if self.state.view == View::Compare {
            self.compare_view_ui(ui, &mut commands);
        } else if self.state.view == View::Request {
            egui::Panel::right("request-reply")
                .resizable(true)
                .default_size(600.0)
                .show(ui, |ui| {
                    self.request.reply_ui(
                        ui,
                        &self.state.live,
                        &self.state.workspace.history,
                        &mut commands,
                    )
                });
            egui::CentralPanel::default().show(ui, |ui| {
                self.request
                    .editor_ui(ui, &mut self.state.live, &mut commands)
            });
        } else if let Some(doc) = self.state.docs.get_mut(self.state.active) {
            egui::Panel::top("overview").show(ui, |ui| {
                self.overview.filter_ui(ui, doc, &mut commands);
                self.overview.summary_ui(ui, doc, &mut commands);
                egui::CollapsingHeader::new("Charts and legend")
                    .default_open(true)
                    .show(ui, |ui| self.overview.charts_ui(ui, doc, &mut commands));
            });
            egui::Panel::bottom("raw")
                .resizable(true)
                .default_size(190.0)
                .show(ui, |ui| {
                    ui.horizontal(|ui| {
                        if ui
                            .selectable_label(tab == BottomTab::Raw, "Raw XML")
                            .clicked()
                        {
                            self.state.bottom_tab = BottomTab::Raw;
                        }
                        let problems = format!("Problems ({})", doc.doc.problems.len());
                        if ui
                            .selectable_label(tab == BottomTab::Problems, problems)
                            .clicked()
                        {
                            self.state.bottom_tab = BottomTab::Problems;
                        }
                    });
                    ui.separator();
                    self.raw.ui(ui, doc, tab, &mut commands);
                });
            egui::Panel::left("diagnosis")
                .resizable(true)
                .default_size(380.0)
                .show(ui, |ui| {
                    self.diagnosis
                        .ui(ui, doc, &self.state.workspace, &mut commands)
                });
            egui::Panel::right("details")
                .resizable(true)
                .default_size(440.0)
                .show(ui, |ui| self.details.ui(ui, doc, &mut commands));
            egui::CentralPanel::default().show(ui, |ui| {
                self.tree.ui(ui, doc, &mut commands);
            });
        } else {
            egui::CentralPanel::default().show(ui, |ui| {
                if self.state.loader.busy() {
                    ui.heading("Loading…");
                    ui.label("The window stays usable meanwhile; Cancel stops the load.");
                    ui.add_space(12.0);
                }
                ui.heading("No document open");
                ui.label("Open a 207 payload (File > Open, Ctrl+O), drop a file on the window, paste one (Ctrl+V), or open a sample:");
                for (i, (name, _)) in SAMPLES.iter().enumerate() {
                    if ui.button(*name).clicked() {
                        commands.push(Command::OpenSample(i));
                    }
                }
            });
        }
        self.state.commands.extend(commands);
        if !self.state.commands.is_empty() {
            ctx.request_repaint();
        }
    }
}

/// A labelled combo box choosing one of the open documents.
fn doc_picker_ui(ui: &mut egui::Ui, label: &str, id: &str, labels: &[String], chosen: &mut usize) {
    let label = ui.label(label);
    egui::ComboBox::from_id_salt(id)
        .selected_text(
            labels
                .get(*chosen)
                .cloned()
                .unwrap_or_else(|| "(choose)".into()),
        )
        .show_ui(ui, |ui| {
            for (i, l) in labels.iter().enumerate() {
                ui.selectable_value(chosen, i, l);
            }
        })
        .response
        .labelled_by(label.id);
}

impl eframe::App for App {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        self.frame_ui(ui);
    }

    fn save(&mut self, storage: &mut dyn eframe::Storage) {
        eframe::set_value(storage, STORAGE_KEY, &self.state.persisted);
    }
}

/// Opens the window on `files` (or the built-in sample).
pub fn run(files: Vec<PathBuf>) -> anyhow::Result<()> {
    let icon = eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icon.png"))
        .map_err(|e| anyhow::anyhow!("bad built-in icon: {e}"))?;
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_title("davscope")
            .with_app_id("davscope")
            .with_inner_size([1400.0, 900.0])
            .with_min_inner_size([640.0, 400.0])
            .with_drag_and_drop(true)
            .with_icon(icon),
        ..Default::default()
    };
    eframe::run_native(
        "davscope",
        options,
        Box::new(move |cc| {
            let persisted: Persisted = cc
                .storage
                .and_then(|s| eframe::get_value(s, STORAGE_KEY))
                .unwrap_or_default();
            let workspace = crate::core::session::default_path();
            Ok(Box::new(App::new(
                persisted,
                workspace,
                files,
                Some(&cc.egui_ctx),
            )))
        }),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    fn harness() -> Harness<'static, App> {
        Harness::builder()
            .with_size([1400.0, 900.0])
            .with_max_steps(32)
            .build_ui_state(
                |ui, app: &mut App| app.frame_ui(ui),
                App::new(Persisted::default(), None, Vec::new(), None),
            )
    }

    fn selected_name(h: &Harness<'_, App>) -> Option<String> {
        let doc = h.state().state.doc()?;
        doc.selected.map(|s| doc.doc.tree.name(s).to_string())
    }

    #[test]
    fn opens_on_the_sample_with_failures_revealed() {
        let mut h = harness();
        h.run();
        let doc = h.state().state.doc().expect("sample open");
        assert_eq!(doc.label(), "mixed-failures.xml");
        assert_eq!(doc.doc.responses().len(), 43);
        // "reveal failures" at start: the locked file is on screen without a click.
        h.get_by_label("budget.xlsx 423");
        h.get_by_label_contains("43 of 43 shown");
    }

    #[test]
    fn select_a_row_and_see_its_status() {
        let mut h = harness();
        h.run();
        h.get_by_label("budget.xlsx 423").click();
        h.run();
        assert_eq!(selected_name(&h).as_deref(), Some("budget.xlsx"));
        h.get_by_label("423 Locked");
        assert!(
            h.query_all_by_label_contains("Locked: a lock held by someone else")
                .count()
                >= 1
        );
        // the lock itself, read from lockdiscovery
        h.get_by_label("opaquelocktoken:e71d4fae-5dec-22d6-fea5-00a0c91e6be4");
    }

    #[test]
    fn typing_a_filter_shrinks_the_rows() {
        let mut h = harness();
        h.run();
        let before = h.state().state.doc().map(|d| d.rows.len()).unwrap_or(0);
        h.get_by_label("Filter:").click();
        h.run();
        h.get_by_label("Filter:").type_text("status:403");
        h.run();
        let doc = h.state().state.doc().expect("doc");
        assert_eq!(doc.filter_text, "status:403");
        assert_eq!(doc.filtered.matched_count, 4);
        assert!(doc.rows.len() < before, "{} < {before}", doc.rows.len());
        h.get_by_label_contains("4 of 43 shown");
    }

    #[test]
    fn a_bad_filter_says_what_is_wrong() {
        let mut h = harness();
        h.run();
        h.get_by_label("Filter:").click();
        h.run();
        h.get_by_label("Filter:").type_text("statu:403");
        h.run();
        let doc = h.state().state.doc().expect("doc");
        assert!(doc.filter_error.is_some());
        h.get_by_label_contains("unknown filter key `statu:`");
    }

    #[test]
    fn clicking_a_status_chip_filters() {
        let mut h = harness();
        h.run();
        h.get_by_label("423 ×1").click();
        h.run();
        let doc = h.state().state.doc().expect("doc");
        assert!(doc.status_chips.contains(&423));
        assert_eq!(doc.filtered.matched_count, 1);
        h.get_by_label_contains("1 of 43 shown");
        h.get_by_label("423 ×1").click();
        h.run();
        assert_eq!(
            h.state().state.doc().map(|d| d.filtered.matched_count),
            Some(43)
        );
    }

    #[test]
    fn keyboard_navigation() {
        let mut h = harness();
        h.run();
        h.key_press(egui::Key::Home);
        h.run();
        assert_eq!(selected_name(&h).as_deref(), Some("remote.php"));
        h.key_press(egui::Key::ArrowDown);
        h.run();
        assert_eq!(selected_name(&h).as_deref(), Some("dav"));
        h.key_press(egui::Key::ArrowLeft);
        h.run();
        let rows_collapsed = h.state().state.doc().map(|d| d.rows.len());
        assert_eq!(
            rows_collapsed,
            Some(2),
            "collapsing dav leaves remote.php and dav"
        );
        h.key_press(egui::Key::ArrowRight);
        h.run();
        h.key_press(egui::Key::End);
        h.run();
        let last = h.state().state.doc().and_then(|d| d.rows.last().copied());
        assert_eq!(h.state().state.doc().and_then(|d| d.selected), last);
        // type-ahead finds a row by its first letters
        h.state_mut().state.handle(Command::ExpandAll, None);
        h.state_mut()
            .state
            .handle(Command::TypeAhead("bud".into(), 100.0), None);
        assert_eq!(selected_name(&h).as_deref(), Some("budget.xlsx"));
    }

    #[test]
    fn problems_and_raw_view_of_a_truncated_body() {
        let mut h = harness();
        let i = SAMPLES
            .iter()
            .position(|(n, _)| *n == "truncated.xml")
            .expect("sample");
        h.state_mut().state.handle(Command::OpenSample(i), None);
        h.run();
        h.get_by_label("Problems (1)").click();
        h.run();
        h.get_by_label_contains("Show line 77").click();
        h.run();
        let doc = h.state().state.doc().expect("doc");
        assert_eq!(doc.raw.highlight, Some((76, 76)));
        assert_eq!(h.state().state.bottom_tab, BottomTab::Raw);
    }

    #[test]
    fn not_a_multistatus_and_garbage_never_take_the_window_down() {
        let mut h = harness();
        let i = SAMPLES
            .iter()
            .position(|(n, _)| *n == "unauthorized-401.http")
            .expect("sample");
        h.state_mut().state.handle(Command::OpenSample(i), None);
        h.run();
        h.get_by_label_contains("not a multistatus (HTTP 401)");
        for bytes in [
            Vec::new(),
            vec![0u8, 159, 146, 150, 0, 1, 2],
            b"<d:multistatus xmlns:d=\"DAV:\"><d:response><d:href>/x".to_vec(),
            b"\xff\xfe<\x00a\x00".to_vec(),
        ] {
            h.state_mut().state.handle(
                Command::OpenBytes {
                    label: "junk".into(),
                    bytes,
                },
                None,
            );
            h.run();
        }
        assert_eq!(h.state().state.docs.len(), 6);
    }

    #[test]
    fn compare_a_pair_click_regressed_and_see_the_property_diff() {
        let mut h = harness();
        h.run();
        h.get_by_label("Compare").click();
        h.run();
        h.get_by_label("Open the sample pair").click();
        h.run();
        let c = h.state().state.compare.as_ref().expect("comparison");
        assert_eq!(c.diff.count(crate::core::diff::ChangeKind::Fixed), 4);
        h.get_by_label("fixed 4");
        h.get_by_label("regressed 1");
        h.get_by_label("unchanged 4");
        // unchanged is hidden by default: 9 of 13 paths shown
        h.get_by_label_contains("9 of 13 paths shown");
        // show only regressions: hide every other kind by the filter
        h.get_by_label("Filter:").click();
        h.run();
        h.get_by_label("Filter:").type_text("change:regressed");
        h.run();
        h.get_by_label_contains("1 of 13 paths shown");
        h.get_by_label_contains("notes.txt regressed").click();
        h.run();
        let c = h.state().state.compare.as_ref().expect("comparison");
        assert_eq!(
            c.selected_entry().map(|e| e.path.as_str()),
            Some("/dav/projects/notes.txt")
        );
        h.get_by_label("displayname (changed)");
        h.get_by_label("200  ->  403");
        h.get_by_label("Swap").click();
        h.run();
        let c = h.state().state.compare.as_ref().expect("comparison");
        assert_eq!(
            c.diff.count(crate::core::diff::ChangeKind::Fixed),
            1,
            "swapped: the regression reads as a fix"
        );
    }

    fn harness_with_workspace(path: &std::path::Path) -> Harness<'static, App> {
        let path = path.to_path_buf();
        Harness::builder()
            .with_size([1600.0, 1000.0])
            .with_max_steps(32)
            .build_ui_state(
                |ui, app: &mut App| app.frame_ui(ui),
                App::new(Persisted::default(), Some(path), Vec::new(), None),
            )
    }

    #[test]
    fn the_locked_resource_shows_its_unlock_step_and_ticks_survive_a_restart() {
        let dir = std::env::temp_dir().join(format!("davscope-app-ws-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let ws = dir.join("workspace.json");
        {
            let mut h = harness_with_workspace(&ws);
            h.run();
            h.get_by_label_contains("Findings (7)");
            h.get_by_label("budget.xlsx 423").click();
            h.run();
            h.get_by_label_contains(
                "The lock owned by mailto:bob@example.com blocks this PROPFIND: UNLOCK",
            );
            h.get_by_label_contains("opaquelocktoken:e71d4fae-5dec-22d6-fea5-00a0c91e6be4>");
            h.get_by_label("3. Inspect the payload").scroll_to_me();
            h.run();
            h.get_by_label("3. Inspect the payload").click();
            h.run();
            let key = "/remote.php/dav/files/alice/Projects/Q3 Plan/budget.xlsx";
            assert_eq!(
                h.state()
                    .state
                    .workspace
                    .checklist
                    .get(key)
                    .map(|s| s.checked[2]),
                Some(true)
            );
        }
        assert!(ws.exists(), "saved at once, not at exit");
        // A new window on the same workspace: the tick is still there.
        let mut h = harness_with_workspace(&ws);
        h.run();
        h.get_by_label("budget.xlsx 423").click();
        h.run();
        let key = "/remote.php/dav/files/alice/Projects/Q3 Plan/budget.xlsx";
        assert_eq!(
            h.state()
                .state
                .workspace
                .checklist
                .get(key)
                .map(|s| s.checked[2]),
            Some(true)
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn clicking_a_finding_shows_its_paths() {
        let mut h = harness_with_workspace(
            &std::env::temp_dir().join(format!("davscope-app-ws2-{}/w.json", std::process::id())),
        );
        h.run();
        h.get_by_label_contains("4 resource(s) refused (401/403)")
            .click();
        h.run();
        let doc = h.state().state.doc().expect("doc");
        assert_eq!(doc.filtered.matched_count, 4);
        h.get_by_label_contains("4 of 43 shown");
        h.get_by_label("Show all").click();
        h.run();
        assert_eq!(
            h.state().state.doc().map(|d| d.filtered.matched_count),
            Some(43)
        );
    }

    #[test]
    fn a_comparison_ticks_retest_for_fixed_paths() {
        let mut h = harness_with_workspace(
            &std::env::temp_dir().join(format!("davscope-app-ws3-{}/w.json", std::process::id())),
        );
        h.run();
        h.get_by_label("Compare").click();
        h.run();
        h.get_by_label("Open the sample pair").click();
        h.run();
        let ws = &h.state().state.workspace;
        let s = ws
            .checklist
            .get("/dav/projects/report.odt")
            .expect("report.odt");
        assert!(s.checked[crate::core::checklist::RETEST]);
        assert!(
            s.confirmed
                .as_deref()
                .is_some_and(|c| c.contains("fix-before.xml -> fix-after.xml"))
        );
        assert!(
            !ws.checklist.contains_key("/dav/projects/notes.txt"),
            "a regression is not confirmed"
        );
    }

    #[test]
    fn a_watched_file_reloads_when_it_changes() {
        let dir = std::env::temp_dir().join(format!("davscope-watch-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("w.xml");
        let one = "<multistatus xmlns=\"DAV:\"><response><href>/a</href><status>HTTP/1.1 200 OK</status></response></multistatus>";
        std::fs::write(&file, one).expect("write");
        let mut app = App::new(Persisted::default(), None, vec![file.clone()], None);
        app.wait_for_loads();
        assert_eq!(app.state.doc().map(|d| d.doc.responses().len()), Some(1));
        app.state.handle(Command::SetWatch(true), None);
        let two = one.replace(
            "</multistatus>",
            "<response><href>/b</href><status>HTTP/1.1 403 x</status></response></multistatus>",
        );
        // Make sure the modification time moves even on coarse clocks.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(&file, two).expect("write");
        let f = std::fs::File::options()
            .append(true)
            .open(&file)
            .expect("open");
        f.set_modified(std::time::SystemTime::now() + std::time::Duration::from_secs(2))
            .expect("mtime");
        app.state.handle(Command::CheckWatched, None);
        app.wait_for_loads();
        let d = app.state.doc().expect("doc");
        assert_eq!(d.doc.responses().len(), 2, "reloaded");
        assert_eq!(app.state.docs.len(), 1, "in place, not a second tab");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Images of the main views, compared with the ones in `tests/snapshots/`
    /// (rendered by wgpu on the machine's software adapter; `UPDATE_SNAPSHOTS=1`
    /// accepts new ones after a deliberate change of looks).
    #[test]
    fn snapshots_of_the_main_views() {
        let mut h = Harness::builder()
            .with_size([1400.0, 900.0])
            .with_max_steps(32)
            .build_ui_state(
                |ui, app: &mut App| app.frame_ui(ui),
                App::new(Persisted::default(), None, Vec::new(), None),
            );
        h.run();
        h.get_by_label("budget.xlsx 423").click();
        h.run();
        h.snapshot("explorer_locked_file");
        h.get_by_label("Compare").click();
        h.run();
        h.get_by_label("Open the sample pair").click();
        h.run();
        h.get_by_label_contains("README.md props_changed").click();
        h.run();
        h.snapshot("compare_props_changed");
        h.get_by_label("Request").click();
        h.run();
        h.snapshot("request_editor");
    }

    #[test]
    fn settings_persist_as_json_without_payloads() {
        let p = Persisted {
            recent: vec![PathBuf::from("/tmp/a.xml")],
            dark: true,
            last_filter: "outcome:failed".into(),
            threads: Some(2),
        };
        let json = serde_json::to_string(&p).expect("json");
        // Settings saved before `threads` existed still load.
        let old: Persisted =
            serde_json::from_str(r#"{"recent":[],"dark":false,"last_filter":""}"#).expect("old");
        assert_eq!(old.threads, None);
        let back: Persisted = serde_json::from_str(&json).expect("back");
        assert_eq!(back, p);
    }
}
