//! Details of the selected resource: hrefs and path, statuses with their meaning,
//! every propstat's properties (well-known ones read humanely), error
//! preconditions explained, description and location.

use egui::{RichText, Ui};

use crate::app::state::{Command, OpenDoc};
use crate::app::{theme, widgets};
use crate::core::model::{Multistatus, Outcome, QName, Response, ResponseFlags, ValueKind};
use crate::core::props;
use crate::core::status::{StatusCategory, meaning, reason_phrase};
use crate::core::tree::NONE;

/// The details panel.
#[derive(Default)]
pub struct DetailsPanel;

/// What a precondition means, for the ones a user meets in a 207.
pub fn precondition_meaning(local: &str) -> &'static str {
    match local {
        "need-privileges" => "The user lacks a privilege on the listed resource (RFC 3744 §7.1.1).",
        "lock-token-submitted" => {
            "A lock token for a locked resource was not submitted: send it in an If header (RFC 4918 §16)."
        }
        "no-conflicting-lock" => "Another lock conflicts with the one requested (RFC 4918 §16).",
        "cannot-modify-protected-property" => {
            "The property is protected (live, computed by the server) and cannot be set (RFC 4918 §16)."
        }
        "propfind-finite-depth" => {
            "The server refuses Depth: infinity PROPFIND: use Depth 0 or 1 (RFC 4918 §16)."
        }
        "lock-token-matches-request-uri" => {
            "The lock token does not match the request URI (RFC 4918 §16)."
        }
        "preserved-live-properties" => {
            "A live property could not be kept on COPY/MOVE (RFC 4918 §16)."
        }
        "lockdiscovery" => "The lock(s) held on this resource (RFC 4918 §15.8).",
        "valid-sync-token" => "The sync-token is no longer valid: do a full sync (RFC 6578 §3.2).",
        "number-of-matches-within-limits" => {
            "The result was truncated by a server limit (RFC 5323, RFC 6578)."
        }
        "quota-not-exceeded" => "The quota would be exceeded (RFC 4331).",
        "supported-calendar-data" | "valid-calendar-data" => {
            "The calendar data is not accepted (RFC 4791 §5.3.2)."
        }
        "supported-address-data" | "valid-address-data" => {
            "The address data is not accepted (RFC 6352)."
        }
        _ => "A precondition or postcondition the server reported.",
    }
}

impl DetailsPanel {
    pub fn ui(&mut self, ui: &mut Ui, doc: &OpenDoc, commands: &mut Vec<Command>) {
        let Some(node) = doc.selected else {
            ui.heading("Details");
            ui.label("Select a resource in the tree (click, or the arrow keys) to see its statuses, properties and errors.");
            return;
        };
        let tree = &doc.doc.tree;
        let n = &tree.nodes[node as usize];
        ui.heading(tree.name(node));
        ui.label(RichText::new(tree.path(node)).monospace());
        if n.response == NONE {
            ui.label(
                "Implicit folder: the payload lists resources below it but not the folder itself.",
            );
            folder_summary(ui, doc, node);
            return;
        }
        let (Some(ms), Some(r)) = (&doc.doc.multistatus, doc.response_of(node)) else {
            return;
        };
        egui::ScrollArea::vertical()
            .id_salt("details")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                response_ui(ui, doc, ms, &r, commands);
                if n.first_child != NONE {
                    ui.separator();
                    folder_summary(ui, doc, node);
                }
            });
    }
}

fn folder_summary(ui: &mut Ui, doc: &OpenDoc, node: u32) {
    let n = &doc.doc.tree.nodes[node as usize];
    ui.label(format!(
        "Below: {} ok, {} partial, {} failed{}",
        n.ok(),
        n.partial(),
        n.failed(),
        n.worst()
            .filter(|_| n.failed() > 0)
            .map(|c| format!(" (worst {c} {})", reason_phrase(c)))
            .unwrap_or_default()
    ));
}

