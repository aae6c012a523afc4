//! SQLite: the embedded default. WAL mode, full fsync on commit (a power cut loses nothing acknowledged),
//! foreign keys on.
//!
//! **Group commit.** SQLite has one write lock and one fsync per commit; with the fsync costing more than the
//! writes themselves, one transaction per user action caps the writes a second far below what the disk can
//! take. So writers queue in this process and run one at a time inside one open database transaction (the
//! *batch*), each in its own `SAVEPOINT`: a writer that rolls back undoes only its own work, and a writer that
//! commits releases its savepoint and then waits. The batch is committed — one fsync for all of them — when
//! the writer finishing finds nobody queued behind it, when the batch holds [`MAX_BATCH`] writes or has been
//! open [`MAX_OPEN`], or [`FLUSH_AFTER`] after it was left open. Only then does each writer's `commit` answer
//! `Ok`, so nothing is acknowledged before it is durable; if the batch's commit fails, every writer in it gets
//! the error and nothing of any of them is kept. Readers use other connections and see a batch once it is
//! committed.

use crate::migrate;
use crate::{ReadTx, Result, Store, StoreError, WriteTx};
use async_trait::async_trait;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{Executor, Row, Sqlite, SqliteConnection, SqlitePool};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use tokio::sync::{Mutex, OwnedMutexGuard, oneshot};

/// The most writes one batch holds before it is committed.
const MAX_BATCH: usize = 128;
/// The longest a batch stays open while writers keep arriving.
const MAX_OPEN: Duration = Duration::from_millis(50);
/// A batch left open (its last writer saw others queued) is committed after this at the latest, should
/// those others go away without writing.
const FLUSH_AFTER: Duration = Duration::from_millis(5);

pub(crate) struct SqliteStore {
    pool: SqlitePool,
    generation: Arc<AtomicU64>,
    writer: Arc<Writer>,
}

/// The write path shared by every writer of the store.
struct Writer {
    pool: SqlitePool,
    generation: Arc<AtomicU64>,
    /// Writers waiting for their turn (for [`Batch`]).
    queued: AtomicUsize,
    batch: Arc<Mutex<Batch>>,
}

/// The open batch; its lock is the turn to write.
#[derive(Default)]
struct Batch {
    /// The database transaction of the batch, when one is open.
    tx: Option<sqlx::Transaction<'static, Sqlite>>,
    /// Counts batches, so that a flush scheduled for one batch leaves the next alone.
    serial: u64,
    opened: Option<Instant>,
    /// Writes released into `tx`.
    writes: usize,
    /// Writers whose released writes are in `tx`, waiting for its commit.
    waiting: Vec<oneshot::Sender<std::result::Result<(), String>>>,
    /// Whether any write in `tx` touched what the caches hold.
    touched: bool,
    flush_scheduled: bool,
    /// A writer was dropped where no task could be started to undo its savepoint: undo it first.
    undo_pending: bool,
}

const SAVEPOINT: &str = "SAVEPOINT vanthu_write";
const RELEASE: &str = "RELEASE SAVEPOINT vanthu_write";
const UNDO: &str = "ROLLBACK TO SAVEPOINT vanthu_write; RELEASE SAVEPOINT vanthu_write";

impl Batch {
    fn conn(&mut self) -> &mut SqliteConnection {
        self.tx
            .as_deref_mut()
            .expect("a writer's turn has an open batch")
    }

    /// Makes the batch durable and answers every writer waiting in it.
    async fn commit(&mut self, generation: &AtomicU64) -> std::result::Result<(), String> {
        let result = match self.tx.take() {
            Some(tx) => tx.commit().await.map_err(|e| e.to_string()),
            None => Ok(()),
        };
        if result.is_ok() && self.touched {
            // After the commit: a cache filled before this point is now stale.
            generation.fetch_add(1, Ordering::SeqCst);
        }
        self.close(result.clone());
        result
    }

    /// Abandons the batch (its transaction rolls back when dropped) and tells its writers why.
    fn fail(&mut self, why: &str) {
        if self.writes > 0 {
            tracing::error!(
                writes = self.writes,
                error = why,
                "a batch of writes was rolled back"
            );
        }
        self.tx = None;
        self.close(Err(why.to_string()));
    }

