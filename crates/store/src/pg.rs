//! PostgreSQL: the scale-out backend. Migrations take an advisory lock so that several nodes starting at
//! once apply them exactly once.

use crate::migrate;
use crate::{ReadTx, Result, Store, StoreError, WriteTx};
use async_trait::async_trait;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::{Executor, PgPool, Postgres, Row};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

pub(crate) struct PgStore {
    pool: PgPool,
    generation: Arc<AtomicU64>,
}

pub(crate) struct PgRead(sqlx::pool::PoolConnection<Postgres>);
pub(crate) struct PgWrite(sqlx::Transaction<'static, Postgres>, crate::Generation);

impl PgWrite {
    async fn finish(self: Box<Self>) -> Result<()> {
        let PgWrite(tx, generation) = *self;
        tx.commit().await?;
        // After the commit: a cache filled before this point is now stale.
        generation.after_commit();
        Ok(())
    }
}

// An arbitrary constant naming the lock on the unit tree (see `UnitWrite::lock_organisation`).
crate::sql::impl_repos!(
    Postgres,
    PgRead,
    PgWrite,
    "SELECT pg_advisory_xact_lock(7661110001)"
);
crate::sql_docs::impl_doc_repos!(Postgres, PgRead, PgWrite, " FOR UPDATE");
crate::sql_exchange::impl_exchange_repos!(Postgres, PgRead, PgWrite);

/// An arbitrary constant naming vanthu's migration lock.
const MIGRATION_LOCK: i64 = 0x7661_6e74_6875;

impl PgStore {
    pub(crate) async fn open(url: &str) -> Result<PgStore> {
        let opts = PgConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(format!("địa chỉ PostgreSQL không hợp lệ: {e}")))?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(30))
            .connect_with(opts)
            .await?;
        let store = PgStore {
            pool,
            generation: Arc::new(AtomicU64::new(0)),
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("SELECT pg_advisory_xact_lock($1)")
            .bind(MIGRATION_LOCK)
            .execute(&mut *tx)
            .await?;
        tx.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
        )
        .await?;
        let applied: Vec<i64> =
            sqlx::query("SELECT version FROM schema_migrations ORDER BY version")
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| r.try_get::<i64, _>("version"))
                .collect::<std::result::Result<_, _>>()?;
        for m in migrate::pending(migrate::POSTGRES, &applied)? {
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
impl Store for PgStore {
    async fn read(&self) -> Result<Box<dyn ReadTx>> {
        Ok(Box::new(PgRead(self.pool.acquire().await?)))
    }

    async fn write(&self) -> Result<Box<dyn WriteTx>> {
        Ok(Box::new(PgWrite(
            self.pool.begin().await?,
            crate::Generation::new(self.generation.clone()),
        )))
    }

    fn backend(&self) -> &'static str {
        "postgres"
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
