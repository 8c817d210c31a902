//! Small reusable widgets: the status badge (code as text on a category colour),
//! the count chip, and painted folder / file icons and expand arrows (egui's
//! default font has no symbol glyphs).

use egui::{Color32, Pos2, Rect, Response, Sense, Shape, Stroke, Ui, Vec2, WidgetInfo};

use crate::app::theme;

/// Paints a badge with `text` on `fill`; returns its width.
pub fn paint_badge(ui: &Ui, pos: Pos2, text: &str, fill: Color32, height: f32) -> f32 {
    let font = egui::FontId::monospace(height * 0.72);
    let galley = ui
        .painter()
        .layout_no_wrap(text.to_string(), font, theme::on_fill(fill));
    let w = galley.size().x + 8.0;
    let rect = Rect::from_min_size(pos, Vec2::new(w, height));
    ui.painter().rect_filled(rect, 3.0, fill);
    let text_pos = Pos2::new(rect.min.x + 4.0, rect.center().y - galley.size().y / 2.0);
    ui.painter().galley(text_pos, galley, theme::on_fill(fill));
    w
}

/// A status badge as a standalone widget (for the details panel).
pub fn status_badge(ui: &mut Ui, code: Option<u16>) -> Response {
    let text = code.map(|c| c.to_string()).unwrap_or_else(|| "none".into());
    let fill = theme::status_fill(code);
    let height = ui.text_style_height(&egui::TextStyle::Body) + 2.0;
    let font = egui::FontId::monospace(height * 0.72);
    let width = ui
        .painter()
        .layout_no_wrap(text.clone(), font, Color32::WHITE)
        .size()
        .x
        + 8.0;
    let (rect, response) = ui.allocate_exact_size(Vec2::new(width, height), Sense::hover());
    paint_badge(ui, rect.min, &text, fill, height);
    response.widget_info(|| WidgetInfo::labeled(egui::Role::Label, true, format!("status {text}")));
    response
}

/// A clickable chip: "403 ×4" on the status colour; `on` draws it outlined.
pub fn chip(ui: &mut Ui, label: &str, fill: Color32, on: bool) -> Response {
    let height = ui.text_style_height(&egui::TextStyle::Body) + 6.0;
    let font = egui::FontId::proportional(height * 0.62);
    let galley = ui
        .painter()
        .layout_no_wrap(label.to_string(), font, theme::on_fill(fill));
    let size = Vec2::new(galley.size().x + 14.0, height);
    let (rect, response) = ui.allocate_exact_size(size, Sense::click());
    let painter = ui.painter();
    painter.rect_filled(rect, 8.0, fill);
    if on {
        painter.rect_stroke(
            rect.expand(1.5),
            9.0,
            Stroke::new(2.0, ui.visuals().strong_text_color()),
            egui::StrokeKind::Outside,
        );
    }
    if response.hovered() {
        painter.rect_filled(rect, 8.0, Color32::from_white_alpha(30));
    }
    let text_pos = Pos2::new(rect.min.x + 7.0, rect.center().y - galley.size().y / 2.0);
    painter.galley(text_pos, galley, theme::on_fill(fill));
    let label = label.to_string();
    response.widget_info(|| WidgetInfo::selected(egui::Role::Button, true, on, label.clone()));
    response.on_hover_cursor(egui::CursorIcon::PointingHand)
}

/// A right- or down-pointing triangle in `rect`.
pub fn paint_arrow(ui: &Ui, rect: Rect, open: bool, colour: Color32) {
    let c = rect.center();
    let s = rect.height().min(rect.width()) * 0.28;
    let points = if open {
        vec![
            Pos2::new(c.x - s, c.y - s * 0.6),
            Pos2::new(c.x + s, c.y - s * 0.6),
            Pos2::new(c.x, c.y + s * 0.8),
        ]
    } else {
        vec![
            Pos2::new(c.x - s * 0.6, c.y - s),
            Pos2::new(c.x + s * 0.8, c.y),
            Pos2::new(c.x - s * 0.6, c.y + s),
        ]
    };
    ui.painter()
        .add(Shape::convex_polygon(points, colour, Stroke::NONE));
}

