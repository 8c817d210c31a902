//! The filter bar (query box with inline errors and a help popover, quick toggles)
//! and the summary strip (status chips that filter on click, a legend, and small
//! charts of failures by status and by top-level folder).

use egui::{Color32, Pos2, Rect, RichText, Sense, Ui, Vec2};

use crate::app::state::{Command, OpenDoc};
use crate::app::{theme, widgets};
use crate::core::model::Outcome;
use crate::core::render::render_filter_error;
use crate::core::status::reason_phrase;

/// Filter bar and summary strip.
#[derive(Default)]
pub struct OverviewPanel {
    /// Set to focus the filter box next frame (Ctrl+F).
    pub focus_filter: bool,
}

pub const FILTER_HELP: &str = "Terms are ANDed; a leading - negates.\n\
status:404   status:403,423   status:4xx   status:locked   status:none\n\
outcome:failed   outcome:partial   outcome:ok\n\
path:/docs/**   path:/docs/*.pdf   path:/docs\n\
prop:getetag   prop:{urn:x}color\n\
error:need-privileges\n\
free text (case-insensitive, in the path)   \"quoted text\"\n\n\
Examples:\n  outcome:failed -status:424\n  path:/remote.php/** status:403\n  -status:404 prop:quota-used-bytes";

impl OverviewPanel {
    pub fn filter_ui(&mut self, ui: &mut Ui, doc: &OpenDoc, commands: &mut Vec<Command>) {
        ui.horizontal(|ui| {
            let label = ui.label("Filter:");
            let mut text = doc.filter_text.clone();
            let edit = ui.add(
                egui::TextEdit::singleline(&mut text)
                    .id(egui::Id::unique("filter-box"))
                    .hint_text("e.g. outcome:failed  path:/docs/**  -status:404   (Ctrl+F)")
                    .desired_width(420.0),
            );
            let edit = edit.labelled_by(label.id);
            if self.focus_filter {
                self.focus_filter = false;
                edit.request_focus();
            }
            if edit.changed() {
                commands.push(Command::SetFilter(text));
            }
            let help = ui.button("?").on_hover_text("filter language help");
            egui::Popup::from_toggle_button_response(&help).show(|ui| {
                ui.label(RichText::new(FILTER_HELP).monospace());
            });
            let mut failures = doc.failures_only;
            if ui
                .checkbox(&mut failures, "Failures only")
                .on_hover_text("hide resources whose every status is 2xx")
                .changed()
            {
                commands.push(Command::SetFailuresOnly(failures));
            }
            let any =
                !doc.filter_text.is_empty() || doc.failures_only || !doc.status_chips.is_empty();
            if ui.add_enabled(any, egui::Button::new("Clear")).clicked() {
                commands.push(Command::ClearFilters);
            }
            let total = doc.doc.responses().len();
            let shown = if doc.filtered.matched.is_empty() {
                total
            } else {
                doc.filtered.matched_count
            };
            ui.label(RichText::new(format!("{shown} of {total} shown")).strong());
        });
        if let Some(e) = &doc.filter_error {
            let dark = ui.visuals().dark_mode;
            ui.label(
                RichText::new(render_filter_error(e, &doc.effective_query()))
                    .monospace()
                    .color(theme::error_text(dark)),
            );
        }
    }

    pub fn summary_ui(&mut self, ui: &mut Ui, doc: &OpenDoc, commands: &mut Vec<Command>) {
        let counts = doc.status_counts();
        let [failed, partial, ok] = doc.outcome_counts();
        ui.horizontal_wrapped(|ui| {
            let dark = ui.visuals().dark_mode;
            ui.label(RichText::new(format!("{} responses:", doc.doc.responses().len())).strong());
            for (outcome, n) in [
                (Outcome::Ok, ok),
                (Outcome::Partial, partial),
                (Outcome::Failed, failed),
            ] {
                ui.label(
                    RichText::new(format!("{n} {}", outcome.as_str()))
                        .color(theme::outcome_colour(outcome))
                        .strong(),
                );
            }
            ui.separator();
            for (code, n) in counts {
                let Some(code) = *code else {
                    ui.label(
                        RichText::new(format!("no code ×{n}")).color(theme::warning_text(dark)),
                    );
                    continue;
                };
                let on = doc.status_chips.contains(&code);
                let chip = widgets::chip(
                    ui,
                    &format!("{code} ×{n}"),
                    theme::status_fill(Some(code)),
                    on,
                )
                .on_hover_text(format!(
                    "{code} {}: {n} responses carry it. Click to filter on it.",
                    reason_phrase(code)
                ));
                if chip.clicked() {
                    commands.push(Command::ToggleStatusChip(code));
                }
            }
            if !doc.doc.problems.is_empty() {
                ui.separator();
                let errors = doc.doc.error_count();
                ui.label(
                    RichText::new(format!(
                        "{} problem{} ({errors} error{})",
                        doc.doc.problems.len(),
                        if doc.doc.problems.len() == 1 { "" } else { "s" },
                        if errors == 1 { "" } else { "s" }
                    ))
                    .color(if errors > 0 {
                        theme::error_text(dark)
                    } else {
                        theme::warning_text(dark)
                    }),
                );
            }
        });
    }

