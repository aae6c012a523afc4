//! The axis's database: systems, agencies, packages and deliveries, on SQLite (default, a file in the data
//! directory, WAL and `synchronous=FULL`) or PostgreSQL, with embedded versioned migrations for both (the pattern
//! of `vanthu-store`). Both backends run the same SQL text (`$n` placeholders), expanded once per backend by
//! `on_pool!` (reads) and `write_tx!` (writes).
//!
//! **Writes on SQLite** go through one writer task per store ([`Store::open`]): each write is a job sent to it,
//! and the writer runs the jobs queued at the time one after the other inside one `BEGIN IMMEDIATE` transaction
//! (the *batch*), each in its own `SAVEPOINT` (a job that fails undoes only its own work), then commits the batch
//! once — one fsync of the WAL for all of them (group commit) — and only then answers each job. So writers of
//! this process queue in memory rather than sleeping in SQLite's busy handler, a commit is durable
//! (`synchronous=FULL`) before any write in it is acknowledged, and a failed commit fails every write in the
//! batch. A batch whose jobs are all *light* ([`Store::mark_fetched`], information only) is committed with
//! `synchronous=NORMAL`: visible at once, not fsync'd (see `mark_fetched` for why that is safe). Writes of other
//! processes (the CLI) still meet this one through SQLite's lock and busy timeout.
//!
//! On PostgreSQL each write is its own transaction on the pool; a send locks its sender's `systems` row, so that
//! the idempotency check and the insert of two identical sends cannot interleave.

use futures_util::future::BoxFuture;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{
    Connection, Executor, PgConnection, PgPool, Postgres, Row, Sqlite, SqliteConnection,
    SqlitePool, Transaction,
};
use std::any::Any;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Duration;
use tokio::sync::{mpsc, oneshot};

/// The shortest secret accepted for a system.
pub const MIN_SECRET_CHARS: usize = 16;
/// How long an identical resend (same sender, same bytes) gets the first send's `DocId` back.
pub const IDEMPOTENCY_WINDOW_MS: i64 = 24 * 3600 * 1000;
/// The most writes one SQLite batch holds.
const MAX_BATCH: usize = 256;

/// A storage failure. Messages in Vietnamese (the CLI prints them).
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Config(String),
    #[error("lỗi cơ sở dữ liệu: {0}")]
    Database(#[from] sqlx::Error),
    #[error("lỗi đọc/ghi tệp: {0}")]
    Io(#[from] std::io::Error),
    #[error("không nâng cấp được lược đồ cơ sở dữ liệu: {0}")]
    Migration(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Invalid(String),
    #[error("{0}")]
    Conflict(String),
    /// The batch of writes this write was part of could not be committed (nothing of it was kept), or the
    /// writer has stopped.
    #[error("lỗi ghi cơ sở dữ liệu: {0}")]
    Batch(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

struct Migration {
    version: i64,
    name: &'static str,
    sql: &'static str,
}

const SQLITE_MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "axis",
    sql: include_str!("../migrations/sqlite/0001_axis.sql"),
}];

const PG_MIGRATIONS: &[Migration] = &[Migration {
    version: 1,
    name: "axis",
    sql: include_str!("../migrations/postgres/0001_axis.sql"),
}];

/// An arbitrary constant naming the axis's migration lock on PostgreSQL.
const PG_MIGRATION_LOCK: i64 = 0x6178_6973_7631;

#[derive(Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

/// Runs `$body` with `$p` bound to the pool of either backend (the body is compiled once per backend).
macro_rules! on_pool {
    ($store:expr, $p:ident => $body:block) => {
        match &$store.pool {
            Pool::Sqlite($p) => $body,
            Pool::Pg($p) => $body,
        }
    };
}

/// Runs `$body` (an async body returning `Result<T>`) as one write, with `$c` bound to the connection and `$pg`
/// to whether it is PostgreSQL: on SQLite as a job of the writer task (see the module doc), on PostgreSQL in a
/// transaction of its own. An `Err` undoes the body's work. Light writes (`durable` false) are committed
/// without waiting for the disk (`synchronous=NORMAL` on SQLite, `synchronous_commit = off` on PostgreSQL).
/// The body must own what it uses (it runs in the writer task on SQLite).
macro_rules! write_tx {
    ($store:expr, durable = $durable:expr, |$c:ident, $pg:ident| $body:block) => {
        match &$store.pool {
            Pool::Sqlite(_) => {
                $store
                    .sqlite_write($durable, move |$c: &mut SqliteConnection| {
                        Box::pin(async move {
                            #[allow(unused_variables)]
                            let $pg = false;
                            $body
                        })
                    })
                    .await
            }
            Pool::Pg(p) => {
                let mut tx = p.begin().await?;
                if !$durable {
                    sqlx::query("SET LOCAL synchronous_commit TO OFF")
                        .execute(&mut *tx)
                        .await?;
                }
                let r = {
                    let $c: &mut PgConnection = &mut *tx;
                    #[allow(unused_variables)]
                    let $pg = true;
                    async move { $body }.await?
                };
                tx.commit().await?;
                Ok(r)
            }
        }
    };
}

/// What differs between the backends' migrations.
trait Backend {
    type Db: sqlx::Database;
    async fn begin_write(&self) -> sqlx::Result<Transaction<'static, Self::Db>>;
}

impl Backend for SqlitePool {
    type Db = Sqlite;
    async fn begin_write(&self) -> sqlx::Result<Transaction<'static, Sqlite>> {
        self.begin_with("BEGIN IMMEDIATE").await
    }
}

impl Backend for PgPool {
    type Db = Postgres;
    async fn begin_write(&self) -> sqlx::Result<Transaction<'static, Postgres>> {
        self.begin().await
    }
}

