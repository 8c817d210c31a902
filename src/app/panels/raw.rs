//! The raw view: the body byte-exact with line numbers and syntax colours, laid out
//! lazily (only visible lines), with search; or the selected response
//! pretty-printed. Also the problems list, each problem a click away from its spot.

use egui::text::LayoutJob;
use egui::{Color32, FontId, RichText, TextFormat, Ui};

use crate::app::state::{BottomTab, Command, OpenDoc};
use crate::app::theme;
use crate::core::render::render_problem;

/// The bottom panel: raw XML and problems.
#[derive(Default)]
pub struct RawPanel;

/// Longest line shown; longer ones are cut with a note (minified payloads).
const MAX_LINE_CHARS: usize = 4000;

impl RawPanel {
    pub fn ui(
        &mut self,
        ui: &mut Ui,
        doc: &mut OpenDoc,
        tab: BottomTab,
        commands: &mut Vec<Command>,
    ) {
        match tab {
            BottomTab::Raw => raw_ui(ui, doc, commands),
            BottomTab::Problems => problems_ui(ui, doc, commands),
        }
    }
}

fn raw_ui(ui: &mut Ui, doc: &mut OpenDoc, commands: &mut Vec<Command>) {
    ui.horizontal(|ui| {
        let label = ui.label("Search:");
        let edit = ui.add(
            egui::TextEdit::singleline(&mut doc.raw.search)
                .hint_text("text in the raw body")
                .desired_width(220.0),
        );
        let edit = edit.labelled_by(label.id);
        let enter = edit.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if ui.button("Find next").clicked() || enter {
            commands.push(Command::SearchRaw);
            if enter {
                edit.request_focus();
            }
        }
        if let Some(m) = &doc.raw.search_message {
            ui.label(RichText::new(m).weak());
        }
        ui.separator();
        let can_pretty = doc.selected.and_then(|s| doc.response_of(s)).is_some();
        ui.add_enabled_ui(can_pretty, |ui| {
            ui.checkbox(&mut doc.raw.pretty, "Pretty-print the selected response");
        });
        if doc.doc.info.transcoded_from.is_some() {
            ui.label(RichText::new("(shown as UTF-8)").weak());
        }
    });
    if doc.raw.pretty
        && let Some(r) = doc.selected.and_then(|s| doc.response_of(s))
    {
        let text = pretty_xml(&doc.doc.span_text(r.span()));
        egui::ScrollArea::both()
            .id_salt("pretty")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                let dark = ui.visuals().dark_mode;
                for (i, line) in text.lines().enumerate() {
                    ui.label(line_job(i + 1, line, dark, false));
                }
            });
        return;
    }
    let body = doc.doc.body.bytes();
    let lines = doc.raw.lines.len();
    let row_height = ui.text_style_height(&egui::TextStyle::Monospace) + 1.0;
    let mut scroll = egui::ScrollArea::both()
        .id_salt("raw")
        .auto_shrink([false, false]);
    if let Some(line) = doc.raw.scroll_to_line.take() {
        let spacing = ui.spacing().item_spacing.y;
        let y = line as f32 * (row_height + spacing);
        scroll = scroll.vertical_scroll_offset((y - 3.0 * row_height).max(0.0));
    }
    let highlight = doc.raw.highlight;
    let index = &doc.raw.lines;
    scroll.show_rows(ui, row_height, lines, |ui, range| {
        let dark = ui.visuals().dark_mode;
        for i in range {
            let raw = index.line(body, i);
            let text = escape_invalid(raw);
            let marked = highlight.is_some_and(|(a, b)| (a..=b).contains(&i));
            let job = line_job(i + 1, &text, dark, marked);
            ui.label(job);
        }
    });
}

/// Text of raw bytes where every byte that is not UTF-8 shows as `\xNN`: the view
/// stays byte-exact in meaning instead of hiding damage behind U+FFFD.
pub fn escape_invalid(bytes: &[u8]) -> std::borrow::Cow<'_, str> {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(bytes.len() + 16);
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        for b in chunk.invalid() {
            out.push_str(&format!("\\x{b:02X}"));
        }
    }
    std::borrow::Cow::Owned(out)
}

