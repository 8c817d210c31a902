//! The request view: the editor (URL, method, Depth, headers, body with templates
//! and the XML check, auth, transport, the practice server and its fault switches)
//! and, beside it, the reply (status, timings, remote address, highlighted
//! headers, errors in words), the probe summary and the history.
//!
//! The editor's fields are edited in place (they are the view's state); sending,
//! probing, re-running and opening snapshots go out as `Command::Live`.

use egui::{RichText, Ui};

use crate::app::live::{LiveCommand, LiveState};
use crate::app::request::{
    AuthKind, ProxyKind, SecretSource, TemplateKind, format_utc, is_highlighted_header,
};
use crate::app::state::Command;
use crate::app::{theme, widgets};
use crate::core::fetch::{COMMON_PROPS, DAV_HEADERS, Depth, METHODS};
use crate::core::session::HistoryEntry;
use crate::demo::Fault;

/// The warning shown when Depth: infinity is chosen.
pub const INFINITY_WARNING: &str = "many servers refuse Depth: infinity (propfind-finite-depth)";

/// The request view (its state lives in `LiveState`).
#[derive(Default)]
pub struct RequestPanel;

fn fault_label(f: Fault) -> &'static str {
    match f {
        Fault::Forbidden => "forbidden folder",
        Fault::Locked => "locked file",
        Fault::Missing => "missing resources",
        Fault::Quota => "full quota",
        Fault::Rewrite => "host rewrite",
    }
}

/// A value to start from when a DAV header is added.
fn header_example(name: &str, url: &str) -> String {
    match name {
        "Destination" => url.to_string(),
        "Overwrite" => "F".into(),
        "If" => "(<opaquelocktoken:...>)".into(),
        "Lock-Token" => "<opaquelocktoken:...>".into(),
        "Timeout" => "Second-600".into(),
        "Brief" => "t".into(),
        "Prefer" => "return=minimal".into(),
        _ => String::new(),
    }
}

fn depth_label(d: Option<Depth>) -> &'static str {
    d.map_or("none", |d| d.as_str())
}