/// A write's result, typed by [`Store::sqlite_write`].
type Answer = Box<dyn Any + Send>;
/// A write's work on the batch's connection.
type Work =
    Box<dyn for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<Answer>> + Send>;

/// One write queued for the SQLite writer task.
struct Job {
    /// Must be on disk before it is answered (otherwise a light write, see [`Store::mark_fetched`]).
    durable: bool,
    work: Work,
    tell: oneshot::Sender<Result<Answer>>,
}

/// The SQLite writer task: takes the jobs queued, runs them as one batch, commits, answers; until every sender
/// (every clone of the [`Store`]) is gone.
async fn run_writer(pool: SqlitePool, mut jobs: mpsc::UnboundedReceiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while jobs.recv_many(&mut batch, MAX_BATCH).await > 0 {
        write_batch(&pool, std::mem::take(&mut batch)).await;
    }
}

const SAVEPOINT: &str = "SAVEPOINT axis_write";
const RELEASE: &str = "RELEASE SAVEPOINT axis_write";
const UNDO: &str = "ROLLBACK TO SAVEPOINT axis_write; RELEASE SAVEPOINT axis_write";

/// Runs a batch of jobs in one transaction and answers each: its own error if its work failed (its savepoint
/// undone), otherwise once the transaction is committed — or the commit's failure.
async fn write_batch(pool: &SqlitePool, jobs: Vec<Job>) {
    fn fail_all(jobs: impl IntoIterator<Item = oneshot::Sender<Result<Answer>>>, why: &str) {
        for tell in jobs {
            let _ = tell.send(Err(StoreError::Batch(why.to_string())));
        }
    }
    let durable = jobs.iter().any(|j| j.durable);
    let mut conn = match pool.acquire().await {
        Ok(c) => c,
        Err(e) => return fail_all(jobs.into_iter().map(|j| j.tell), &e.to_string()),
    };
    // Set on every batch: the connection comes from the pool and the previous batch may have been light.
    let sync = if durable {
        "PRAGMA synchronous = FULL"
    } else {
        "PRAGMA synchronous = NORMAL"
    };
    if let Err(e) = sqlx::raw_sql(sync).execute(&mut *conn).await {
        conn.close_on_drop();
        return fail_all(jobs.into_iter().map(|j| j.tell), &e.to_string());
    }
    let mut done: Vec<(oneshot::Sender<Result<Answer>>, Answer)> = Vec::with_capacity(jobs.len());
    let outcome: std::result::Result<(), String> = async {
        let mut tx = conn
            .begin_with("BEGIN IMMEDIATE")
            .await
            .map_err(|e| e.to_string())?;
        let mut jobs = jobs.into_iter();
        while let Some(job) = jobs.next() {
            let step: std::result::Result<(), String> = async {
                sqlx::raw_sql(SAVEPOINT)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| e.to_string())?;
                match (job.work)(&mut tx).await {
                    Ok(answer) => {
                        sqlx::raw_sql(RELEASE)
                            .execute(&mut *tx)
                            .await
                            .map_err(|e| e.to_string())?;
                        done.push((job.tell, answer));
                    }
                    Err(e) => {
                        // When SQLite has rolled the whole transaction back (I/O error, full disk), the
                        // savepoint is gone and the undo fails: the batch fails, this job with it.
                        let undone = sqlx::raw_sql(UNDO).execute(&mut *tx).await;
                        let _ = job.tell.send(Err(e));
                        undone.map_err(|e| e.to_string())?;
                    }
                }
                Ok(())
            }
            .await;
            if let Err(why) = step {
                fail_all(jobs.map(|j| j.tell), &why);
                return Err(why);
            }
        }
        tx.commit().await.map_err(|e| e.to_string())
    }
    .await;
    match outcome {
        Ok(()) => {
            for (tell, answer) in done {
                let _ = tell.send(Ok(answer));
            }
        }
        Err(why) => {
            tracing::error!(writes = done.len(), error = %why, "axis: a batch of writes was rolled back");
            fail_all(done.into_iter().map(|(tell, _)| tell), &why);
        }
    }
    if !durable
        && sqlx::raw_sql("PRAGMA synchronous = FULL")
            .execute(&mut *conn)
            .await
            .is_err()
    {
        conn.close_on_drop();
    }
}

