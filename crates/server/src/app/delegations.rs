//! Delegation (ủy quyền): for a period a person lets a colleague decide in their place on drafts waiting for
//! their review or signature; the history records on whose behalf.

use super::documents::person_ref;
use super::views::iso;
use super::{App, record};
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vanthu_domain::access::Actor;
use vanthu_domain::document::parse_date;
use vanthu_store::now_ms;

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DelegationInput {
    /// The colleague (sharing a unit with you) who decides in your place.
    pub to_person_id: i64,
    /// First day (`YYYY-MM-DD` or `dd/mm/yyyy`), local time.
    pub from: String,
    /// Last day, included; at most a year after the first.
    pub until: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DelegationView {
    pub id: i64,
    pub from: super::documents::PersonRef,
    pub to: super::documents::PersonRef,
    pub starts_at: String,
    pub ends_at: String,
    pub reason: String,
    /// In force now.
    pub active: bool,
    pub revoked_at: Option<String>,
}

fn local_midnight_ms(date: &str) -> AppResult<i64> {
    super::views::local_midnight_ms(date)
        .ok_or_else(|| AppError::Internal(format!("bad date {date}")))
}

impl App {
    pub async fn create_delegation(
        &self,
        actor: &Actor,
        input: &DelegationInput,
    ) -> AppResult<DelegationView> {
        let from = parse_date("from", "Ngày bắt đầu", &input.from)?;
        let until = parse_date("until", "Ngày kết thúc", &input.until)?;
        let reason = vanthu_domain::Name::parse("reason", "Lý do ủy quyền", &input.reason, 500)?
            .into_string();
        let starts = local_midnight_ms(&from)?;
        let ends = local_midnight_ms(&until)? + 24 * 3600 * 1000;
        if ends <= starts || ends - starts > 366 * 24 * 3600 * 1000 {
            return Err(AppError::Invalid {
                field: "until".into(),
                message: "Ngày kết thúc phải từ ngày bắt đầu trở đi, trong vòng một năm.".into(),
            });
        }
        if input.to_person_id == actor.person_id {
            return Err(AppError::Invalid {
                field: "to_person_id".into(),
                message: "Không thể ủy quyền cho chính mình.".into(),
            });
        }
        let mut tx = self.store.write().await?;
        let p = tx
            .person(input.to_person_id)
            .await?
            .filter(|p| p.active)
            .ok_or_else(|| AppError::Invalid {
                field: "to_person_id".into(),
                message: format!(
                    "Không có người dùng đang hoạt động số {}.",
                    input.to_person_id
                ),
            })?;
        if !tx
            .memberships(p.id)
            .await?
            .iter()
            .any(|m| actor.member_of(m.unit_id))
        {
            return Err(AppError::Invalid {
                field: "to_person_id".into(),
                message: format!("{} không cùng đơn vị với bạn.", p.full_name),
            });
        }
        let now = now_ms();
        let id = tx
            .insert_delegation(actor.person_id, p.id, starts, ends, &reason, now)
            .await?;
        record(
            &mut tx,
            Some(actor.person_id),
            "delegation.create",
            "person",
            actor.person_id,
            format!(
                "Ủy quyền cho {} từ {} đến {}: {reason}",
                p.full_name,
                input.from.trim(),
                input.until.trim()
            ),
            serde_json::json!({"delegation_id": id, "to": p.id}),
        )
        .await?;
        let d = tx
            .delegation(id)
            .await?
            .ok_or_else(|| AppError::Internal("delegation vanished".into()))?;
        let v = self.delegation_view(&mut *tx, &d).await?;
        tx.commit().await?;
        Ok(v)
    }

    async fn delegation_view(
        &self,
        tx: &mut dyn vanthu_store::ReadTx,
        d: &vanthu_store::Delegation,
    ) -> AppResult<DelegationView> {
        let now = now_ms();
        Ok(DelegationView {
            id: d.id,
            from: person_ref(tx, d.from_person).await?,
            to: person_ref(tx, d.to_person).await?,
            starts_at: iso(d.starts_at),
            ends_at: iso(d.ends_at),
            reason: d.reason.clone(),
            active: d.revoked_at.is_none() && d.starts_at <= now && now < d.ends_at,
            revoked_at: d.revoked_at.map(iso),
        })
    }

    /// Delegations the actor gave or received.
    pub async fn my_delegations(&self, actor: &Actor) -> AppResult<Vec<DelegationView>> {
        let mut r = self.store.read().await?;
        let mut out = Vec::new();
        for d in r.delegations_of(actor.person_id).await? {
            out.push(self.delegation_view(&mut *r, &d).await?);
        }
        Ok(out)
    }

    /// Ends a delegation the actor gave.
    pub async fn revoke_delegation(&self, actor: &Actor, id: i64) -> AppResult<DelegationView> {
        let mut tx = self.store.write().await?;
        if !tx.revoke_delegation(id, actor.person_id, now_ms()).await? {
            return Err(AppError::NotFound(format!(
                "Không có ủy quyền số {id} do bạn giao còn hiệu lực."
            )));
        }
        record(
            &mut tx,
            Some(actor.person_id),
            "delegation.revoke",
            "person",
            actor.person_id,
            format!("Thu hồi ủy quyền số {id}"),
            serde_json::json!({"delegation_id": id}),
        )
        .await?;
        let d = tx
            .delegation(id)
            .await?
            .ok_or_else(|| AppError::Internal("delegation vanished".into()))?;
        let v = self.delegation_view(&mut *tx, &d).await?;
        tx.commit().await?;
        Ok(v)
    }
}
