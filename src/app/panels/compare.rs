//! The before/after view: the pickers, a summary bar of change kinds (chips that
//! show or hide a kind), the diff tree with both statuses per row, and for the
//! selected path the property table and the two raw fragments side by side.

use egui::{Pos2, RichText, Ui, WidgetInfo};

use crate::app::compare::{CompareState, differing_lines};
use crate::app::panels::raw::pretty_xml;
use crate::app::state::Command;
use crate::app::{theme, widgets};
use crate::core::diff::{ChangeKind, prop_table, side_codes};
use crate::core::render::render_filter_error;

/// The compare view (state lives in `CompareState`).
#[derive(Default)]
pub struct ComparePanel {
    pub show_volatile: bool,
}

impl ComparePanel {
    /// Summary chips and filter.
    pub fn header_ui(&mut self, ui: &mut Ui, c: &CompareState, commands: &mut Vec<Command>) {
        ui.horizontal_wrapped(|ui| {
            ui.label(
                RichText::new(format!(
                    "{}  ->  {}",
                    c.before.info.label, c.after.info.label
                ))
                .strong(),
            );
            if ui
                .button("Swap")
                .on_hover_text("exchange before and after")
                .clicked()
            {
                commands.push(Command::SwapCompare);
            }
            if ui.button("Copy Markdown summary").clicked() {
                commands.push(Command::CopyCompareMarkdown);
            }
            let mut all = c.all_props;
            if ui
                .checkbox(&mut all, "Compare volatile properties")
                .on_hover_text(
                    "getetag, getlastmodified, creationdate, lock tokens, ctag: ignored by default",
                )
                .changed()
            {
                commands.push(Command::SetCompareAllProps(all));
            }
            for (side, ok) in [
                ("before", c.diff.before_is_multistatus),
                ("after", c.diff.after_is_multistatus),
            ] {
                if !ok {
                    let dark = ui.visuals().dark_mode;
                    ui.label(
                        RichText::new(format!("{side} is not a multistatus: it lists no resource"))
                            .color(theme::warning_text(dark)),
                    );
                }
            }
        });
        ui.horizontal_wrapped(|ui| {
            for kind in ChangeKind::ALL {
                let n = c.diff.count(kind);
                let on = c.shown[kind as usize];
                let label = format!("{} {n}", kind.as_str().replace('_', " "));
                let chip =
                    widgets::chip(ui, &label, theme::change_fill(kind), on).on_hover_text(if on {
                        "shown: click to hide"
                    } else {
                        "hidden: click to show"
                    });
                if chip.clicked() {
                    commands.push(Command::ToggleChangeKind(kind));
                }
            }
        });
        ui.horizontal(|ui| {
            let label = ui.label("Filter:");
            let mut text = c.filter_text.clone();
            let edit = ui
                .add(
                    egui::TextEdit::singleline(&mut text)
                        .hint_text("e.g. change:regressed  path:/docs/**  status:403")
                        .desired_width(420.0),
                )
                .labelled_by(label.id);
            if edit.changed() {
                commands.push(Command::SetCompareFilter(text));
            }
            ui.label(
                RichText::new(format!(
                    "{} of {} paths shown",
                    c.shown_count(),
                    c.diff.entries.len()
                ))
                .strong(),
            );
        });
        if let Some(e) = &c.filter_error {
            let dark = ui.visuals().dark_mode;
            ui.label(
                RichText::new(render_filter_error(e, &c.filter_text))
                    .monospace()
                    .color(theme::error_text(dark)),
            );
        }
    }

    pub fn tree_ui(&mut self, ui: &mut Ui, c: &CompareState, commands: &mut Vec<Command>) {
        if c.rows.is_empty() {
            ui.label("No path to show: every change kind shown is empty, or the filter matches nothing. Click a kind above to show it.");
            return;
        }
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
        egui::ScrollArea::both()
            .id_salt("compare-tree")
            .auto_shrink([false, false])
            .show_rows(ui, row_height, c.rows.len(), |ui, range| {
                let width = ui.available_width().max(520.0);
                for i in range {
                    row_ui(ui, c, c.rows[i], width, row_height, commands);
                }
            });
    }

