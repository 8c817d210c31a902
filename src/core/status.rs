//! HTTP status codes as WebDAV users read them: class, named category, reason
//! phrase and a one-line meaning with its RFC reference.
//!
//! Pure data; depends on nothing. Only `app/theme.rs` turns a class into a colour.

/// The first digit of a code, plus "no readable code".
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StatusClass {
    Informational,
    Success,
    Redirection,
    ClientError,
    ServerError,
    /// No status, or a status line without a readable code.
    Unknown,
}

impl StatusClass {
    pub fn of(code: Option<u16>) -> StatusClass {
        match code {
            Some(100..=199) => StatusClass::Informational,
            Some(200..=299) => StatusClass::Success,
            Some(300..=399) => StatusClass::Redirection,
            Some(400..=499) => StatusClass::ClientError,
            Some(500..=599) => StatusClass::ServerError,
            _ => StatusClass::Unknown,
        }
    }
    pub fn label(&self) -> &'static str {
        match self {
            StatusClass::Informational => "1xx",
            StatusClass::Success => "2xx",
            StatusClass::Redirection => "3xx",
            StatusClass::ClientError => "4xx",
            StatusClass::ServerError => "5xx",
            StatusClass::Unknown => "no code",
        }
    }
}

/// A named category: what a WebDAV user calls the situation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum StatusCategory {
    Ok,
    Moved,
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    NotAllowed,
    Conflict,
    Gone,
    PreconditionFailed,
    UnsupportedMediaType,
    Locked,
    FailedDependency,
    TooEarly,
    ClientError,
    NotImplemented,
    BadGateway,
    InsufficientStorage,
    ServerError,
    Unknown,
}

impl StatusCategory {
    pub fn of(code: Option<u16>) -> StatusCategory {
        use StatusCategory as C;
        match code {
            Some(200..=299) => C::Ok,
            Some(300..=399) => C::Moved,
            Some(400) => C::BadRequest,
            Some(401) => C::Unauthorized,
            Some(403) => C::Forbidden,
            Some(404) => C::NotFound,
            Some(405) => C::NotAllowed,
            Some(409) => C::Conflict,
            Some(410) => C::Gone,
            Some(412) => C::PreconditionFailed,
            Some(415) => C::UnsupportedMediaType,
            Some(423) => C::Locked,
            Some(424) => C::FailedDependency,
            Some(425) => C::TooEarly,
            Some(400..=499) => C::ClientError,
            Some(501) => C::NotImplemented,
            Some(502..=504) => C::BadGateway,
            Some(507) => C::InsufficientStorage,
            Some(500..=599) => C::ServerError,
            _ => C::Unknown,
        }
    }
    pub fn name(&self) -> &'static str {
        use StatusCategory as C;
        match self {
            C::Ok => "ok",
            C::Moved => "moved",
            C::BadRequest => "bad request",
            C::Unauthorized => "unauthorized",
            C::Forbidden => "forbidden",
            C::NotFound => "not found",
            C::NotAllowed => "method not allowed",
            C::Conflict => "conflict",
            C::Gone => "gone",
            C::PreconditionFailed => "precondition failed",
            C::UnsupportedMediaType => "unsupported media type",
            C::Locked => "locked",
            C::FailedDependency => "failed dependency",
            C::TooEarly => "too early",
            C::ClientError => "client error",
            C::NotImplemented => "not implemented",
            C::BadGateway => "gateway error",
            C::InsufficientStorage => "insufficient storage",
            C::ServerError => "server error",
            C::Unknown => "no status",
        }
    }
}

/// The standard reason phrase.
pub fn reason_phrase(code: u16) -> &'static str {
    match code {
        100 => "Continue",
        102 => "Processing",
        200 => "OK",
        201 => "Created",
        202 => "Accepted",
        204 => "No Content",
        207 => "Multi-Status",
        208 => "Already Reported",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        304 => "Not Modified",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        406 => "Not Acceptable",
        408 => "Request Timeout",
        409 => "Conflict",
        410 => "Gone",
        412 => "Precondition Failed",
        413 => "Content Too Large",
        414 => "URI Too Long",
        415 => "Unsupported Media Type",
        422 => "Unprocessable Content",
        423 => "Locked",
        424 => "Failed Dependency",
        425 => "Too Early",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        507 => "Insufficient Storage",
        508 => "Loop Detected",
        _ => match code / 100 {
            1 => "Informational",
            2 => "Success",
            3 => "Redirection",
            4 => "Client Error",
            5 => "Server Error",
            _ => "Unknown",
        },
    }
}

