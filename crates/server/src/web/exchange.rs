//! The exchange page of system administrators: packets waiting, retried or refused, packages taken from the
//! axis and what became of them (those for nobody here, those refused as unreadable), and the directory.

use super::{
    Layout, Notice, OrPage, Posted, WebError, WebPath, WebUser, parse_id, render, see_other,
};
use crate::App;
use crate::app::exchange::{AgencyView, InboxView, PacketView};
use askama::Template;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;

#[derive(Template)]
#[template(path = "exchange.html")]
struct ExchangeTpl {
    layout: Layout,
    waiting: Vec<PacketView>,
    failed: Vec<PacketView>,
    sent: Vec<PacketView>,
    attention: Vec<InboxView>,
    inbox: Vec<InboxView>,
    agencies: Vec<AgencyView>,
}

pub async fn page(State(app): State<App>, user: WebUser, n: Notice) -> Result<Response, WebError> {
    let a = &user.actor;
    let waiting = app
        .exchange_outbox(a, Some("queued"), 200)
        .await
        .or_page(&user)?;
    let failed = app
        .exchange_outbox(a, Some("failed"), 200)
        .await
        .or_page(&user)?;
    let sent = app
        .exchange_outbox(a, Some("sent"), 50)
        .await
        .or_page(&user)?;
    let mut attention = app
        .exchange_inbox(a, Some("unaddressed"), 200)
        .await
        .or_page(&user)?;
    attention.extend(
        app.exchange_inbox(a, Some("invalid"), 200)
            .await
            .or_page(&user)?,
    );
    attention.sort_by_key(|i| std::cmp::Reverse(i.id));
    let inbox = app.exchange_inbox(a, None, 50).await.or_page(&user)?;
    let agencies = app.exchange_agencies(a).await.or_page(&user)?;
    Ok(render(
        StatusCode::OK,
        &ExchangeTpl {
            layout: Layout::new(&user, "exchange").notice(n),
            waiting,
            failed,
            sent,
            attention,
            inbox,
            agencies,
        },
    ))
}

/// Sends a refused packet again.
pub async fn retry(
    State(app): State<App>,
    WebPath(id): WebPath<String>,
    p: Posted,
) -> Result<Response, WebError> {
    let id = parse_id(&id, &p.user)?;
    app.exchange_retry(&p.user.actor, id)
        .await
        .or_page(&p.user)?;
    Ok(see_other("/admin/exchange?notice=requeued"))
}

/// The package as it arrived.
pub async fn package(
    State(app): State<App>,
    WebPath(id): WebPath<String>,
    user: WebUser,
) -> Result<Response, WebError> {
    let id = parse_id(&id, &user)?;
    let (axis_id, bytes) = app.exchange_package(&user.actor, id).await.or_page(&user)?;
    Ok(crate::api::exchange::package_response(&axis_id, bytes))
}
