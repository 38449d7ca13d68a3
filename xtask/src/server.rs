//! A static server for `dist/`, as the site should be deployed: the brotli
//! or gzip copy of a file when the browser accepts it (`Content-Encoding`),
//! HEAD, Range and `If-Modified-Since` (all from tower-http's `ServeDir`),
//! the Content-Security-Policy of `index.html` as a header, so that it also
//! covers the web worker and the service worker, which a `<meta>` tag cannot.
//!
//! [`Host::Plain`] plays the simplest static host instead: gzip only, and no
//! `ETag` or `Last-Modified`, so a browser can never revalidate a file and
//! anything it fetches twice is downloaded twice. The benchmark and the
//! "each file once" browser test run against both.
//!
//! Caveat: it is for this machine (`127.0.0.1`) and the browser tests, not
//! the internet: no TLS, no limits.

use std::convert::Infallible;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use hyper::body::Incoming;
use hyper::header::{self, HeaderValue};
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use tower_http::services::fs::ServeFileSystemResponseBody;
use tower_http::services::ServeDir;
use tower_service::Service as _;

/// Content types the app depends on, whatever the MIME table says:
/// `WebAssembly.instantiateStreaming` requires `application/wasm`.
const CONTENT_TYPES: &[(&str, &str)] = &[
    ("html", "text/html; charset=utf-8"),
    ("js", "text/javascript; charset=utf-8"),
    ("css", "text/css; charset=utf-8"),
    ("wasm", "application/wasm"),
    ("icdx", "application/octet-stream"),
    ("json", "application/json"),
    ("webmanifest", "application/manifest+json"),
    ("svg", "image/svg+xml"),
    ("png", "image/png"),
];

/// How the site is served.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Host {
    /// As it should be deployed: the `.br` or `.gz` copy, `Last-Modified`.
    Precompressed,
    /// A plain host: the `.gz` copy only, no `ETag`, no `Last-Modified`.
    Plain,
}

#[derive(Debug)]
struct Site {
    files: ServeDir,
    csp: HeaderValue,
    host: Host,
    log: bool,
}

