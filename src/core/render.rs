//! The one error renderer: a problem or a query error as text, in hurl's shape —
//! a title, `--> file:line:column`, the source line, a caret, and a hint.
//!
//! Used by the CLI and shown as-is (monospace) by the GUI. Depends on the model and
//! `core::text` only.

use crate::core::filter::FilterError;
use crate::core::model::Problem;
use crate::core::text::LineIndex;

/// Renders a positioned problem against the body it points into.
pub fn render_problem(problem: &Problem, label: &str, body: &[u8]) -> String {
    let index = LineIndex::new(body, problem.offset as usize + 1);
    let line_text = index.line_text(problem.line);
    let number = problem.line.to_string();
    let pad = " ".repeat(number.len());
    // Show at most 100 characters of the line, centred on the column.
    let col = problem.column.saturating_sub(1) as usize;
    let chars: Vec<char> = line_text
        .chars()
        .map(|c| if c == '\t' { ' ' } else { c })
        .collect();
    let from = col.saturating_sub(60);
    let to = (from + 100).min(chars.len());
    let shown: String = chars
        .get(from..to)
        .map(|s| s.iter().collect())
        .unwrap_or_default();
    let lead = if from > 0 { "…" } else { "" };
    let caret_at = col - from + lead.chars().count();
    let mut out = format!(
        "{}: {}\n{pad}--> {label}:{}:{} (byte {})\n{pad} |\n{number} | {lead}{shown}\n{pad} | {}^\n",
        problem.severity.as_str(),
        problem.message,
        problem.line,
        problem.column,
        problem.offset,
        " ".repeat(caret_at),
    );
    if let Some(hint) = &problem.hint {
        out.push_str(&format!("{pad} |\n{pad} = {hint}\n"));
    }
    out
}

/// Renders a filter error under the query it came from.
pub fn render_filter_error(error: &FilterError, query: &str) -> String {
    let width = error.end.saturating_sub(error.start).max(1);
    let mut out = format!(
        "error: {}\n  | {query}\n  | {}{}\n",
        error.message,
        " ".repeat(error.start),
        "^".repeat(width)
    );
    if let Some(hint) = &error.hint {
        out.push_str(&format!("  = try: {hint}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::core::model::Severity;

    #[test]
    fn problem_has_location_line_and_caret() {
        let body = b"<a>\n  <b:c/>\n</a>";
        let mut p = Problem::new(Severity::Error, "undeclared namespace prefix `b:`", 6)
            .with_hint("declare it");
        p.line = 2;
        p.column = 3;
        let text = render_problem(&p, "f.xml", body);
        assert_eq!(
            text,
            "error: undeclared namespace prefix `b:`\n --> f.xml:2:3 (byte 6)\n  |\n2 |   <b:c/>\n  |   ^\n  |\n  = declare it\n"
        );
    }

    #[test]
    fn filter_error_underlines_the_term() {
        let e = crate::core::filter::FilterQuery::parse("status:4xx statu:1").expect_err("bad");
        let text = render_filter_error(&e, "status:4xx statu:1");
        assert!(text.contains("\n  |            ^^^^^^^\n"), "{text}");
    }
}