    fn close(&mut self, result: std::result::Result<(), String>) {
        for w in self.waiting.drain(..) {
            let _ = w.send(result.clone());
        }
        self.opened = None;
        self.writes = 0;
        self.touched = false;
        self.flush_scheduled = false;
        self.undo_pending = false;
    }

    /// Undoes the savepoint of the writer that had the turn, keeping the batch's other writes.
    async fn undo(&mut self) -> Result<()> {
        self.undo_pending = false;
        if self.tx.is_none() {
            return Ok(());
        }
        if let Err(e) = sqlx::raw_sql(UNDO).execute(self.conn()).await {
            // The savepoint is gone: SQLite rolled the whole transaction back (a full disk, an I/O error).
            let why = e.to_string();
            self.fail(&why);
            return Err(StoreError::Batch(why));
        }
        Ok(())
    }
}

impl Writer {
    /// Waits for the turn to write and opens a savepoint for it (and the batch's transaction if none is open).
    async fn turn(self: &Arc<Self>) -> Result<OwnedMutexGuard<Batch>> {
        struct Queued<'a>(&'a AtomicUsize);
        impl Drop for Queued<'_> {
            fn drop(&mut self) {
                self.0.fetch_sub(1, Ordering::SeqCst);
            }
        }
        self.queued.fetch_add(1, Ordering::SeqCst);
        let queued = Queued(&self.queued);
        let mut b = self.batch.clone().lock_owned().await;
        drop(queued);
        if b.undo_pending {
            // Should the undo fail, the batch's writers are told; this writer starts a new batch.
            let _ = b.undo().await;
        }
        if b.tx.is_none() {
            b.tx = Some(self.pool.begin_with("BEGIN IMMEDIATE").await?);
            b.serial += 1;
            b.opened = Some(Instant::now());
        }
        if let Err(e) = sqlx::raw_sql(SAVEPOINT).execute(b.conn()).await {
            let why = e.to_string();
            b.fail(&why);
            return Err(StoreError::Batch(why));
        }
        Ok(b)
    }

    /// Ends a turn whose work is in the batch: commits the batch now, or leaves it open for the writers
    /// queued behind and makes sure it is committed soon.
    fn end_turn(self: &Arc<Self>, mut b: OwnedMutexGuard<Batch>) -> Option<OwnedMutexGuard<Batch>> {
        let full = b.writes >= MAX_BATCH || b.opened.is_some_and(|t| t.elapsed() >= MAX_OPEN);
        if self.queued.load(Ordering::SeqCst) == 0 || full {
            return Some(b);
        }
        if !b.flush_scheduled {
            b.flush_scheduled = true;
            let serial = b.serial;
            let writer = self.clone();
            tokio::spawn(async move {
                tokio::time::sleep(FLUSH_AFTER).await;
                let mut b = writer.batch.clone().lock_owned().await;
                if b.serial == serial && b.tx.is_some() {
                    if b.undo_pending {
                        let _ = b.undo().await;
                    }
                    let _ = b.commit(&writer.generation).await;
                }
            });
        }
        None
    }

    /// The commit of one writer: releases its savepoint into the batch and answers once the batch is durable.
    async fn commit(self: &Arc<Self>, mut b: OwnedMutexGuard<Batch>, touched: bool) -> Result<()> {
        if let Err(e) = sqlx::raw_sql(RELEASE).execute(b.conn()).await {
            let why = e.to_string();
            b.fail(&why);
            return Err(StoreError::Batch(why));
        }
        b.writes += 1;
        b.touched |= touched;
        let (tell, told) = oneshot::channel();
        b.waiting.push(tell);
        if let Some(mut b) = self.end_turn(b) {
            // Our own answer comes through `told` like everybody else's.
            let _ = b.commit(&self.generation).await;
        }
        match told.await {
            Ok(Ok(())) => Ok(()),
            Ok(Err(why)) => Err(StoreError::Batch(why)),
            Err(_) => Err(StoreError::Batch("bộ ghi đã dừng".into())),
        }
    }

    /// The end of a writer dropped without commit: undoes its savepoint.
    async fn rollback(self: &Arc<Self>, mut b: OwnedMutexGuard<Batch>) {
        if b.undo().await.is_err() {
            return;
        }
        if let Some(mut b) = self.end_turn(b) {
            if b.writes == 0 {
                // Nothing kept in the batch: give the write lock back at once.
                if let Some(tx) = b.tx.take() {
                    let _ = tx.rollback().await;
                }
                b.close(Ok(()));
            } else {
                let _ = b.commit(&self.generation).await;
            }
        }
    }
}

