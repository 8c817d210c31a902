//! The resource tree: the flattened visible rows drawn with `show_rows`, so only the
//! rows on screen are laid out, whatever the document's size.

use egui::{Pos2, Ui, WidgetInfo};

use crate::app::state::{Command, OpenDoc};
use crate::app::{theme, widgets};
use crate::core::model::Outcome;
use crate::core::status::reason_phrase;
use crate::core::tree::NONE;

/// The tree panel (no view state of its own: it lives in `OpenDoc`).
#[derive(Default)]
pub struct TreePanel;

impl TreePanel {
    pub fn ui(&mut self, ui: &mut Ui, doc: &mut OpenDoc, commands: &mut Vec<Command>) {
        let row_height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
        let total = doc.rows.len();
        if total == 0 {
            ui.add_space(8.0);
            if doc.doc.multistatus.is_none() {
                ui.label("This document is not a multistatus: see the message above and the raw view below.");
            } else if doc.doc.responses().is_empty() {
                ui.label("The multistatus holds no response (valid: zero resources).");
            } else {
                ui.label("No resource matches the filter.");
                if ui.button("Clear filters").clicked() {
                    commands.push(Command::ClearFilters);
                }
            }
            return;
        }
        let mut scroll = egui::ScrollArea::both()
            .auto_shrink([false, false])
            .id_salt("tree");
        if doc.scroll_to_selected {
            doc.scroll_to_selected = false;
            if let Some(i) = doc
                .selected
                .and_then(|s| doc.rows.iter().position(|&r| r == s))
            {
                let spacing = ui.spacing().item_spacing.y;
                let y = i as f32 * (row_height + spacing);
                let viewport = ui.available_height();
                let offset = ui
                    .ctx()
                    .data(|d| d.get_temp::<f32>(egui::Id::unique("tree-offset")))
                    .unwrap_or(0.0);
                if y < offset || y + row_height > offset + viewport - 30.0 {
                    scroll = scroll.vertical_scroll_offset((y - viewport / 2.0).max(0.0));
                }
            }
        }
        let output = scroll.show_rows(ui, row_height, total, |ui, range| {
            let width = ui.available_width().max(520.0);
            for i in range {
                let id = doc.rows[i];
                row_ui(ui, doc, id, width, row_height, commands);
            }
        });
        ui.ctx().data_mut(|d| {
            d.insert_temp(
                egui::Id::unique("tree-offset"),
                output.state.clamped_offset().y,
            )
        });
    }
}

fn row_ui(
    ui: &mut Ui,
    doc: &OpenDoc,
    id: u32,
    width: f32,
    height: f32,
    commands: &mut Vec<Command>,
) {
    let tree = &doc.doc.tree;
    let node = &tree.nodes[id as usize];
    let selected = doc.selected == Some(id);
    let has_children = node.first_child != NONE;
    let expanded = doc.expanded.get(id as usize).copied().unwrap_or(false);
    let mut name = tree.name(id).to_string();
    if node.collection() && id != 0 {
        name.push('/');
    }
    let row = widgets::tree_row(
        ui,
        width,
        height,
        &widgets::RowLook {
            depth: node.depth(),
            has_children,
            expanded,
            folder: node.collection() || has_children,
            selected,
            dim: node.response == NONE,
            name: &name,
        },
    );
    let (mut x, badge_y, badge_h) = (row.x, row.badge_y, row.badge_h);
    let mut label = name.clone();
    if let Some(outcome) = node.outcome() {
        let code_text = node
            .code()
            .map(|c| c.to_string())
            .unwrap_or_else(|| "none".into());
        let text = code_text.clone();
        let fill = if outcome == Outcome::Failed {
            theme::status_fill(node.worst().or(node.code()))
        } else {
            theme::status_fill(node.code())
        };
        let shown = if outcome == Outcome::Failed {
            node.worst()
                .or(node.code())
                .map(|c| c.to_string())
                .unwrap_or_else(|| "none".into())
        } else {
            text
        };
        x += widgets::paint_badge(ui, Pos2::new(x, badge_y), &shown, fill, badge_h) + 6.0;
        label.push_str(&format!(" {shown}"));
        if outcome == Outcome::Partial
            && let Some(r) = doc.response_of(id)
            && let Some(ms) = &doc.doc.multistatus
            && let Some(f) = ms.failure_code(&r)
        {
            let text = format!("{f} in props");
            x += widgets::paint_badge(
                ui,
                Pos2::new(x, badge_y),
                &text,
                theme::status_fill(Some(f)),
                badge_h,
            ) + 6.0;
            label.push_str(&format!(" partial, {text}"));
        }
    } else {
        label.push_str(" (implicit folder)");
    }
    if has_children && node.failed() > 0 {
        let text = format!("{} failed", node.failed());
        let fill = theme::status_fill(node.worst());
        widgets::paint_badge(ui, Pos2::new(x + 4.0, badge_y), &text, fill, badge_h);
        label.push_str(&format!(", {text}"));
    }
    let on_arrow = row.clicked_arrow();
    let response = row.response;
    response
        .widget_info(|| WidgetInfo::selected(egui::Role::TreeItem, true, selected, label.clone()));
    if response.clicked() {
        if on_arrow && has_children {
            commands.push(Command::Toggle(id));
        } else {
            commands.push(Command::Select(id));
        }
    }
    if response.double_clicked() && has_children {
        commands.push(Command::Toggle(id));
    }
    response
        .on_hover_text(hover_text(doc, id))
        .context_menu(|ui| {
            let path = tree.path(id);
            if let Some(r) = doc.response_of(id) {
                let hrefs = doc.doc.hrefs(&r);
                if ui.button("Copy href").clicked() {
                    ui.ctx().copy_text(hrefs.join("\n"));
                    ui.close();
                }
            }
            if ui.button("Copy path").clicked() {
                ui.ctx().copy_text(path.clone());
                ui.close();
            }
            if doc.response_of(id).is_some() && ui.button("Show raw XML").clicked() {
                commands.push(Command::Select(id));
                commands.push(Command::ShowRaw);
                ui.close();
            }
            if has_children {
                if ui.button("Only this folder").clicked() {
                    commands.push(Command::SetFilter(format!("path:\"{path}\"")));
                    ui.close();
                }
                if ui
                    .button(if expanded { "Collapse" } else { "Expand" })
                    .clicked()
                {
                    commands.push(Command::Toggle(id));
                    ui.close();
                }
            }
        });
}

fn hover_text(doc: &OpenDoc, id: u32) -> String {
    let tree = &doc.doc.tree;
    let node = &tree.nodes[id as usize];
    let mut s = tree.path(id);
    if let Some(code) = node.code() {
        s.push_str(&format!("\n{code} {}", reason_phrase(code)));
    } else if node.response == NONE {
        s.push_str("\nnot listed in the payload (implicit folder)");
    }
    if node.first_child != NONE {
        s.push_str(&format!(
            "\nbelow: {} ok, {} partial, {} failed",
            node.ok(),
            node.partial(),
            node.failed()
        ));
    }
    s
}
