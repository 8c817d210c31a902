//! The diagnosis panel: the document's findings (click one to show its paths) and
//! the fix checklist of the selected path — its status explained, the findings
//! that touch it, and the six steps with ticks, notes and actions.

use egui::{RichText, Ui};

use crate::app::state::{Command, OpenDoc};
use crate::app::{theme, widgets};
use crate::core::checklist::{self, Action, ExportFormat};
use crate::core::diagnose::Likelihood;
use crate::core::href;
use crate::core::session::Workspace;
use crate::core::status::reason_phrase;
use crate::core::tree::NONE;

/// The diagnosis panel.
#[derive(Default)]
pub struct DiagnosisPanel {
    /// Steps whose note editor was opened although the step is not flagged.
    open_notes: std::collections::HashSet<(String, usize)>,
    /// The selected path's checklist, built once per selection (not per frame).
    cached: Option<Cached>,
}

struct Cached {
    /// Which document (by address) and node it was built for.
    doc: usize,
    node: u32,
    path: String,
    key: String,
    response: Option<usize>,
    /// Titles of the findings that touch the path.
    touching: Vec<String>,
    items: Vec<checklist::Item>,
}

fn likelihood_fill(l: Likelihood) -> egui::Color32 {
    match l {
        Likelihood::High => theme::status_fill(Some(500)),
        Likelihood::Medium => theme::status_fill(Some(403)),
        Likelihood::Low => theme::status_fill(Some(404)),
    }
}

impl DiagnosisPanel {
    pub fn ui(&mut self, ui: &mut Ui, doc: &OpenDoc, ws: &Workspace, commands: &mut Vec<Command>) {
        // Findings on top (at most 40% of the height), the checklist below: both
        // stay in view whatever the number of findings.
        let height = ui.available_height();
        egui::ScrollArea::vertical()
            .id_salt("findings")
            .max_height(height * 0.4)
            .auto_shrink([false, true])
            .show(ui, |ui| self.findings_ui(ui, doc, commands));
        ui.separator();
        egui::ScrollArea::vertical()
            .id_salt("checklist")
            .auto_shrink([false, false])
            .show(ui, |ui| self.checklist_ui(ui, doc, ws, commands));
    }