/// Serves `dist` on `listener` until the process ends.
pub fn serve(dist: &Path, listener: TcpListener, host: Host, log: bool) -> Result<()> {
    let csp = content_security_policy(&dist.join("index.html"))?;
    let files = match host {
        Host::Precompressed => ServeDir::new(dist).precompressed_br().precompressed_gzip(),
        Host::Plain => ServeDir::new(dist).precompressed_gzip(),
    };
    let site = Arc::new(Site {
        files,
        csp: HeaderValue::from_str(&csp).context("the CSP is not a valid header value")?,
        host,
        log,
    });
    listener.set_nonblocking(true)?;
    // One thread: the site is small, and tokio's file reads use its
    // blocking pool anyway.
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        loop {
            let (stream, _) = listener.accept().await?;
            let site = Arc::clone(&site);
            tokio::spawn(async move {
                let service = hyper::service::service_fn(move |req| Arc::clone(&site).respond(req));
                // A browser that drops a connection is not an error worth a line.
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    })
}

impl Site {
    async fn respond(
        self: Arc<Self>,
        req: Request<Incoming>,
    ) -> Result<Response<ServeFileSystemResponseBody>, Infallible> {
        let method = req.method().clone();
        let path = req.uri().path().to_owned();
        let mut files = self.files.clone();
        // `ServeDir` is always ready; a file it cannot read becomes a 500.
        let mut res = files.call(req).await?;
        let headers = res.headers_mut();
        if self.host == Host::Plain {
            headers.remove(header::ETAG);
            headers.remove(header::LAST_MODIFIED);
        }
        headers.insert(header::VARY, HeaderValue::from_static("Accept-Encoding"));
        headers.insert(
            header::X_CONTENT_TYPE_OPTIONS,
            HeaderValue::from_static("nosniff"),
        );
        headers.insert(header::CONTENT_SECURITY_POLICY, self.csp.clone());
        // Every file is revalidated (a cheap 304 when unchanged): data files
        // keep their names across releases, and offline use is the service
        // worker's job, not the HTTP cache's.
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
        if res.status().is_success() {
            let name = if path.ends_with('/') {
                "index.html"
            } else {
                &path
            };
            let ext = Path::new(name).extension().and_then(|e| e.to_str());
            if let Some((_, ty)) = CONTENT_TYPES.iter().find(|(e, _)| Some(*e) == ext) {
                res.headers_mut()
                    .insert(header::CONTENT_TYPE, HeaderValue::from_static(ty));
            }
        }
        if self.log {
            let h = res.headers();
            let get = |name| h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("-");
            eprintln!(
                "{method} {path} {} {} {}",
                res.status().as_u16(),
                get(header::CONTENT_ENCODING),
                get(header::CONTENT_LENGTH),
            );
        }
        Ok(res)
    }
}

/// The `content` of `<meta http-equiv="Content-Security-Policy">`.
pub fn content_security_policy(index: &Path) -> Result<String> {
    let html = std::fs::read_to_string(index)
        .with_context(|| format!("cannot read {index:?}; run `cargo xtask dist`"))?;
    for tag in html.split("<meta").skip(1) {
        let tag = tag.split('>').next().unwrap_or_default();
        if attribute(tag, "http-equiv")
            .is_some_and(|v| v.eq_ignore_ascii_case("Content-Security-Policy"))
        {
            if let Some(csp) = attribute(tag, "content") {
                return Ok(csp
                    .replace("&#39;", "'")
                    .replace("&quot;", "\"")
                    .replace("&amp;", "&"));
            }
        }
    }
    bail!("{index:?} has no Content-Security-Policy meta tag")
}

/// The value of `name="..."`, `name='...'` or `name=value` in a tag's text.
fn attribute<'a>(tag: &'a str, name: &str) -> Option<&'a str> {
    let mut rest = tag;
    while let Some(at) = rest.find(name) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + name.len()..].trim_start();
        rest = &rest[at + name.len()..];
        if !before.is_none_or(char::is_whitespace) {
            continue;
        }
        let Some(value) = after.strip_prefix('=').map(str::trim_start) else {
            continue;
        };
        return Some(match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or_default(),
            _ => value
                .split(|c: char| c.is_whitespace() || c == '/')
                .next()
                .unwrap_or_default(),
        });
    }
    None
}

/// Binds `127.0.0.1:port`; when the default port is taken, the next free one.
pub fn bind(port: u16, fixed: bool) -> Result<TcpListener> {
    let tries = if fixed { 1 } else { 20 };
    for p in (port..).take(tries) {
        match TcpListener::bind(("127.0.0.1", p)) {
            Ok(l) => {
                if p != port {
                    eprintln!("port {port} is taken; using {p}");
                }
                return Ok(l);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => {}
            Err(e) => return Err(e).context(format!("cannot listen on 127.0.0.1:{p}")),
        }
    }
    if fixed {
        bail!("port {port} is taken: stop what uses it or pass another --port");
    }
    bail!("ports {port} to {} are all taken; pass --port", port + 19)
}

/// The absolute path of `dist`, for the tests' `ICD_DIST`.
pub fn absolute(dist: &Path) -> Result<PathBuf> {
    dist.canonicalize()
        .with_context(|| format!("{dist:?} does not exist; run `cargo xtask dist`"))
}

#[cfg(test)]
mod tests {
    use super::attribute;

    #[test]
    fn attributes_quoted_or_not() {
        let tag = r#" http-equiv="Content-Security-Policy" content="default-src 'self'" /"#;
        assert_eq!(
            attribute(tag, "http-equiv"),
            Some("Content-Security-Policy")
        );
        assert_eq!(attribute(tag, "content"), Some("default-src 'self'"));
        assert_eq!(attribute(" name=x content=y", "content"), Some("y"));
        assert_eq!(attribute(" data-content=y", "content"), None);
    }
}
