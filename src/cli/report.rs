//! The JSON shapes of the headless reports (field names fixed by the issues and
//! SEMANTICS.md; more fields may be added, never renamed).

use std::collections::BTreeMap;

use serde::Serialize;

use crate::core::document::Document;
use crate::core::filter::FilteredTree;
use crate::core::model::{Outcome, QName};

#[derive(Debug, Serialize)]
pub struct RequestJson {
    pub method: String,
    pub url: String,
}

#[derive(Debug, Serialize)]
pub struct InputJson {
    pub label: String,
    pub format: &'static str,
    pub http_status: Option<u16>,
    pub bytes: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<RequestJson>,
    /// The headers that tell what happened (auth challenges, DAV, proxies).
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub headers: BTreeMap<String, String>,
    pub multistatus: bool,
    /// What the body is when it is not a multistatus.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub not_multistatus: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct PropstatJson {
    pub status: Option<u16>,
    pub props: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ResponseJson {
    pub hrefs: Vec<String>,
    pub path: String,
    pub status: Option<u16>,
    pub propstats: Vec<PropstatJson>,
    pub error: Vec<String>,
    pub description: Option<String>,
    pub location: Option<String>,
    pub outcome: &'static str,
}

#[derive(Debug, Serialize)]
pub struct SummaryJson {
    pub responses: usize,
    /// Responses carrying each code (own or propstat), each counted once per code;
    /// `none` for a response with no readable code.
    pub by_status: BTreeMap<String, usize>,
    pub failed: usize,
    pub partial: usize,
    pub ok: usize,
    /// Responses the `--filter` kept (all when there is no filter).
    pub shown: usize,
}

#[derive(Debug, Serialize)]
pub struct ProblemJson {
    pub severity: &'static str,
    pub message: String,
    pub line: u32,
    pub column: u32,
    pub offset: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct InspectJson {
    pub input: InputJson,
    pub responses: Vec<ResponseJson>,
    pub summary: SummaryJson,
    pub problems: Vec<ProblemJson>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sync_token: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// Headers worth showing: what a WebDAV expert looks at first.
pub const TELLING_HEADERS: [&str; 12] = [
    "www-authenticate",
    "allow",
    "dav",
    "content-type",
    "content-length",
    "content-encoding",
    "server",
    "via",
    "location",
    "x-forwarded-for",
    "x-forwarded-host",
    "x-forwarded-proto",
];

pub fn telling_headers(doc: &Document) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (k, v) in &doc.info.headers {
        let lower = k.to_ascii_lowercase();
        if TELLING_HEADERS.contains(&lower.as_str()) || lower.starts_with("x-forwarded-") {
            out.entry(lower)
                .and_modify(|e: &mut String| {
                    e.push_str(", ");
                    e.push_str(v);
                })
                .or_insert_with(|| v.clone());
        }
    }
    out
}

/// The report without its response list (the human output needs no more).
pub fn inspect_summary(doc: &Document, filtered: Option<&FilteredTree>) -> InspectJson {
    build(doc, filtered, false)
}

pub fn inspect_json(doc: &Document, filtered: Option<&FilteredTree>) -> InspectJson {
    build(doc, filtered, true)
}

fn build(doc: &Document, filtered: Option<&FilteredTree>, with_responses: bool) -> InspectJson {
    let ms = doc.multistatus.as_ref();
    let mut responses = Vec::new();
    let mut by_status: BTreeMap<String, usize> = BTreeMap::new();
    let mut counts = [0usize; 3];
    if let Some(ms) = ms {
        for (i, r) in ms.responses.iter().enumerate() {
            let outcome = ms.outcome(r);
            counts[outcome as usize] += 1;
            let mut codes: Vec<Option<u16>> = ms.codes(r).collect();
            codes.sort();
            codes.dedup();
            if codes.iter().all(Option::is_none) {
                *by_status.entry("none".to_string()).or_insert(0) += 1;
            }
            for c in codes.into_iter().flatten() {
                *by_status.entry(c.to_string()).or_insert(0) += 1;
            }
            if !with_responses
                || filtered.is_some_and(|f| !f.matched.get(i).copied().unwrap_or(false))
            {
                continue;
            }
            let name = |id| ms.names.name(id).map(QName::clark).unwrap_or_default();
            // Errors, descriptions, locations and further hrefs are read again
            // from the body, only for the responses that have them.
            let detail = if r.has_extras() { doc.detail(i) } else { None };
            let error: Vec<String> = detail
                .as_ref()
                .map(|d| d.all_errors().map(|e| name(e.name)).collect())
                .unwrap_or_default();
            responses.push(ResponseJson {
                hrefs: doc.hrefs(r),
                path: doc.path_of(i),
                status: r.status_code(),
                propstats: ms
                    .propstats_of(r)
                    .iter()
                    .map(|ps| PropstatJson {
                        status: ps.code(),
                        props: ms.prop_names(ps).iter().map(|p| name(*p)).collect(),
                    })
                    .collect(),
                error,
                description: detail
                    .as_ref()
                    .and_then(|d| d.description)
                    .map(|d| doc.text(r, d).trim().to_string()),
                location: detail
                    .as_ref()
                    .and_then(|d| d.location)
                    .map(|l| doc.text(r, l).trim().to_string()),
                outcome: outcome.as_str(),
            });
        }
    }
    let total = ms.map(|m| m.responses.len()).unwrap_or(0);
    InspectJson {
        input: InputJson {
            label: doc.info.label.clone(),
            format: doc.info.format.as_str(),
            http_status: doc.info.http_status,
            bytes: doc.info.bytes,
            request: doc.info.request.as_ref().map(|r| RequestJson {
                method: r.method.clone(),
                url: r.url.clone(),
            }),
            headers: telling_headers(doc),
            multistatus: ms.is_some(),
            not_multistatus: doc.not_multistatus.clone(),
        },
        summary: SummaryJson {
            responses: total,
            by_status,
            failed: counts[Outcome::Failed as usize],
            partial: counts[Outcome::Partial as usize],
            ok: counts[Outcome::Ok as usize],
            shown: filtered.map(|f| f.matched_count).unwrap_or(total),
        },
        responses,
        problems: doc
            .problems
            .iter()
            .map(|p| ProblemJson {
                severity: p.severity.as_str(),
                message: p.message.clone(),
                line: p.line,
                column: p.column,
                offset: p.offset,
                hint: p.hint.clone(),
            })
            .collect(),
        sync_token: ms.and_then(|m| m.sync_token).map(|s| {
            crate::core::text::decode_text(&doc.span_text(s))
                .trim()
                .to_string()
        }),
        description: ms.and_then(|m| m.description).map(|s| {
            crate::core::text::decode_text(&doc.span_text(s))
                .trim()
                .to_string()
        }),
    }
}