/// A folder (tabbed rectangle) or a file (page with a folded corner).
pub fn paint_icon(ui: &Ui, rect: Rect, folder: bool, colour: Color32) {
    let r = rect.shrink(rect.height() * 0.18);
    let painter = ui.painter();
    if folder {
        let tab = Rect::from_min_size(r.min, Vec2::new(r.width() * 0.45, r.height() * 0.25));
        painter.rect_filled(tab, 1.0, colour);
        let body = Rect::from_min_max(Pos2::new(r.min.x, r.min.y + r.height() * 0.18), r.max);
        painter.rect_filled(body, 1.5, colour);
    } else {
        let w = r.height() * 0.75;
        let page = Rect::from_center_size(r.center(), Vec2::new(w, r.height()));
        painter.rect_stroke(
            page,
            1.0,
            Stroke::new(1.3, colour),
            egui::StrokeKind::Inside,
        );
        let y = page.min.y + page.height() * 0.4;
        painter.line_segment(
            [
                Pos2::new(page.min.x + 2.5, y),
                Pos2::new(page.max.x - 2.5, y),
            ],
            Stroke::new(1.0, colour),
        );
        let y = page.min.y + page.height() * 0.62;
        painter.line_segment(
            [
                Pos2::new(page.min.x + 2.5, y),
                Pos2::new(page.max.x - 2.5, y),
            ],
            Stroke::new(1.0, colour),
        );
    }
}

/// A badge as a widget with its own space (text on a fill), labelled for AccessKit.
pub fn paint_badge_ui(ui: &mut Ui, text: &str, fill: Color32) -> Response {
    let height = ui.text_style_height(&egui::TextStyle::Body) + 2.0;
    let font = egui::FontId::monospace(height * 0.72);
    let width = ui
        .painter()
        .layout_no_wrap(text.to_string(), font, Color32::WHITE)
        .size()
        .x
        + 8.0;
    let (rect, response) = ui.allocate_exact_size(Vec2::new(width, height), Sense::hover());
    paint_badge(ui, rect.min, text, fill, height);
    let label = text.to_string();
    response.widget_info(|| WidgetInfo::labeled(egui::Role::Label, true, label.clone()));
    response
}

/// How a tree row looks before its badges.
pub struct RowLook<'a> {
    pub depth: u32,
    pub has_children: bool,
    pub expanded: bool,
    pub folder: bool,
    pub selected: bool,
    /// Shown weakly (an implicit folder).
    pub dim: bool,
    pub name: &'a str,
}

/// A laid-out tree row: where its badges go, and where its arrow is.
pub struct Row {
    pub response: Response,
    pub arrow: Rect,
    /// Left edge for the badges.
    pub x: f32,
    pub badge_y: f32,
    pub badge_h: f32,
}

impl Row {
    /// Was the click on the expand arrow?
    pub fn clicked_arrow(&self) -> bool {
        self.response
            .interact_pointer_pos()
            .is_some_and(|p| self.arrow.contains(p))
    }
}

/// Allocates and paints the common part of a tree row (the explorer's and the
/// comparison's): selection, indent, arrow, icon and name.
pub fn tree_row(ui: &mut Ui, width: f32, height: f32, look: &RowLook<'_>) -> Row {
    let (rect, response) = ui.allocate_exact_size(Vec2::new(width, height), Sense::click());
    let visuals = ui.visuals().clone();
    let dark = visuals.dark_mode;
    if look.selected {
        ui.painter()
            .rect_filled(rect, 2.0, visuals.selection.bg_fill);
    } else if response.hovered() {
        ui.painter()
            .rect_filled(rect, 2.0, visuals.widgets.hovered.weak_bg_fill);
    }
    let text_colour = if look.selected {
        visuals.selection.stroke.color
    } else {
        visuals.text_color()
    };
    let mut x = rect.min.x + 16.0 * look.depth.saturating_sub(1) as f32 + 4.0;
    let arrow = Rect::from_min_size(Pos2::new(x, rect.min.y), Vec2::splat(height));
    if look.has_children {
        paint_arrow(ui, arrow, look.expanded, theme::weak(dark));
    }
    x += height;
    let icon = Rect::from_min_size(Pos2::new(x, rect.min.y), Vec2::splat(height));
    paint_icon(ui, icon, look.folder, theme::weak(dark));
    x += height + 2.0;
    let colour = if look.dim {
        theme::weak(dark)
    } else {
        text_colour
    };
    let galley = ui.painter().layout_no_wrap(
        look.name.to_string(),
        egui::FontId::proportional(height * 0.62),
        colour,
    );
    let w = galley.size().x;
    ui.painter().galley(
        Pos2::new(x, rect.center().y - galley.size().y / 2.0),
        galley,
        colour,
    );
    Row {
        response,
        arrow,
        x: x + w + 8.0,
        badge_y: rect.min.y + 2.5,
        badge_h: height - 5.0,
    }
}
