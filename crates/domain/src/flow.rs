//! Processing flows (luồng xử lý): what a unit's documents go through, as data. A flow version says who an
//! incoming document is presented to and its default deadline, or the review steps and the signer of a draft.
//! Versions are immutable; documents keep the version they started with.

use crate::Invalid;
use crate::document::{Direction, StepMode};
use crate::org::Role;
use serde::{Deserialize, Serialize};

/// Who a step goes to: the people holding a role in the unit (or, with `below`, in the units right below it),
/// one person, or a group of people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assignee {
    /// `leader`, `specialist` or `clerk`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// With `role`: the people of that role in the units directly below the unit.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub below: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<Vec<i64>>,
}

/// What an assignee names once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    Role { role: Role, below: bool },
    Person(i64),
    Group(Vec<i64>),
}

impl Assignee {
    pub fn target(&self, field: &'static str) -> Result<Target, Invalid> {
        match (&self.role, self.person, &self.group) {
            (Some(r), None, None) => {
                let role = Role::parse(r).map_err(|e| Invalid::new(field, e.message))?;
                if !matches!(role, Role::Leader | Role::Specialist | Role::Clerk) {
                    return Err(Invalid::new(
                        field,
                        format!(
                            "Vai trò \"{}\" không nhận văn bản; dùng leader, specialist hoặc clerk.",
                            role.label()
                        ),
                    ));
                }
                Ok(Target::Role {
                    role,
                    below: self.below,
                })
            }
            (None, Some(p), None) if !self.below => Ok(Target::Person(p)),
            (None, None, Some(g)) if !self.below => {
                let mut seen = std::collections::HashSet::new();
                if g.is_empty() || g.len() > 50 || !g.iter().all(|p| seen.insert(*p)) {
                    return Err(Invalid::new(
                        field,
                        "Nhóm người nhận cần từ 1 đến 50 người, không lặp lại.",
                    ));
                }
                Ok(Target::Group(g.clone()))
            }
            _ => Err(Invalid::new(
                field,
                "Mỗi người nhận ghi đúng một trong: role (vai trò), person (một người) hoặc group (nhóm người).",
            )),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowStep {
    /// Tên bước, e.g. "Thẩm định nội dung".
    pub name: String,
    pub assignee: Assignee,
    /// `all`: everyone the step names must agree; `any`: one is enough.
    #[serde(default = "any")]
    pub mode: StepMode,
    /// Days the step may take (for deadlines and alerts).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline_days: Option<i64>,
}

fn any() -> StepMode {
    StepMode::Any
}

/// One version of a flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowDef {
    /// Incoming: who registered documents are presented to.
    #[serde(default)]
    pub present_to: Option<Assignee>,
    /// Incoming: the handling deadline, in days after arrival, when the sender set none.
    #[serde(default)]
    pub deadline_days: Option<i64>,
    /// Outgoing and internal: review steps before the signer, in order.
    #[serde(default)]
    pub steps: Vec<FlowStep>,
    /// Outgoing and internal: who signs.
    #[serde(default)]
    pub signer: Option<Assignee>,
}

impl FlowDef {
    /// Checks the definition for a flow of this kind.
    pub fn validate(&self, kind: Direction) -> Result<(), Invalid> {
        let days = |d: Option<i64>, field: &'static str| match d {
            Some(n) if !(1..=365).contains(&n) => {
                Err(Invalid::new(field, "Số ngày phải từ 1 đến 365."))
            }
            _ => Ok(()),
        };
        days(self.deadline_days, "deadline_days")?;
        match kind {
            Direction::Incoming => {
                if !self.steps.is_empty() || self.signer.is_some() {
                    return Err(Invalid::new(
                        "steps",
                        "Luồng văn bản đến không có bước duyệt hay người ký; chỉ ghi present_to và deadline_days.",
                    ));
                }
                if let Some(p) = &self.present_to {
                    p.target("present_to")?;
                }
            }
            Direction::Outgoing | Direction::Internal => {
                if self.present_to.is_some() || self.deadline_days.is_some() {
                    return Err(Invalid::new(
                        "present_to",
                        "Luồng văn bản đi, nội bộ không có present_to hay deadline_days; ghi steps và signer.",
                    ));
                }
                let signer = self.signer.as_ref().ok_or_else(|| {
                    Invalid::new("signer", "Luồng văn bản đi cần người ký (signer).")
                })?;
                if let Target::Group(_) = signer.target("signer")? {
                    return Err(Invalid::new(
                        "signer",
                        "Người ký là một vai trò hoặc một người, không phải một nhóm.",
                    ));
                }
                if self.steps.len() > 10 {
                    return Err(Invalid::new("steps", "Tối đa 10 bước duyệt."));
                }
                for s in &self.steps {
                    crate::Name::parse("steps", "Tên bước", &s.name, 200)?;
                    s.assignee.target("steps")?;
                    days(s.deadline_days, "steps")?;
                }
            }
        }
        Ok(())
    }
}

/// The file a flow is exported to and imported from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowFile {
    /// Always `vanthu-flow`.
    pub format: String,
    /// Format version, 1.
    pub format_version: i64,
    /// `incoming`, `outgoing` or `internal`.
    pub kind: String,
    pub name: String,
    pub definition: FlowDef,
}

pub const FLOW_FILE_FORMAT: &str = "vanthu-flow";

#[cfg(test)]
mod tests {
    use super::*;

    fn role(r: &str) -> Assignee {
        Assignee {
            role: Some(r.into()),
            below: false,
            person: None,
            group: None,
        }
    }

    #[test]
    fn definitions_are_checked_for_their_kind() {
        let out = FlowDef {
            present_to: None,
            deadline_days: None,
            steps: vec![FlowStep {
                name: "Thẩm định".into(),
                assignee: role("leader"),
                mode: StepMode::All,
                deadline_days: Some(2),
            }],
            signer: Some(role("leader")),
        };
        assert!(out.validate(Direction::Outgoing).is_ok());
        assert!(out.validate(Direction::Incoming).is_err());
        let mut bad = out.clone();
        bad.signer = None;
        assert!(bad.validate(Direction::Outgoing).is_err());
        bad.signer = Some(Assignee {
            role: Some("leader".into()),
            below: false,
            person: Some(3),
            group: None,
        });
        assert!(bad.validate(Direction::Outgoing).is_err());
        bad.signer = Some(role("unit_admin"));
        assert!(bad.validate(Direction::Outgoing).is_err());
        let inc = FlowDef {
            present_to: Some(role("leader")),
            deadline_days: Some(400),
            steps: vec![],
            signer: None,
        };
        assert!(inc.validate(Direction::Incoming).is_err());
        let json = r#"{"present_to":{"role":"leader"},"deadline_days":7}"#;
        let d: FlowDef = serde_json::from_str(json).unwrap();
        assert!(d.validate(Direction::Incoming).is_ok());
        assert!(serde_json::from_str::<FlowDef>(r#"{"stepz":[]}"#).is_err());
    }
}
