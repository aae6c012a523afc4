//! What the API answers and the pages show: stored rows turned into plain, documented values.

use serde::Serialize;
use utoipa::ToSchema;
use vanthu_store::{Event, Membership, Person, Unit};

/// A stored time as RFC 3339 in UTC, as the API answers it.
pub fn iso(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// Việt Nam's time zone (UTC+7, no daylight saving): registers, deadlines and dates shown follow it.
pub fn vn_offset() -> time::UtcOffset {
    time::UtcOffset::from_hms(7, 0, 0).expect("valid offset")
}

/// The current year in Việt Nam: registers and deadlines follow local dates.
pub fn current_local_year() -> i32 {
    time::OffsetDateTime::now_utc()
        .to_offset(vn_offset())
        .year()
}

/// Today in Việt Nam, `YYYY-MM-DD`.
pub fn today_local() -> String {
    date_after_today(0)
}

/// The local date `days` after today (before, when negative), `YYYY-MM-DD`.
pub fn date_after_today(days: i64) -> String {
    let d = time::OffsetDateTime::now_utc()
        .to_offset(vn_offset())
        .date()
        + time::Duration::days(days);
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

/// Midnight at the start of a local date `YYYY-MM-DD`, in ms since the epoch.
pub fn local_midnight_ms(date: &str) -> Option<i64> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let d = time::Date::parse(date, &fmt).ok()?;
    Some(
        (d.midnight()
            .assume_offset(vn_offset())
            .unix_timestamp_nanos()
            / 1_000_000) as i64,
    )
}

/// Formats a stored time for people: local time of Việt Nam, `dd/mm/yyyy HH:MM`.
pub fn local_time(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .map(|t| t.to_offset(vn_offset()))
        .ok()
        .and_then(|t| {
            t.format(time::macros::format_description!(
                "[day]/[month]/[year] [hour]:[minute]"
            ))
            .ok()
        })
        .unwrap_or_default()
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct UnitView {
    pub id: i64,
    /// Internal key (mã nội bộ), unique, used in imports.
    pub key: String,
    /// Identifier code (mã định danh).
    pub code: Option<String>,
    /// `axis` (NNN.NN.NN.LNN) or `other`.
    pub code_format: String,
    pub old_code: Option<String>,
    pub name: String,
    pub short_name: Option<String>,
    /// `agency`, `department`, `commune`, `ward`, `special_zone`.
    pub kind: String,
    pub kind_label: String,
    /// `party` or `state`.
    pub side: String,
    pub side_label: String,
    pub parent_id: Option<i64>,
    pub active: bool,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub created_at: String,
    pub updated_at: String,
}

impl From<&Unit> for UnitView {
    fn from(u: &Unit) -> Self {
        UnitView {
            id: u.id,
            key: u.key.clone(),
            code: u.code.clone(),
            code_format: u.code_format.as_str().into(),
            old_code: u.old_code.clone(),
            name: u.name.clone(),
            short_name: u.short_name.clone(),
            kind: u.kind.code().into(),
            kind_label: u.kind.label().into(),
            side: u.side.code().into(),
            side_label: u.side.label().into(),
            parent_id: u.parent_id,
            active: u.active,
            valid_from: u.valid_from.clone(),
            valid_to: u.valid_to.clone(),
            created_at: iso(u.created_at),
            updated_at: iso(u.updated_at),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MembershipOut {
    pub unit_id: i64,
    pub unit_name: String,
    pub position: Option<String>,
    /// Role codes: `clerk`, `leader`, `specialist`, `unit_admin`.
    pub roles: Vec<String>,
    pub role_labels: Vec<String>,
    pub is_primary: bool,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PersonView {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    /// `none`, `mat`, `toi_mat` or `tuyet_mat`; shown to administrators only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub clearance: Option<String>,
    pub system_admin: bool,
    pub active: bool,
    pub must_change_password: bool,
    pub memberships: Vec<MembershipOut>,
    pub created_at: String,
    pub updated_at: String,
}

impl PersonView {
    pub fn build(
        p: &Person,
        ms: &[Membership],
        unit_name: impl Fn(i64) -> String,
        show_clearance: bool,
    ) -> PersonView {
        PersonView {
            id: p.id,
            username: p.username.clone(),
            full_name: p.full_name.clone(),
            email: p.email.clone(),
            phone: p.phone.clone(),
            clearance: show_clearance.then(|| p.clearance.code().to_string()),
            system_admin: p.system_admin,
            active: p.active,
            must_change_password: p.must_change_password,
            memberships: ms
                .iter()
                .map(|m| MembershipOut {
                    unit_id: m.unit_id,
                    unit_name: unit_name(m.unit_id),
                    position: m.position.clone(),
                    roles: m.roles.iter().map(|r| r.code().to_string()).collect(),
                    role_labels: m.roles.iter().map(|r| r.label().to_string()).collect(),
                    is_primary: m.is_primary,
                })
                .collect(),
            created_at: iso(p.created_at),
            updated_at: iso(p.updated_at),
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct EventView {
    pub id: i64,
    pub at: String,
    pub actor_id: Option<i64>,
    pub actor: Option<String>,
    pub action: String,
    pub entity: String,
    pub entity_id: i64,
    pub summary: String,
    #[schema(value_type = Object)]
    pub details: serde_json::Value,
}

impl EventView {
    pub fn build(e: &Event, actor: Option<String>) -> EventView {
        EventView {
            id: e.id,
            at: iso(e.at),
            actor_id: e.actor_id,
            actor,
            action: e.action.clone(),
            entity: e.entity.clone(),
            entity_id: e.entity_id,
            summary: e.summary.clone(),
            details: serde_json::from_str(&e.details).unwrap_or(serde_json::Value::Null),
        }
    }
}
