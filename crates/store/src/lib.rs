//! Storage for vanthu: small traits split by concern, implemented for SQLite (embedded default) and
//! PostgreSQL (scale-out). Both implementations run the same SQL text (written with `$n` placeholders, which
//! both engines accept) through one macro, and pass one conformance suite (`tests/conformance.rs`).
//!
//! Reads go through a [`ReadTx`]; every user command runs in one [`WriteTx`], which is a database
//! transaction: either everything it wrote is committed, or nothing is.

mod error;
mod migrate;
mod model;
mod pg;
mod repos;
mod sql;
mod sql_docs;
mod sql_exchange;
mod sqlite;
#[cfg(feature = "testkit")]
pub mod testkit;

pub use error::{Result, StoreError};
pub use model::*;
pub use repos::*;

use async_trait::async_trait;

/// An opened database: hands out read handles and write transactions.
#[async_trait]
pub trait Store: Send + Sync {
    /// A handle for reads; not transactional across calls.
    async fn read(&self) -> Result<Box<dyn ReadTx>>;
    /// A write transaction; dropped without [`WriteTx::commit`] it rolls back.
    async fn write(&self) -> Result<Box<dyn WriteTx>>;
    /// `sqlite` or `postgres`.
    fn backend(&self) -> &'static str;
    /// Checks the database answers.
    async fn ping(&self) -> Result<()>;
    /// A counter bumped after every committed write transaction of this process that changed units,
    /// people, memberships or tokens: caches of those (sessions, the unit list) stay valid while it has not
    /// moved. Documents, registers and history do not move it.
    fn generation(&self) -> u64;
    /// Closes the pool, waiting for connections to finish.
    async fn close(&self);
}

/// Opens the database named by `url` (`sqlite:PATH`, `sqlite::memory:`, `postgres://...`) and runs the
/// migrations it lacks.
pub async fn open(url: &str) -> Result<Box<dyn Store>> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(Box::new(pg::PgStore::open(url).await?))
    } else if url.starts_with("sqlite:") {
        Ok(Box::new(sqlite::SqliteStore::open(url).await?))
    } else {
        Err(StoreError::Config(format!(
            "Địa chỉ cơ sở dữ liệu \"{url}\" không được hỗ trợ: dùng sqlite:ĐƯỜNG_DẪN hoặc postgres://..."
        )))
    }
}

/// The store's write generation as one write transaction holds it: bumped at commit only if the
/// transaction touched what the caches hold.
pub(crate) struct Generation {
    counter: std::sync::Arc<std::sync::atomic::AtomicU64>,
    touched: bool,
}

impl Generation {
    pub(crate) fn new(counter: std::sync::Arc<std::sync::atomic::AtomicU64>) -> Generation {
        Generation {
            counter,
            touched: false,
        }
    }

    /// Marks the transaction as changing units, people, memberships or tokens.
    pub(crate) fn touch(&mut self) {
        self.touched = true;
    }

    pub(crate) fn touched(&self) -> bool {
        self.touched
    }

    /// Called once the transaction is durable.
    pub(crate) fn after_commit(self) {
        if self.touched {
            self.counter
                .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        }
    }
}

/// Milliseconds since the Unix epoch, UTC: how every time is stored.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}