    pub fn details_ui(&mut self, ui: &mut Ui, c: &CompareState) {
        let Some(e) = c.selected_entry() else {
            ui.heading("Before and after");
            ui.label("Select a path to see its properties before and after, and the two raw fragments side by side.");
            return;
        };
        let dark = ui.visuals().dark_mode;
        ui.heading(&e.path);
        ui.horizontal(|ui| {
            widgets::paint_badge_ui(ui, e.change.as_str(), theme::change_fill(e.change));
            ui.label(
                RichText::new(format!(
                    "{}  ->  {}",
                    side_codes(&c.before, e.before),
                    side_codes(&c.after, e.after)
                ))
                .monospace()
                .strong(),
            );
        });
        ui.checkbox(&mut self.show_volatile, "Show volatile properties");
        egui::ScrollArea::vertical()
            .id_salt("compare-details")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let rows = prop_table(&c.before, &c.after, e);
                egui::Grid::new("prop-diff")
                    .num_columns(3)
                    .striped(true)
                    .show(ui, |ui| {
                        ui.label(RichText::new("property").weak());
                        ui.label(RichText::new("before").weak());
                        ui.label(RichText::new("after").weak());
                        ui.end_row();
                        for r in rows.iter().filter(|r| {
                            self.show_volatile || !r.volatile || r.changed && c.all_props
                        }) {
                            let mark = |ui: &mut Ui, v: &Option<String>, status: Option<u16>| {
                                let text = match (v, status) {
                                    (None, _) => "(absent)".to_string(),
                                    (Some(v), Some(s)) if !(200..300).contains(&s) => {
                                        format!("[{s}] {}", crate::core::text::excerpt(v, 80))
                                    }
                                    (Some(v), _) => crate::core::text::excerpt(v, 80),
                                };
                                let mut rt = RichText::new(text).monospace();
                                if r.changed {
                                    rt = rt.background_color(theme::diff_highlight(dark));
                                }
                                ui.label(rt);
                            };
                            let name = r.name.rsplit('}').next().unwrap_or(&r.name);
                            let mut label = RichText::new(if r.changed {
                                format!("{name} (changed)")
                            } else {
                                name.to_string()
                            });
                            if r.changed {
                                label = label.strong();
                            }
                            ui.label(label).on_hover_text(&r.name);
                            mark(ui, &r.before, r.before_status);
                            mark(ui, &r.after, r.after_status);
                            ui.end_row();
                        }
                    });
                ui.separator();
                ui.label(
                    RichText::new("Raw XML, before | after (differing lines marked)").strong(),
                );
                let fragment = |doc: &crate::core::document::Document, i: Option<usize>| {
                    i.and_then(|i| doc.responses().get(i).copied())
                        .map(|r| pretty_xml(&doc.span_text(r.span())))
                        .unwrap_or_default()
                };
                let (fb, fa) = (fragment(&c.before, e.before), fragment(&c.after, e.after));
                let (lb, la): (Vec<&str>, Vec<&str>) = (fb.lines().collect(), fa.lines().collect());
                let (db, da) = differing_lines(&lb, &la);
                egui::ScrollArea::horizontal()
                    .id_salt("fragments")
                    .show(ui, |ui| {
                        ui.horizontal_top(|ui| {
                            let sides = [(&lb, &db, "before"), (&la, &da, "after")];
                            for (lines, marks, side) in sides {
                                ui.vertical(|ui| {
                                    ui.label(RichText::new(side).weak());
                                    if lines.is_empty() {
                                        ui.label("(not on this side)");
                                    }
                                    let mut job = egui::text::LayoutJob::default();
                                    job.wrap.max_width = f32::INFINITY;
                                    for (n, (line, marked)) in
                                        lines.iter().zip(marks.iter()).enumerate()
                                    {
                                        let format = egui::TextFormat {
                                            font_id: egui::FontId::monospace(11.5),
                                            color: ui.visuals().text_color(),
                                            background: if *marked {
                                                theme::diff_highlight(dark)
                                            } else {
                                                egui::Color32::TRANSPARENT
                                            },
                                            ..Default::default()
                                        };
                                        // A gutter keeps the indentation: egui drops spaces that open a line.
                                        let gutter = egui::TextFormat {
                                            color: theme::weak(dark),
                                            background: egui::Color32::TRANSPARENT,
                                            ..format.clone()
                                        };
                                        job.append(&format!("{:<4}", n + 1), 0.0, gutter);
                                        job.append(line, 0.0, format.clone());
                                        job.append("\n", 0.0, format);
                                    }
                                    ui.add(
                                        egui::Label::new(job).wrap_mode(egui::TextWrapMode::Extend),
                                    );
                                });
                                ui.add_space(12.0);
                            }
                        })
                    });
            });
    }
}

fn row_ui(
    ui: &mut Ui,
    c: &CompareState,
    id: u32,
    width: f32,
    height: f32,
    commands: &mut Vec<Command>,
) {
    let node = &c.tree.nodes[id as usize];
    let selected = c.selected == Some(id);
    let has_children = !node.children.is_empty();
    let name = if node.folder || has_children {
        format!("{}/", node.name)
    } else {
        node.name.clone()
    };
    let row = widgets::tree_row(
        ui,
        width,
        height,
        &widgets::RowLook {
            depth: node.depth,
            has_children,
            expanded: c.expanded[id as usize],
            folder: node.folder || has_children,
            selected,
            dim: false,
            name: &name,
        },
    );
    let (mut x, y, badge_h) = (row.x, row.badge_y, row.badge_h);
    let mut label = name;
    if let Some(e) = node.entry.and_then(|e| c.diff.entries.get(e as usize)) {
        let codes = format!(
            "{} -> {}",
            side_codes(&c.before, e.before),
            side_codes(&c.after, e.after)
        );
        x += widgets::paint_badge(
            ui,
            Pos2::new(x, y),
            &codes,
            theme::change_fill(e.change),
            badge_h,
        ) + 6.0;
        x += widgets::paint_badge(
            ui,
            Pos2::new(x, y),
            e.change.as_str(),
            theme::change_fill(e.change),
            badge_h,
        ) + 6.0;
        label.push_str(&format!(" {} {codes}", e.change.as_str()));
    }
    if has_children {
        let parts: Vec<String> = ChangeKind::ALL
            .iter()
            .filter(|k| **k != ChangeKind::Unchanged && node.counts[**k as usize] > 0)
            .map(|k| {
                format!(
                    "{} {}",
                    node.counts[*k as usize],
                    k.as_str().replace('_', " ")
                )
            })
            .collect();
        if !parts.is_empty()
            && let Some(h) = node.headline()
        {
            let text = parts.join(", ");
            widgets::paint_badge(
                ui,
                Pos2::new(x + 4.0, y),
                &text,
                theme::change_fill(h),
                badge_h,
            );
            label.push_str(&format!(", {text}"));
        }
    }
    let on_arrow = row.clicked_arrow();
    let response = row.response;
    response
        .widget_info(|| WidgetInfo::selected(egui::Role::TreeItem, true, selected, label.clone()));
    if response.clicked() {
        if on_arrow && has_children {
            commands.push(Command::ToggleDiff(id));
        } else {
            commands.push(Command::SelectDiff(id));
        }
    }
}