impl RequestPanel {
    /// The editor (central part of the view).
    pub fn editor_ui(&mut self, ui: &mut Ui, live: &mut LiveState, commands: &mut Vec<Command>) {
        egui::ScrollArea::vertical()
            .id_salt("request-editor")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                ui.heading("Request editor");
                // The target and the Send row first: they never move when a note or
                // the fault switches appear.
                self.target_ui(ui, live, commands);
                if let Some(note) = live.form.note.clone() {
                    ui.horizontal_wrapped(|ui| {
                        ui.label(RichText::new(note).italics());
                        if ui.small_button("Dismiss note").clicked() {
                            live.form.note = None;
                        }
                    });
                }
                ui.separator();
                self.practice_ui(ui, live, commands);
                ui.separator();
                self.headers_ui(ui, live);
                ui.separator();
                self.body_ui(ui, live);
                ui.separator();
                self.auth_ui(ui, live);
                ui.separator();
                self.transport_ui(ui, live);
            });
    }

    fn practice_ui(&mut self, ui: &mut Ui, live: &mut LiveState, commands: &mut Vec<Command>) {
        egui::CollapsingHeader::new("Practice server")
            .default_open(true)
            .show(ui, |ui| match &live.practice {
                None => {
                    ui.horizontal_wrapped(|ui| {
                        if ui.button("Start practice server").clicked() {
                            commands.push(Command::Live(LiveCommand::StartPractice));
                        }
                        ui.label(
                            RichText::new(
                                "a WebDAV server on 127.0.0.1 with faults to find, fix and re-test; no server of your own needed",
                            )
                            .weak(),
                        );
                    });
                }
                Some(server) => {
                    let url = server.url();
                    ui.horizontal_wrapped(|ui| {
                        ui.label(format!("Running at {url}"));
                        if ui.button("Use its URL").clicked() {
                            live.form.url = url.clone();
                        }
                        if ui.button("Stop practice server").clicked() {
                            commands.push(Command::Live(LiveCommand::StopPractice));
                        }
                    });
                    ui.label(
                        RichText::new("Faults (untick one to \"fix\" it, then Re-run and compare):")
                            .weak(),
                    );
                    ui.horizontal_wrapped(|ui| {
                        for f in Fault::ALL {
                            let mut on = server.faults().is_on(f);
                            if ui
                                .checkbox(&mut on, fault_label(f))
                                .on_hover_text(f.about())
                                .changed()
                            {
                                commands.push(Command::Live(LiveCommand::SetFault(f, on)));
                            }
                        }
                    });
                }
            });
    }

    /// URL, method, Depth and the Send / Probe / Cancel row.
    fn target_ui(&mut self, ui: &mut Ui, live: &mut LiveState, commands: &mut Vec<Command>) {
        let dark = ui.visuals().dark_mode;
        let form = &mut live.form;
        ui.horizontal(|ui| {
            let label = ui.label("URL:");
            ui.add(
                egui::TextEdit::singleline(&mut form.url)
                    .id_salt("request-url")
                    .hint_text("https://host/remote.php/dav/files/alice/")
                    .desired_width(f32::INFINITY),
            )
            .labelled_by(label.id);
        });
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Method:");
            let shown = if form.custom {
                "custom".to_string()
            } else {
                form.method.clone()
            };
            egui::ComboBox::from_id_salt("request-method")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    for m in METHODS {
                        if ui
                            .selectable_label(!form.custom && form.method == m, m)
                            .clicked()
                        {
                            form.method = m.to_string();
                            form.custom = false;
                        }
                    }
                    if ui.selectable_label(form.custom, "custom").clicked() {
                        form.custom = true;
                    }
                })
                .response
                .labelled_by(label.id);
            if form.custom {
                let label = ui.label("Token:");
                ui.add(
                    egui::TextEdit::singleline(&mut form.custom_method)
                        .id_salt("request-custom-method")
                        .hint_text("MKCALENDAR")
                        .desired_width(140.0),
                )
                .labelled_by(label.id);
            }
            let label = ui.label("Depth:");
            egui::ComboBox::from_id_salt("request-depth")
                .selected_text(depth_label(form.depth))
                .show_ui(ui, |ui| {
                    for d in [
                        Some(Depth::Zero),
                        Some(Depth::One),
                        Some(Depth::Infinity),
                        None,
                    ] {
                        ui.selectable_value(&mut form.depth, d, depth_label(d));
                    }
                })
                .response
                .labelled_by(label.id);
        });
        if form.depth == Some(Depth::Infinity) {
            ui.label(RichText::new(INFINITY_WARNING).color(theme::warning_text(dark)));
        }
        ui.horizontal_wrapped(|ui| {
            let busy = live.requester.busy();
            if ui
                .add_enabled(!busy, egui::Button::new("Send"))
                .on_hover_text("send this request (the body is checked first)")
                .clicked()
            {
                commands.push(Command::Live(LiveCommand::Send));
            }
            if ui
                .add_enabled(!busy, egui::Button::new("Probe server"))
                .on_hover_text("OPTIONS on the URL: WebDAV classes, allowed methods, server")
                .clicked()
            {
                commands.push(Command::Live(LiveCommand::Probe));
            }
            if busy {
                ui.label(RichText::new("waiting for the reply (Cancel is at the top)").weak());
            }
            if live.form.insecure {
                ui.label(
                    RichText::new("TLS certificates are NOT checked")
                        .color(theme::error_text(dark))
                        .strong(),
                );
            }
        });
    }

    /// The request in flight: what, bytes received, time, and Cancel (shown in the
    /// window's top bar, whatever the view).
    pub fn progress_ui(&mut self, ui: &mut Ui, live: &LiveState, commands: &mut Vec<Command>) {
        let Some(f) = &live.requester.current else {
            return;
        };
        ui.add(egui::Spinner::new());
        let received = f.bytes_received.load(std::sync::atomic::Ordering::Relaxed);
        ui.label(format!(
            "{} {}: {:.1} KB received, {:.1} s",
            live.pending_purpose().unwrap_or("Send"),
            f.label,
            received as f64 / 1024.0,
            f.started.elapsed().as_secs_f32()
        ));
        if ui.button("Cancel").clicked() {
            commands.push(Command::Live(LiveCommand::Cancel));
        }
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(100));
    }

    fn headers_ui(&mut self, ui: &mut Ui, live: &mut LiveState) {
        let form = &mut live.form;
        ui.label(RichText::new("Headers").strong());
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new("Add:").weak());
            for name in DAV_HEADERS {
                if ui
                    .small_button(format!("+ {name}"))
                    .on_hover_text(format!("add a {name} header"))
                    .clicked()
                {
                    let value = header_example(name, &form.url);
                    form.headers.push((name.to_string(), value));
                }
            }
            if ui.small_button("+ other").clicked() {
                form.headers.push((String::new(), String::new()));
            }
        });
        let mut remove = None;
        for (i, (name, value)) in form.headers.iter_mut().enumerate() {
            ui.horizontal(|ui| {
                let label = ui.label(format!("Header {}:", i + 1));
                ui.add(
                    egui::TextEdit::singleline(name)
                        .id_salt(("header-name", i))
                        .hint_text("Name")
                        .desired_width(140.0),
                )
                .labelled_by(label.id);
                ui.add(
                    egui::TextEdit::singleline(value)
                        .id_salt(("header-value", i))
                        .hint_text("value")
                        .desired_width(ui.available_width() - 80.0),
                )
                .labelled_by(label.id);
                if ui
                    .small_button("Remove")
                    .on_hover_text("remove this header")
                    .clicked()
                {
                    remove = Some(i);
                }
            });
        }
        if let Some(i) = remove {
            form.headers.remove(i);
        }
    }

    fn body_ui(&mut self, ui: &mut Ui, live: &mut LiveState) {
        let dark = ui.visuals().dark_mode;
        let form = &mut live.form;
        ui.label(RichText::new("Body").strong());
        ui.horizontal_wrapped(|ui| {
            let label = ui.label("Template:");
            egui::ComboBox::from_id_salt("request-template")
                .selected_text(form.template.kind.label())
                .show_ui(ui, |ui| {
                    for k in TemplateKind::ALL {
                        ui.selectable_value(&mut form.template.kind, k, k.label());
                    }
                })
                .response
                .labelled_by(label.id);
            if ui
                .button("Use template")
                .on_hover_text("replace the body; sets the method and Depth the template goes with")
                .clicked()
            {
                form.apply_template();
            }
        });
        let t = &mut form.template;
        let field = |ui: &mut Ui, label: &str, text: &mut String, multiline: bool, hint: &str| {
            ui.horizontal(|ui| {
                let l = ui.label(label);
                let edit = if multiline {
                    egui::TextEdit::multiline(text).desired_rows(2)
                } else {
                    egui::TextEdit::singleline(text)
                };
                ui.add(edit.hint_text(hint).desired_width(f32::INFINITY))
                    .labelled_by(l.id);
            });
        };
        match t.kind {
            TemplateKind::Props => {
                egui::CollapsingHeader::new("Properties")
                    .default_open(true)
                    .show(ui, |ui| {
                        egui::Grid::new("prop-picker")
                            .num_columns(3)
                            .show(ui, |ui| {
                                for (i, (p, on)) in
                                    COMMON_PROPS.iter().zip(t.picked.iter_mut()).enumerate()
                                {
                                    ui.checkbox(on, format!("{}:{}", p.prefix, p.name))
                                        .on_hover_text(p.about);
                                    if i % 3 == 2 {
                                        ui.end_row();
                                    }
                                }
                            });
                        field(
                            ui,
                            "Other properties:",
                            &mut t.extra_props,
                            false,
                            "C:calendar-data, {http://example.com/ns}color",
                        );
                    });
            }
            TemplateKind::CalendarMultiget | TemplateKind::AddressbookMultiget => {
                field(
                    ui,
                    "Hrefs:",
                    &mut t.hrefs,
                    true,
                    "/cal/a.ics (one per line)",
                );
            }
            TemplateKind::CalendarQuery => {
                ui.horizontal(|ui| {
                    let l = ui.label("From:");
                    ui.add(egui::TextEdit::singleline(&mut t.start).desired_width(160.0))
                        .labelled_by(l.id);
                    let l = ui.label("To:");
                    ui.add(egui::TextEdit::singleline(&mut t.end).desired_width(160.0))
                        .labelled_by(l.id);
                    ui.label(RichText::new("UTC, 20250101T000000Z").weak());
                });
            }
            TemplateKind::SyncCollection => {
                field(
                    ui,
                    "Sync token:",
                    &mut t.sync_token,
                    false,
                    "empty: initial sync (filled from the last reply that had one)",
                );
            }
            TemplateKind::ProppatchSet => {
                field(
                    ui,
                    "Set:",
                    &mut t.proppatch_set,
                    true,
                    "displayname = Notes (one per line)",
                );
            }
            TemplateKind::ProppatchRemove => {
                field(
                    ui,
                    "Remove:",
                    &mut t.proppatch_remove,
                    true,
                    "oc:favorite (one per line)",
                );
            }
            TemplateKind::LockInfo => {
                field(
                    ui,
                    "Owner:",
                    &mut t.lock_owner,
                    false,
                    "mailto:you@example.com",
                );
            }
            TemplateKind::AllProp | TemplateKind::PropName => {}
        }
        if let Some(e) = &t.error {
            ui.label(RichText::new(e).color(theme::error_text(dark)));
        }
        let label = ui.label("Body:");
        ui.add(
            egui::TextEdit::multiline(&mut form.body)
                .id_salt("request-body")
                .code_editor()
                .desired_rows(10)
                .desired_width(f32::INFINITY)
                .hint_text("empty: no body (a PROPFIND without a body is an allprop)"),
        )
        .labelled_by(label.id);
        if let Some(e) = form.body_error() {
            ui.label(RichText::new(e).monospace().color(theme::error_text(dark)));
        }
    }

    fn auth_ui(&mut self, ui: &mut Ui, live: &mut LiveState) {
        let form = &mut live.form;
        ui.horizontal_wrapped(|ui| {
            let label = ui.label(RichText::new("Auth:").strong());
            egui::ComboBox::from_id_salt("request-auth")
                .selected_text(form.auth_kind.label())
                .show_ui(ui, |ui| {
                    for k in AuthKind::ALL {
                        ui.selectable_value(&mut form.auth_kind, k, k.label());
                    }
                })
                .response
                .labelled_by(label.id);
            ui.label(
                RichText::new("passwords and tokens are never saved (not in the workspace, settings or snapshots)")
                    .weak(),
            );
        });
        if form.auth_kind == AuthKind::None {
            return;
        }
        if form.auth_kind != AuthKind::Bearer {
            ui.horizontal(|ui| {
                let label = ui.label("User:");
                ui.add(
                    egui::TextEdit::singleline(&mut form.user)
                        .id_salt("request-user")
                        .desired_width(200.0),
                )
                .labelled_by(label.id);
            });
        }
        let word = form.secret_word();
        ui.horizontal_wrapped(|ui| {
            ui.radio_value(
                &mut form.secret_source,
                SecretSource::Typed,
                format!("type the {word}"),
            );
            ui.radio_value(
                &mut form.secret_source,
                SecretSource::Env,
                "read it from an environment variable",
            );
        });
        ui.horizontal(|ui| match form.secret_source {
            SecretSource::Typed => {
                let label = ui.label(if word == "token" {
                    "Token:"
                } else {
                    "Password:"
                });
                ui.add(
                    egui::TextEdit::singleline(&mut form.secret)
                        .id_salt("request-secret")
                        .password(true)
                        .desired_width(240.0),
                )
                .labelled_by(label.id);
            }
            SecretSource::Env => {
                let label = ui.label("Variable:");
                ui.add(
                    egui::TextEdit::singleline(&mut form.secret_env)
                        .id_salt("request-secret-env")
                        .hint_text("DAV_PASSWORD")
                        .desired_width(240.0),
                )
                .labelled_by(label.id);
            }
        });
    }

    fn transport_ui(&mut self, ui: &mut Ui, live: &mut LiveState) {
        let dark = ui.visuals().dark_mode;
        let form = &mut live.form;
        egui::CollapsingHeader::new("Transport")
            .default_open(true)
            .show(ui, |ui| {
                ui.horizontal_wrapped(|ui| {
                    let text = RichText::new("Accept invalid certificates");
                    let text = if form.insecure {
                        text.color(theme::error_text(dark)).strong()
                    } else {
                        text
                    };
                    ui.checkbox(&mut form.insecure, text).on_hover_text(
                        "skip the TLS check (self-signed, expired, wrong host): anyone on the path can read the exchange, credentials included",
                    );
                    if form.insecure {
                        ui.label(
                            RichText::new("TLS verification is OFF").color(theme::error_text(dark)),
                        );
                    } else {
                        ui.label(RichText::new("TLS verification on").weak());
                    }
                });
                ui.horizontal(|ui| {
                    let label = ui.label("CA file:");
                    ui.add(
                        egui::TextEdit::singleline(&mut form.ca_file)
                            .id_salt("request-ca")
                            .hint_text("/path/to/ca.pem (trusted besides the system's)")
                            .desired_width(f32::INFINITY),
                    )
                    .labelled_by(label.id);
                });
                ui.horizontal_wrapped(|ui| {
                    ui.label("Proxy:");
                    ui.radio_value(&mut form.proxy, ProxyKind::System, "system");
                    ui.radio_value(&mut form.proxy, ProxyKind::None, "none (bypass the proxy)");
                    ui.radio_value(&mut form.proxy, ProxyKind::Url, "URL");
                    if form.proxy == ProxyKind::Url {
                        let label = ui.label("Proxy URL:");
                        ui.add(
                            egui::TextEdit::singleline(&mut form.proxy_url)
                                .id_salt("request-proxy")
                                .hint_text("http://proxy:3128")
                                .desired_width(220.0),
                        )
                        .labelled_by(label.id);
                    }
                });
                ui.horizontal_wrapped(|ui| {
                    let label = ui.label("Timeout:");
                    ui.add(
                        egui::DragValue::new(&mut form.timeout_secs)
                            .range(1..=3600)
                            .suffix(" s"),
                    )
                    .labelled_by(label.id);
                    ui.checkbox(&mut form.follow_redirects, "Follow redirects")
                        .on_hover_text("off: a redirect is shown, not followed");
                    let label = ui.label("Max body:");
                    ui.add(
                        egui::DragValue::new(&mut form.max_body_mb)
                            .range(1..=16_384)
                            .suffix(" MB"),
                    )
                    .labelled_by(label.id);
                    ui.label(RichText::new("gzip accepted").weak());
                });
            });
    }

    /// The reply, the probe summary and the history (side part of the view).
    pub fn reply_ui(
        &mut self,
        ui: &mut Ui,
        live: &LiveState,
        history: &[HistoryEntry],
        commands: &mut Vec<Command>,
    ) {
        let dark = ui.visuals().dark_mode;
        let height = ui.available_height();
        egui::ScrollArea::vertical()
            .id_salt("request-reply")
            .max_height(height * 0.6)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                ui.heading("Reply");
                if live.requester.busy() {
                    ui.horizontal(|ui| {
                        ui.add(egui::Spinner::new());
                        ui.label("waiting for the reply...");
                    });
                }
                if let Some(e) = &live.error {
                    ui.label(
                        RichText::new(&e.text)
                            .color(theme::error_text(dark))
                            .strong(),
                    );
                    if let Some(h) = &e.hint {
                        ui.label(format!("hint: {h}"));
                    }
                    if let Some(r) = &e.rendered {
                        ui.label(RichText::new(r).monospace());
                    }
                }
                if live.error.is_none() && live.reply.is_none() && !live.requester.busy() {
                    ui.label(
                        "Nothing sent yet: fill the URL and Send (or start the practice server).",
                    );
                }
                if let Some(p) = &live.probe {
                    self.probe_ui(ui, p);
                }
                if let Some(r) = &live.reply {
                    self.summary_ui(ui, r, commands);
                }
            });
        ui.separator();
        self.history_ui(ui, live, history, commands);
    }

    fn probe_ui(&mut self, ui: &mut Ui, p: &crate::app::request::ProbeSummary) {
        egui::CollapsingHeader::new(format!("Probe of {}", p.url))
            .default_open(true)
            .show(ui, |ui| {
                for line in &p.lines {
                    ui.label(format!("- {line}"));
                }
                let show = |v: &[String]| {
                    if v.is_empty() {
                        "(none)".to_string()
                    } else {
                        v.join(", ")
                    }
                };
                ui.label(RichText::new(format!("DAV: {}", show(&p.dav_classes))).monospace());
                ui.label(RichText::new(format!("Allow: {}", show(&p.allow))).monospace());
                ui.label(
                    RichText::new(format!(
                        "Server: {}",
                        p.server.as_deref().unwrap_or("(not said)")
                    ))
                    .monospace(),
                );
            });
    }

    fn summary_ui(
        &mut self,
        ui: &mut Ui,
        r: &crate::app::request::ReplySummary,
        commands: &mut Vec<Command>,
    ) {
        let dark = ui.visuals().dark_mode;
        ui.horizontal_wrapped(|ui| {
            widgets::status_badge(ui, Some(r.status));
            ui.label(RichText::new(format!("{} {}", r.status, r.reason)).strong());
            ui.label(format!("{} {}", r.method, r.url));
        });
        ui.label(format!(
            "{} in {} ms ({} ms to headers), {} body bytes, from {}",
            r.version,
            r.total_ms,
            r.headers_ms,
            r.body_bytes,
            r.remote.as_deref().unwrap_or("an unknown address")
        ));
        for n in &r.redirect_notes {
            ui.label(RichText::new(n).color(theme::warning_text(dark)));
        }
        if let Some(a) = &r.auth {
            ui.label(RichText::new(a).color(theme::warning_text(dark)).strong());
        }
        if let Some(what) = &r.not_multistatus {
            ui.label(
                RichText::new(format!("not a multistatus: {what}"))
                    .color(theme::warning_text(dark)),
            );
        }
        if !r.probe {
            ui.horizontal_wrapped(|ui| {
                if ui
                    .button("Open in Explorer")
                    .on_hover_text("the reply as a document: tree, diagnosis, checklist")
                    .clicked()
                {
                    commands.push(Command::Live(LiveCommand::OpenEntry(r.entry)));
                }
                if ui
                    .button("Re-run and compare")
                    .on_hover_text("send the identical request again and diff the two replies")
                    .clicked()
                {
                    commands.push(Command::Live(LiveCommand::RerunEntry(r.entry)));
                }
            });
        }
        ui.label(RichText::new(format!("snapshot: {}", r.snapshot)).weak());
        egui::CollapsingHeader::new(format!("Reply headers ({})", r.headers.len()))
            .default_open(true)
            .show(ui, |ui| {
                egui::Grid::new("reply-headers")
                    .num_columns(2)
                    .striped(true)
                    .show(ui, |ui| {
                        for (k, v) in &r.headers {
                            let name = RichText::new(k).monospace();
                            if is_highlighted_header(k) {
                                ui.label(name.strong().color(theme::header_highlight(dark)));
                                ui.label(
                                    RichText::new(v)
                                        .monospace()
                                        .color(theme::header_highlight(dark)),
                                );
                            } else {
                                ui.label(name);
                                ui.label(RichText::new(v).monospace());
                            }
                            ui.end_row();
                        }
                    });
            });
    }

    fn history_ui(
        &mut self,
        ui: &mut Ui,
        live: &LiveState,
        history: &[HistoryEntry],
        commands: &mut Vec<Command>,
    ) {
        let dark = ui.visuals().dark_mode;
        ui.heading(format!("History ({})", history.len()));
        if history.is_empty() {
            ui.label(RichText::new("Every exchange is kept here, with its snapshot.").weak());
            return;
        }
        egui::ScrollArea::vertical()
            .id_salt("request-history")
            .auto_shrink([false, false])
            .show(ui, |ui| {
                for e in history.iter().rev() {
                    ui.horizontal_wrapped(|ui| {
                        let status = match (e.status, &e.error) {
                            (Some(s), _) => s.to_string(),
                            (None, Some(_)) => "error".into(),
                            (None, None) => "-".into(),
                        };
                        let text = format!(
                            "{}  {} {}  {}",
                            format_utc(e.at_secs),
                            e.request.method,
                            status,
                            e.request.url
                        );
                        let row = ui.add_enabled(
                            live.has_snapshot(e),
                            egui::Button::selectable(false, text),
                        );
                        let row = match &e.error {
                            Some(err) => row.on_disabled_hover_text(err.clone()),
                            None => row.on_hover_text("open this snapshot as a document"),
                        };
                        if row.clicked() {
                            commands.push(Command::Live(LiveCommand::OpenEntry(e.id)));
                        }
                        if ui
                            .small_button("Edit")
                            .on_hover_text("fill the editor with this request")
                            .clicked()
                        {
                            commands.push(Command::Live(LiveCommand::EditEntry(e.id)));
                        }
                        if ui
                            .small_button("Re-run")
                            .on_hover_text("send it again and compare the two replies")
                            .clicked()
                        {
                            commands.push(Command::Live(LiveCommand::RerunEntry(e.id)));
                        }
                    });
                    if let Some(err) = &e.error {
                        ui.label(
                            RichText::new(format!("    {err}"))
                                .small()
                                .color(theme::error_text(dark)),
                        );
                    }
                }
            });
    }
}

