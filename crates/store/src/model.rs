//! Rows as stored. Values were validated by the domain types before they were written.

use vanthu_domain::{Clearance, CodeFormat, Role, Side, UnitKind};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unit {
    pub id: i64,
    pub key: String,
    pub code: Option<String>,
    pub code_format: CodeFormat,
    pub old_code: Option<String>,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: UnitKind,
    pub side: Side,
    pub parent_id: Option<i64>,
    pub active: bool,
    /// Local dates `YYYY-MM-DD` from which and until which the unit exists (restructuring).
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

/// The editable fields of a unit (everything but its place in the tree and its state).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitFields {
    pub key: String,
    pub code: Option<String>,
    pub code_format: CodeFormat,
    pub old_code: Option<String>,
    pub name: String,
    pub short_name: Option<String>,
    pub kind: UnitKind,
    pub side: Side,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
}

impl Unit {
    pub fn fields(&self) -> UnitFields {
        UnitFields {
            key: self.key.clone(),
            code: self.code.clone(),
            code_format: self.code_format,
            old_code: self.old_code.clone(),
            name: self.name.clone(),
            short_name: self.short_name.clone(),
            kind: self.kind,
            side: self.side,
            valid_from: self.valid_from.clone(),
            valid_to: self.valid_to.clone(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Person {
    pub id: i64,
    pub username: String,
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub clearance: Clearance,
    pub system_admin: bool,
    pub active: bool,
    pub must_change_password: bool,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PersonFields {
    pub full_name: String,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub clearance: Clearance,
    pub system_admin: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub person_id: i64,
    pub unit_id: i64,
    pub position: Option<String>,
    /// Roles within this unit (never `system_admin`, which belongs to the person).
    pub roles: Vec<Role>,
    pub is_primary: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MembershipFields {
    pub position: Option<String>,
    pub roles: Vec<Role>,
    pub is_primary: bool,
}

/// What sign-in needs to know about an account.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub person_id: i64,
    pub password_hash: Option<String>,
    pub failed_logins: i64,
    pub locked_until: i64,
    pub active: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    /// A bearer token for the API.
    Api,
    /// A web session behind a cookie.
    Web,
}

impl TokenKind {
    pub fn code(self) -> &'static str {
        match self {
            TokenKind::Api => "api",
            TokenKind::Web => "web",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Token {
    pub person_id: i64,
    pub kind: TokenKind,
    pub csrf: Option<String>,
    pub created_at: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoginEvent {
    pub id: i64,
    pub at: i64,
    pub username: String,
    pub person_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub success: bool,
    /// `ok`, `bad_password`, `unknown_user`, `locked`, `inactive`.
    pub reason: String,
    /// `web` or `api`.
    pub channel: String,
    pub ip: Option<String>,
}

/// One history event: who did what to which entity, when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Event {
    pub id: i64,
    pub at: i64,
    pub actor_id: Option<i64>,
    pub action: String,
    pub entity: String,
    pub entity_id: i64,
    /// A Vietnamese sentence shown in the history.
    pub summary: String,
    /// JSON object with the changed values.
    pub details: String,
}

#[derive(Debug, Clone)]
pub struct NewEvent<'a> {
    pub actor_id: Option<i64>,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: i64,
    pub summary: String,
    pub details: serde_json::Value,
}

#[derive(Debug, Clone, Default)]
pub struct PeopleFilter {
    pub unit_id: Option<i64>,
    pub include_inactive: bool,
    /// Case-insensitive substring of the username or the name.
    pub query: Option<String>,
    pub limit: i64,
    pub offset: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Register {
    pub id: i64,
    pub unit_id: i64,
    pub kind: vanthu_domain::numbering::RegisterKind,
    /// `2026` or a Party term `2025-2030`.
    pub period: String,
    pub secret: bool,
    /// Empty: one series for every document type; else the type abbreviation with its own series.
    pub series: String,
    pub name: String,
    /// The number the next document will get.
    pub next_number: i64,
    pub active: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterFields {
    pub kind: vanthu_domain::numbering::RegisterKind,
    pub period: String,
    pub secret: bool,
    pub series: String,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterEntry {
    pub register_id: i64,
    pub number: i64,
    /// Number and notation as given (`15/QĐ-UBND`), when the clerk asked for one.
    pub notation: Option<String>,
    /// `reserved` or `cancelled` (documents will add `used`).
    pub status: String,
    pub reason: Option<String>,
    pub taken_by: i64,
    pub taken_at: i64,
    pub cancelled_by: Option<i64>,
    pub cancelled_at: Option<i64>,
}

/// A document type (loại văn bản) with its abbreviation on the State and the Party side.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentType {
    pub code: String,
    pub name: String,
    pub state_abbr: Option<String>,
    pub party_abbr: Option<String>,
    /// Shipped with vanthu (NĐ 30/2020, HD 36-HD/VPTW); may be edited and stopped, not removed.
    pub builtin: bool,
    pub active: bool,
    pub created_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocumentTypeFields {
    pub name: String,
    pub state_abbr: Option<String>,
    pub party_abbr: Option<String>,
    pub active: bool,
}