fn status_row(ui: &mut Ui, code: Option<u16>, raw: &str) {
    ui.horizontal_wrapped(|ui| {
        widgets::status_badge(ui, code);
        match code {
            Some(c) => {
                ui.label(RichText::new(format!("{c} {}", reason_phrase(c))).strong());
                ui.label(format!("({})", StatusCategory::of(code).name()));
            }
            None => {
                ui.label(RichText::new("no readable code").strong());
                ui.label(format!("status line: \"{}\"", raw.trim()));
            }
        }
    });
    if let Some(c) = code {
        ui.label(RichText::new(meaning(c)).weak());
    }
}

fn response_ui(
    ui: &mut Ui,
    doc: &OpenDoc,
    ms: &Multistatus,
    r: &Response,
    commands: &mut Vec<Command>,
) {
    let d = &doc.doc;
    let dark = ui.visuals().dark_mode;
    let outcome = ms.outcome(r);
    ui.horizontal(|ui| {
        ui.label("Outcome:");
        ui.label(
            RichText::new(outcome.as_str())
                .strong()
                .color(theme::outcome_colour(outcome)),
        );
        if outcome == Outcome::Partial {
            ui.label(RichText::new("(some properties failed; common and often harmless)").weak());
        }
    });
    ui.horizontal(|ui| {
        if ui.button("Show raw XML").clicked() {
            commands.push(Command::ShowRaw);
        }
        if ui.button("Copy href").clicked() {
            ui.ctx().copy_text(d.hrefs(r).join("\n"));
        }
        if ui.button("Copy path").clicked() {
            ui.ctx().copy_text(d.tree.path(doc.selected.unwrap_or(0)));
        }
    });
    ui.separator();
    egui::Grid::new("hrefs")
        .num_columns(2)
        .striped(false)
        .show(ui, |ui| {
            for (i, h) in d.hrefs(r).iter().enumerate() {
                ui.label(if i == 0 { "href" } else { "also" });
                ui.label(RichText::new(h).monospace());
                ui.end_row();
            }
        });
    if r.flags.has(ResponseFlags::STATUS_AND_PROPSTAT) {
        ui.colored_label(
            theme::warning_text(dark),
            "Non-conforming: both a status and propstats (RFC 4918 §14.24). Both are shown.",
        );
    }
    if r.flags.has(ResponseFlags::NO_HREF) {
        ui.colored_label(theme::warning_text(dark), "This response has no href.");
    }
    // The compact model holds codes and names; values are read again here.
    let full = d
        .multistatus
        .as_ref()
        .and_then(|m| m.index_of(r))
        .and_then(|i| doc.detail(i));
    let Some(full) = full else {
        ui.colored_label(
            theme::warning_text(dark),
            "This response could not be read again from the body.",
        );
        return;
    };
    if let Some(s) = full.status {
        ui.add_space(4.0);
        ui.label(RichText::new("Response status").strong());
        status_row(ui, s.code(), &d.raw(r, s.text));
    }
    let errors = &full.errors;
    if !errors.is_empty() {
        ui.add_space(4.0);
        ui.label(RichText::new("Error").strong());
        for e in errors {
            let name = ms.names.name(e.name).cloned();
            condition_ui(ui, doc, r, name, e.element);
        }
    }
    if let Some(desc) = full.description {
        ui.add_space(4.0);
        ui.label(RichText::new("Description").strong());
        ui.label(d.text(r, desc).trim());
    }
    if let Some(loc) = full.location {
        ui.add_space(4.0);
        ui.label(RichText::new("Location").strong());
        ui.label(RichText::new(d.text(r, loc).trim()).monospace());
    }
    for (i, ps) in full.propstats.iter().enumerate() {
        ui.add_space(6.0);
        ui.separator();
        ui.label(RichText::new(format!("Propstat {}", i + 1)).strong());
        let code = ps.code();
        let raw = ps
            .status
            .map(|s| d.raw(r, s.text).into_owned())
            .unwrap_or_default();
        status_row(ui, code, &raw);
        let props = &ps.props;
        egui::Grid::new(("props", i))
            .num_columns(3)
            .striped(true)
            .min_col_width(60.0)
            .show(ui, |ui| {
                ui.label(RichText::new("property").weak());
                ui.label(RichText::new("namespace").weak());
                ui.label(RichText::new("value").weak());
                ui.end_row();
                for p in props {
                    let q = ms.names.name(p.name).cloned().unwrap_or(QName {
                        namespace: String::new(),
                        local: "?".into(),
                        unbound_prefix: false,
                    });
                    ui.label(RichText::new(&q.local).monospace());
                    ui.label(
                        RichText::new(if q.unbound_prefix {
                            format!("{}: (undeclared)", q.namespace)
                        } else {
                            q.namespace.clone()
                        })
                        .weak(),
                    );
                    let raw = d.raw(r, p.value);
                    let text = d.text(r, p.value);
                    let value = match p.kind {
                        ValueKind::Empty => "(empty)".to_string(),
                        ValueKind::Text => text.trim().to_string(),
                        ValueKind::Xml => compact_xml(&raw),
                    };
                    ui.vertical(|ui| {
                        if let Some(h) = props::humane(&q.namespace, &q.local, &raw, text.trim()) {
                            ui.label(h);
                            if p.kind != ValueKind::Empty && value.len() < 200 {
                                ui.label(RichText::new(&value).monospace().weak());
                            }
                        } else {
                            ui.label(RichText::new(excerpt(&value, 300)).monospace());
                        }
                        if q.local == "lockdiscovery" && q.namespace == "DAV:" {
                            locks_ui(ui, &raw, egui::Id::unique(("lock", i)));
                        }
                    });
                    ui.end_row();
                }
            });
        for e in &ps.errors {
            let name = ms.names.name(e.name).cloned();
            condition_ui(ui, doc, r, name, e.element);
        }
        if let Some(desc) = ps.description {
            ui.label(RichText::new(d.text(r, desc).trim()).italics());
        }
    }
}