/// One line: number, then the text with XML syntax colours.
fn line_job(number: usize, text: &str, dark: bool, marked: bool) -> LayoutJob {
    let (tag, attr, plain, comment) = theme::xml_colours(dark);
    let font = FontId::monospace(12.5);
    let background = if marked {
        theme::raw_highlight(dark)
    } else {
        Color32::TRANSPARENT
    };
    let fmt = |color: Color32| TextFormat {
        font_id: font.clone(),
        color,
        background,
        ..Default::default()
    };
    let mut job = LayoutJob::default();
    job.append(&format!("{number:>6}  "), 0.0, fmt(theme::weak(dark)));
    let cut: String;
    let text = if text.chars().count() > MAX_LINE_CHARS {
        cut = text.chars().take(MAX_LINE_CHARS).collect();
        &cut
    } else {
        text
    };
    // A small tokenizer: tags (with quoted values), comments, text.
    let mut rest = text;
    while !rest.is_empty() {
        if rest.starts_with("<!--") {
            let end = rest.find("-->").map(|e| e + 3).unwrap_or(rest.len());
            job.append(&rest[..end], 0.0, fmt(comment));
            rest = &rest[end..];
        } else if rest.starts_with('<') {
            let end = rest.find('>').map(|e| e + 1).unwrap_or(rest.len());
            let t = &rest[..end];
            let mut inner = t;
            while let Some(q) = inner.find(['"', '\'']) {
                job.append(&inner[..q], 0.0, fmt(tag));
                let quote = &inner[q..q + 1];
                let close = inner[q + 1..]
                    .find(quote)
                    .map(|c| q + 1 + c + 1)
                    .unwrap_or(inner.len());
                job.append(&inner[q..close], 0.0, fmt(attr));
                inner = &inner[close..];
            }
            job.append(inner, 0.0, fmt(tag));
            rest = &rest[end..];
        } else {
            let end = rest.find('<').unwrap_or(rest.len());
            job.append(&rest[..end], 0.0, fmt(plain));
            rest = &rest[end..];
        }
    }
    if text.is_empty() && marked {
        job.append(" ", 0.0, fmt(plain));
    }
    job
}

/// Re-indents an XML fragment, one element or text run per line.
pub fn pretty_xml(fragment: &str) -> String {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(fragment);
    let mut out = String::new();
    let mut depth = 0usize;
    let mut pos = 0u64;
    loop {
        let before = pos;
        let event = reader.read_event();
        pos = reader.buffer_position();
        let raw = fragment
            .get(before as usize..pos as usize)
            .unwrap_or("")
            .trim();
        match event {
            Ok(Event::Start(_)) => {
                out.push_str(&format!("{}{raw}\n", "  ".repeat(depth)));
                depth += 1;
            }
            Ok(Event::End(_)) => {
                depth = depth.saturating_sub(1);
                out.push_str(&format!("{}{raw}\n", "  ".repeat(depth)));
            }
            Ok(Event::Eof) => break,
            Ok(_) => {
                if !raw.is_empty() {
                    out.push_str(&format!("{}{raw}\n", "  ".repeat(depth)));
                }
            }
            Err(e) => {
                out.push_str(&format!("(cannot pretty-print past this point: {e})\n"));
                out.push_str(fragment.get(before as usize..).unwrap_or(""));
                break;
            }
        }
    }
    out
}

fn problems_ui(ui: &mut Ui, doc: &OpenDoc, commands: &mut Vec<Command>) {
    let d = &doc.doc;
    if d.problems.is_empty() {
        ui.label("No problems: the payload was read completely.");
        return;
    }
    let dark = ui.visuals().dark_mode;
    egui::ScrollArea::vertical()
        .id_salt("problems")
        .auto_shrink([false, false])
        .show(ui, |ui| {
            for (i, p) in d.problems.iter().enumerate() {
                ui.horizontal(|ui| {
                    let colour = match p.severity {
                        crate::core::model::Severity::Error => theme::error_text(dark),
                        crate::core::model::Severity::Warning => theme::warning_text(dark),
                    };
                    if ui
                        .button(format!("Show line {} col {}", p.line, p.column))
                        .on_hover_text("show this spot in the raw view")
                        .clicked()
                    {
                        commands.push(Command::JumpToOffset(p.offset));
                    }
                    ui.label(RichText::new(p.severity.as_str()).color(colour).strong());
                    ui.label(&p.message);
                });
                ui.push_id(i, |ui| {
                    ui.label(
                        RichText::new(render_problem(p, &d.info.label, d.body.bytes())).monospace(),
                    );
                });
                ui.separator();
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_bytes_are_escaped() {
        assert_eq!(escape_invalid(b"a\xFFb\xC3\xA9"), "a\\xFFbé");
    }

    #[test]
    fn pretty_print_indents() {
        let s = pretty_xml(
            "<d:response><d:href>/a</d:href><d:propstat><d:prop/></d:propstat></d:response>",
        );
        assert_eq!(
            s,
            "<d:response>\n  <d:href>\n    /a\n  </d:href>\n  <d:propstat>\n    <d:prop/>\n  </d:propstat>\n</d:response>\n"
        );
    }
}
