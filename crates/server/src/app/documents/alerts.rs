//! In-app alerts, computed when asked (never stale): incoming documents not registered in time, deadlines near
//! or passed, review steps past their days (to the reviewer and, as escalation, to the drafting unit's
//! leaders), units with nobody to receive documents.

use super::*;

/// An incoming document waiting this long without an arrival number is late (NĐ 30: registered the same day).
pub const UNREGISTERED_AFTER_MS: i64 = 4 * 3600 * 1000;
/// A sent document not yet accepted by a recipient inside the installation after this long is flagged to the sender.
pub const UNACKNOWLEDGED_AFTER_MS: i64 = 24 * 3600 * 1000;
/// A deadline this many days ahead is near.
pub const DEADLINE_NEAR_DAYS: i64 = 2;

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AlertView {
    /// `unregistered`, `unacknowledged`, `overdue`, `due_soon`, `review_overdue`, `unit_review_overdue`,
    /// `unit_overdue`, `no_clerk`.
    pub kind: String,
    /// `danger` or `warning`.
    pub level: String,
    pub message: String,
    pub count: i64,
    /// Where to act (a web page).
    pub link: String,
}

impl App {
    /// The alerts of the actor's roles.
    pub async fn alerts(&self, actor: &Actor) -> AppResult<Vec<AlertView>> {
        self.alerts_at(actor, now_ms()).await
    }

    /// The alerts as they stand at `now` (ms); deadlines are compared with today's local date.
    pub async fn alerts_at(&self, actor: &Actor, now: i64) -> AppResult<Vec<AlertView>> {
        let mut r = self.store.read().await?;
        let mut out = Vec::new();
        let clerk_units = units_with_role(actor, Role::Clerk);
        if !clerk_units.is_empty() {
            let mut f = DocFilter::new(actor.clearance, DocScope::Units(clerk_units));
            f.states = vec![DocState::Received];
            f.received_before = Some(now - UNREGISTERED_AFTER_MS);
            let n = r.count_documents(&f).await?;
            if n > 0 {
                out.push(AlertView {
                    kind: "unregistered".into(),
                    level: "danger".into(),
                    message: format!(
                        "{n} văn bản đến đã quá {} giờ chưa được vào sổ.",
                        UNREGISTERED_AFTER_MS / 3_600_000
                    ),
                    count: n,
                    link: "/documents/queues/to_register".into(),
                });
            }
        }
        let issuers: Vec<i64> = {
            let mut u = units_with_role(actor, Role::Clerk);
            u.extend(units_with_role(actor, Role::Leader));
            u.sort();
            u.dedup();
            u
        };
        let waiting = r
            .count_unacknowledged(
                &issuers,
                now - UNACKNOWLEDGED_AFTER_MS,
                actor.clearance.level(),
            )
            .await?;
        if waiting > 0 {
            out.push(AlertView {
                kind: "unacknowledged".into(),
                level: "warning".into(),
                message: format!(
                    "{waiting} nơi nhận trong hệ thống chưa tiếp nhận văn bản đơn vị gửi sau {} giờ.",
                    UNACKNOWLEDGED_AFTER_MS / 3_600_000
                ),
                count: waiting,
                link: format!("/documents?unit_id={}&direction=outgoing&state=issued", issuers[0]),
            });
        }
        let yesterday = date_after_today(-1);
        let mut overdue = DocFilter::new(actor.clearance, DocScope::AssignedTo(actor.person_id));
        overdue.due_by = Some(yesterday.clone());
        let late = r.count_documents(&overdue).await?;
        if late > 0 {
            out.push(AlertView {
                kind: "overdue".into(),
                level: "danger".into(),
                message: format!("{late} văn bản bạn được giao đã quá hạn xử lý."),
                count: late,
                link: "/documents/queues/assigned".into(),
            });
        }
        let mut soon = DocFilter::new(actor.clearance, DocScope::AssignedTo(actor.person_id));
        soon.due_by = Some(date_after_today(DEADLINE_NEAR_DAYS));
        let near = r.count_documents(&soon).await? - late;
        if near > 0 {
            out.push(AlertView {
                kind: "due_soon".into(),
                level: "warning".into(),
                message: format!(
                    "{near} văn bản bạn được giao sắp đến hạn (trong {DEADLINE_NEAR_DAYS} ngày)."
                ),
                count: near,
                link: "/documents/queues/assigned".into(),
            });
        }
        // Review steps past their days: the reviewer, then (escalation) the leaders of the drafting unit.
        let mut slow = DocFilter::new(actor.clearance, DocScope::ReviewBy(actor.person_id, now));
        slow.step_due_before = Some(now);
        let n = r.count_documents(&slow).await?;
        if n > 0 {
            out.push(AlertView {
                kind: "review_overdue".into(),
                level: "danger".into(),
                message: format!("{n} dự thảo chờ ý kiến của bạn đã quá thời hạn của bước duyệt."),
                count: n,
                link: "/documents/queues/to_review".into(),
            });
        }
        let leader_units = units_with_role(actor, Role::Leader);
        if !leader_units.is_empty() {
            let mut f = DocFilter::new(actor.clearance, DocScope::Units(leader_units.clone()));
            f.step_due_before = Some(now);
            let n = r.count_documents(&f).await?;
            if n > 0 {
                out.push(AlertView {
                    kind: "unit_review_overdue".into(),
                    level: "warning".into(),
                    message: format!(
                        "{n} dự thảo của đơn vị đang chậm ở một bước duyệt quá thời hạn."
                    ),
                    count: n,
                    link: format!("/documents?unit_id={}&state=in_review", leader_units[0]),
                });
            }
        }
        if !leader_units.is_empty() {
            let mut f = DocFilter::new(actor.clearance, DocScope::Units(leader_units.clone()));
            f.direction = Some(vanthu_store::Direction::Incoming);
            f.due_by = Some(yesterday);
            let n = r.count_documents(&f).await?;
            if n > 0 {
                out.push(AlertView {
                    kind: "unit_overdue".into(),
                    level: "warning".into(),
                    message: format!("{n} văn bản đến của đơn vị đã quá hạn xử lý."),
                    count: n,
                    link: format!("/documents?unit_id={}", leader_units[0]),
                });
            }
        }
        if actor.is_any_admin() {
            for uid in r.units_without_clerk().await? {
                if actor.in_scope(&r.ancestry(uid).await?)
                    && let Some(u) = r.unit(uid).await?
                {
                    out.push(AlertView {
                        kind: "no_clerk".into(),
                        level: "danger".into(),
                        message: format!(
                            "{} có sổ văn bản đến nhưng không còn văn thư nào nhận văn bản.",
                            u.name
                        ),
                        count: 1,
                        link: format!("/units/{uid}"),
                    });
                }
            }
        }
        Ok(out)
    }
}
