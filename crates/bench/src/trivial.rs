//! The baseline: a minimal axum server on a multi-thread tokio runtime, run as a separate process
//! (this program started again with `--trivial-server ADDR --body-file PATH`).

use anyhow::{Context, Result, bail};
use axum::Router;
use axum::body::Bytes;
use axum::http::header::CONTENT_TYPE;
use axum::routing::get;
use std::net::SocketAddr;
use std::path::Path;

/// `/tiny` answers `ok`; `/same-size` answers the bytes of `body_file` as JSON (the parent writes there the
/// real `/api/v1/units` body, so both answers have exactly the same length).
pub fn serve(addr: &str, body_file: &Path) -> Result<()> {
    let addr: SocketAddr = addr
        .parse()
        .with_context(|| format!("not an address: {addr}"))?;
    if !addr.ip().is_loopback() {
        bail!("the trivial server listens on 127.0.0.1 only, not {addr}");
    }
    let body = Bytes::from(
        std::fs::read(body_file).with_context(|| format!("cannot read {}", body_file.display()))?,
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    rt.block_on(async move {
        let app = Router::new().route("/tiny", get(|| async { "ok" })).route(
            "/same-size",
            get(move || {
                let body = body.clone();
                async move { ([(CONTENT_TYPE, "application/json")], body) }
            }),
        );
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .with_context(|| format!("cannot listen on {addr}"))?;
        axum::serve(listener, app)
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await?;
        Ok(())
    })
}
