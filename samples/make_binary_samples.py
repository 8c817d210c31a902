#!/usr/bin/env python3
"""Regenerates the byte-exact samples of this directory.

Writes, next to this script:
  proxy-rewrite.http      raw 207 behind a reverse proxy (CRLF head, exact Content-Length)
  unauthorized-401.http   raw 401 HTML page with two WWW-Authenticate headers (CRLF head)
  gzip-response.http      raw 207, gzip-compressed then chunked (as `curl -si --raw` saves it)
  session.har             HAR 1.2 export: PROPFIND (text body), OPTIONS (no body), REPORT (base64 body)
  latin1.xml              multistatus declared and encoded as ISO-8859-1

Deterministic: gzip uses mtime=0, no clock or randomness is read. Python 3.8+, stdlib only.
Run: python3 samples/make_binary_samples.py
"""
import base64
import gzip
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))


def write(name, data):
    with open(os.path.join(HERE, name), "wb") as f:
        f.write(data)


def http_head(status_line, headers):
    """A response head with CRLF line endings, ending in the blank line."""
    lines = [status_line] + ["%s: %s" % h for h in headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("ascii")


# --- proxy-rewrite.http ---------------------------------------------------------------------
# The client asked https://files.example.com/dav/team/ ; nginx forwarded to the backend, which
# answered with absolute hrefs naming itself (scheme, host and port all differ from the public URL).

PROXY_BODY = """<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:">
  <D:response>
    <D:href>http://backend.internal:8080/dav/team/</D:href>
    <D:propstat>
      <D:prop>
        <D:displayname>team</D:displayname>
        <D:resourcetype><D:collection/></D:resourcetype>
        <D:getlastmodified>Tue, 13 Aug 2024 08:02:17 GMT</D:getlastmodified>
        <D:getetag>"3e8-61f8d2f6b7a40"</D:getetag>
      </D:prop>
      <D:status>HTTP/1.1 200 OK</D:status>
    </D:propstat>
  </D:response>
  <D:response>
    <D:href>http://backend.internal:8080/dav/team/handbook.pdf</D:href>
    <D:propstat>
      <D:prop>
        <D:displayname>handbook.pdf</D:displayname>
        <D:resourcetype/>
        <D:getcontentlength>2419871</D:getcontentlength>
        <D:getcontenttype>application/pdf</D:getcontenttype>
        <D:getlastmodified>Fri, 19 Jul 2024 12:44:05 GMT</D:getlastmodified>
        <D:getetag>"24ec9f-61d99b1c3e2c0"</D:getetag>
      </D:prop>
      <D:status>HTTP/1.1 200 OK</D:status>
    </D:propstat>
  </D:response>
  <D:response>
    <D:href>http://backend.internal:8080/dav/team/Specs/</D:href>
    <D:propstat>
      <D:prop>
        <D:displayname>Specs</D:displayname>
        <D:resourcetype><D:collection/></D:resourcetype>
        <D:getlastmodified>Mon, 12 Aug 2024 16:20:58 GMT</D:getlastmodified>
        <D:getetag>"1000-61f7ff4a21d87"</D:getetag>
      </D:prop>
      <D:status>HTTP/1.1 200 OK</D:status>
    </D:propstat>
  </D:response>
  <D:response>
    <D:href>http://backend.internal:8080/dav/team/Meeting%20Notes%202024.md</D:href>
    <D:propstat>
      <D:prop>
        <D:displayname>Meeting Notes 2024.md</D:displayname>
        <D:resourcetype/>
        <D:getcontentlength>58312</D:getcontentlength>
        <D:getcontenttype>text/markdown</D:getcontenttype>
        <D:getlastmodified>Tue, 13 Aug 2024 08:02:17 GMT</D:getlastmodified>
        <D:getetag>"e3c8-61f8d2f6b7a40"</D:getetag>
      </D:prop>
      <D:status>HTTP/1.1 200 OK</D:status>
    </D:propstat>
  </D:response>
  <D:response>
    <D:href>http://backend.internal:8080/dav/team/roadmap-2025.odp</D:href>
    <D:status>HTTP/1.1 404 Not Found</D:status>
    <D:responsedescription>Directory index lists roadmap-2025.odp but the file is gone from /srv/dav/team</D:responsedescription>
  </D:response>
</D:multistatus>
""".encode("utf-8")

write("proxy-rewrite.http", http_head("HTTP/1.1 207 Multi-Status", [
    ("Server", "nginx/1.24.0"),
    ("Date", "Tue, 13 Aug 2024 08:05:41 GMT"),
    ("Content-Type", "application/xml; charset=utf-8"),
    ("Content-Length", str(len(PROXY_BODY))),
    ("Connection", "keep-alive"),
    ("DAV", "1, 2"),
    ("MS-Author-Via", "DAV"),
    ("Via", "1.1 proxy.internal (nginx)"),
    ("X-Forwarded-Host", "files.example.com"),
    ("Strict-Transport-Security", "max-age=31536000"),
]) + PROXY_BODY)


# --- unauthorized-401.http ------------------------------------------------------------------

UNAUTH_BODY = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>401 Unauthorized - Nextcloud</title>
</head>
<body>
  <h1>Unauthorized</h1>
  <p>This server could not verify that you are authorized to access
  <code>/remote.php/dav/files/alice/</code>.</p>
  <p>Check the user name and the app password configured in your WebDAV client.</p>
  <hr>
  <address>files.example.com</address>
</body>
</html>
""".encode("utf-8")

write("unauthorized-401.http", http_head("HTTP/1.1 401 Unauthorized", [
    ("Date", "Wed, 14 Aug 2024 06:58:12 GMT"),
    ("Server", "Apache/2.4.62 (Debian)"),
    ("Cache-Control", "no-store, no-cache, must-revalidate"),
    ("Pragma", "no-cache"),
    ("WWW-Authenticate", 'Basic realm="Nextcloud"'),
    ("WWW-Authenticate", 'Bearer realm="Nextcloud"'),
    ("X-Request-Id", "ZrxGxLHbq0m2a9Wv8kJ3tQAAAA4"),
    ("Content-Length", str(len(UNAUTH_BODY))),
    ("Content-Type", "text/html; charset=UTF-8"),
]) + UNAUTH_BODY)


# --- gzip-response.http ---------------------------------------------------------------------
# Apache mod_dav style: DAV: bound both to D and (per response) to lp1, Apache's own
# namespace to lp2.

SUPPORTEDLOCK = """<D:supportedlock>
<D:lockentry>
<D:lockscope><D:exclusive/></D:lockscope>
<D:locktype><D:write/></D:locktype>
</D:lockentry>
<D:lockentry>
<D:lockscope><D:shared/></D:lockscope>
<D:locktype><D:write/></D:locktype>
</D:lockentry>
</D:supportedlock>
<D:lockdiscovery/>
"""


def apache_dir(href, created, modified, etag):
    return ("""<D:response xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/">
<D:href>%s</D:href>
<D:propstat>
<D:prop>
<lp1:resourcetype><D:collection/></lp1:resourcetype>
<lp1:creationdate>%s</lp1:creationdate>
<lp1:getlastmodified>%s</lp1:getlastmodified>
<lp1:getetag>"%s"</lp1:getetag>
""" % (href, created, modified, etag)) + SUPPORTEDLOCK + """<D:getcontenttype>httpd/unix-directory</D:getcontenttype>
</D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
</D:response>
"""


def apache_file(href, created, length, modified, etag, ctype, executable="F"):
    return ("""<D:response xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/">
<D:href>%s</D:href>
<D:propstat>
<D:prop>
<lp1:resourcetype/>
<lp1:creationdate>%s</lp1:creationdate>
<lp1:getcontentlength>%d</lp1:getcontentlength>
<lp1:getlastmodified>%s</lp1:getlastmodified>
<lp1:getetag>"%s"</lp1:getetag>
<lp2:executable>%s</lp2:executable>
""" % (href, created, length, modified, etag, executable)) + SUPPORTEDLOCK + """<D:getcontenttype>%s</D:getcontenttype>
</D:prop>
<D:status>HTTP/1.1 200 OK</D:status>
</D:propstat>
</D:response>
""" % ctype


GZ_XML = ('<?xml version="1.0" encoding="utf-8"?>\n'
          '<D:multistatus xmlns:D="DAV:" xmlns:ns0="DAV:">\n'
          + apache_dir("/webdav/shared/", "2024-03-04T09:15:27Z",
                       "Tue, 13 Aug 2024 07:48:02 GMT", "1000-61f8cfc6a7e41")
          + apache_file("/webdav/shared/install-guide.pdf", "2024-03-04T09:20:11Z", 734902,
                        "Mon, 04 Mar 2024 09:20:11 GMT", "b36b6-612d3e0a6f8c0", "application/pdf")
          + apache_file("/webdav/shared/deploy.sh", "2024-06-18T14:03:55Z", 2291,
                        "Wed, 07 Aug 2024 11:30:40 GMT", "8f3-61f1795c2e9b1", "application/x-sh", "T")
          + apache_dir("/webdav/shared/releases/", "2024-03-04T09:15:27Z",
                       "Fri, 09 Aug 2024 18:22:36 GMT", "1000-61f4bb7a62d0f")
          + """<D:response xmlns:lp1="DAV:" xmlns:lp2="http://apache.org/dav/props/">
<D:href>/webdav/shared/.htpasswd</D:href>
<D:status>HTTP/1.1 403 Forbidden</D:status>
</D:response>
</D:multistatus>
""").encode("utf-8")

GZ_BODY = gzip.compress(GZ_XML, compresslevel=9, mtime=0)
CHUNK = 512
chunked = b""
for i in range(0, len(GZ_BODY), CHUNK):
    piece = GZ_BODY[i:i + CHUNK]
    chunked += b"%x\r\n" % len(piece) + piece + b"\r\n"
chunked += b"0\r\n\r\n"

write("gzip-response.http", http_head("HTTP/1.1 207 Multi-Status", [
    ("Date", "Tue, 13 Aug 2024 07:51:19 GMT"),
    ("Server", "Apache/2.4.62 (Debian)"),
    ("Vary", "Accept-Encoding"),
    ("Content-Encoding", "gzip"),
    ("Keep-Alive", "timeout=5, max=100"),
    ("Connection", "Keep-Alive"),
    ("Transfer-Encoding", "chunked"),
    ("Content-Type", 'text/xml; charset="utf-8"'),
]) + chunked)


# --- session.har ----------------------------------------------------------------------------

HAR_PROPFIND_REQ = """<?xml version="1.0" encoding="utf-8"?>
<d:propfind xmlns:d="DAV:"><d:prop><d:displayname/><d:getcontentlength/><d:getlastmodified/><d:getetag/><d:resourcetype/></d:prop></d:propfind>"""

HAR_PROPFIND_BODY = """<?xml version="1.0"?>
<d:multistatus xmlns:d="DAV:" xmlns:s="http://sabredav.org/ns">
 <d:response>
  <d:href>/files/team/</d:href>
  <d:propstat>
   <d:prop>
    <d:displayname>team</d:displayname>
    <d:getlastmodified>Wed, 14 Aug 2024 09:12:40 GMT</d:getlastmodified>
    <d:getetag>"66bc7578a1b9e"</d:getetag>
    <d:resourcetype><d:collection/></d:resourcetype>
   </d:prop>
   <d:status>HTTP/1.1 200 OK</d:status>
  </d:propstat>
  <d:propstat>
   <d:prop>
    <d:getcontentlength/>
   </d:prop>
   <d:status>HTTP/1.1 404 Not Found</d:status>
  </d:propstat>
 </d:response>
 <d:response>
  <d:href>/files/team/sprint-42.md</d:href>
  <d:propstat>
   <d:prop>
    <d:displayname>sprint-42.md</d:displayname>
    <d:getcontentlength>7731</d:getcontentlength>
    <d:getlastmodified>Wed, 14 Aug 2024 09:12:40 GMT</d:getlastmodified>
    <d:getetag>"66bc7578a1b9e"</d:getetag>
    <d:resourcetype/>
   </d:prop>
   <d:status>HTTP/1.1 200 OK</d:status>
  </d:propstat>
 </d:response>
 <d:response>
  <d:href>/files/team/hr/</d:href>
  <d:status>HTTP/1.1 403 Forbidden</d:status>
  <d:error>
   <d:need-privileges>
    <d:resource>
     <d:href>/files/team/hr/</d:href>
     <d:privilege><d:read/></d:privilege>
    </d:resource>
   </d:need-privileges>
  </d:error>
 </d:response>
 <d:response>
  <d:href>/files/team/architecture%20overview.svg</d:href>
  <d:propstat>
   <d:prop>
    <d:displayname>architecture overview.svg</d:displayname>
    <d:getcontentlength>48260</d:getcontentlength>
    <d:getlastmodified>Thu, 08 Aug 2024 13:37:02 GMT</d:getlastmodified>
    <d:getetag>"66b4ca1e5f3d7"</d:getetag>
    <d:resourcetype/>
   </d:prop>
   <d:status>HTTP/1.1 200 OK</d:status>
  </d:propstat>
 </d:response>
</d:multistatus>
"""

HAR_REPORT_REQ = """<?xml version="1.0" encoding="utf-8"?>
<c:calendar-multiget xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:getetag/></d:prop><d:href>/calendars/team/shared/release-2024-08.ics</d:href><d:href>/calendars/team/shared/retro-sprint-41.ics</d:href><d:href>/calendars/team/shared/offsite-planning.ics</d:href></c:calendar-multiget>"""

HAR_REPORT_BODY = """<?xml version="1.0"?>
<d:multistatus xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav">
 <d:response>
  <d:href>/calendars/team/shared/release-2024-08.ics</d:href>
  <d:propstat>
   <d:prop>
    <d:getetag>"4f2a9c1e7b30d865"</d:getetag>
   </d:prop>
   <d:status>HTTP/1.1 200 OK</d:status>
  </d:propstat>
 </d:response>
 <d:response>
  <d:href>/calendars/team/shared/retro-sprint-41.ics</d:href>
  <d:status>HTTP/1.1 404 Not Found</d:status>
 </d:response>
 <d:response>
  <d:href>/calendars/team/shared/offsite-planning.ics</d:href>
  <d:propstat>
   <d:prop>
    <d:getetag>"91d0e35b2c7f48a6"</d:getetag>
   </d:prop>
   <d:status>HTTP/1.1 200 OK</d:status>
  </d:propstat>
 </d:response>
</d:multistatus>
"""

UA = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"


def req_headers(host, extra):
    return [{"name": "Host", "value": host},
            {"name": "User-Agent", "value": UA},
            {"name": "Accept", "value": "*/*"},
            {"name": "Authorization", "value": "Basic REDACTED"}] + extra


def resp_headers(pairs):
    return [{"name": n, "value": v} for n, v in pairs]


propfind_bytes = HAR_PROPFIND_BODY.encode("utf-8")
report_bytes = HAR_REPORT_BODY.encode("utf-8")

har = {"log": {
    "version": "1.2",
    "creator": {"name": "Firefox", "version": "128.0"},
    "browser": {"name": "Firefox", "version": "128.0"},
    "pages": [],
    "entries": [
        {
            "startedDateTime": "2024-08-14T09:15:02.114Z",
            "time": 86,
            "request": {
                "method": "PROPFIND",
                "url": "https://dav.example.com/files/team/",
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": req_headers("dav.example.com", [
                    {"name": "Depth", "value": "1"},
                    {"name": "Content-Type", "value": "application/xml; charset=utf-8"},
                    {"name": "Content-Length", "value": str(len(HAR_PROPFIND_REQ.encode("utf-8")))},
                ]),
                "queryString": [],
                "postData": {"mimeType": "application/xml; charset=utf-8", "params": [],
                             "text": HAR_PROPFIND_REQ},
                "headersSize": -1,
                "bodySize": len(HAR_PROPFIND_REQ.encode("utf-8")),
            },
            "response": {
                "status": 207,
                "statusText": "Multi-Status",
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": resp_headers([
                    ("Date", "Wed, 14 Aug 2024 09:15:02 GMT"),
                    ("Server", "Apache"),
                    ("Content-Type", "application/xml; charset=utf-8"),
                    ("Content-Length", str(len(propfind_bytes))),
                    ("DAV", "1, 3, extended-mkcol, access-control"),
                    ("Vary", "Brief,Prefer"),
                ]),
                "content": {"size": len(propfind_bytes),
                            "mimeType": "application/xml; charset=utf-8",
                            "text": HAR_PROPFIND_BODY},
                "redirectURL": "",
                "headersSize": -1,
                "bodySize": len(propfind_bytes),
            },
            "cache": {},
            "timings": {"blocked": 0, "dns": 0, "connect": 0, "ssl": 0, "send": 0, "wait": 84, "receive": 2},
            "serverIPAddress": "203.0.113.24",
            "connection": "443",
        },
        {
            "startedDateTime": "2024-08-14T09:15:03.502Z",
            "time": 31,
            "request": {
                "method": "OPTIONS",
                "url": "https://dav.example.com/files/team/",
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": req_headers("dav.example.com", []),
                "queryString": [],
                "headersSize": -1,
                "bodySize": 0,
            },
            "response": {
                "status": 200,
                "statusText": "OK",
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": resp_headers([
                    ("Date", "Wed, 14 Aug 2024 09:15:03 GMT"),
                    ("Server", "Apache"),
                    ("DAV", "1, 3, extended-mkcol, access-control, calendar-access"),
                    ("MS-Author-Via", "DAV"),
                    ("Allow", "OPTIONS, GET, HEAD, DELETE, PROPFIND, PUT, PROPPATCH, COPY, MOVE, REPORT, LOCK, UNLOCK"),
                    ("Accept-Ranges", "bytes"),
                    ("Content-Length", "0"),
                ]),
                "content": {"size": 0, "mimeType": "x-unknown"},
                "redirectURL": "",
                "headersSize": -1,
                "bodySize": 0,
            },
            "cache": {},
            "timings": {"blocked": 0, "dns": 0, "connect": 0, "ssl": 0, "send": 0, "wait": 30, "receive": 1},
            "serverIPAddress": "203.0.113.24",
            "connection": "443",
        },
        {
            "startedDateTime": "2024-08-14T09:15:04.871Z",
            "time": 57,
            "request": {
                "method": "REPORT",
                "url": "https://dav.example.com/calendars/team/shared/",
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": req_headers("dav.example.com", [
                    {"name": "Depth", "value": "1"},
                    {"name": "Content-Type", "value": "application/xml; charset=utf-8"},
                    {"name": "Content-Length", "value": str(len(HAR_REPORT_REQ.encode("utf-8")))},
                ]),
                "queryString": [],
                "postData": {"mimeType": "application/xml; charset=utf-8", "params": [],
                             "text": HAR_REPORT_REQ},
                "headersSize": -1,
                "bodySize": len(HAR_REPORT_REQ.encode("utf-8")),
            },
            "response": {
                "status": 207,
                "statusText": "Multi-Status",
                "httpVersion": "HTTP/1.1",
                "cookies": [],
                "headers": resp_headers([
                    ("Date", "Wed, 14 Aug 2024 09:15:04 GMT"),
                    ("Server", "Apache"),
                    ("Content-Type", "application/xml; charset=utf-8"),
                    ("Content-Length", str(len(report_bytes))),
                    ("DAV", "1, 3, extended-mkcol, access-control, calendar-access"),
                ]),
                "content": {"size": len(report_bytes),
                            "mimeType": "application/xml; charset=utf-8",
                            "encoding": "base64",
                            "text": base64.b64encode(report_bytes).decode("ascii")},
                "redirectURL": "",
                "headersSize": -1,
                "bodySize": len(report_bytes),
            },
            "cache": {},
            "timings": {"blocked": 0, "dns": 0, "connect": 0, "ssl": 0, "send": 0, "wait": 55, "receive": 2},
            "serverIPAddress": "203.0.113.24",
            "connection": "443",
        },
    ],
}}

write("session.har", (json.dumps(har, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


# --- latin1.xml -----------------------------------------------------------------------------
# Hrefs are percent-encoded UTF-8 (ASCII on the wire); display names are raw ISO-8859-1 bytes.

LATIN1_XML = """<?xml version="1.0" encoding="ISO-8859-1"?>
<D:multistatus xmlns:D="DAV:">
  <D:response>
    <D:href>/dav/buchhaltung/</D:href>
    <D:propstat>
      <D:prop>
        <D:displayname>buchhaltung</D:displayname>
        <D:resourcetype><D:collection/></D:resourcetype>
        <D:getlastmodified>Thu, 11 Jul 2024 07:30:00 GMT</D:getlastmodified>
      </D:prop>
      <D:status>HTTP/1.1 200 OK</D:status>
    </D:propstat>
  </D:response>
  <D:response>
    <D:href>/dav/buchhaltung/R%C3%A9sum%C3%A9.txt</D:href>
    <D:propstat>
      <D:prop>
        <D:displayname>Résumé.txt</D:displayname>
        <D:resourcetype/>
        <D:getcontentlength>5120</D:getcontentlength>
        <D:getlastmodified>Tue, 09 Jul 2024 15:12:48 GMT</D:getlastmodified>
      </D:prop>
      <D:status>HTTP/1.1 200 OK</D:status>
    </D:propstat>
  </D:response>
  <D:response>
    <D:href>/dav/buchhaltung/Gr%C3%B6%C3%9Fe%20%C3%BCbersicht.ods</D:href>
    <D:propstat>
      <D:prop>
        <D:displayname>Größe übersicht.ods</D:displayname>
        <D:resourcetype/>
        <D:getcontentlength>23811</D:getcontentlength>
        <D:getlastmodified>Wed, 10 Jul 2024 08:41:03 GMT</D:getlastmodified>
      </D:prop>
      <D:status>HTTP/1.1 200 OK</D:status>
    </D:propstat>
  </D:response>
  <D:response>
    <D:href>/dav/buchhaltung/Re%C3%A7u%20n%C2%B012.pdf</D:href>
    <D:propstat>
      <D:prop>
        <D:displayname>Reçu n°12 (Août).pdf</D:displayname>
        <D:resourcetype/>
        <D:getcontentlength>90417</D:getcontentlength>
        <D:getlastmodified>Thu, 11 Jul 2024 07:30:00 GMT</D:getlastmodified>
      </D:prop>
      <D:status>HTTP/1.1 200 OK</D:status>
    </D:propstat>
  </D:response>
</D:multistatus>
"""

write("latin1.xml", LATIN1_XML.encode("iso-8859-1"))