/// Milliseconds since the Unix epoch, UTC: how every time is stored.
pub fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// A stored time as RFC 3339 in UTC with milliseconds (`2026-11-22T07:50:57.123Z`), how the API shows times.
pub fn format_ms(ms: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .ok()
        .and_then(|t| {
            t.replace_nanosecond((ms.rem_euclid(1000) as u32) * 1_000_000)
                .ok()?
                .format(&time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_default()
}

/// A new agency (and, with a secret, the system of the same id that hosts it).
#[derive(Debug, Clone, Default)]
pub struct NewAgency {
    pub code: String,
    pub name: String,
    /// Creates a system whose id is `code`, with this secret, hosting the agency.
    pub secret: Option<String>,
    /// Otherwise: the existing system that hosts the agency.
    pub system: Option<String>,
    pub pcode: Option<String>,
    pub mail: Option<String>,
    pub mobile: Option<String>,
    pub fax: Option<String>,
}

/// An agency as administrators see it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AgencyRecord {
    pub code: String,
    pub name: String,
    /// The system hosting it.
    pub system: String,
    pub pcode: Option<String>,
    pub mail: Option<String>,
    pub mobile: Option<String>,
    pub fax: Option<String>,
    /// The agency is not disabled.
    pub active: bool,
    /// Its system is not disabled.
    pub system_active: bool,
    /// RFC 3339, UTC.
    pub updated_at: String,
}

/// An agency code registered by a system for itself (`registerAgency`).
#[derive(Debug, Clone, Default)]
pub struct Registration {
    pub code: String,
    pub name: String,
    pub pcode: Option<String>,
    pub mail: Option<String>,
    pub mobile: Option<String>,
    pub fax: Option<String>,
}

/// A calling system's credentials.
#[derive(Debug, Clone)]
pub(crate) struct SystemAuth {
    pub secret: String,
    pub active: bool,
}

/// Where a recipient code leads.
#[derive(Debug, Clone)]
pub(crate) struct Host {
    pub code: String,
    pub system_id: String,
    /// Both the agency and its system are active.
    pub active: bool,
}

/// A package accepted, to be recorded with its deliveries.
#[derive(Debug, Clone)]
pub(crate) struct NewPackage {
    pub sender: String,
    pub from_code: String,
    pub message_type: &'static str,
    pub sha256: String,
    pub size: i64,
    pub document_id: String,
    pub subject: Option<String>,
    pub notation: Option<String>,
    pub status_code: Option<String>,
    pub response_for: Option<String>,
    pub to_codes: Vec<String>,
}

/// An entry of a system's queue (`getReceivedEdocList`).
#[derive(Debug, Clone)]
pub(crate) struct QueueRow {
    pub doc_id: String,
    pub from_code: String,
    pub to_codes: String,
    pub message_type: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub state: String,
}

/// One recipient system's delivery of a package the caller sent (`getSentEdocList`).
#[derive(Debug, Clone)]
pub(crate) struct SentRow {
    pub doc_id: String,
    pub from_code: String,
    pub message_type: String,
    pub subject: Option<String>,
    pub notation: Option<String>,
    pub created_at: i64,
    pub to_codes: String,
    pub state: String,
    pub status: Option<String>,
    pub fetched_at: Option<i64>,
}

/// A delivery to the caller, for fetching.
#[derive(Debug, Clone)]
pub(crate) struct Fetch {
    pub sha256: String,
    pub size: i64,
    /// `pending`, `fetched`, `done` or `fail`.
    pub state: String,
}

/// A code usable as an agency or system id: 1–64 characters, none of them a space, `,`, `;` or `"`.
pub fn check_code(code: &str) -> Result<()> {
    let bad = code.is_empty()
        || code.chars().count() > 64
        || code
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, ',' | ';' | '"' | '\\'));
    if bad {
        return Err(StoreError::Invalid(format!(
            "Mã \"{code}\" không hợp lệ: cần 1–64 ký tự, không có khoảng trắng, dấu phẩy, dấu chấm phẩy hay dấu nháy."
        )));
    }
    Ok(())
}

/// A secret long enough.
pub fn check_secret(secret: &str) -> Result<()> {
    if secret.chars().count() < MIN_SECRET_CHARS {
        return Err(StoreError::Invalid(format!(
            "Khóa bí mật phải có ít nhất {MIN_SECRET_CHARS} ký tự."
        )));
    }
    Ok(())
}

