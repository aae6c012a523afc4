//! Pure domain types and rules of vanthu: no I/O, no async.
//!
//! Every type here validates on construction, so a value that exists is a valid value.

pub mod access;
pub mod code;
pub mod document;
pub mod flow;
pub mod numbering;
pub mod org;
pub mod text;

pub use access::{Actor, AdminGrant, MembershipView, TargetMembership, TargetPerson};
pub use code::{CodeFormat, IdentifierCode};
pub use org::{Clearance, Role, Secrecy, Side, UnitKey, UnitKind, Username};
pub use text::{Name, normalize};

/// A validation failure: a stable machine code (the field in error) and a Vietnamese message that says what to fix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    pub field: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(field: &'static str, message: impl Into<String>) -> Self {
        Invalid {
            field,
            message: message.into(),
        }
    }
}
