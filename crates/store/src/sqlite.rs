//! SQLite: the embedded default. WAL mode, full fsync on commit (a power cut loses nothing acknowledged),
//! foreign keys on, writes serialised by `BEGIN IMMEDIATE` so that concurrent writers queue instead of failing.

use crate::migrate;
use crate::{ReadTx, Result, Store, StoreError, WriteTx};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Executor, Row, Sqlite, SqlitePool};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub(crate) struct SqliteStore {
    pool: SqlitePool,
    generation: Arc<AtomicU64>,
    /// Writers queue here, in this process, before `BEGIN IMMEDIATE`: SQLite has one write lock, and
    /// connections that lose the race for it sleep in its busy handler (1, 2, 5 … 100 ms) while the lock sits idle.
    writer: Arc<tokio::sync::Mutex<()>>,
}

pub(crate) struct SqliteRead(sqlx::pool::PoolConnection<Sqlite>);
pub(crate) struct SqliteWrite(
    sqlx::Transaction<'static, Sqlite>,
    Arc<AtomicU64>,
    // Held until the transaction ends (commit or drop).
    #[allow(dead_code)] tokio::sync::OwnedMutexGuard<()>,
);

crate::sql::impl_repos!(Sqlite, SqliteRead, SqliteWrite, "SELECT 1");
crate::sql_docs::impl_doc_repos!(Sqlite, SqliteRead, SqliteWrite, "");

impl SqliteStore {
    pub(crate) async fn open(url: &str) -> Result<SqliteStore> {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(format!("địa chỉ SQLite \"{url}\" không hợp lệ: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            .busy_timeout(Duration::from_secs(30));
        let memory = url.contains(":memory:");
        let pool = SqlitePoolOptions::new()
            // An in-memory database exists once per connection: keep exactly one.
            .max_connections(if memory { 1 } else { 8 })
            .min_connections(if memory { 1 } else { 0 })
            .idle_timeout(if memory {
                None
            } else {
                Some(Duration::from_secs(600))
            })
            .max_lifetime(if memory {
                None
            } else {
                Some(Duration::from_secs(3600))
            })
            .connect_with(opts)
            .await?;
        let store = SqliteStore {
            pool,
            generation: Arc::new(AtomicU64::new(0)),
            writer: Arc::new(tokio::sync::Mutex::new(())),
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
        )
        .await?;
        let applied: Vec<i64> =
            sqlx::query("SELECT version FROM schema_migrations ORDER BY version")
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| r.try_get::<i64, _>("version"))
                .collect::<std::result::Result<_, _>>()?;
        for m in migrate::pending(migrate::SQLITE, &applied)? {
            tracing::info!(version = m.version, name = m.name, "applying migration");
            sqlx::raw_sql(m.sql).execute(&mut *tx).await.map_err(|e| {
                StoreError::Migration(format!("bước {} ({}) thất bại: {e}", m.version, m.name))
            })?;
            sqlx::query(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
            )
            .bind(m.version)
            .bind(m.name)
            .bind(crate::now_ms())
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

#[async_trait]
impl Store for SqliteStore {
    async fn read(&self) -> Result<Box<dyn ReadTx>> {
        Ok(Box::new(SqliteRead(self.pool.acquire().await?)))
    }

    async fn write(&self) -> Result<Box<dyn WriteTx>> {
        let turn = self.writer.clone().lock_owned().await;
        Ok(Box::new(SqliteWrite(
            self.pool.begin_with("BEGIN IMMEDIATE").await?,
            self.generation.clone(),
            turn,
        )))
    }

    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    fn generation(&self) -> u64 {
        self.generation.load(Ordering::SeqCst)
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