fn opt(s: &Option<String>) -> Option<String> {
    s.as_ref()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// The axis's database.
#[derive(Clone)]
pub struct Store {
    pool: Pool,
    /// The SQLite writer task's queue (SQLite only).
    writer: Option<mpsc::UnboundedSender<Job>>,
}

impl Store {
    /// Opens the database of a data directory: `database_url` when given (`postgres://…` or `sqlite:…`), else
    /// the SQLite file `{data}/axis.db`, created with mode 0600 (it holds the systems' secrets).
    pub async fn open_in(data: &Path, database_url: Option<&str>) -> Result<Store> {
        match database_url {
            Some(url) => Store::open(url).await,
            None => {
                std::fs::create_dir_all(data)?;
                let path = data.join("axis.db");
                protect(&path)?;
                Store::open(&format!("sqlite:{}", path.display())).await
            }
        }
    }

    /// Opens the database named by `url` (`sqlite:PATH`, `postgres://…`) and applies the migrations it lacks.
    pub async fn open(url: &str) -> Result<Store> {
        let pool = if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let opts = PgConnectOptions::from_str(url)
                .map_err(|e| StoreError::Config(format!("địa chỉ PostgreSQL không hợp lệ: {e}")))?;
            Pool::Pg(
                PgPoolOptions::new()
                    .max_connections(16)
                    .acquire_timeout(Duration::from_secs(30))
                    .connect_with(opts)
                    .await?,
            )
        } else if url.starts_with("sqlite:") {
            let opts = SqliteConnectOptions::from_str(url)
                .map_err(|e| {
                    StoreError::Config(format!("địa chỉ SQLite \"{url}\" không hợp lệ: {e}"))
                })?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Full)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(30));
            let memory = url.contains(":memory:");
            Pool::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(if memory { 1 } else { 8 })
                    .min_connections(if memory { 1 } else { 0 })
                    .idle_timeout(if memory {
                        None
                    } else {
                        Some(Duration::from_secs(600))
                    })
                    .max_lifetime(None)
                    .connect_with(opts)
                    .await?,
            )
        } else {
            return Err(StoreError::Config(format!(
                "Địa chỉ cơ sở dữ liệu \"{url}\" không được hỗ trợ: dùng sqlite:ĐƯỜNG_DẪN hoặc postgres://..."
            )));
        };
        let mut store = Store { pool, writer: None };
        store.migrate().await?;
        if let Pool::Sqlite(p) = &store.pool {
            let (queue, jobs) = mpsc::unbounded_channel();
            tokio::spawn(run_writer(p.clone(), jobs));
            store.writer = Some(queue);
        }
        Ok(store)
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        match self.pool {
            Pool::Sqlite(_) => "sqlite",
            Pool::Pg(_) => "postgres",
        }
    }

    /// Closes the pool, waiting for connections to finish.
    pub async fn close(&self) {
        on_pool!(self, p => { p.close().await })
    }

    /// Runs a write as a job of the SQLite writer task and answers once its batch is committed.
    async fn sqlite_write<R, F>(&self, durable: bool, work: F) -> Result<R>
    where
        R: Send + 'static,
        F: for<'c> FnOnce(&'c mut SqliteConnection) -> BoxFuture<'c, Result<R>> + Send + 'static,
    {
        let stopped = || StoreError::Batch("bộ ghi cơ sở dữ liệu đã dừng".into());
        let writer = self.writer.as_ref().ok_or_else(stopped)?;
        let (tell, told) = oneshot::channel();
        let work: Work = Box::new(move |c| {
            Box::pin(async move { work(c).await.map(|r| Box::new(r) as Answer) })
        });
        writer
            .send(Job {
                durable,
                work,
                tell,
            })
            .map_err(|_| stopped())?;
        let answer = told.await.map_err(|_| stopped())??;
        Ok(*answer
            .downcast::<R>()
            .expect("a write answers with its own type"))
    }

    async fn migrate(&self) -> Result<()> {
        on_pool!(self, p => {
            let mut tx = p.begin_write().await?;
            let known = match self.pool {
                Pool::Sqlite(_) => SQLITE_MIGRATIONS,
                Pool::Pg(_) => PG_MIGRATIONS,
            };
            if let Pool::Pg(_) = self.pool {
                sqlx::query("SELECT pg_advisory_xact_lock($1)")
                    .bind(PG_MIGRATION_LOCK)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.execute(
                "CREATE TABLE IF NOT EXISTS axis_schema_migrations (version BIGINT PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)",
            )
            .await?;
            let applied: Vec<i64> = sqlx::query("SELECT version FROM axis_schema_migrations ORDER BY version")
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| r.try_get::<i64, _>("version"))
                .collect::<std::result::Result<_, _>>()?;
            for (i, v) in applied.iter().enumerate() {
                if known.get(i).map(|m| m.version) != Some(*v) {
                    return Err(StoreError::Migration(format!(
                        "cơ sở dữ liệu có phiên bản lược đồ {v} mà chương trình này không biết; hãy dùng phiên bản vanthu mới hơn"
                    )));
                }
            }
            for m in &known[applied.len()..] {
                tracing::info!(version = m.version, name = m.name, "applying axis migration");
                sqlx::raw_sql(m.sql)
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| StoreError::Migration(format!("bước {} ({}) thất bại: {e}", m.version, m.name)))?;
                sqlx::query("INSERT INTO axis_schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)")
                    .bind(m.version)
                    .bind(m.name)
                    .bind(now_ms())
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(())
        })
    }

    // ---- Administration (the `vanthu axis agency …` commands) ----

    /// Adds an agency: with a secret, a new system of the same id hosting it; otherwise hosted by an existing
    /// system.
    pub async fn add_agency(&self, a: &NewAgency) -> Result<()> {
        let code = a.code.trim();
        check_code(code)?;
        let name = a.name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid(
                "Tên đơn vị không được để trống.".into(),
            ));
        }
        let system = match (&a.secret, &a.system) {
            (Some(secret), None) => {
                check_secret(secret)?;
                None
            }
            (None, Some(system)) => Some(system.trim().to_string()),
            _ => {
                return Err(StoreError::Invalid(
                    "Cần đúng một trong hai: khóa bí mật (tạo hệ thống mới cùng mã) hoặc mã hệ thống đã có.".into(),
                ));
            }
        };
        let now = now_ms();
        let (code, name, secret) = (code.to_string(), name.to_string(), a.secret.clone());
        let (pcode, mail, mobile, fax) = (opt(&a.pcode), opt(&a.mail), opt(&a.mobile), opt(&a.fax));
        write_tx!(self, durable = true, |c, pg| {
            let (code, name) = (code.as_str(), name.as_str());
            let taken: Option<String> =
                sqlx::query_scalar("SELECT system_id FROM agencies WHERE code = $1")
                    .bind(code)
                    .fetch_optional(&mut *c)
                    .await?;
            if let Some(s) = taken {
                return Err(StoreError::Conflict(format!(
                    "Mã đơn vị {code} đã có (thuộc hệ thống {s})."
                )));
            }
            let host = match &system {
                None => {
                    let exists: Option<String> =
                        sqlx::query_scalar("SELECT system_id FROM systems WHERE system_id = $1")
                            .bind(code)
                            .fetch_optional(&mut *c)
                            .await?;
                    if exists.is_some() {
                        return Err(StoreError::Conflict(format!("Hệ thống {code} đã có.")));
                    }
                    sqlx::query("INSERT INTO systems (system_id, name, secret, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)")
                        .bind(code)
                        .bind(name)
                        .bind(secret.as_deref().unwrap_or_default())
                        .bind(true)
                        .bind(now)
                        .execute(&mut *c)
                        .await?;
                    code.to_string()
                }
                Some(s) => {
                    let exists: Option<String> =
                        sqlx::query_scalar("SELECT system_id FROM systems WHERE system_id = $1")
                            .bind(s)
                            .fetch_optional(&mut *c)
                            .await?;
                    if exists.is_none() {
                        return Err(StoreError::NotFound(format!("Không có hệ thống {s}.")));
                    }
                    s.clone()
                }
            };
            sqlx::query("INSERT INTO agencies (code, name, system_id, pcode, mail, mobile, fax, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)")
                .bind(code)
                .bind(name)
                .bind(&host)
                .bind(&pcode)
                .bind(&mail)
                .bind(&mobile)
                .bind(&fax)
                .bind(true)
                .bind(now)
                .execute(&mut *c)
                .await?;
            Ok::<_, StoreError>(())
        })
    }

    /// Every agency, disabled ones included, by code.
    pub async fn list_agencies(&self) -> Result<Vec<AgencyRecord>> {
        self.agencies(false).await
    }

    async fn agencies(&self, active_only: bool) -> Result<Vec<AgencyRecord>> {
        on_pool!(self, p => {
            let rows = sqlx::query(
                "SELECT a.code, a.name, a.system_id, a.pcode, a.mail, a.mobile, a.fax, a.active, s.active AS system_active, a.updated_at \
                 FROM agencies a JOIN systems s ON s.system_id = a.system_id \
                 WHERE ($1 = FALSE OR (a.active AND s.active)) ORDER BY a.code",
            )
            .bind(active_only)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(AgencyRecord {
                        code: r.try_get("code")?,
                        name: r.try_get("name")?,
                        system: r.try_get("system_id")?,
                        pcode: r.try_get("pcode")?,
                        mail: r.try_get("mail")?,
                        mobile: r.try_get("mobile")?,
                        fax: r.try_get("fax")?,
                        active: r.try_get("active")?,
                        system_active: r.try_get("system_active")?,
                        updated_at: format_ms(r.try_get("updated_at")?),
                    })
                })
                .collect()
        })
    }

    /// Disables or enables an agency; when the code is also a system's id, the system too (a disabled system
    /// can no longer call the axis, and nothing is delivered to it).
    pub async fn set_active(&self, code: &str, active: bool) -> Result<()> {
        let code = code.trim();
        let now = now_ms();
        let code = code.to_string();
        write_tx!(self, durable = true, |c, pg| {
            let code = code.as_str();
            let a = sqlx::query("UPDATE agencies SET active = $1, updated_at = $2 WHERE code = $3")
                .bind(active)
                .bind(now)
                .bind(code)
                .execute(&mut *c)
                .await?
                .rows_affected();
            let s =
                sqlx::query("UPDATE systems SET active = $1, updated_at = $2 WHERE system_id = $3")
                    .bind(active)
                    .bind(now)
                    .bind(code)
                    .execute(&mut *c)
                    .await?
                    .rows_affected();
            if a + s == 0 {
                return Err(StoreError::NotFound(format!(
                    "Không có đơn vị hay hệ thống mã {code}."
                )));
            }
            Ok::<_, StoreError>(())
        })
    }

    /// Replaces a system's secret (requests signed with the old one are refused from now on).
    pub async fn rotate_secret(&self, system_id: &str, secret: &str) -> Result<()> {
        check_secret(secret)?;
        let (system_id, secret, now) = (system_id.trim().to_string(), secret.to_string(), now_ms());
        write_tx!(self, durable = true, |c, pg| {
            let n =
                sqlx::query("UPDATE systems SET secret = $1, updated_at = $2 WHERE system_id = $3")
                    .bind(&secret)
                    .bind(now)
                    .bind(&system_id)
                    .execute(&mut *c)
                    .await?
                    .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound(format!(
                    "Không có hệ thống {system_id}."
                )));
            }
            Ok(())
        })
    }

    // ---- The service ----

    pub(crate) async fn system_auth(&self, system_id: &str) -> Result<Option<SystemAuth>> {
        on_pool!(self, p => {
            let row = sqlx::query("SELECT secret, active FROM systems WHERE system_id = $1")
                .bind(system_id)
                .fetch_optional(p)
                .await?;
            match row {
                None => Ok(None),
                Some(r) => Ok(Some(SystemAuth {
                    secret: r.try_get("secret")?,
                    active: r.try_get("active")?,
                })),
            }
        })
    }

    /// The hosts of the codes that exist (codes unknown are absent from the answer).
    pub(crate) async fn hosts(&self, codes: &[String]) -> Result<Vec<Host>> {
        let mut out = Vec::with_capacity(codes.len());
        on_pool!(self, p => {
            for code in codes {
                let row = sqlx::query(
                    "SELECT a.system_id, a.active AND s.active AS usable FROM agencies a JOIN systems s ON s.system_id = a.system_id WHERE a.code = $1",
                )
                .bind(code)
                .fetch_optional(p)
                .await?;
                if let Some(r) = row {
                    out.push(Host {
                        code: code.clone(),
                        system_id: r.try_get("system_id")?,
                        active: r.try_get("usable")?,
                    });
                }
            }
        });
        Ok(out)
    }

    /// Records a package and its deliveries (one per recipient system, with the codes it hosts), unless the
    /// same sender sent the same bytes as the same message type within [`IDEMPOTENCY_WINDOW_MS`]: then
    /// nothing is written and that send's `DocId` is returned. Returns the `DocId` and whether it is new.
    pub(crate) async fn accept(
        &self,
        pkg: &NewPackage,
        deliveries: &[(String, Vec<String>)],
    ) -> Result<(String, bool)> {
        let now = now_ms();
        let doc_id = new_doc_id();
        let (pkg, deliveries) = (pkg.clone(), deliveries.to_vec());
        write_tx!(self, durable = true, |c, pg| {
            if pg {
                // SQLite's writer already runs one write at a time.
                sqlx::query("SELECT system_id FROM systems WHERE system_id = $1 FOR UPDATE")
                    .bind(&pkg.sender)
                    .execute(&mut *c)
                    .await?;
            }
            let earlier: Option<String> = sqlx::query_scalar(
                "SELECT doc_id FROM packages WHERE sender = $1 AND sha256 = $2 AND message_type = $3 AND created_at >= $4 ORDER BY created_at DESC LIMIT 1",
            )
            .bind(&pkg.sender)
            .bind(&pkg.sha256)
            .bind(pkg.message_type)
            .bind(now - IDEMPOTENCY_WINDOW_MS)
            .fetch_optional(&mut *c)
            .await?;
            if let Some(earlier) = earlier {
                return Ok((earlier, false));
            }
            sqlx::query(
                "INSERT INTO packages (doc_id, sender, from_code, message_type, sha256, size, document_id, subject, notation, status_code, response_for, to_codes, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
            )
            .bind(&doc_id)
            .bind(&pkg.sender)
            .bind(&pkg.from_code)
            .bind(pkg.message_type)
            .bind(&pkg.sha256)
            .bind(pkg.size)
            .bind(&pkg.document_id)
            .bind(&pkg.subject)
            .bind(&pkg.notation)
            .bind(&pkg.status_code)
            .bind(&pkg.response_for)
            .bind(pkg.to_codes.join(","))
            .bind(now)
            .execute(&mut *c)
            .await?;
            for (system, codes) in &deliveries {
                sqlx::query(
                    "INSERT INTO deliveries (doc_id, system_id, message_type, to_codes, state, created_at, updated_at) VALUES ($1, $2, $3, $4, 'pending', $5, $5)",
                )
                .bind(&doc_id)
                .bind(system)
                .bind(pkg.message_type)
                .bind(codes.join(","))
                .bind(now)
                .execute(&mut *c)
                .await?;
            }
            Ok::<_, StoreError>((doc_id, true))
        })
    }

    /// A system's deliveries not yet acknowledged (`pending`, `fetched`) of one message type, oldest first.
    pub(crate) async fn queue(
        &self,
        system: &str,
        kind: &str,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<QueueRow>> {
        on_pool!(self, p => {
            let rows = sqlx::query(
                "SELECT d.doc_id, p.from_code, d.to_codes, d.message_type, d.created_at, d.updated_at, d.state \
                 FROM deliveries d JOIN packages p ON p.doc_id = d.doc_id \
                 WHERE d.system_id = $1 AND d.message_type = $2 AND d.state IN ('pending', 'fetched') \
                 ORDER BY d.id LIMIT $3 OFFSET $4",
            )
            .bind(system)
            .bind(kind)
            .bind(limit)
            .bind(offset)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(QueueRow {
                        doc_id: r.try_get("doc_id")?,
                        from_code: r.try_get("from_code")?,
                        to_codes: r.try_get("to_codes")?,
                        message_type: r.try_get("message_type")?,
                        created_at: r.try_get("created_at")?,
                        updated_at: r.try_get("updated_at")?,
                        state: r.try_get("state")?,
                    })
                })
                .collect()
        })
    }

    pub(crate) async fn queue_len(&self, system: &str, kind: &str) -> Result<i64> {
        on_pool!(self, p => {
            Ok(sqlx::query_scalar(
                "SELECT COUNT(*) FROM deliveries WHERE system_id = $1 AND message_type = $2 AND state IN ('pending', 'fetched')",
            )
            .bind(system)
            .bind(kind)
            .fetch_one(p)
            .await?)
        })
    }

    /// The file of a package delivered to `system`, or `None` when there is no such delivery.
    pub(crate) async fn fetch(&self, doc_id: &str, system: &str) -> Result<Option<Fetch>> {
        on_pool!(self, p => {
            let row = sqlx::query(
                "SELECT p.sha256, p.size, d.state FROM deliveries d JOIN packages p ON p.doc_id = d.doc_id WHERE d.doc_id = $1 AND d.system_id = $2",
            )
            .bind(doc_id)
            .bind(system)
            .fetch_optional(p)
            .await?;
            match row {
                None => Ok(None),
                Some(r) => Ok(Some(Fetch {
                    sha256: r.try_get("sha256")?,
                    size: r.try_get("size")?,
                    state: r.try_get("state")?,
                })),
            }
        })
    }

    /// A pending delivery becomes `fetched` (the package was handed out; still listed until acknowledged).
    ///
    /// A light write: committed and visible at once, but not waited on the disk for (SQLite: a batch of light
    /// writes only is committed with `synchronous=NORMAL`, the WAL not fsync'd; PostgreSQL:
    /// `synchronous_commit = off`). That is safe because the mark is information only: it moves nothing off
    /// the queue (a `fetched` delivery stays listed until `done`/`fail`, like a `pending` one) and no
    /// acknowledgement depends on it. What a power cut can do is lose the mark, the delivery reading `pending`
    /// again (and `receivedTime` empty) — as if the package had not been fetched yet, which at-least-once
    /// delivery already allows: the recipient fetches it again. The database stays consistent: a WAL commit
    /// lost is lost whole, and every later durable commit (a send, an `updateStatus`) fsyncs the WAL with
    /// every commit before it, this mark included. A process crash (not a power cut) loses nothing: the
    /// commit is in the operating system's cache.
    pub(crate) async fn mark_fetched(&self, doc_id: &str, system: &str) -> Result<()> {
        let (now, doc_id, system) = (now_ms(), doc_id.to_string(), system.to_string());
        write_tx!(self, durable = false, |c, pg| {
            sqlx::query(
                "UPDATE deliveries SET state = 'fetched', fetched_at = $1, updated_at = $1 WHERE doc_id = $2 AND system_id = $3 AND state = 'pending'",
            )
            .bind(now)
            .bind(&doc_id)
            .bind(&system)
            .execute(&mut *c)
            .await?;
            Ok::<_, StoreError>(())
        })
    }

    /// Records an `updateStatus`: `done`/`fail` end the delivery (off the queue); other values are kept as
    /// information. `false` when the caller has no such delivery.
    pub(crate) async fn update_status(
        &self,
        doc_id: &str,
        system: &str,
        status: &str,
    ) -> Result<bool> {
        let now = now_ms();
        let terminal = matches!(status, "done" | "fail");
        let (doc_id, system, status) = (doc_id.to_string(), system.to_string(), status.to_string());
        write_tx!(self, durable = true, |c, pg| {
            let n = if terminal {
                sqlx::query(
                    "UPDATE deliveries SET state = $1, status = $1, done_at = $2, updated_at = $2, fetched_at = COALESCE(fetched_at, $2) WHERE doc_id = $3 AND system_id = $4",
                )
                .bind(&status)
                .bind(now)
                .bind(&doc_id)
                .bind(&system)
                .execute(&mut *c)
                .await?
            } else {
                sqlx::query("UPDATE deliveries SET status = $1, updated_at = $2 WHERE doc_id = $3 AND system_id = $4")
                    .bind(&status)
                    .bind(now)
                    .bind(&doc_id)
                    .bind(&system)
                    .execute(&mut *c)
                    .await?
            };
            Ok::<_, StoreError>(n.rows_affected() > 0)
        })
    }

    /// The deliveries of the packages `system` sent (of one message type, optionally one package), newest
    /// package first.
    pub(crate) async fn sent(
        &self,
        system: &str,
        kind: &str,
        doc_id: Option<&str>,
        limit: i64,
        offset: i64,
    ) -> Result<Vec<SentRow>> {
        on_pool!(self, p => {
            let rows = sqlx::query(
                "SELECT p.doc_id, p.from_code, p.message_type, p.subject, p.notation, p.created_at, d.to_codes, d.state, d.status, d.fetched_at \
                 FROM packages p JOIN deliveries d ON d.doc_id = p.doc_id \
                 WHERE p.sender = $1 AND p.message_type = $2 AND ($3 = '' OR p.doc_id = $3) \
                 ORDER BY p.created_at DESC, p.doc_id, d.id LIMIT $4 OFFSET $5",
            )
            .bind(system)
            .bind(kind)
            .bind(doc_id.unwrap_or(""))
            .bind(limit)
            .bind(offset)
            .fetch_all(p)
            .await?;
            rows.iter()
                .map(|r| {
                    Ok(SentRow {
                        doc_id: r.try_get("doc_id")?,
                        from_code: r.try_get("from_code")?,
                        message_type: r.try_get("message_type")?,
                        subject: r.try_get("subject")?,
                        notation: r.try_get("notation")?,
                        created_at: r.try_get("created_at")?,
                        to_codes: r.try_get("to_codes")?,
                        state: r.try_get("state")?,
                        status: r.try_get("status")?,
                        fetched_at: r.try_get("fetched_at")?,
                    })
                })
                .collect()
        })
    }

    /// The agencies that can receive: active, of an active system.
    pub(crate) async fn active_agencies(&self) -> Result<Vec<AgencyRecord>> {
        self.agencies(true).await
    }

    /// Registers (or updates) an agency hosted by `system`; `true` when added. A code of another system is a
    /// conflict; a code not yet on the axis is added only when `create` (open registration), a conflict
    /// otherwise; an agency disabled by an administrator stays disabled.
    pub(crate) async fn register(
        &self,
        system: &str,
        r: &Registration,
        create: bool,
    ) -> Result<bool> {
        let code = r.code.trim();
        check_code(code)?;
        let name = r.name.trim();
        if name.is_empty() {
            return Err(StoreError::Invalid("Thiếu tên đơn vị (name).".into()));
        }
        let now = now_ms();
        let (system, code, name) = (system.to_string(), code.to_string(), name.to_string());
        let (pcode, mail, mobile, fax) = (opt(&r.pcode), opt(&r.mail), opt(&r.mobile), opt(&r.fax));
        write_tx!(self, durable = true, |c, pg| {
            let (system, code, name) = (system.as_str(), code.as_str(), name.as_str());
            let owner: Option<String> =
                sqlx::query_scalar("SELECT system_id FROM agencies WHERE code = $1")
                    .bind(code)
                    .fetch_optional(&mut *c)
                    .await?;
            let created = match owner {
                Some(o) if o != system => {
                    return Err(StoreError::Conflict(format!(
                        "Mã đơn vị {code} đã thuộc một hệ thống khác."
                    )));
                }
                Some(_) => {
                    sqlx::query("UPDATE agencies SET name = $1, pcode = $2, mail = $3, mobile = $4, fax = $5, updated_at = $6 WHERE code = $7")
                        .bind(name)
                        .bind(&pcode)
                        .bind(&mail)
                        .bind(&mobile)
                        .bind(&fax)
                        .bind(now)
                        .bind(code)
                        .execute(&mut *c)
                        .await?;
                    false
                }
                None if !create => {
                    return Err(StoreError::Conflict(format!(
                        "Trục chỉ cho cập nhật đơn vị đã được quản trị viên thêm cho hệ thống gọi: mã {code} chưa được thêm cho hệ thống {system}."
                    )));
                }
                None => {
                    sqlx::query("INSERT INTO agencies (code, name, system_id, pcode, mail, mobile, fax, active, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9)")
                        .bind(code)
                        .bind(name)
                        .bind(system)
                        .bind(&pcode)
                        .bind(&mail)
                        .bind(&mobile)
                        .bind(&fax)
                        .bind(true)
                        .bind(now)
                        .execute(&mut *c)
                        .await?;
                    true
                }
            };
            Ok::<_, StoreError>(created)
        })
    }

    /// Removes an agency hosted by `system` (not its main code, the system's own id).
    pub(crate) async fn delete_agency(&self, system: &str, code: &str) -> Result<()> {
        let code = code.trim();
        if code == system {
            return Err(StoreError::Conflict(format!(
                "Không xóa được {code}: đây là mã chính của hệ thống gọi."
            )));
        }
        let (system, code) = (system.to_string(), code.to_string());
        write_tx!(self, durable = true, |c, pg| {
            let n = sqlx::query("DELETE FROM agencies WHERE code = $1 AND system_id = $2")
                .bind(&code)
                .bind(&system)
                .execute(&mut *c)
                .await?
                .rows_affected();
            if n == 0 {
                return Err(StoreError::NotFound(format!(
                    "Hệ thống gọi không có đơn vị mã {code}."
                )));
            }
            Ok(())
        })
    }
}