pub(crate) struct SqliteRead(sqlx::pool::PoolConnection<Sqlite>);
pub(crate) struct SqliteWrite(Turn, crate::Generation);

/// A writer's turn: dereferences to the batch's connection, inside the writer's savepoint.
pub(crate) struct Turn {
    batch: Option<OwnedMutexGuard<Batch>>,
    writer: Arc<Writer>,
}

impl std::ops::Deref for Turn {
    type Target = SqliteConnection;
    fn deref(&self) -> &SqliteConnection {
        self.batch
            .as_ref()
            .and_then(|b| b.tx.as_deref())
            .expect("a writer's turn has an open batch")
    }
}

impl std::ops::DerefMut for Turn {
    fn deref_mut(&mut self) -> &mut SqliteConnection {
        self.batch
            .as_mut()
            .expect("a writer's turn is not over")
            .conn()
    }
}

impl Drop for Turn {
    fn drop(&mut self) {
        let Some(mut b) = self.batch.take() else {
            return;
        };
        match tokio::runtime::Handle::try_current() {
            Ok(rt) => {
                let writer = self.writer.clone();
                rt.spawn(async move { writer.rollback(b).await });
            }
            // No runtime to undo the savepoint on: the next turn does it before anything else.
            Err(_) => b.undo_pending = true,
        }
    }
}

impl SqliteWrite {
    async fn finish(mut self: Box<Self>) -> Result<()> {
        let b = self
            .0
            .batch
            .take()
            .expect("a write transaction is committed once");
        let writer = self.0.writer.clone();
        let touched = self.1.touched();
        // In a task of its own: a request dropped now cannot stop the release or the batch's commit half-way
        // (which would leave the batch open, or its writers unanswered).
        tokio::spawn(async move { writer.commit(b, touched).await })
            .await
            .map_err(|e| StoreError::Batch(format!("bộ ghi đã dừng: {e}")))?
    }
}

crate::sql::impl_repos!(Sqlite, SqliteRead, SqliteWrite, "SELECT 1");
crate::sql_docs::impl_doc_repos!(Sqlite, SqliteRead, SqliteWrite, "");
crate::sql_exchange::impl_exchange_repos!(Sqlite, SqliteRead, SqliteWrite);

impl SqliteStore {
    pub(crate) async fn open(url: &str) -> Result<SqliteStore> {
        let opts = SqliteConnectOptions::from_str(url)
            .map_err(|e| StoreError::Config(format!("địa chỉ SQLite \"{url}\" không hợp lệ: {e}")))?
            .create_if_missing(true)
            .journal_mode(SqliteJournalMode::Wal)
            .synchronous(SqliteSynchronous::Full)
            .foreign_keys(true)
            // Savepoints keep their undo records in memory rather than in temporary files.
            .pragma("temp_store", "memory")
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
        let generation = Arc::new(AtomicU64::new(0));
        let store = SqliteStore {
            writer: Arc::new(Writer {
                pool: pool.clone(),
                generation: generation.clone(),
                queued: AtomicUsize::new(0),
                batch: Arc::new(Mutex::new(Batch::default())),
            }),
            pool,
            generation,
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
        // The turn is taken in a task of its own, which a dropped request cannot stop half-way: should the
        // request be gone when the turn comes, the task gives the turn back.
        let writer = self.writer.clone();
        let (give, take) = oneshot::channel();
        tokio::spawn(async move {
            let turn = writer.turn().await;
            if let Err(Ok(b)) = give.send(turn) {
                writer.rollback(b).await;
            }
        });
        let batch = take
            .await
            .map_err(|_| StoreError::Batch("bộ ghi đã dừng".into()))??;
        Ok(Box::new(SqliteWrite(
            Turn {
                batch: Some(batch),
                writer: self.writer.clone(),
            },
            crate::Generation::new(self.generation.clone()),
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
        {
            // Writes already released into an open batch are committed, not lost.
            let mut b = self.writer.batch.lock().await;
            if b.undo_pending {
                let _ = b.undo().await;
            }
            if b.tx.is_some() {
                let _ = b.commit(&self.generation).await;
            }
        }
        self.pool.close().await;
    }
}
