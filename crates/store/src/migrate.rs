//! Versioned migrations: an ordered list embedded in the binary, applied at start in one transaction each,
//! recorded in `schema_migrations`. A database newer than the binary is refused rather than guessed at.

use crate::{Result, StoreError};

pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

pub(crate) const SQLITE: &[Migration] = &[
    Migration {
        version: 1,
        name: "organisation",
        sql: include_str!("../migrations/sqlite/0001_organisation.sql"),
    },
    Migration {
        version: 2,
        name: "registers",
        sql: include_str!("../migrations/sqlite/0002_registers.sql"),
    },
    Migration {
        version: 3,
        name: "document_types",
        sql: include_str!("../migrations/sqlite/0003_document_types.sql"),
    },
    Migration {
        version: 4,
        name: "documents",
        sql: include_str!("../migrations/sqlite/0004_documents.sql"),
    },
    Migration {
        version: 5,
        name: "flows",
        sql: include_str!("../migrations/sqlite/0005_flows.sql"),
    },
    Migration {
        version: 6,
        name: "delegations",
        sql: include_str!("../migrations/sqlite/0006_delegations.sql"),
    },
    Migration {
        version: 7,
        name: "list_index",
        sql: include_str!("../migrations/sqlite/0007_list_index.sql"),
    },
    Migration {
        version: 8,
        name: "review_deadlines",
        sql: include_str!("../migrations/sqlite/0008_review_deadlines.sql"),
    },
    Migration {
        version: 9,
        name: "blob_refs",
        sql: include_str!("../migrations/sqlite/0009_blob_refs.sql"),
    },
    Migration {
        version: 10,
        name: "exchange",
        sql: include_str!("../migrations/sqlite/0010_exchange.sql"),
    },
];

pub(crate) const POSTGRES: &[Migration] = &[
    Migration {
        version: 1,
        name: "organisation",
        sql: include_str!("../migrations/postgres/0001_organisation.sql"),
    },
    Migration {
        version: 2,
        name: "registers",
        sql: include_str!("../migrations/postgres/0002_registers.sql"),
    },
    Migration {
        version: 3,
        name: "document_types",
        sql: include_str!("../migrations/postgres/0003_document_types.sql"),
    },
    Migration {
        version: 4,
        name: "documents",
        sql: include_str!("../migrations/postgres/0004_documents.sql"),
    },
    Migration {
        version: 5,
        name: "flows",
        sql: include_str!("../migrations/postgres/0005_flows.sql"),
    },
    Migration {
        version: 6,
        name: "delegations",
        sql: include_str!("../migrations/postgres/0006_delegations.sql"),
    },
    Migration {
        version: 7,
        name: "list_index",
        sql: include_str!("../migrations/postgres/0007_list_index.sql"),
    },
    Migration {
        version: 8,
        name: "review_deadlines",
        sql: include_str!("../migrations/postgres/0008_review_deadlines.sql"),
    },
    Migration {
        version: 9,
        name: "blob_refs",
        sql: include_str!("../migrations/postgres/0009_blob_refs.sql"),
    },
    Migration {
        version: 10,
        name: "exchange",
        sql: include_str!("../migrations/postgres/0010_exchange.sql"),
    },
];

/// Checks that the applied versions are a prefix of the known ones and returns those still to apply.
pub(crate) fn pending<'a>(known: &'a [Migration], applied: &[i64]) -> Result<Vec<&'a Migration>> {
    for (i, v) in applied.iter().enumerate() {
        match known.get(i) {
            Some(m) if m.version == *v => {}
            _ => {
                return Err(StoreError::Migration(format!(
                    "cơ sở dữ liệu có phiên bản lược đồ {v} mà chương trình này không biết; hãy dùng phiên bản vanthu mới hơn"
                )));
            }
        }
    }
    Ok(known[applied.len()..].iter().collect())
}