    /// Failures by status and by top-level folder, as small bar charts.
    pub fn charts_ui(&mut self, ui: &mut Ui, doc: &OpenDoc, commands: &mut Vec<Command>) {
        let by_status: Vec<(u16, usize)> = doc
            .status_counts()
            .iter()
            .filter_map(|&(c, n)| c.filter(|c| !(200..300).contains(c)).map(|c| (c, n)))
            .collect();
        let by_folder = doc.failures_by_folder();
        ui.horizontal_top(|ui| {
            ui.vertical(|ui| {
                ui.label(RichText::new("Non-2xx codes").weak());
                let max = by_status.iter().map(|(_, n)| *n).max().unwrap_or(1);
                for (code, n) in by_status.iter().take(4) {
                    let label = format!("{code} {}", reason_phrase(*code));
                    if bar(ui, &label, *n, max, theme::status_fill(Some(*code))).clicked() {
                        commands.push(Command::ToggleStatusChip(*code));
                    }
                }
                if by_status.is_empty() {
                    ui.label("none");
                }
            });
            ui.add_space(16.0);
            ui.vertical(|ui| {
                ui.label(RichText::new("Failed, by folder").weak());
                let max = by_folder
                    .iter()
                    .map(|(_, n)| *n as usize)
                    .max()
                    .unwrap_or(1);
                for (name, n) in by_folder.iter().take(4) {
                    let fill = theme::status_fill(Some(500));
                    if bar(ui, name, *n as usize, max, fill)
                        .on_hover_text("click: show only this folder")
                        .clicked()
                    {
                        commands.push(Command::SetFilter(name.clone()));
                    }
                }
                if by_folder.is_empty() {
                    ui.label("no failed responses");
                }
            });
            ui.add_space(16.0);
            ui.vertical(|ui| {
                ui.label(RichText::new("Legend").weak());
                legend_ui(ui);
            });
        });
    }
}

fn bar(ui: &mut Ui, label: &str, n: usize, max: usize, fill: Color32) -> egui::Response {
    let height = ui.text_style_height(&egui::TextStyle::Small) + 4.0;
    let (rect, response) = ui.allocate_exact_size(Vec2::new(260.0, height), Sense::click());
    let bar_w = 90.0 * n as f32 / max.max(1) as f32;
    let bar_rect = Rect::from_min_size(rect.min, Vec2::new(bar_w.max(2.0), height - 2.0));
    ui.painter().rect_filled(bar_rect, 2.0, fill);
    let text_colour = ui.visuals().text_color();
    ui.painter().text(
        Pos2::new(rect.min.x + 96.0, rect.center().y),
        egui::Align2::LEFT_CENTER,
        format!("{n}  {}", crate::core::text::excerpt(label, 24)),
        egui::FontId::proportional(height * 0.75),
        text_colour,
    );
    let text = format!("{label}: {n}");
    response.widget_info(|| egui::WidgetInfo::labeled(egui::Role::Button, true, text.clone()));
    response
}

fn legend_ui(ui: &mut Ui) {
    let entries: [(Option<u16>, &str); 8] = [
        (Some(200), "2xx ok"),
        (Some(301), "3xx moved"),
        (Some(403), "401/403 auth"),
        (Some(404), "404/410 missing"),
        (Some(423), "409/412/423 lock, conflict"),
        (Some(424), "424 dependency"),
        (Some(507), "507 storage"),
        (Some(500), "5xx server"),
    ];
    egui::Grid::new("legend")
        .num_columns(8)
        .spacing([6.0, 2.0])
        .show(ui, |ui| {
            for (i, (code, text)) in entries.iter().enumerate() {
                widgets::status_badge(ui, *code);
                ui.label(RichText::new(*text).small());
                if i % 4 == 3 {
                    ui.end_row();
                }
            }
        });
}
