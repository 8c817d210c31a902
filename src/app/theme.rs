//! Every colour of the window, in one place. The core speaks in `StatusClass`,
//! `StatusCategory` and `Outcome`; only this module turns them into colours.
//!
//! The palette is Okabe-Ito (readable by colour-blind users), tuned per theme; a
//! status is never shown by colour alone (badges carry the code as text).

use egui::Color32;

use crate::core::model::Outcome;
use crate::core::status::{StatusCategory, StatusClass};

/// Okabe-Ito colours.
pub mod okabe_ito {
    use egui::Color32;
    pub const ORANGE: Color32 = Color32::from_rgb(230, 159, 0);
    pub const SKY_BLUE: Color32 = Color32::from_rgb(86, 180, 233);
    pub const BLUISH_GREEN: Color32 = Color32::from_rgb(0, 158, 115);
    pub const YELLOW: Color32 = Color32::from_rgb(240, 228, 66);
    pub const BLUE: Color32 = Color32::from_rgb(0, 114, 178);
    pub const VERMILLION: Color32 = Color32::from_rgb(213, 94, 0);
    pub const REDDISH_PURPLE: Color32 = Color32::from_rgb(204, 121, 167);
    pub const GREY: Color32 = Color32::from_rgb(153, 153, 153);
}

use okabe_ito as oi;

/// Badge fill for a status code.
pub fn status_fill(code: Option<u16>) -> Color32 {
    match StatusCategory::of(code) {
        StatusCategory::Ok => oi::BLUISH_GREEN,
        StatusCategory::Moved => oi::SKY_BLUE,
        StatusCategory::NotFound | StatusCategory::Gone => oi::GREY,
        StatusCategory::Locked | StatusCategory::Conflict | StatusCategory::PreconditionFailed => {
            oi::REDDISH_PURPLE
        }
        StatusCategory::FailedDependency => oi::YELLOW,
        StatusCategory::Unauthorized | StatusCategory::Forbidden => oi::ORANGE,
        StatusCategory::InsufficientStorage => oi::BLUE,
        StatusCategory::Unknown => Color32::from_rgb(120, 120, 120),
        _ => match StatusClass::of(code) {
            StatusClass::ServerError => oi::VERMILLION,
            _ => oi::ORANGE,
        },
    }
}

/// Text colour on a badge fill: black or white, whichever reads better.
pub fn on_fill(fill: Color32) -> Color32 {
    let l = 0.299 * f32::from(fill.r()) + 0.587 * f32::from(fill.g()) + 0.114 * f32::from(fill.b());
    if l > 140.0 {
        Color32::BLACK
    } else {
        Color32::WHITE
    }
}

/// Colour of an outcome marker.
pub fn outcome_colour(outcome: Outcome) -> Color32 {
    match outcome {
        Outcome::Ok => oi::BLUISH_GREEN,
        Outcome::Partial => oi::YELLOW,
        Outcome::Failed => oi::VERMILLION,
    }
}

/// The error text colour (filter errors, damaged input).
pub fn error_text(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgb(255, 140, 100)
    } else {
        Color32::from_rgb(180, 50, 0)
    }
}

/// Warning text colour.
pub fn warning_text(dark: bool) -> Color32 {
    if dark {
        oi::YELLOW
    } else {
        Color32::from_rgb(140, 110, 0)
    }
}

/// Background of the lines of the selected response in the raw view.
pub fn raw_highlight(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgba_unmultiplied(86, 180, 233, 40)
    } else {
        Color32::from_rgba_unmultiplied(0, 114, 178, 30)
    }
}

/// Syntax colours of the raw XML view: (tag, attribute value, text, comment).
pub fn xml_colours(dark: bool) -> (Color32, Color32, Color32, Color32) {
    if dark {
        (
            oi::SKY_BLUE,
            oi::ORANGE,
            Color32::from_gray(220),
            Color32::from_gray(130),
        )
    } else {
        (
            oi::BLUE,
            oi::VERMILLION,
            Color32::from_gray(30),
            Color32::from_gray(120),
        )
    }
}

/// Line numbers and other quiet text.
pub fn weak(dark: bool) -> Color32 {
    if dark {
        Color32::from_gray(130)
    } else {
        Color32::from_gray(110)
    }
}

/// Colour of a change kind in the diff view.
pub fn change_fill(kind: crate::core::diff::ChangeKind) -> Color32 {
    use crate::core::diff::ChangeKind as K;
    match kind {
        K::Fixed => oi::BLUISH_GREEN,
        K::Regressed => oi::VERMILLION,
        K::StillFailing => oi::ORANGE,
        K::StatusChanged => oi::REDDISH_PURPLE,
        K::PropsChanged => oi::SKY_BLUE,
        K::Added => oi::BLUE,
        K::Removed => oi::GREY,
        K::Unchanged => Color32::from_gray(200),
    }
}

/// Background of a line or cell that differs between before and after.
pub fn diff_highlight(dark: bool) -> Color32 {
    if dark {
        Color32::from_rgba_unmultiplied(230, 159, 0, 60)
    } else {
        Color32::from_rgba_unmultiplied(230, 159, 0, 70)
    }
}

/// Reply header names worth a look (Server, DAV, Allow, Via, X-Forwarded-*,
/// Content-Type).
pub fn header_highlight(dark: bool) -> Color32 {
    if dark { oi::SKY_BLUE } else { oi::BLUE }
}