/// One line on what the code means inside a multistatus, with its reference.
pub fn meaning(code: u16) -> &'static str {
    match code {
        200 => "The property or operation succeeded for this resource (RFC 4918 §9.1.2).",
        201 => "The resource was created (RFC 4918 §9.7.1).",
        204 => "Done, nothing to return.",
        302 | 301 | 307 | 308 => "The resource lives elsewhere: see its location (RFC 4918 §14.9).",
        400 => "The server could not read the request for this resource.",
        401 => "Not authenticated for this resource: credentials missing or refused.",
        403 => {
            "Authenticated but not allowed: an ACL, a protected property or a server rule refused it (RFC 4918 §9.1.2, RFC 3744 §7.1.1)."
        }
        404 => "Does not exist: in a propstat, the resource lacks that property (RFC 4918 §9.1.2).",
        405 => "The method is not allowed on this resource.",
        409 => "Conflict: a parent is missing or the value breaks a constraint (RFC 4918 §9.2.1).",
        412 => "A precondition (If header, lock token, Overwrite) failed (RFC 4918 §12.1).",
        415 => "The server does not support the requested media type (RFC 6352 §8.7).",
        423 => "Locked: a lock held by someone else blocks the change (RFC 4918 §11.3).",
        424 => {
            "Failed dependency: nothing wrong here, but another part of the same request failed (RFC 4918 §11.4)."
        }
        425 => "Too early: the server will not risk replaying the request.",
        500 => "The server failed while handling this resource: see its logs.",
        501 => "The server does not implement what was asked.",
        502..=504 => "A gateway or proxy in front of the server failed.",
        507 => "Insufficient storage: the quota or the disk is full (RFC 4918 §11.5).",
        _ => match code / 100 {
            2 => "Success.",
            3 => "Redirection.",
            4 => "The request was refused for this resource.",
            5 => "The server failed for this resource.",
            _ => "A code outside HTTP's ranges.",
        },
    }
}

/// Reads the code from a status line: `HTTP/1.1 424 (status)`, `HTTP/1.0 200`,
/// `200 ok`. Only the code is taken; the rest is free text.
pub fn parse_status_code(line: &str) -> Option<u16> {
    let mut tokens = line.split_ascii_whitespace();
    let first = tokens.next()?;
    let candidate = if first
        .get(..5)
        .is_some_and(|p| p.eq_ignore_ascii_case("HTTP/"))
    {
        tokens.next()?
    } else {
        first
    };
    if candidate.len() != 3 || !candidate.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    candidate
        .parse::<u16>()
        .ok()
        .filter(|c| (100..=599).contains(c))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_lines_give_codes() {
        assert_eq!(parse_status_code("HTTP/1.1 424 (status)"), Some(424));
        assert_eq!(parse_status_code("HTTP/1.0 200"), Some(200));
        assert_eq!(parse_status_code("  200 ok "), Some(200));
        assert_eq!(parse_status_code("http/1.1 404 Not Found"), Some(404));
        assert_eq!(parse_status_code("Invalid Status Line"), None);
        assert_eq!(parse_status_code("HTTP/1.1 20"), None);
        assert_eq!(parse_status_code("HTTP/1.1 999 x"), None);
        assert_eq!(parse_status_code(""), None);
        assert_eq!(parse_status_code("HTTPé1.1 200"), None);
    }

    #[test]
    fn categories_and_classes() {
        assert_eq!(StatusCategory::of(Some(423)), StatusCategory::Locked);
        assert_eq!(StatusCategory::of(Some(418)), StatusCategory::ClientError);
        assert_eq!(StatusCategory::of(None), StatusCategory::Unknown);
        assert_eq!(StatusClass::of(Some(507)), StatusClass::ServerError);
        assert_eq!(reason_phrase(424), "Failed Dependency");
        assert!(meaning(423).contains("RFC 4918"));
    }
}