#[cfg(test)]
mod tests {
    use std::io::{Read as _, Write as _};
    use std::path::{Path, PathBuf};

    use egui_kittest::Harness;
    use egui_kittest::kittest::Queryable;

    use crate::app::App;
    use crate::app::request::AuthKind;
    use crate::app::state::{Command, Origin, Persisted, View};
    use crate::core::checklist::{Action, RETEST};
    use crate::demo::Fault;

    fn workspace(name: &str) -> (PathBuf, PathBuf) {
        let dir =
            std::env::temp_dir().join(format!("davscope-request-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let ws = dir.join("workspace.json");
        (dir, ws)
    }

    fn harness(ws: &Path) -> Harness<'static, App> {
        let ws = ws.to_path_buf();
        Harness::builder()
            .with_size([1600.0, 1000.0])
            .with_max_steps(32)
            .build_ui_state(
                |ui, app: &mut App| app.frame_ui(ui),
                App::new(Persisted::default(), Some(ws), Vec::new(), None),
            )
    }

    /// Clicks a button and lets the app settle, waiting for the request it sent.
    fn click_and_wait(h: &mut Harness<'static, App>, label: &str) {
        h.get_by_label(label).click();
        // Steps, not `run`: while the request is in flight a spinner repaints.
        h.run_steps(3);
        h.state_mut().wait_for_requests();
        h.run();
    }

    fn start_practice(h: &mut Harness<'static, App>) -> String {
        h.run();
        h.get_by_label("Request").click();
        h.run();
        h.get_by_label("Start practice server").click();
        h.run();
        let url = h.state().state.live.form.url.clone();
        assert!(url.starts_with("http://127.0.0.1:"), "{url}");
        url
    }

    /// Every file under `dir`, recursively.
    fn files_under(dir: &Path) -> Vec<PathBuf> {
        let mut out = Vec::new();
        let mut stack = vec![dir.to_path_buf()];
        while let Some(d) = stack.pop() {
            for e in std::fs::read_dir(&d).into_iter().flatten().flatten() {
                let p = e.path();
                if p.is_dir() {
                    stack.push(p);
                } else {
                    out.push(p);
                }
            }
        }
        out
    }

    #[test]
    fn practice_server_query_diagnose_fix_rerun_compare() {
        let (dir, ws) = workspace("loop");
        let mut h = harness(&ws);
        start_practice(&mut h);
        click_and_wait(&mut h, "Send");

        // The reply is a document with its failures.
        let doc = h.state().state.doc().expect("the reply is open");
        assert!(matches!(doc.origin, Origin::Snapshot(_)));
        assert_eq!(doc.doc.info.http_status, Some(207));
        assert!(doc.failed_count() >= 1, "the forbidden folder fails");
        assert!(!doc.findings.is_empty());
        assert!(
            doc.doc.info.request.is_some(),
            "the snapshot keeps the request"
        );
        h.get_by_label_contains("207 Multi-Status");
        h.get_by_label_contains("History (1)");
        h.get_by_label("Open in Explorer").click();
        h.run();
        assert_eq!(h.state().state.view, View::Explorer);
        h.get_by_label("private/ 403");

        // Fix: switch the fault off, re-run, compare.
        h.get_by_label("Request").click();
        h.run();
        h.get_by_label("forbidden folder").click();
        h.run();
        let faults = h
            .state()
            .state
            .live
            .practice
            .as_ref()
            .map(|s| s.faults().is_on(Fault::Forbidden));
        assert_eq!(faults, Some(false));
        click_and_wait(&mut h, "Re-run and compare");
        let state = &h.state().state;
        assert_eq!(state.view, View::Compare);
        let c = state.compare.as_ref().expect("a comparison");
        let fixed: Vec<&str> = c
            .diff
            .entries
            .iter()
            .filter(|e| e.change == crate::core::diff::ChangeKind::Fixed)
            .map(|e| e.path.as_str())
            .collect();
        assert!(fixed.iter().any(|p| p.contains("private")), "{fixed:?}");
        let ticked: Vec<&String> = state
            .workspace
            .checklist
            .iter()
            .filter(|(_, s)| s.checked[RETEST])
            .map(|(k, _)| k)
            .collect();
        assert!(ticked.iter().any(|k| k.contains("private")), "{ticked:?}");
        h.get_by_label_contains("fixed 1");

        // Both exchanges are in the history and on disk.
        assert_eq!(h.state().state.workspace.history.len(), 2);
        let saved = crate::core::session::load(&ws, 0).expect("workspace");
        assert_eq!(saved.history.len(), 2);
        let snaps = files_under(&dir.join("snapshots"));
        assert_eq!(snaps.len(), 2, "{snaps:?}");
        for s in &snaps {
            let docs = crate::core::document::load_path(s, Default::default()).expect("reads");
            assert!(docs[0].info.request.is_some());
        }
        drop(h);

        // A new window on the same workspace lists the history; a click opens a
        // snapshot as a document.
        let mut h = harness(&ws);
        h.run();
        h.get_by_label("Request").click();
        h.run();
        h.get_by_label_contains("History (2)");
        let rows: Vec<_> = h.query_all_by_label_contains("PROPFIND 207").collect();
        assert_eq!(rows.len(), 2);
        rows[1].click();
        h.run();
        let state = &h.state().state;
        assert_eq!(state.view, View::Explorer);
        let doc = state.doc().expect("snapshot open");
        assert_eq!(doc.origin, Origin::Snapshot(saved.history[0].id));
        assert!(doc.failed_count() >= 1, "the first reply had the 403");
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Accepts one connection and answers nothing for `secs`.
    fn silent_server(secs: u64) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        std::thread::spawn(move || {
            if let Ok((s, _)) = listener.accept() {
                std::thread::sleep(std::time::Duration::from_secs(secs));
                drop(s);
            }
        });
        format!("http://{addr}/")
    }

    #[test]
    fn a_request_in_flight_can_be_cancelled() {
        let (dir, ws) = workspace("cancel");
        let mut h = harness(&ws);
        h.run();
        h.get_by_label("Request").click();
        h.run();
        h.state_mut().state.live.form.url = silent_server(3);
        h.get_by_label("Send").click();
        // The spinner keeps repainting: step, do not wait to settle.
        h.run_steps(3);
        assert!(h.state().state.live.requester.busy());
        h.get_by_label_contains("KB received");
        h.get_by_label("Cancel").click();
        h.run();
        assert!(!h.state().state.live.requester.busy());
        h.get_by_label_contains("cancelled");
        assert!(h.state().state.workspace.history.is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Answers every connection with a 401 offering Basic, `n` times.
    fn challenge_server(n: usize) -> String {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().expect("addr");
        std::thread::spawn(move || {
            for stream in listener.incoming().take(n) {
                let Ok(mut s) = stream else { continue };
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match s.read(&mut chunk) {
                        Ok(0) | Err(_) => break,
                        Ok(k) => buf.extend_from_slice(&chunk[..k]),
                    }
                }
                let _ = s.write_all(
                    b"HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Basic realm=\"davscope-test\"\r\nContent-Type: text/html\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
        });
        format!("http://{addr}/dav/")
    }

    #[test]
    fn a_wrong_password_shows_401_with_the_scheme() {
        let (dir, ws) = workspace("401");
        let mut h = harness(&ws);
        h.run();
        h.get_by_label("Request").click();
        h.run();
        let url = challenge_server(1);
        h.get_by_label("URL:").click();
        h.run();
        h.get_by_label("URL:").type_text(&url);
        h.run();
        {
            let form = &mut h.state_mut().state.live.form;
            form.auth_kind = AuthKind::Basic;
            form.user = "alice".into();
        }
        h.run();
        h.get_by_label("Password:").click();
        h.run();
        h.get_by_label("Password:").type_text("wrong-pw");
        h.run();
        click_and_wait(&mut h, "Send");
        let reply = h.state().state.live.reply.clone().expect("a reply");
        assert_eq!(reply.status, 401);
        h.get_by_label_contains("401 Unauthorized");
        h.get_by_label_contains(
            "the server asks for authentication: Basic (realm \"davscope-test\")",
        );
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn connection_refused_and_bad_xml_are_words() {
        let (dir, ws) = workspace("errors");
        let mut h = harness(&ws);
        h.run();
        h.get_by_label("Request").click();
        h.run();
        // A port nobody listens on: bind one, then free it.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map(|a| a.port())
            .expect("port");
        h.state_mut().state.live.form.url = format!("http://127.0.0.1:{port}/");
        click_and_wait(&mut h, "Send");
        // In the reply and in the history.
        assert_eq!(
            h.query_all_by_label_contains("connection refused by 127.0.0.1")
                .count(),
            2
        );
        let ws_now = &h.state().state.workspace;
        assert!(ws_now.history[0].error.is_some());

        h.state_mut().state.live.form.body =
            "<D:propfind xmlns:D=\"DAV:\">\n<D:prop>\n</D:propfind>".into();
        h.run();
        h.get_by_label_contains("--> body:3:");
        h.get_by_label("Send").click();
        h.run();
        assert!(!h.state().state.live.requester.busy(), "nothing was sent");
        h.get_by_label_contains("the body is not well-formed XML: nothing was sent");

        h.state_mut().state.live.form.depth = Some(crate::core::fetch::Depth::Infinity);
        h.run();
        h.get_by_label(super::INFINITY_WARNING);
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn the_typed_password_reaches_no_file() {
        let (dir, ws) = workspace("secret");
        let password = "S3cret-typed-in-the-editor";
        let mut h = harness(&ws);
        start_practice(&mut h);
        {
            let form = &mut h.state_mut().state.live.form;
            form.auth_kind = AuthKind::Basic;
            form.user = "alice".into();
            form.headers
                .push(("Cookie".into(), format!("sid={password}")));
        }
        h.run();
        h.get_by_label("Password:").click();
        h.run();
        h.get_by_label("Password:").type_text(password);
        h.run();
        assert_eq!(h.state().state.live.form.secret, password);
        click_and_wait(&mut h, "Send");
        assert_eq!(
            h.state().state.live.reply.as_ref().map(|r| r.status),
            Some(207)
        );
        click_and_wait(&mut h, "Re-run and compare");
        h.get_by_label("Request").click();
        h.run();
        click_and_wait(&mut h, "Probe server");
        assert!(h.state().state.live.probe.is_some());
        assert_eq!(h.state().state.workspace.history.len(), 3);

        use base64::Engine as _;
        let basic = base64::engine::general_purpose::STANDARD.encode(format!("alice:{password}"));
        let files = files_under(&dir);
        assert!(files.len() >= 4, "workspace and three snapshots: {files:?}");
        let mut saw_redacted = false;
        for f in &files {
            let bytes = std::fs::read(f).expect("read");
            let text = String::from_utf8_lossy(&bytes);
            assert!(
                !text.contains(password),
                "{} holds the password",
                f.display()
            );
            assert!(
                !text.contains(&basic),
                "{} holds the credentials",
                f.display()
            );
            saw_redacted |= text.contains("Authorization: Basic [redacted]");
        }
        assert!(
            saw_redacted,
            "the credentials were sent, redacted in the snapshot"
        );
        let settings = serde_json::to_string(&h.state().state.persisted).expect("json");
        assert!(!settings.contains(password));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn checklist_actions_edit_probe_and_rerun_a_capture() {
        let (dir, ws) = workspace("actions");
        let mut h = harness(&ws);
        start_practice(&mut h);
        h.state_mut().state.live.form.template.kind = super::TemplateKind::Props;
        h.get_by_label("Use template").click();
        h.run();
        click_and_wait(&mut h, "Send");
        // The same snapshot opened as a capture from elsewhere (no history entry).
        let entry = h.state().state.workspace.history[0].clone();
        let name = entry.snapshot.clone().expect("snapshot");
        let bytes = std::fs::read(dir.join("snapshots").join(&name)).expect("snapshot");
        h.state_mut().state.handle(
            Command::OpenBytes {
                label: "capture.http".into(),
                bytes,
            },
            None,
        );
        h.run();
        assert_eq!(
            h.state().state.doc().map(|d| d.label()),
            Some("capture.http")
        );
        let sent_body = entry.request.body.clone().expect("a body");

        // The proxy step: the editor filled from the capture, proxy bypassed.
        h.state_mut().state.live.form = crate::app::request::RequestForm::new(0);
        h.state_mut().state.handle(
            Command::RunAction {
                action: Action::EditRequest,
                step: 4,
            },
            None,
        );
        h.run();
        let form = &h.state().state.live.form;
        assert_eq!(h.state().state.view, View::Request);
        assert_eq!(form.url, entry.request.url);
        assert_eq!(form.effective_method(), "PROPFIND");
        assert_eq!(form.body, sent_body);
        assert_eq!(form.proxy, crate::app::request::ProxyKind::None);
        // The scope step suggests Depth: 1.
        h.state_mut().state.live.form.depth = None;
        h.get_by_label("Explorer").click();
        h.run();
        h.state_mut().state.handle(
            Command::RunAction {
                action: Action::EditRequest,
                step: 0,
            },
            None,
        );
        assert_eq!(
            h.state().state.live.form.depth,
            Some(crate::core::fetch::Depth::One)
        );

        // Probe the capture's server.
        h.get_by_label("Explorer").click();
        h.run();
        h.state_mut().state.handle(
            Command::RunAction {
                action: Action::ProbeServer,
                step: 3,
            },
            None,
        );
        h.state_mut().wait_for_requests();
        h.run();
        let probe = h.state().state.live.probe.clone().expect("probe");
        assert!(probe.dav_classes.iter().any(|c| c == "1"), "{probe:?}");
        assert_eq!(probe.propfind_allowed, Some(true));
        h.get_by_label_contains("PROPFIND is allowed");

        // Re-run the capture and compare.
        h.get_by_label("Explorer").click();
        h.run();
        let i = h
            .state()
            .state
            .docs
            .iter()
            .position(|d| d.label() == "capture.http")
            .expect("capture");
        h.state_mut().state.handle(Command::Activate(i), None);
        h.state_mut().state.handle(
            Command::RunAction {
                action: Action::RerunAndCompare,
                step: RETEST,
            },
            None,
        );
        h.state_mut().wait_for_requests();
        h.run();
        let state = &h.state().state;
        assert_eq!(state.view, View::Compare);
        let c = state.compare.as_ref().expect("comparison");
        assert_eq!(c.before.info.label, "capture.http");
        assert_eq!(c.diff.count(crate::core::diff::ChangeKind::Regressed), 0);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