    fn findings_ui(&mut self, ui: &mut Ui, doc: &OpenDoc, commands: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            ui.heading(format!("Findings ({})", doc.findings.len()));
            ui.menu_button("Export…", |ui| {
                ui.label(
                    RichText::new("Failing paths with status, cause, checklist state and notes")
                        .weak(),
                );
                for (label, format) in [
                    ("CSV", ExportFormat::Csv),
                    ("JSON", ExportFormat::Json),
                    ("Markdown", ExportFormat::Markdown),
                ] {
                    if ui.button(format!("Save as {label}…")).clicked() {
                        commands.push(Command::Export {
                            format,
                            to_clipboard: false,
                        });
                        ui.close();
                    }
                    if ui.button(format!("Copy as {label}")).clicked() {
                        commands.push(Command::Export {
                            format,
                            to_clipboard: true,
                        });
                        ui.close();
                    }
                }
            });
        });
        if doc.findings.is_empty() {
            ui.label("No likely cause found: every resource answered as expected.");
            return;
        }
        if let Some(i) = doc.pinned {
            ui.horizontal_wrapped(|ui| {
                ui.label(RichText::new(format!("Showing the paths of finding {}", i + 1)).strong());
                if ui.button("Show all").clicked() {
                    commands.push(Command::PinFinding(None));
                }
            });
        }
        for (i, f) in doc.findings.iter().enumerate() {
            ui.horizontal_wrapped(|ui| {
                widgets::paint_badge_ui(ui, f.likelihood.as_str(), likelihood_fill(f.likelihood));
                let selected = doc.pinned == Some(i);
                let title = ui
                    .selectable_label(selected, RichText::new(&f.title).strong())
                    .on_hover_text(format!(
                        "{}: click to show its {} path(s) in the tree",
                        f.cause.label(),
                        f.paths.len()
                    ));
                if title.clicked() {
                    commands.push(Command::PinFinding(if selected { None } else { Some(i) }));
                }
            });
            ui.indent(("finding", i), |ui| {
                ui.label(RichText::new(f.cause.label()).weak());
                for e in f.evidence.iter().take(4) {
                    ui.label(RichText::new(format!("- {e}")).small());
                }
                if f.evidence.len() > 4 {
                    ui.label(
                        RichText::new(format!("… {} more", f.evidence.len() - 4))
                            .small()
                            .weak(),
                    );
                }
            });
        }
    }

    fn checklist_ui(
        &mut self,
        ui: &mut Ui,
        doc: &OpenDoc,
        ws: &Workspace,
        commands: &mut Vec<Command>,
    ) {
        ui.heading("Fix checklist");
        let Some(node) = doc.selected else {
            ui.label("Select a path in the tree: its checklist shows here.");
            return;
        };
        let doc_id = std::sync::Arc::as_ptr(&doc.doc) as usize;
        let fresh = self
            .cached
            .as_ref()
            .is_some_and(|c| c.doc == doc_id && c.node == node);
        if !fresh {
            let tree = &doc.doc.tree;
            let path = tree.path(node);
            let response = tree
                .nodes
                .get(node as usize)
                .map(|n| n.response)
                .filter(|r| *r != NONE)
                .map(|r| r as usize);
            let key = href::path_key(&path).to_string();
            let touching = doc
                .findings
                .iter()
                .filter(|f| f.paths.iter().any(|p| href::path_key(p) == key))
                .map(|f| format!("- [{}] {}", f.likelihood.as_str(), f.title))
                .collect();
            let items = checklist::checklist(&doc.doc, &doc.findings, &path, response);
            self.cached = Some(Cached {
                doc: doc_id,
                node,
                path,
                key,
                response,
                touching,
                items,
            });
        }
        let Some(cached) = &self.cached else { return };
        let (path, key, response) = (cached.path.clone(), cached.key.clone(), cached.response);
        ui.label(RichText::new(&path).monospace().strong());
        if let (Some(ms), Some(r)) = (&doc.doc.multistatus, doc.response_of(node)) {
            let codes: Vec<String> = ms
                .codes(&r)
                .map(|c| {
                    c.map(|c| format!("{c} {}", reason_phrase(c)))
                        .unwrap_or_else(|| "no code".into())
                })
                .collect();
            ui.label(format!("Status: {}", codes.join(", ")));
        } else {
            ui.label("An implicit folder: not listed in the payload.");
        }
        if !cached.touching.is_empty() {
            ui.label(RichText::new("Findings on this path:").weak());
            for t in &cached.touching {
                ui.label(t);
            }
        }
        let items = cached.items.clone();
        let state = ws.checklist.get(&key).cloned().unwrap_or_default();
        let dark = ui.visuals().dark_mode;
        for item in &items {
            ui.add_space(4.0);
            let mut on = state.checked.get(item.step).copied().unwrap_or(false);
            ui.horizontal(|ui| {
                let text = format!("{}. {}", item.step + 1, item.title);
                let mut rt = RichText::new(text);
                if item.relevant {
                    rt = rt.strong().color(theme::warning_text(dark));
                }
                if ui.checkbox(&mut on, rt).changed() {
                    commands.push(Command::SetCheck { path: key.clone(), step: item.step, on });
                }
                if let Some(action) = item.action {
                    let label = match action {
                        Action::EditRequest => "Edit request",
                        Action::ProbeServer => "Probe server",
                        Action::RerunAndCompare => "Re-run and compare",
                        Action::ShowRaw => "Show raw XML",
                    };
                    let enabled = action == Action::ShowRaw && response.is_some()
                        || action != Action::ShowRaw && doc.doc.info.request.is_some();
                    let b = ui
                        .add_enabled(enabled, egui::Button::new(label).small())
                        .on_disabled_hover_text("needs the request: open a HAR or raw capture, or query the server live");
                    if b.clicked() {
                        commands.push(Command::RunAction {
                            action,
                            step: item.step,
                        });
                    }
                }
            });
            ui.indent(("item", item.step), |ui| {
                ui.label(RichText::new(&item.detail).small());
                if item.step == checklist::RETEST
                    && let Some(c) = &state.confirmed
                {
                    ui.label(
                        RichText::new(format!("confirmed: {c}"))
                            .small()
                            .color(theme::outcome_colour(crate::core::model::Outcome::Ok)),
                    );
                }
                let mut note = state.notes.get(item.step).cloned().unwrap_or_default();
                let open_key = (key.clone(), item.step);
                let show = item.relevant || !note.is_empty() || self.open_notes.contains(&open_key);
                if !show {
                    if ui.small_button("Add a note").clicked() {
                        self.open_notes.insert(open_key);
                    }
                    return;
                }
                let label = ui.label(RichText::new("Note:").small().weak());
                let edit = ui
                    .add(
                        egui::TextEdit::multiline(&mut note)
                            .desired_rows(1)
                            .desired_width(f32::INFINITY)
                            .hint_text(
                                "what you changed and why (document every permission change)",
                            ),
                    )
                    .labelled_by(label.id);
                if edit.changed() {
                    commands.push(Command::SetNote {
                        path: key.clone(),
                        step: item.step,
                        text: note,
                    });
                }
            });
        }
    }
}