/// Creates the SQLite file with mode 0600 when missing, and narrows an existing one (and its WAL files).
fn protect(path: &Path) -> Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        if !path.exists() {
            std::fs::OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(path)?;
        }
        for p in [
            path.to_path_buf(),
            with_suffix(path, "-wal"),
            with_suffix(path, "-shm"),
        ] {
            if p.exists() {
                std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600))?;
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
    Ok(())
}

fn with_suffix(path: &Path, suffix: &str) -> PathBuf {
    let mut s = path.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// A new `DocId`: a random UUID (version 4) in the usual text form.
pub fn new_doc_id() -> String {
    let b: [u8; 16] = rand::random();
    let mut b = b;
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doc_ids_look_like_uuids() {
        let a = new_doc_id();
        assert_eq!(a.len(), 36);
        assert_eq!(&a[14..15], "4");
        assert_ne!(a, new_doc_id());
    }

    #[test]
    fn times_are_rfc3339_utc_with_milliseconds() {
        assert_eq!(format_ms(1_795_333_857_123), "2026-11-22T07:50:57.123Z");
        assert_eq!(format_ms(0), "1970-01-01T00:00:00Z");
    }

    /// Writes queued together share a batch: each failing one (a conflict) is undone alone, the others are kept.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn concurrent_writes_fail_alone() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path(), None).await.unwrap();
        let agency = |code: &str| NewAgency {
            code: code.into(),
            name: "Đơn vị".into(),
            system: Some("SYS.1".into()),
            ..Default::default()
        };
        store
            .add_agency(&NewAgency {
                code: "SYS.1".into(),
                name: "Hệ thống".into(),
                secret: Some("0123456789abcdef".into()),
                ..Default::default()
            })
            .await
            .unwrap();
        let mut tasks = Vec::new();
        for i in 0..64 {
            let (store, a) = (
                store.clone(),
                agency(&if i % 2 == 0 {
                    format!("C.{i}")
                } else {
                    "C.DUP".into()
                }),
            );
            tasks.push(tokio::spawn(async move { store.add_agency(&a).await }));
        }
        let (mut added, mut conflicts) = (0, 0);
        for t in tasks {
            match t.await.unwrap() {
                Ok(()) => added += 1,
                Err(StoreError::Conflict(_)) => conflicts += 1,
                Err(e) => panic!("{e}"),
            }
        }
        assert_eq!((added, conflicts), (33, 31));
        let codes: Vec<String> = store
            .list_agencies()
            .await
            .unwrap()
            .into_iter()
            .map(|a| a.code)
            .collect();
        assert_eq!(codes.len(), 34);
        assert!(codes.contains(&"C.DUP".to_string()) && codes.contains(&"C.62".to_string()));
        // Reopened: every acknowledged write is there.
        store.close().await;
        drop(store);
        let again = Store::open_in(dir.path(), None).await.unwrap();
        assert_eq!(again.list_agencies().await.unwrap().len(), 34);
    }

    #[test]
    fn codes_and_secrets() {
        assert!(check_code("000.00.00.H41").is_ok());
        assert!(check_code("vxp.saas.02").is_ok());
        for bad in ["", "a b", "a,b", "a;b", "a\"b", &"x".repeat(65)] {
            assert!(check_code(bad).is_err(), "{bad}");
        }
        assert!(check_secret("0123456789abcdef").is_ok());
        assert!(check_secret("0123456789abcde").is_err());
    }
}
