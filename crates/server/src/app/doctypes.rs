//! Document types (loại văn bản) as data: the NĐ 30/2020 and Party types ship with vanthu; system
//! administrators add types, edit abbreviations (the Party's Quy định is `QĐi` in older guidance, `QĐ` today)
//! and stop types no longer used.

use super::units::double_option;
use super::{App, record};
use crate::error::{AppError, AppResult};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use vanthu_domain::Name;
use vanthu_domain::access::Actor;
use vanthu_domain::numbering::parse_abbreviation;
use vanthu_store::{DocumentType, DocumentTypeFields, now_ms};

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DocumentTypeView {
    /// Stable code, e.g. `quyet_dinh`, `cong_van`.
    pub code: String,
    pub name: String,
    /// Abbreviation in State notations (`QĐ`); none for công văn.
    pub state_abbr: Option<String>,
    /// Abbreviation in Party notations (`CV`).
    pub party_abbr: Option<String>,
    pub builtin: bool,
    pub active: bool,
}

impl From<&DocumentType> for DocumentTypeView {
    fn from(t: &DocumentType) -> Self {
        DocumentTypeView {
            code: t.code.clone(),
            name: t.name.clone(),
            state_abbr: t.state_abbr.clone(),
            party_abbr: t.party_abbr.clone(),
            builtin: t.builtin,
            active: t.active,
        }
    }
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentTypeInput {
    /// 2 to 40 lowercase ASCII letters, digits and `_`.
    pub code: String,
    pub name: String,
    pub state_abbr: Option<String>,
    pub party_abbr: Option<String>,
}

#[derive(Debug, Clone, Deserialize, ToSchema, Default)]
#[serde(deny_unknown_fields)]
pub struct DocumentTypePatch {
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub state_abbr: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub party_abbr: Option<Option<String>>,
    pub active: Option<bool>,
}

fn parse_code(raw: &str) -> AppResult<String> {
    let s = raw.trim();
    let ok = (2..=40).contains(&s.len())
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if !ok {
        return Err(AppError::Invalid {
            field: "code".into(),
            message: format!(
                "Mã loại văn bản \"{s}\" không hợp lệ: dùng 2–40 chữ thường không dấu, chữ số và dấu _."
            ),
        });
    }
    Ok(s.to_string())
}

fn abbr(field: &'static str, raw: Option<&str>) -> AppResult<Option<String>> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        Some(a) => Ok(Some(parse_abbreviation(field, a)?)),
        None => Ok(None),
    }
}

fn only_system_admin(actor: &Actor) -> AppResult<vanthu_domain::access::SystemGrant> {
    actor.system_grant().ok_or_else(|| {
        AppError::Forbidden("Chỉ quản trị hệ thống được thêm hoặc sửa loại văn bản.".into())
    })
}

impl App {
    pub async fn list_document_types(
        &self,
        include_inactive: bool,
    ) -> AppResult<Vec<DocumentTypeView>> {
        let types = self
            .store
            .read()
            .await?
            .document_types(include_inactive)
            .await?;
        Ok(types.iter().map(DocumentTypeView::from).collect())
    }

    pub async fn create_document_type(
        &self,
        actor: &Actor,
        input: &DocumentTypeInput,
    ) -> AppResult<DocumentTypeView> {
        let g = only_system_admin(actor)?;
        let code = parse_code(&input.code)?;
        let f = DocumentTypeFields {
            name: Name::parse("name", "Tên loại văn bản", &input.name, 100)?.into_string(),
            state_abbr: abbr("state_abbr", input.state_abbr.as_deref())?,
            party_abbr: abbr("party_abbr", input.party_abbr.as_deref())?,
            active: true,
        };
        let mut tx = self.store.write().await?;
        if tx.document_type(&code).await?.is_some() {
            return Err(AppError::Conflict(format!(
                "Đã có loại văn bản mã \"{code}\"."
            )));
        }
        tx.insert_document_type(&g, &code, &f, now_ms()).await?;
        record(
            &mut tx,
            Some(actor.person_id),
            "document_type.create",
            "document_type",
            0,
            format!("Thêm loại văn bản \"{}\" ({code})", f.name),
            serde_json::json!({"code": code, "state_abbr": f.state_abbr, "party_abbr": f.party_abbr}),
        )
        .await?;
        let t = tx
            .document_type(&code)
            .await?
            .ok_or_else(|| AppError::Internal("type vanished".into()))?;
        tx.commit().await?;
        Ok(DocumentTypeView::from(&t))
    }

    pub async fn update_document_type(
        &self,
        actor: &Actor,
        code: &str,
        p: &DocumentTypePatch,
    ) -> AppResult<DocumentTypeView> {
        let g = only_system_admin(actor)?;
        let mut tx = self.store.write().await?;
        let cur = tx
            .document_type(code)
            .await?
            .ok_or_else(|| AppError::NotFound(format!("Không có loại văn bản mã \"{code}\".")))?;
        let f = DocumentTypeFields {
            name: match &p.name {
                Some(n) => Name::parse("name", "Tên loại văn bản", n, 100)?.into_string(),
                None => cur.name.clone(),
            },
            state_abbr: match &p.state_abbr {
                Some(v) => abbr("state_abbr", v.as_deref())?,
                None => cur.state_abbr.clone(),
            },
            party_abbr: match &p.party_abbr {
                Some(v) => abbr("party_abbr", v.as_deref())?,
                None => cur.party_abbr.clone(),
            },
            active: p.active.unwrap_or(cur.active),
        };
        tx.update_document_type(&g, code, &f).await?;
        record(
            &mut tx,
            Some(actor.person_id),
            "document_type.update",
            "document_type",
            0,
            format!("Sửa loại văn bản \"{}\" ({code})", f.name),
            serde_json::json!({
                "code": code,
                "name": {"from": cur.name, "to": f.name},
                "state_abbr": {"from": cur.state_abbr, "to": f.state_abbr},
                "party_abbr": {"from": cur.party_abbr, "to": f.party_abbr},
                "active": {"from": cur.active, "to": f.active},
            }),
        )
        .await?;
        let t = tx
            .document_type(code)
            .await?
            .ok_or_else(|| AppError::Internal("type vanished".into()))?;
        tx.commit().await?;
        Ok(DocumentTypeView::from(&t))
    }
}