fn condition_ui(
    ui: &mut Ui,
    doc: &OpenDoc,
    r: &Response,
    name: Option<QName>,
    element: crate::core::model::RelSpan,
) {
    let Some(q) = name else { return };
    ui.label(RichText::new(q.clark()).monospace().strong());
    ui.label(precondition_meaning(&q.local));
    let raw = doc.doc.raw(r, element);
    if q.local == "need-privileges" {
        let privs: Vec<String> = props::element_names(&raw)
            .into_iter()
            .filter(|n| !["need-privileges", "resource", "href", "privilege"].contains(&n.as_str()))
            .collect();
        if !privs.is_empty() {
            ui.label(format!("missing privilege: {}", privs.join(", ")));
        }
    }
    if raw.contains("activelock") {
        locks_ui(ui, &raw, egui::Id::unique(("cond", element.start)));
    }
}

fn locks_ui(ui: &mut Ui, raw: &str, id: egui::Id) {
    let locks = props::active_locks(raw);
    for (k, l) in locks.iter().enumerate() {
        egui::Grid::new(id.with(k)).num_columns(2).show(ui, |ui| {
            for (label, value) in [
                ("scope", &l.scope),
                ("type", &l.kind),
                ("depth", &l.depth),
                ("owner", &l.owner),
                ("timeout", &l.timeout),
                ("token", &l.token),
                ("root", &l.root),
            ] {
                if !value.is_empty() {
                    ui.label(RichText::new(label).weak());
                    ui.label(RichText::new(value).monospace());
                    ui.end_row();
                }
            }
        });
    }
}

/// Raw inner XML on few lines: whitespace between tags collapsed.
fn compact_xml(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    let mut last_gt = false;
    let mut pending_ws = false;
    for c in raw.chars() {
        if c.is_whitespace() {
            pending_ws = true;
            continue;
        }
        if pending_ws && !(last_gt && c == '<') && !out.is_empty() {
            out.push(' ');
        }
        pending_ws = false;
        out.push(c);
        last_gt = c == '>';
    }
    out
}

fn excerpt(s: &str, max: usize) -> String {
    crate::core::text::excerpt(s, max)
}
