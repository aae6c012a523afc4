//! `vanthu-bench-docs`: measures a release build of vanthu on documents — registration of incoming documents
//! (each with a PDF), issuing of approved drafts, and the latency of queue pages at 100 thousand and 1 million
//! documents — and, beside each figure, a plain baseline doing the same work in the same run:
//!
//! * registration and issue: the same rows written straight into a copy of the same SQLite database
//!   (WAL, `synchronous=FULL`, a pool of 8 connections, `BEGIN IMMEDIATE`, like the server) and the same files
//!   stored like the server stores them (temporary file, fsync, rename, fsync of the directory), at the same
//!   concurrency; two what-if variants at the highest concurrency (one writer connection behind a queue, and
//!   group commit) show what a change of the server's write path could give;
//! * queue pages: the same SQL (count and page) run directly on the database file, and what-ifs on the same
//!   file (the assigned queue driven from the assignments' index; an index on `(unit_id, id, secrecy)` made for
//!   the measurement and dropped after it) that show what a change of the server's SQL or schema could give.
//!
//! The documents for the queue pages are bulk-inserted into the server's database while it is stopped, spread
//! over the demo units; the newest of each unit are in progress, the rest finished history.
//!
//! Everything runs on 127.0.0.1; the server is killed when this program ends. Timings are printed, never asserted.

#[allow(dead_code)]
#[path = "../load.rs"]
mod load;
#[allow(dead_code)]
#[path = "../procs.rs"]
mod procs;

use anyhow::{Context, Result, anyhow, bail};
use clap::Parser;
use load::{LoadResult, Target};
use procs::{Memory, Server};
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteConnection, SqliteJournalMode, SqlitePool, SqlitePoolOptions,
    SqliteSynchronous,
};
use sqlx::{ConnectOptions, Connection, Row};
use std::collections::BTreeMap;
use std::future::Future;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use vanthu_domain::document::duplicate_key;
use vanthu_domain::text::fold_ascii;

/// The aims of the issue.
const AIM_REGISTRATIONS_PER_S: f64 = 1000.0;
const AIM_QUEUE_P99_MS: f64 = 20.0;
/// The unit, the accounts and the sender used for registration and issue.
const UNIT_KEY: &str = "ubnd.ninhbinh";
const CLERK: &str = "ubnd.ninhbinh.vanthu";
const SPECIALIST: &str = "ubnd.ninhbinh.chuyenvien";
const LEADER: &str = "ubnd.ninhbinh.lanhdao";
const AUTHOR: &str = "Bộ Nội vụ";
/// The server's pool size on SQLite (crates/store/src/sqlite.rs).
const SERVER_POOL: u32 = 8;
/// Clearance levels of the demo accounts measured (crates/server/src/demo.rs): the specialist has none, the
/// clerk is cleared for Mật.
const SPECIALIST_LEVEL: i64 = 0;
const CLERK_LEVEL: i64 = 1;
/// The page size of the queue pages measured.
const PAGE: i64 = 50;

#[derive(Parser)]
#[command(
    name = "vanthu-bench-docs",
    version,
    about = "Benchmark of vanthu documents: registration and issue throughput, queue pages at 100 k and 1 M documents, each beside a raw SQLite baseline"
)]
struct Cli {
    /// Release build of vanthu to measure [default: target/release/vanthu, else `vanthu` next to this program]
    #[arg(long)]
    vanthu: Option<PathBuf>,
    /// Registrations per concurrency level (each with its own PDF)
    #[arg(long, default_value_t = 2000)]
    registrations: usize,
    /// Concurrency levels of registration and issue, comma-separated
    #[arg(long, value_delimiter = ',', default_values_t = [1, 8, 32])]
    concurrency: Vec<usize>,
    /// Approved drafts issued per concurrency level
    #[arg(long, default_value_t = 500)]
    issues: usize,
    /// Total documents in the database at which queue pages are measured, comma-separated, ascending
    #[arg(long, value_delimiter = ',', default_values_t = [100_000, 1_000_000])]
    docs: Vec<usize>,
    /// Concurrency levels of the queue page load, comma-separated
    #[arg(long, value_delimiter = ',', default_values_t = [1, 8])]
    page_concurrency: Vec<usize>,
    /// Measured seconds per queue page run (after a 1 s warm-up)
    #[arg(long, default_value_t = 5.0)]
    page_seconds: f64,
    /// Size of each PDF in KiB
    #[arg(long, default_value_t = 100)]
    pdf_kib: usize,
    /// Newest documents per unit left unfinished by each bulk insert (the rest are finished history)
    #[arg(long, default_value_t = 1500)]
    open_per_unit: usize,
    /// Directory under which the temporary data directory is made (a real disk: fsync is measured)
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Keep the data directories and logs, and print where they are
    #[arg(long)]
    keep: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("vanthu-bench-docs: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The run future is polled on this (main) thread: the server is spawned from it, and dropping it on
    // ctrl-c or SIGTERM drops its handle, which kills it.
    let result = rt.block_on(async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = run(cli) => r,
            _ = tokio::signal::ctrl_c() => Err(anyhow!("interrupted: the server was stopped")),
            _ = term.recv() => Err(anyhow!("terminated: the server was stopped")),
        }
    });
    rt.shutdown_timeout(Duration::from_secs(2));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vanthu-bench-docs: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn check(cli: &Cli) -> Result<()> {
    let conc_ok = |v: &[usize]| !v.is_empty() && v.iter().all(|&c| (1..=512).contains(&c));
    if !conc_ok(&cli.concurrency) || !conc_ok(&cli.page_concurrency) {
        bail!("--concurrency and --page-concurrency take numbers between 1 and 512, e.g. 1,8,32");
    }
    if !(1..=1_000_000).contains(&cli.registrations) || !(1..=100_000).contains(&cli.issues) {
        bail!("--registrations must be 1 to 1000000, --issues 1 to 100000");
    }
    if cli.docs.windows(2).any(|w| w[0] > w[1]) || cli.docs.iter().any(|&d| d > 20_000_000) {
        bail!("--docs takes ascending totals up to 20000000, e.g. 100000,1000000");
    }
    if !(0.5..=600.0).contains(&cli.page_seconds) {
        bail!("--page-seconds must be between 0.5 and 600");
    }
    if !(1..=30 * 1024).contains(&cli.pdf_kib) {
        bail!("--pdf-kib must be between 1 and 30720 (the server's limit per file)");
    }
    Ok(())
}

fn progress(msg: impl std::fmt::Display) {
    eprintln!("  … {msg}");
}

fn now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

// ---------------------------------------------------------------------------------------------------------
// Measurement: closed loops over a number of operations, or timed loops.

/// One operation that succeeded.
#[derive(Default)]
struct Outcome {
    us: u32,
    /// A number given (arrival or issue number), or an id made.
    number: Option<i64>,
    /// Baselines: microseconds storing the file, and in the database transaction (waiting for it included).
    blob_us: u32,
    db_us: u32,
}

/// What one run measured.
struct Stats {
    conc: usize,
    wall: Duration,
    /// Sorted latencies of the successful operations, in microseconds.
    lat: Vec<u32>,
    errors: BTreeMap<String, u64>,
    numbers: Vec<i64>,
    blob_us: u64,
    db_us: u64,
    rss_peak_kib: u64,
}

impl Stats {
    fn ok(&self) -> usize {
        self.lat.len()
    }
    fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }
    fn per_s(&self) -> f64 {
        self.ok() as f64 / self.wall.as_secs_f64().max(1e-9)
    }
    fn pct(&self, p: f64) -> Option<u32> {
        pct(&self.lat, p)
    }
    fn max(&self) -> Option<u32> {
        self.lat.last().copied()
    }
    fn from_load(r: &LoadResult) -> Stats {
        Stats {
            conc: r.concurrency,
            wall: r.wall,
            lat: r.latencies_us.clone(),
            errors: r.errors.clone(),
            numbers: Vec::new(),
            blob_us: 0,
            db_us: 0,
            rss_peak_kib: r.rss_peak_kib,
        }
    }
}

/// Nearest-rank percentile of sorted values.
fn pct(sorted: &[u32], p: f64) -> Option<u32> {
    let n = sorted.len();
    if n == 0 {
        return None;
    }
    let rank = ((p / 100.0) * n as f64).ceil() as usize;
    Some(sorted[rank.clamp(1, n) - 1])
}

type TaskResult = (Vec<Outcome>, BTreeMap<String, u64>, Instant);

fn collect(conc: usize, start: Instant, results: Vec<TaskResult>) -> Stats {
    let mut lat = Vec::new();
    let mut numbers = Vec::new();
    let mut errors = BTreeMap::new();
    let (mut blob_us, mut db_us) = (0u64, 0u64);
    let mut end = start;
    for (outs, errs, last) in results {
        end = end.max(last);
        for o in outs {
            lat.push(o.us);
            numbers.extend(o.number);
            blob_us += u64::from(o.blob_us);
            db_us += u64::from(o.db_us);
        }
        for (k, v) in errs {
            *errors.entry(k).or_insert(0) += v;
        }
    }
    lat.sort_unstable();
    Stats {
        conc,
        wall: end.saturating_duration_since(start),
        lat,
        errors,
        numbers,
        blob_us,
        db_us,
        rss_peak_kib: 0,
    }
}

/// Runs operations 0..n on `conc` tasks, each taking the next index when it is free.
async fn closed_loop<F, Fut>(n: usize, conc: usize, f: F) -> Result<Stats>
where
    F: Fn(usize) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Outcome, String>> + Send + 'static,
{
    let f = Arc::new(f);
    let next = Arc::new(AtomicUsize::new(0));
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(conc);
    for _ in 0..conc {
        let (f, next) = (f.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut outs = Vec::new();
            let mut errs = BTreeMap::new();
            let mut last = Instant::now();
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                match f(i).await {
                    Ok(o) => outs.push(o),
                    Err(k) => *errs.entry(k).or_insert(0) += 1,
                }
                last = Instant::now();
            }
            (outs, errs, last)
        }));
    }
    let mut results = Vec::with_capacity(conc);
    for t in tasks {
        results.push(t.await?);
    }
    Ok(collect(conc, start, results))
}

/// Runs operations on `conc` tasks until `duration` has passed (a warm-up first, not recorded).
async fn timed_loop<F, Fut>(
    warmup: Duration,
    duration: Duration,
    conc: usize,
    f: F,
) -> Result<Stats>
where
    F: Fn() -> Fut + Send + Sync + 'static,
    Fut: Future<Output = Result<Outcome, String>> + Send + 'static,
{
    let f = Arc::new(f);
    let mut stats = None;
    for (d, keep) in [(warmup, false), (duration, true)] {
        if d.is_zero() {
            continue;
        }
        let start = Instant::now();
        let deadline = start + d;
        let mut tasks = Vec::with_capacity(conc);
        for _ in 0..conc {
            let f = f.clone();
            tasks.push(tokio::spawn(async move {
                let mut outs = Vec::new();
                let mut errs = BTreeMap::new();
                let mut last = Instant::now();
                while Instant::now() < deadline {
                    match f().await {
                        Ok(o) => outs.push(o),
                        Err(k) => *errs.entry(k).or_insert(0) += 1,
                    }
                    last = Instant::now();
                }
                (outs, errs, last)
            }));
        }
        let mut results = Vec::with_capacity(conc);
        for t in tasks {
            results.push(t.await?);
        }
        if keep {
            stats = Some(collect(conc, start, results));
        }
    }
    stats.ok_or_else(|| anyhow!("no measured phase"))
}

fn micros(d: Duration) -> u32 {
    u32::try_from(d.as_micros()).unwrap_or(u32::MAX)
}

// ---------------------------------------------------------------------------------------------------------
// Files.

/// A PDF of `size` bytes whose content is distinct for each seed (so the server stores every one).
fn make_pdf(seed: u64, size: usize) -> Vec<u8> {
    let head = format!(
        "%PDF-1.7\n%\u{e2}\u{e3}\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n% bench document {seed}\n3 0 obj\n<< /Length {} >>\nstream\n",
        size.saturating_sub(200)
    );
    let tail = b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";
    let mut v = Vec::with_capacity(size.max(head.len() + tail.len()));
    v.extend_from_slice(head.as_bytes());
    let body = size.saturating_sub(head.len() + tail.len());
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    while v.len() < head.len() + body {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let take = (head.len() + body - v.len()).min(8);
        v.extend_from_slice(&x.to_le_bytes()[..take]);
    }
    v.extend_from_slice(tail);
    v
}

/// Stores a file the way the server does (crates/server/src/blobs.rs): SHA-256, a temporary file written
/// and flushed, renamed into `root/ab/cd/abcd…`, the directory flushed.
fn put_blob(root: &Path, bytes: &[u8], nonce: u64) -> std::io::Result<String> {
    let sha = hex::encode(Sha256::digest(bytes));
    let dir = root.join(&sha[0..2]).join(&sha[2..4]);
    let path = dir.join(&sha);
    if let Ok(m) = std::fs::metadata(&path)
        && m.len() == bytes.len() as u64
    {
        return Ok(sha);
    }
    std::fs::create_dir_all(&dir)?;
    let tmp = root
        .join("tmp")
        .join(format!("{sha}.{}.{nonce}", std::process::id()));
    let mut f = std::fs::File::create(&tmp)?;
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, &path)?;
    std::fs::File::open(&dir)?.sync_all()?;
    Ok(sha)
}

fn dir_size(path: &Path) -> (u64, u64) {
    let (mut files, mut bytes) = (0u64, 0u64);
    let mut stack = vec![path.to_path_buf()];
    while let Some(p) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&p) else {
            continue;
        };
        for e in rd.flatten() {
            match e.metadata() {
                Ok(m) if m.is_dir() => stack.push(e.path()),
                Ok(m) => {
                    files += 1;
                    bytes += m.len();
                }
                Err(_) => {}
            }
        }
    }
    (files, bytes)
}

fn file_len(p: &Path) -> u64 {
    std::fs::metadata(p).map_or(0, |m| m.len())
}

/// The database file and its WAL, and the blobs, of a data directory.
fn storage_line(dir: &Path) -> String {
    let db = file_len(&dir.join("vanthu.db"));
    let wal = file_len(&dir.join("vanthu.db-wal"));
    let (files, bytes) = dir_size(&dir.join("blobs"));
    format!(
        "database {} (+ WAL {}), blobs {} files, {}",
        human(db),
        human(wal),
        files,
        human(bytes)
    )
}

fn human(bytes: u64) -> String {
    let b = bytes as f64;
    if b >= 1024.0 * 1024.0 * 1024.0 {
        format!("{:.2} GiB", b / 1024.0 / 1024.0 / 1024.0)
    } else {
        format!("{:.1} MiB", b / 1024.0 / 1024.0)
    }
}

// ---------------------------------------------------------------------------------------------------------
// The HTTP side.

fn http_client() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(512)
        .pool_idle_timeout(Duration::from_secs(90))
        .tcp_nodelay(true)
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(120))
        .build()?)
}

fn err_kind(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timeout".into()
    } else if e.is_connect() {
        "connect error".into()
    } else {
        format!("transport error: {e}")
    }
}

fn excerpt(body: &[u8]) -> String {
    String::from_utf8_lossy(body).chars().take(200).collect()
}

/// Sends a request; a status other than `want` is an error naming the status and the start of the body.
async fn send(req: reqwest::RequestBuilder, want: u16) -> Result<(Value, Duration), String> {
    let t0 = Instant::now();
    let resp = req.send().await.map_err(|e| err_kind(&e))?;
    let status = resp.status().as_u16();
    let body = resp.bytes().await.map_err(|e| err_kind(&e))?;
    let took = t0.elapsed();
    if status != want {
        return Err(format!("HTTP {status}: {}", excerpt(&body)));
    }
    let v = serde_json::from_slice(&body).map_err(|_| format!("not JSON: {}", excerpt(&body)))?;
    Ok((v, took))
}

async fn login(client: &reqwest::Client, base: &str, username: &str) -> Result<String> {
    let password = std::env::var("VANTHU_DEMO_PASSWORD").unwrap_or_else(|_| "VanThu@2025".into());
    let (v, _) = send(
        client
            .post(format!("{base}/api/v1/auth/login"))
            .json(&json!({"username": username, "password": password})),
        200,
    )
    .await
    .map_err(|e| anyhow!("signing in as {username}: {e}"))?;
    v["token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow!("the sign-in answer of {username} has no token: {v}"))
}

async fn get_json(client: &reqwest::Client, base: &str, token: &str, path: &str) -> Result<Value> {
    send(client.get(format!("{base}{path}")).bearer_auth(token), 200)
        .await
        .map(|(v, _)| v)
        .map_err(|e| anyhow!("GET {path}: {e}"))
}

/// Who and what the HTTP runs use.
struct Ctx {
    client: reqwest::Client,
    base: String,
    clerk: String,
    specialist: String,
    leader: String,
    unit_id: i64,
    leader_id: i64,
    pdf_bytes: usize,
    doc_date: String,
}

impl Ctx {
    async fn new(s: &Server, pdf_bytes: usize) -> Result<Ctx> {
        let client = http_client()?;
        let base = s.base.clone();
        let clerk = login(&client, &base, CLERK).await?;
        let specialist = login(&client, &base, SPECIALIST).await?;
        let leader = login(&client, &base, LEADER).await?;
        let units = get_json(&client, &base, &clerk, "/api/v1/units").await?;
        let unit_id = units["items"]
            .as_array()
            .and_then(|a| a.iter().find(|u| u["key"] == UNIT_KEY))
            .and_then(|u| u["id"].as_i64())
            .ok_or_else(|| anyhow!("no unit {UNIT_KEY} in GET /api/v1/units"))?;
        let people = get_json(
            &client,
            &base,
            &clerk,
            &format!("/api/v1/people?q={LEADER}"),
        )
        .await?;
        let leader_id = people["items"]
            .as_array()
            .and_then(|a| a.iter().find(|p| p["username"] == LEADER))
            .and_then(|p| p["id"].as_i64())
            .ok_or_else(|| anyhow!("no person {LEADER} in GET /api/v1/people"))?;
        // Three days ago in Việt Nam: never in the future.
        let d = (time::OffsetDateTime::now_utc() + time::Duration::hours(7)
            - time::Duration::days(3))
        .date();
        Ok(Ctx {
            client,
            base,
            clerk,
            specialist,
            leader,
            unit_id,
            leader_id,
            pdf_bytes,
            doc_date: format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day()),
        })
    }

    fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// `POST /api/v1/incoming`: one registration, with a distinct PDF (or, without `file`, metadata only).
    async fn register(&self, tag: &str, i: usize, file: bool) -> Result<Outcome, String> {
        let meta = json!({
            "unit_id": self.unit_id,
            "subject": format!("Về việc thử nghiệm hiệu năng vào sổ văn bản đến, lượt {tag}, văn bản {i}"),
            "author": AUTHOR,
            "notation": format!("{i}/BNV-VP-{tag}"),
            "doc_date": self.doc_date,
            "doc_type": "cong_van",
        });
        let req = self
            .client
            .post(self.url("/api/v1/incoming"))
            .bearer_auth(&self.clerk);
        let req = if file {
            let seed = fxhash(tag) ^ (i as u64).wrapping_mul(0x100_0000_01b3);
            let part = reqwest::multipart::Part::bytes(make_pdf(seed, self.pdf_bytes))
                .file_name("x.pdf")
                .mime_str("application/pdf")
                .map_err(|e| e.to_string())?;
            let form = reqwest::multipart::Form::new()
                .text("metadata", meta.to_string())
                .part("main", part);
            req.multipart(form)
        } else {
            req.json(&meta)
        };
        let (v, took) = send(req, 201).await?;
        Ok(Outcome {
            us: micros(took),
            number: v["reg_number"].as_i64(),
            ..Outcome::default()
        })
    }

    /// A draft by the specialist, submitted, approved by the leader: its id (the time of the three requests).
    async fn approved_draft(&self, i: usize, pdf: Vec<u8>) -> Result<Outcome, String> {
        let meta = json!({
            "unit_id": self.unit_id,
            "doc_type": "quyet_dinh",
            "subject": format!("Quyết định thử nghiệm hiệu năng ban hành số {i}"),
            "signer_id": self.leader_id,
        });
        let part = reqwest::multipart::Part::bytes(pdf)
            .file_name("x.pdf")
            .mime_str("application/pdf")
            .map_err(|e| e.to_string())?;
        let form = reqwest::multipart::Form::new()
            .text("metadata", meta.to_string())
            .part("main", part);
        let t0 = Instant::now();
        let (v, _) = send(
            self.client
                .post(self.url("/api/v1/outgoing"))
                .bearer_auth(&self.specialist)
                .multipart(form),
            201,
        )
        .await
        .map_err(|e| format!("draft: {e}"))?;
        let id = v["id"].as_i64().ok_or("draft: no id")?;
        send(
            self.client
                .post(self.url(&format!("/api/v1/outgoing/{id}/submit")))
                .bearer_auth(&self.specialist),
            200,
        )
        .await
        .map_err(|e| format!("submit: {e}"))?;
        send(
            self.client
                .post(self.url(&format!("/api/v1/outgoing/{id}/review")))
                .bearer_auth(&self.leader)
                .json(&json!({"decision": "approve"})),
            200,
        )
        .await
        .map_err(|e| format!("approve: {e}"))?;
        Ok(Outcome {
            us: micros(t0.elapsed()),
            number: Some(id),
            ..Outcome::default()
        })
    }

    /// `POST /api/v1/outgoing/{id}/issue` by the clerk: the number given.
    async fn issue(&self, id: i64) -> Result<Outcome, String> {
        let (v, took) = send(
            self.client
                .post(self.url(&format!("/api/v1/outgoing/{id}/issue")))
                .bearer_auth(&self.clerk)
                .json(&json!({})),
            200,
        )
        .await?;
        Ok(Outcome {
            us: micros(took),
            number: v["number"].as_i64(),
            ..Outcome::default()
        })
    }
}

fn fxhash(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

async fn start_server(bin: &Path, data: &Path, log: PathBuf) -> Result<(Server, Duration)> {
    let mut s = procs::spawn_vanthu(bin, data, true, &[], log)?;
    let t = s
        .wait_ready(&procs::poll_client()?, "/healthz", Duration::from_secs(300))
        .await?;
    Ok((s, t))
}

// ---------------------------------------------------------------------------------------------------------
// The raw baseline: the same rows and files, straight into SQLite.

fn sqlite_options(db: &Path) -> SqliteConnectOptions {
    SqliteConnectOptions::new()
        .filename(db)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Full)
        .foreign_keys(true)
        .busy_timeout(Duration::from_secs(30))
}

async fn sqlite_pool(db: &Path, size: u32) -> Result<SqlitePool> {
    Ok(SqlitePoolOptions::new()
        .max_connections(size)
        .connect_with(sqlite_options(db))
        .await?)
}

/// How the baseline's writes reach SQLite.
#[derive(Clone, Copy, PartialEq, Eq)]
enum WriteMode {
    /// A pool of 8 connections, each write in its own `BEGIN IMMEDIATE` transaction (what the server does):
    /// writers that find the database locked wait in SQLite's busy handler.
    Pool,
    /// One connection behind an async mutex: writers queue in-process, one transaction each.
    Queue,
    /// One writer task: every write waiting when a transaction starts goes into it (group commit).
    Group,
}

impl WriteMode {
    fn label(self) -> &'static str {
        match self {
            WriteMode::Pool => "raw: pool of 8 + BEGIN IMMEDIATE (as the server)",
            WriteMode::Queue => "what-if: one writer connection, queued in-process",
            WriteMode::Group => "what-if: group commit (one transaction per batch)",
        }
    }
}

/// The rows of one registration or issue.
enum Job {
    Register {
        subject: String,
        search: String,
        notation: String,
        dup_author: String,
        dup_notation: String,
        sha: String,
        size: i64,
    },
    Issue {
        doc_id: i64,
    },
}

struct Raw {
    pool: SqlitePool,
    /// The single writer connection of `WriteMode::Queue`.
    queue: tokio::sync::Mutex<Option<SqliteConnection>>,
    /// The writer task of `WriteMode::Group`.
    group: tokio::sync::Mutex<Option<GroupWriter>>,
    blobs: PathBuf,
    unit_id: i64,
    clerk_id: i64,
    specialist_id: i64,
    leader_id: i64,
    in_reg: i64,
    out_reg: i64,
    pdf_bytes: usize,
    doc_date: String,
    nonce: AtomicUsize,
}

type GroupMsg = (Job, tokio::sync::oneshot::Sender<Result<i64, String>>);

struct GroupWriter {
    tx: tokio::sync::mpsc::Sender<GroupMsg>,
    handle: tokio::task::JoinHandle<()>,
}

impl Raw {
    async fn open(dir: &Path, pdf_bytes: usize, doc_date: String) -> Result<Raw> {
        let db = dir.join("vanthu.db");
        let pool = sqlite_pool(&db, SERVER_POOL).await?;
        let one = |sql: &'static str| {
            let pool = pool.clone();
            async move {
                sqlx::query(sql)
                    .fetch_one(&pool)
                    .await
                    .and_then(|r| r.try_get::<i64, _>(0))
                    .with_context(|| format!("baseline: {sql}"))
            }
        };
        let unit_id = one("SELECT id FROM units WHERE key = 'ubnd.ninhbinh'").await?;
        let clerk_id = one("SELECT id FROM people WHERE username = 'ubnd.ninhbinh.vanthu'").await?;
        let specialist_id =
            one("SELECT id FROM people WHERE username = 'ubnd.ninhbinh.chuyenvien'").await?;
        let leader_id =
            one("SELECT id FROM people WHERE username = 'ubnd.ninhbinh.lanhdao'").await?;
        let reg = |kind: &'static str| {
            let pool = pool.clone();
            async move {
                sqlx::query(
                    "SELECT id FROM registers WHERE unit_id = $1 AND kind = $2 AND secret = 0 AND active = 1 AND series = '' ORDER BY id DESC LIMIT 1",
                )
                .bind(unit_id)
                .bind(kind)
                .fetch_one(&pool)
                .await
                .and_then(|r| r.try_get::<i64, _>(0))
                .with_context(|| format!("baseline: no {kind} register of {UNIT_KEY}"))
            }
        };
        let in_reg = reg("incoming").await?;
        let out_reg = reg("outgoing").await?;
        let blobs = dir.join("blobs");
        std::fs::create_dir_all(blobs.join("tmp"))?;
        Ok(Raw {
            pool,
            queue: tokio::sync::Mutex::new(None),
            group: tokio::sync::Mutex::new(None),
            blobs,
            unit_id,
            clerk_id,
            specialist_id,
            leader_id,
            in_reg,
            out_reg,
            pdf_bytes,
            doc_date,
            nonce: AtomicUsize::new(0),
        })
    }

    /// The statements of one job, inside a transaction the caller holds.
    async fn write_job(&self, c: &mut SqliteConnection, job: &Job) -> sqlx::Result<i64> {
        let now = now_ms();
        match job {
            Job::Register {
                subject,
                search,
                notation,
                dup_author,
                dup_notation,
                sha,
                size,
            } => {
                let n: i64 = sqlx::query(
                    "UPDATE registers SET next_number = next_number + 1 WHERE id = $1 AND active RETURNING next_number - 1",
                )
                .bind(self.in_reg)
                .fetch_one(&mut *c)
                .await?
                .try_get(0)?;
                let id: i64 = sqlx::query(
                    "INSERT INTO documents (unit_id, direction, state, doc_type, subject, search, notation, doc_date, author, \
                     dup_author, dup_notation, urgency, secrecy, channel, register_id, reg_number, registered_at, received_at, \
                     created_by, created_at, updated_at) VALUES ($1, 'incoming', 'registered', 'cong_van', $2, $3, $4, $5, $6, \
                     $7, $8, 'normal', 0, 'paper', $9, $10, $11, $11, $12, $11, $11) RETURNING id",
                )
                .bind(self.unit_id)
                .bind(subject)
                .bind(search)
                .bind(notation)
                .bind(&self.doc_date)
                .bind(AUTHOR)
                .bind(dup_author)
                .bind(dup_notation)
                .bind(self.in_reg)
                .bind(n)
                .bind(now)
                .bind(self.clerk_id)
                .fetch_one(&mut *c)
                .await?
                .try_get(0)?;
                sqlx::query(
                    "INSERT INTO document_files (document_id, kind, name, media_type, size, sha256, version, frozen, uploaded_by, \
                     uploaded_at) VALUES ($1, 'main', 'x.pdf', 'application/pdf', $2, $3, 1, 1, $4, $5)",
                )
                .bind(id)
                .bind(size)
                .bind(sha)
                .bind(self.clerk_id)
                .bind(now)
                .execute(&mut *c)
                .await?;
                sqlx::query(
                    "INSERT INTO register_entries (register_id, number, status, taken_by, taken_at, document_id) \
                     VALUES ($1, $2, 'used', $3, $4, $5)",
                )
                .bind(self.in_reg)
                .bind(n)
                .bind(self.clerk_id)
                .bind(now)
                .bind(id)
                .execute(&mut *c)
                .await?;
                sqlx::query(
                    "INSERT INTO events (at, actor_id, action, entity, entity_id, summary, details) \
                     VALUES ($1, $2, 'document.register', 'document', $3, $4, $5)",
                )
                .bind(now)
                .bind(self.clerk_id)
                .bind(id)
                .bind(format!("Vào sổ, số đến {n}: Văn bản đến \"{subject}\" số {notation}"))
                .bind(json!({"register_id": self.in_reg, "number": n, "files": [sha], "duplicates": []}).to_string())
                .execute(&mut *c)
                .await?;
                Ok(n)
            }
            Job::Issue { doc_id } => {
                let n: i64 = sqlx::query(
                    "UPDATE registers SET next_number = next_number + 1 WHERE id = $1 AND active RETURNING next_number - 1",
                )
                .bind(self.out_reg)
                .fetch_one(&mut *c)
                .await?
                .try_get(0)?;
                let notation = format!("{n}/QĐ-UBND");
                sqlx::query(
                    "INSERT INTO register_entries (register_id, number, notation, status, taken_by, taken_at, document_id) \
                     VALUES ($1, $2, $3, 'used', $4, $5, $6)",
                )
                .bind(self.out_reg)
                .bind(n)
                .bind(&notation)
                .bind(self.clerk_id)
                .bind(now)
                .bind(doc_id)
                .execute(&mut *c)
                .await?;
                let r = sqlx::query(
                    "UPDATE documents SET state = 'issued', register_id = $1, reg_number = $2, registered_at = $3, issued_at = $3, \
                     notation = $4, doc_date = $5, author = 'Ủy ban nhân dân tỉnh Ninh Bình', updated_at = $3 \
                     WHERE id = $6 AND state = 'approved'",
                )
                .bind(self.out_reg)
                .bind(n)
                .bind(now)
                .bind(&notation)
                .bind(&self.doc_date)
                .bind(doc_id)
                .execute(&mut *c)
                .await?;
                if r.rows_affected() != 1 {
                    return Err(sqlx::Error::RowNotFound);
                }
                sqlx::query("UPDATE document_files SET frozen = 1 WHERE document_id = $1")
                    .bind(doc_id)
                    .execute(&mut *c)
                    .await?;
                sqlx::query(
                    "INSERT INTO events (at, actor_id, action, entity, entity_id, summary, details) \
                     VALUES ($1, $2, 'document.issue', 'document', $3, $4, $5)",
                )
                .bind(now)
                .bind(self.clerk_id)
                .bind(doc_id)
                .bind(format!("Cấp số {notation} và ban hành"))
                .bind(json!({"register_id": self.out_reg, "number": n, "notation": notation}).to_string())
                .execute(&mut *c)
                .await?;
                Ok(n)
            }
        }
    }

    /// One job in its own transaction, or in a batch, as `mode` says.
    async fn commit_job(self: &Arc<Self>, mode: WriteMode, job: Job) -> Result<i64, String> {
        match mode {
            WriteMode::Pool => {
                let mut tx = self
                    .pool
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err(|e| e.to_string())?;
                let n = self
                    .write_job(&mut tx, &job)
                    .await
                    .map_err(|e| e.to_string())?;
                tx.commit().await.map_err(|e| e.to_string())?;
                Ok(n)
            }
            WriteMode::Queue => {
                let mut guard = self.queue.lock().await;
                if guard.is_none() {
                    *guard = Some(
                        sqlite_options(&self.db_path())
                            .connect()
                            .await
                            .map_err(|e| e.to_string())?,
                    );
                }
                let c = guard.as_mut().expect("just set");
                let mut tx = c
                    .begin_with("BEGIN IMMEDIATE")
                    .await
                    .map_err(|e| e.to_string())?;
                let n = self
                    .write_job(&mut tx, &job)
                    .await
                    .map_err(|e| e.to_string())?;
                tx.commit().await.map_err(|e| e.to_string())?;
                Ok(n)
            }
            WriteMode::Group => {
                let sender = {
                    let mut g = self.group.lock().await;
                    if g.is_none() {
                        *g = Some(self.clone().spawn_group_writer().await?);
                    }
                    g.as_ref().expect("just set").tx.clone()
                };
                let (reply, answer) = tokio::sync::oneshot::channel();
                sender
                    .send((job, reply))
                    .await
                    .map_err(|_| "group writer stopped".to_string())?;
                answer
                    .await
                    .map_err(|_| "group writer dropped the job".to_string())?
            }
        }
    }

    fn db_path(&self) -> PathBuf {
        self.blobs
            .parent()
            .map_or_else(|| PathBuf::from("vanthu.db"), |d| d.join("vanthu.db"))
    }

    async fn spawn_group_writer(self: Arc<Self>) -> Result<GroupWriter, String> {
        let mut conn = sqlite_options(&self.db_path())
            .connect()
            .await
            .map_err(|e| e.to_string())?;
        let (tx, mut rx) = tokio::sync::mpsc::channel::<GroupMsg>(4096);
        let handle = tokio::spawn(async move {
            while let Some(first) = rx.recv().await {
                let mut batch = vec![first];
                while batch.len() < 256 {
                    match rx.try_recv() {
                        Ok(m) => batch.push(m),
                        Err(_) => break,
                    }
                }
                let result: Result<Vec<i64>, String> = async {
                    let mut t = conn
                        .begin_with("BEGIN IMMEDIATE")
                        .await
                        .map_err(|e| e.to_string())?;
                    let mut ns = Vec::with_capacity(batch.len());
                    for (job, _) in &batch {
                        ns.push(
                            self.write_job(&mut t, job)
                                .await
                                .map_err(|e| e.to_string())?,
                        );
                    }
                    t.commit().await.map_err(|e| e.to_string())?;
                    Ok(ns)
                }
                .await;
                match result {
                    Ok(ns) => {
                        for ((_, reply), n) in batch.into_iter().zip(ns) {
                            let _ = reply.send(Ok(n));
                        }
                    }
                    Err(e) => {
                        for (_, reply) in batch {
                            let _ = reply.send(Err(e.clone()));
                        }
                    }
                }
            }
        });
        Ok(GroupWriter { tx, handle })
    }

    async fn close_writers(&self) {
        if let Some(c) = self.queue.lock().await.take() {
            let _ = c.close().await;
        }
        if let Some(g) = self.group.lock().await.take() {
            drop(g.tx);
            let _ = g.handle.await;
        }
    }

    /// A registration: the file stored, then the rows.
    async fn register(
        self: &Arc<Self>,
        mode: WriteMode,
        tag: &str,
        i: usize,
    ) -> Result<Outcome, String> {
        let seed = fxhash(tag) ^ (i as u64).wrapping_mul(0x100_0000_01b3);
        let pdf = make_pdf(seed, self.pdf_bytes);
        let subject =
            format!("Về việc thử nghiệm hiệu năng vào sổ văn bản đến, lượt {tag}, văn bản {i}");
        let notation = format!("{i}/BNV-VP-{tag}");
        let t0 = Instant::now();
        let root = self.blobs.clone();
        let nonce = self.nonce.fetch_add(1, Ordering::Relaxed) as u64;
        let size = pdf.len() as i64;
        let sha = tokio::task::spawn_blocking(move || put_blob(&root, &pdf, nonce))
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| format!("blob: {e}"))?;
        let t1 = Instant::now();
        let (dup_author, dup_notation) = duplicate_key(AUTHOR, &notation);
        let job = Job::Register {
            search: fold_ascii(&format!("{subject} {notation} {AUTHOR}")),
            subject,
            notation,
            dup_author,
            dup_notation,
            sha,
            size,
        };
        let n = self.commit_job(mode, job).await?;
        let t2 = Instant::now();
        Ok(Outcome {
            us: micros(t2 - t0),
            number: Some(n),
            blob_us: micros(t1 - t0),
            db_us: micros(t2 - t1),
        })
    }

    async fn issue(self: &Arc<Self>, mode: WriteMode, doc_id: i64) -> Result<Outcome, String> {
        let t0 = Instant::now();
        let n = self.commit_job(mode, Job::Issue { doc_id }).await?;
        Ok(Outcome {
            us: micros(t0.elapsed()),
            number: Some(n),
            db_us: micros(t0.elapsed()),
            ..Outcome::default()
        })
    }

    /// Approved drafts with a file row each, for the issue baseline (not timed).
    async fn approved_drafts(&self, n: usize) -> Result<Vec<i64>> {
        let mut tx = self.pool.begin_with("BEGIN IMMEDIATE").await?;
        let now = now_ms();
        let mut ids = Vec::with_capacity(n);
        for i in 0..n {
            let subject = format!("Quyết định thử nghiệm hiệu năng ban hành số {i}");
            let id: i64 = sqlx::query(
                "INSERT INTO documents (unit_id, direction, state, doc_type, subject, search, urgency, secrecy, signer_id, \
                 review_plan, review_round, created_by, created_at, updated_at) VALUES ($1, 'outgoing', 'approved', 'quyet_dinh', \
                 $2, $3, 'normal', 0, $4, '[]', 1, $5, $6, $6) RETURNING id",
            )
            .bind(self.unit_id)
            .bind(&subject)
            .bind(fold_ascii(&subject))
            .bind(self.leader_id)
            .bind(self.specialist_id)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?
            .try_get(0)?;
            sqlx::query(
                "INSERT INTO document_files (document_id, kind, name, media_type, size, sha256, version, frozen, uploaded_by, \
                 uploaded_at) VALUES ($1, 'main', 'x.pdf', 'application/pdf', 102400, $2, 1, 0, $3, $4)",
            )
            .bind(id)
            .bind(hex::encode(Sha256::digest(id.to_le_bytes())))
            .bind(self.specialist_id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
    }
}

// ---------------------------------------------------------------------------------------------------------
// Numbers: gap-free?

struct GapReport {
    count: usize,
    min: i64,
    max: i64,
    duplicates: usize,
    missing: i64,
}

impl GapReport {
    fn of(numbers: &[i64]) -> GapReport {
        let mut v = numbers.to_vec();
        v.sort_unstable();
        let before = v.len();
        v.dedup();
        let duplicates = before - v.len();
        let (min, max) = (
            v.first().copied().unwrap_or(0),
            v.last().copied().unwrap_or(0),
        );
        let missing = if v.is_empty() {
            0
        } else {
            (max - min + 1) - v.len() as i64
        };
        GapReport {
            count: before,
            min,
            max,
            duplicates,
            missing,
        }
    }

    fn ok(&self) -> bool {
        self.duplicates == 0 && self.missing == 0
    }

    fn line(&self) -> String {
        format!(
            "{} numbers, {}…{}, {} duplicated, {} missing: {}",
            self.count,
            self.min,
            self.max,
            self.duplicates,
            self.missing,
            if self.ok() {
                "gap-free"
            } else {
                "NOT gap-free"
            }
        )
    }
}

/// The register's entries in the database: every number 1..next_number-1 taken once and used.
async fn register_in_db(pool: &SqlitePool, register_id: i64) -> Result<String> {
    let next: i64 = sqlx::query("SELECT next_number FROM registers WHERE id = $1")
        .bind(register_id)
        .fetch_one(pool)
        .await?
        .try_get(0)?;
    let r = sqlx::query(
        "SELECT COUNT(*), COALESCE(MIN(number), 0), COALESCE(MAX(number), 0), \
         COALESCE(SUM(status = 'used' AND document_id IS NOT NULL), 0) FROM register_entries WHERE register_id = $1",
    )
    .bind(register_id)
    .fetch_one(pool)
    .await?;
    let (count, min, max, used): (i64, i64, i64, i64) =
        (r.try_get(0)?, r.try_get(1)?, r.try_get(2)?, r.try_get(3)?);
    let ok = count == next - 1 && (count == 0 || (min == 1 && max == next - 1)) && used == count;
    Ok(format!(
        "register {register_id}: next_number {next}, {count} entries {min}…{max}, {used} used by a document: {}",
        if ok { "gap-free" } else { "NOT gap-free" }
    ))
}

// ---------------------------------------------------------------------------------------------------------
// Bulk insert of documents into a stopped server's database.

/// One unit that holds documents, with its people and the registers of the historical documents.
struct BulkUnit {
    id: i64,
    leader: i64,
    specialist: i64,
    clerk: i64,
    in_reg: i64,
    out_reg: i64,
    in_next: i64,
    out_next: i64,
}

#[derive(Clone)]
enum V {
    I(i64),
    T(String),
    N,
}

/// Rows of one table, written as multi-row INSERTs.
struct Batch {
    table: &'static str,
    cols: &'static [&'static str],
    rows_per_stmt: usize,
    vals: Vec<V>,
    rows: usize,
    total: u64,
}

impl Batch {
    fn new(table: &'static str, cols: &'static [&'static str]) -> Batch {
        let rows_per_stmt = (30_000 / cols.len()).min(250);
        Batch {
            table,
            cols,
            rows_per_stmt,
            vals: Vec::new(),
            rows: 0,
            total: 0,
        }
    }

    fn push(&mut self, row: Vec<V>) {
        debug_assert_eq!(row.len(), self.cols.len());
        self.vals.extend(row);
        self.rows += 1;
    }

    fn full(&self) -> bool {
        self.rows >= self.rows_per_stmt
    }

    async fn flush(&mut self, c: &mut SqliteConnection) -> Result<()> {
        if self.rows == 0 {
            return Ok(());
        }
        let one = format!("({})", vec!["?"; self.cols.len()].join(", "));
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            self.table,
            self.cols.join(", "),
            vec![one; self.rows].join(", ")
        );
        let mut q = sqlx::query(sqlx::AssertSqlSafe(sql));
        for v in self.vals.drain(..) {
            q = match v {
                V::I(i) => q.bind(i),
                V::T(s) => q.bind(s),
                V::N => q.bind(None::<i64>),
            };
        }
        q.execute(&mut *c)
            .await
            .with_context(|| format!("bulk insert into {}", self.table))?;
        self.total += self.rows as u64;
        self.rows = 0;
        Ok(())
    }
}

fn mix(mut x: u64) -> u64 {
    x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    x = (x ^ (x >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    x ^ (x >> 31)
}

fn date_of(ms: i64) -> String {
    let d = time::OffsetDateTime::from_unix_timestamp(ms / 1000 + 7 * 3600)
        .map(|t| t.date())
        .unwrap_or(time::Date::MIN);
    format!("{:04}-{:02}-{:02}", d.year(), d.month() as u8, d.day())
}

const SENDERS: &[(&str, &str)] = &[
    ("Bộ Nội vụ", "BNV"),
    ("Bộ Tài chính", "BTC"),
    ("Văn phòng Chính phủ", "VPCP"),
    ("Bộ Giáo dục và Đào tạo", "BGDĐT"),
    ("Bộ Y tế", "BYT"),
    ("Sở Tài chính tỉnh Ninh Bình", "STC"),
    ("Ủy ban nhân dân phường Hoa Lư", "UBND"),
    ("Bảo hiểm xã hội tỉnh Ninh Bình", "BHXH"),
];

const SUBJECTS: &[&str] = &[
    "Về việc triển khai kế hoạch chuyển đổi số",
    "Về việc báo cáo tình hình thực hiện nhiệm vụ quý",
    "Về việc góp ý dự thảo Nghị định sửa đổi, bổ sung",
    "Về việc tổ chức hội nghị tổng kết công tác năm",
    "Về việc phân bổ kinh phí thực hiện chương trình mục tiêu",
    "Về việc kiện toàn tổ chức bộ máy sau sắp xếp",
    "Về việc tăng cường công tác phòng cháy, chữa cháy",
    "Về việc cung cấp thông tin phục vụ công tác thanh tra",
    "Về việc cử cán bộ tham gia lớp bồi dưỡng nghiệp vụ",
    "Về việc rà soát thủ tục hành chính thuộc thẩm quyền giải quyết",
];

const DOC_COLS: &[&str] = &[
    "id",
    "unit_id",
    "direction",
    "state",
    "doc_type",
    "subject",
    "search",
    "notation",
    "doc_date",
    "author",
    "dup_author",
    "dup_notation",
    "urgency",
    "secrecy",
    "deadline",
    "channel",
    "register_id",
    "reg_number",
    "registered_at",
    "received_at",
    "issued_at",
    "presented_to",
    "signer_id",
    "review_plan",
    "review_round",
    "created_by",
    "created_at",
    "updated_at",
];
const FILE_COLS: &[&str] = &[
    "document_id",
    "kind",
    "name",
    "media_type",
    "size",
    "sha256",
    "version",
    "frozen",
    "uploaded_by",
    "uploaded_at",
];
const ASSIGN_COLS: &[&str] = &[
    "document_id",
    "person_id",
    "role",
    "state",
    "deadline",
    "report",
    "assigned_by",
    "assigned_at",
    "done_at",
];
const ENTRY_COLS: &[&str] = &[
    "register_id",
    "number",
    "notation",
    "status",
    "taken_by",
    "taken_at",
    "document_id",
];
const EVENT_COLS: &[&str] = &[
    "at",
    "actor_id",
    "action",
    "entity",
    "entity_id",
    "summary",
    "details",
];

struct BulkReport {
    before: i64,
    inserted: u64,
    rows: u64,
    closed: u64,
    took: Duration,
}

/// Brings the database to `target` documents (server stopped): documents left open by earlier phases are
/// finished first, then documents are spread round-robin over the units that hold documents; of each unit's
/// new documents the newest `open_per_unit` are in progress (registered, presented, assigned, in process,
/// drafts…), the rest finished history. Each document gets a file row, a history event, a number in a
/// historical register when it has one, and its handlers. One transaction, multi-row prepared INSERTs.
async fn bulk_insert(db: &Path, target: usize, open_per_unit: usize) -> Result<BulkReport> {
    let t0 = Instant::now();
    let mut c = SqliteConnectOptions::new()
        .filename(db)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        .foreign_keys(true)
        .pragma("cache_size", "-1048576")
        .pragma("temp_store", "memory")
        .connect()
        .await?;
    let before: i64 = sqlx::query("SELECT COUNT(*) FROM documents")
        .fetch_one(&mut c)
        .await?
        .try_get(0)?;
    let mut report = BulkReport {
        before,
        inserted: 0,
        rows: 0,
        closed: 0,
        took: Duration::ZERO,
    };
    let to_add = (target as i64 - before).max(0) as usize;
    let now = now_ms();
    sqlx::query("BEGIN IMMEDIATE").execute(&mut c).await?;

    // Finish what earlier phases left open (they are older than the new documents).
    let r = sqlx::query(
        "UPDATE documents SET state = CASE WHEN direction = 'incoming' THEN 'done' ELSE 'issued' END, updated_at = $1 \
         WHERE state NOT IN ('done', 'rejected', 'issued', 'revoked')",
    )
    .bind(now)
    .execute(&mut c)
    .await?;
    report.closed = r.rows_affected();
    sqlx::query(
        "UPDATE document_assignments SET state = 'done', done_at = $1 WHERE state IN ('pending', 'processing')",
    )
    .bind(now)
    .execute(&mut c)
    .await?;

    // The units that hold documents: those with a clerk (and registers).
    let rows = sqlx::query(
        "SELECT u.id, l.id, s.id, c.id FROM units u \
         JOIN people l ON l.username = u.key || '.lanhdao' \
         JOIN people s ON s.username = u.key || '.chuyenvien' \
         JOIN people c ON c.username = u.key || '.vanthu' \
         WHERE u.active = 1 ORDER BY u.id",
    )
    .fetch_all(&mut c)
    .await?;
    let mut units = Vec::new();
    for r in rows {
        let id: i64 = r.try_get(0)?;
        let mut regs = [0i64; 2];
        let mut nexts = [1i64; 2];
        for (k, kind) in ["incoming", "outgoing"].iter().enumerate() {
            let name = format!(
                "{} 2016-2025 (lịch sử, dữ liệu đo hiệu năng)",
                if k == 0 {
                    "Sổ văn bản đến"
                } else {
                    "Sổ văn bản đi"
                }
            );
            sqlx::query(
                "INSERT OR IGNORE INTO registers (unit_id, kind, period, secret, series, name, next_number, active, created_at) \
                 VALUES ($1, $2, '2016-2025', 0, '', $3, 1, 0, $4)",
            )
            .bind(id)
            .bind(*kind)
            .bind(&name)
            .bind(now)
            .execute(&mut c)
            .await?;
            let r = sqlx::query(
                "SELECT id, next_number FROM registers WHERE unit_id = $1 AND kind = $2 AND period = '2016-2025' AND secret = 0 AND series = ''",
            )
            .bind(id)
            .bind(*kind)
            .fetch_one(&mut c)
            .await?;
            regs[k] = r.try_get(0)?;
            nexts[k] = r.try_get(1)?;
        }
        units.push(BulkUnit {
            id,
            leader: r.try_get(1)?,
            specialist: r.try_get(2)?,
            clerk: r.try_get(3)?,
            in_reg: regs[0],
            out_reg: regs[1],
            in_next: nexts[0],
            out_next: nexts[1],
        });
    }
    if units.is_empty() {
        bail!(
            "bulk insert: no unit with a leader, a specialist and a clerk (is this the demo organisation?)"
        );
    }
    let types: Vec<String> =
        sqlx::query("SELECT code FROM document_types WHERE active = 1 ORDER BY code")
            .fetch_all(&mut c)
            .await?
            .iter()
            .map(|r| r.try_get::<String, _>(0))
            .collect::<std::result::Result<_, _>>()?;
    if types.is_empty() {
        bail!("bulk insert: no document type");
    }
    let max_id: i64 = sqlx::query(
        "SELECT MAX(COALESCE((SELECT MAX(id) FROM documents), 0), COALESCE((SELECT seq FROM sqlite_sequence WHERE name = 'documents'), 0))",
    )
    .fetch_one(&mut c)
    .await?
    .try_get(0)?;

    let mut docs = Batch::new("documents", DOC_COLS);
    let mut files = Batch::new("document_files", FILE_COLS);
    let mut assigns = Batch::new("document_assignments", ASSIGN_COLS);
    let mut entries = Batch::new("register_entries", ENTRY_COLS);
    let mut events = Batch::new("events", EVENT_COLS);
    let per_unit = to_add.div_ceil(units.len());
    // Documents five minutes apart, the newest now.
    const STEP_MS: i64 = 5 * 60 * 1000;
    for j in 0..to_add {
        let id = max_id + 1 + j as i64;
        let nu = units.len();
        let u = &mut units[j % nu];
        let k = j / nu;
        let open = k + open_per_unit >= per_unit;
        let h = mix(id as u64);
        let created = now - (to_add - j) as i64 * STEP_MS;
        let updated = created + (h % 86_400_000) as i64;
        let date = date_of(created);
        let secret = h % 100 < 3;
        let dtype = types[(h >> 8) as usize % types.len()].clone();
        let (sender, abbr) = SENDERS[(h >> 16) as usize % SENDERS.len()];
        let subject = format!(
            "{} ({})",
            SUBJECTS[(h >> 24) as usize % SUBJECTS.len()],
            (h >> 32) % 10_000
        );
        let dir_roll = (h >> 40) % 100;
        let st = (h >> 48) % 100;
        let deadline_ms = created + 15 * 86_400_000;
        let handler = if secret { u.leader } else { u.specialist };
        if dir_roll < 60 {
            // Incoming.
            let state = match (open, st) {
                (true, 0..15) => "registered",
                (true, 15..25) => "presented",
                (true, 25..60) => "assigned",
                (true, 60..80) => "processing",
                (true, 80..95) | (false, 0..97) => "done",
                _ => "rejected",
            };
            let notation = format!("{}/{abbr}-VP", (h >> 20) % 5000 + 1);
            let (da, dn) = duplicate_key(sender, &notation);
            let numbered = state != "rejected";
            let number = if numbered {
                u.in_next += 1;
                Some(u.in_next - 1)
            } else {
                None
            };
            docs.push(vec![
                V::I(id),
                V::I(u.id),
                V::T("incoming".into()),
                V::T(state.into()),
                V::T(dtype),
                V::T(subject.clone()),
                V::T(fold_ascii(&format!("{subject} {notation} {sender}"))),
                V::T(notation.clone()),
                V::T(date.clone()),
                V::T(sender.into()),
                V::T(da),
                V::T(dn),
                V::T("normal".into()),
                V::I(i64::from(secret)),
                V::T(date_of(deadline_ms)),
                V::T(if h.is_multiple_of(2) { "paper" } else { "axis" }.into()),
                number.map_or(V::N, |_| V::I(u.in_reg)),
                number.map_or(V::N, V::I),
                number.map_or(V::N, |_| V::I(created)),
                V::I(created),
                V::N,
                if state == "presented" {
                    V::I(u.leader)
                } else {
                    V::N
                },
                V::N,
                V::N,
                V::I(0),
                V::I(u.clerk),
                V::I(created),
                V::I(updated),
            ]);
            if let Some(n) = number {
                entries.push(vec![
                    V::I(u.in_reg),
                    V::I(n),
                    V::N,
                    V::T("used".into()),
                    V::I(u.clerk),
                    V::I(created),
                    V::I(id),
                ]);
            }
            let a_state = match state {
                "assigned" => Some("pending"),
                "processing" => Some("processing"),
                "done" => Some("done"),
                _ => None,
            };
            if let Some(a) = a_state {
                let done = a == "done";
                assigns.push(vec![
                    V::I(id),
                    V::I(handler),
                    V::T("lead".into()),
                    V::T(a.into()),
                    V::T(date_of(deadline_ms)),
                    if done {
                        V::T("Đã xử lý xong, báo cáo lãnh đạo.".into())
                    } else {
                        V::N
                    },
                    V::I(u.leader),
                    V::I(created + 3_600_000),
                    if done { V::I(updated) } else { V::N },
                ]);
                if h.is_multiple_of(4) {
                    assigns.push(vec![
                        V::I(id),
                        V::I(u.leader),
                        V::T("info".into()),
                        V::T("done".into()),
                        V::N,
                        V::N,
                        V::I(u.leader),
                        V::I(created + 3_600_000),
                        V::I(updated),
                    ]);
                }
            }
            events.push(vec![
                V::I(created),
                V::I(u.clerk),
                V::T("document.register".into()),
                V::T("document".into()),
                V::I(id),
                V::T(format!(
                    "Vào sổ, số đến {}: Văn bản đến \"{subject}\" số {notation}",
                    number.unwrap_or(0)
                )),
                V::T("{}".into()),
            ]);
        } else {
            // Outgoing (or internal).
            let internal = dir_roll >= 95;
            let state = match (open, st) {
                (true, 0..8) => "draft",
                (true, 8..14) => "in_review",
                (true, 14..18) => "approved",
                (true, 18..96) | (false, 0..98) => "issued",
                _ => "revoked",
            };
            let issued = matches!(state, "issued" | "revoked");
            let number = if issued {
                u.out_next += 1;
                Some(u.out_next - 1)
            } else {
                None
            };
            let notation = number.map(|n| format!("{n}/VB-{}", u.id));
            docs.push(vec![
                V::I(id),
                V::I(u.id),
                V::T(if internal { "internal" } else { "outgoing" }.into()),
                V::T(state.into()),
                V::T(dtype),
                V::T(subject.clone()),
                V::T(fold_ascii(&format!(
                    "{subject} {}",
                    notation.as_deref().unwrap_or("")
                ))),
                notation.clone().map_or(V::N, V::T),
                if issued { V::T(date.clone()) } else { V::N },
                V::N,
                V::N,
                V::N,
                V::T("normal".into()),
                V::I(i64::from(secret)),
                V::N,
                V::N,
                number.map_or(V::N, |_| V::I(u.out_reg)),
                number.map_or(V::N, V::I),
                number.map_or(V::N, |_| V::I(updated)),
                V::N,
                number.map_or(V::N, |_| V::I(updated)),
                V::N,
                V::I(u.leader),
                V::T("[]".into()),
                V::I(i64::from(state != "draft")),
                V::I(handler),
                V::I(created),
                V::I(updated),
            ]);
            if let Some(n) = number {
                entries.push(vec![
                    V::I(u.out_reg),
                    V::I(n),
                    notation.clone().map_or(V::N, V::T),
                    V::T("used".into()),
                    V::I(u.clerk),
                    V::I(updated),
                    V::I(id),
                ]);
            }
            events.push(vec![
                V::I(updated),
                V::I(if issued { u.clerk } else { handler }),
                V::T(
                    if issued {
                        "document.issue"
                    } else {
                        "document.draft"
                    }
                    .into(),
                ),
                V::T("document".into()),
                V::I(id),
                V::T(format!("Văn bản \"{subject}\"")),
                V::T("{}".into()),
            ]);
        }
        files.push(vec![
            V::I(id),
            V::T("main".into()),
            V::T(format!("van-ban-{id}.pdf")),
            V::T("application/pdf".into()),
            V::I(100 * 1024 + (h % 50_000) as i64),
            V::T(hex::encode(Sha256::digest(id.to_le_bytes()))),
            V::I(1),
            V::I(1),
            V::I(u.clerk),
            V::I(created),
        ]);
        if docs.full() {
            docs.flush(&mut c).await?;
        }
        // Rows that refer to documents go in once their documents are in.
        if docs.rows == 0 {
            for b in [&mut files, &mut assigns, &mut entries, &mut events] {
                b.flush(&mut c).await?;
            }
        }
        if j > 0 && j % 200_000 == 0 {
            progress(format!(
                "bulk insert: {j} of {to_add} documents ({:.0} s)",
                t0.elapsed().as_secs_f64()
            ));
        }
    }
    docs.flush(&mut c).await?;
    for b in [&mut files, &mut assigns, &mut entries, &mut events] {
        b.flush(&mut c).await?;
    }
    for u in &units {
        for (reg, next) in [(u.in_reg, u.in_next), (u.out_reg, u.out_next)] {
            sqlx::query("UPDATE registers SET next_number = $1 WHERE id = $2")
                .bind(next)
                .bind(reg)
                .execute(&mut c)
                .await?;
        }
    }
    sqlx::query("COMMIT").execute(&mut c).await?;
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(&mut c)
        .await?;
    c.close().await?;
    report.inserted = docs.total;
    report.rows = docs.total + files.total + assigns.total + entries.total + events.total;
    report.took = t0.elapsed();
    Ok(report)
}

// ---------------------------------------------------------------------------------------------------------
// Queue pages and their SQL.

/// One queue page: its URL and the SQL the server runs for it (crates/store/src/sql_docs.rs, `doc_where`,
/// `count_documents` then `list_documents`).
struct Page {
    label: &'static str,
    path: String,
    who: &'static str,
    count_sql: &'static str,
    list_sql: &'static str,
    binds: Vec<i64>,
    text_binds: Vec<&'static str>,
    what_if: Option<WhatIf>,
}

/// A change that could make a page faster, tried on the same file: other SQL, or an index made for the
/// measurement and dropped after it.
struct WhatIf {
    label: &'static str,
    count_sql: &'static str,
    list_sql: &'static str,
    /// CREATE and DROP of an index.
    index: Option<(&'static str, &'static str)>,
}

const ASSIGNED_WHERE_COUNT: &str = "SELECT COUNT(*) AS n FROM documents d WHERE d.secrecy <= $1 AND d.state NOT IN ('done', 'revoked', 'rejected') AND d.id IN (SELECT a.document_id FROM document_assignments a WHERE a.person_id = $2 AND a.state IN ('pending', 'processing'))";
const ASSIGNED_LIST: &str = "SELECT d.* FROM documents d WHERE d.secrecy <= $1 AND d.state NOT IN ('done', 'revoked', 'rejected') AND d.id IN (SELECT a.document_id FROM document_assignments a WHERE a.person_id = $2 AND a.state IN ('pending', 'processing')) ORDER BY d.id DESC LIMIT $3 OFFSET $4";
const TO_PRESENT_COUNT: &str = "SELECT COUNT(*) AS n FROM documents d WHERE d.secrecy <= $1 AND d.unit_id IN ($2) AND d.state IN ($3)";
const TO_PRESENT_LIST: &str = "SELECT d.* FROM documents d WHERE d.secrecy <= $1 AND d.unit_id IN ($2) AND d.state IN ($3) ORDER BY d.id DESC LIMIT $4 OFFSET $5";
const UNIT_COUNT: &str = "SELECT COUNT(*) AS n FROM (SELECT 1 AS one FROM documents d WHERE d.secrecy <= $1 AND d.unit_id IN ($2) LIMIT 10001) capped";
const UNIT_LIST: &str = "SELECT d.* FROM documents d WHERE d.secrecy <= $1 AND d.unit_id IN ($2) ORDER BY d.id DESC LIMIT $3 OFFSET $4";
fn pages(unit_id: i64, specialist_id: i64) -> Vec<Page> {
    vec![
        Page {
            label: "specialist: GET /api/v1/queues/assigned?limit=50",
            path: format!("/api/v1/queues/assigned?limit={PAGE}"),
            who: SPECIALIST,
            count_sql: ASSIGNED_WHERE_COUNT,
            list_sql: ASSIGNED_LIST,
            binds: vec![SPECIALIST_LEVEL, specialist_id],
            text_binds: vec![],
            // The server now runs this form (d.id IN (SELECT … assignments)), measured as the raw SQL.
            what_if: None,
        },
        Page {
            label: "clerk: GET /api/v1/queues/to_present?limit=50",
            path: format!("/api/v1/queues/to_present?limit={PAGE}"),
            who: CLERK,
            count_sql: TO_PRESENT_COUNT,
            list_sql: TO_PRESENT_LIST,
            binds: vec![CLERK_LEVEL, unit_id],
            text_binds: vec!["registered"],
            what_if: None,
        },
        Page {
            label: "clerk: GET /api/v1/documents?unit_id=…&limit=50",
            path: format!("/api/v1/documents?unit_id={unit_id}&limit={PAGE}"),
            who: CLERK,
            count_sql: UNIT_COUNT,
            list_sql: UNIT_LIST,
            binds: vec![CLERK_LEVEL, unit_id],
            text_binds: vec![],
            // The index documents (unit_id, id, secrecy) is in the schema now (migration 7).
            what_if: None,
        },
    ]
}

fn bind_page<'q>(
    sql: impl sqlx::SqlSafeStr,
    p: &Page,
    page: bool,
) -> sqlx::query::Query<'q, sqlx::Sqlite, <sqlx::Sqlite as sqlx::Database>::Arguments> {
    let mut q = sqlx::query(sql);
    for b in &p.binds {
        q = q.bind(*b);
    }
    for t in &p.text_binds {
        q = q.bind(*t);
    }
    if page {
        q = q.bind(PAGE).bind(0i64);
    }
    q
}

/// The count and the page, as the server runs them, on one pooled connection.
async fn raw_page(pool: &SqlitePool, p: &Page, what_if: bool) -> Result<Outcome, String> {
    let (count_sql, list_sql) = match (&p.what_if, what_if) {
        (Some(w), true) => (w.count_sql, w.list_sql),
        _ => (p.count_sql, p.list_sql),
    };
    let t0 = Instant::now();
    let mut c = pool.acquire().await.map_err(|e| e.to_string())?;
    let n: i64 = bind_page(count_sql, p, false)
        .fetch_one(&mut *c)
        .await
        .and_then(|r| r.try_get(0))
        .map_err(|e| e.to_string())?;
    let rows = bind_page(list_sql, p, true)
        .fetch_all(&mut *c)
        .await
        .map_err(|e| e.to_string())?;
    let us = micros(t0.elapsed());
    if rows.len() as i64 != n.min(PAGE) {
        return Err(format!("{} rows for a total of {n}", rows.len()));
    }
    Ok(Outcome {
        us,
        number: Some(n),
        ..Outcome::default()
    })
}

/// Per page and concurrency: the label, vanthu's run, the raw SQL's run, the what-if's run.
type PageRuns = Vec<(String, Stats, Stats, Option<Stats>)>;

async fn query_plan(pool: &SqlitePool, sql: &'static str, p: &Page, page: bool) -> String {
    let explain = sqlx::AssertSqlSafe(format!("EXPLAIN QUERY PLAN {sql}"));
    match bind_page(explain, p, page).fetch_all(pool).await {
        Ok(rows) => rows
            .iter()
            .filter_map(|r| r.try_get::<String, _>("detail").ok())
            .collect::<Vec<_>>()
            .join(" | "),
        Err(e) => format!("(no plan: {e})"),
    }
}

// ---------------------------------------------------------------------------------------------------------
// Printing.

fn ms(us: Option<u32>) -> String {
    us.map_or("-".into(), |us| format!("{:.2} ms", f64::from(us) / 1000.0))
}

fn mib(kib: u64) -> String {
    if kib == 0 {
        "-".into()
    } else {
        format!("{:.1} MiB", kib as f64 / 1024.0)
    }
}

fn table_head(what: &str) {
    println!(
        "{:<54} {:>5} {:>9} {:>10} {:>10} {:>10} {:>10} {:>7} {:>6} {:>10}",
        what, "conc", "ops/s", "p50", "p90", "p99", "max", "ok", "errors", "RSS peak"
    );
}

fn table_row(label: &str, s: &Stats) {
    println!(
        "{:<54} {:>5} {:>9.1} {:>10} {:>10} {:>10} {:>10} {:>7} {:>6} {:>10}",
        label,
        s.conc,
        s.per_s(),
        ms(s.pct(50.0)),
        ms(s.pct(90.0)),
        ms(s.pct(99.0)),
        ms(s.max()),
        s.ok(),
        s.error_count(),
        mib(s.rss_peak_kib)
    );
}

fn print_errors(label: &str, s: &Stats) {
    for (k, v) in &s.errors {
        println!("  errors, {label} at {} concurrent: {v} × {k}", s.conc);
    }
}

fn ratio_row(label: &str, server: &Stats, base: &Stats) {
    let tp = server.per_s() / base.per_s().max(1e-9);
    let p99 = match (server.pct(99.0), base.pct(99.0)) {
        (Some(a), Some(b)) => format!("{:.2}×", f64::from(a) / f64::from(b.max(1))),
        _ => "-".into(),
    };
    let p50 = match (server.pct(50.0), base.pct(50.0)) {
        (Some(a), Some(b)) => format!("{:.2}×", f64::from(a) / f64::from(b.max(1))),
        _ => "-".into(),
    };
    println!(
        "{:<54} {:>5} {:>22} {:>12} {:>12}",
        label,
        server.conc,
        format!("{:.0} / {:.0} = {tp:.2}×", server.per_s(), base.per_s()),
        p50,
        p99
    );
}

fn ratio_head(what: &str) {
    println!(
        "{:<54} {:>5} {:>22} {:>12} {:>12}",
        what, "conc", "ops/s server/baseline", "p50 ratio", "p99 ratio"
    );
}

fn split_line(s: &Stats) -> String {
    let n = s.ok().max(1) as f64;
    format!(
        "mean {:.2} ms storing the file + {:.2} ms in the transaction (waiting for the write lock included)",
        s.blob_us as f64 / n / 1000.0,
        s.db_us as f64 / n / 1000.0
    )
}

fn header(bin: &Path, root: &Path) {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let loadavg = loadavg();
    let now = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute] UTC"
        ))
        .unwrap_or_default();
    println!("vanthu-bench-docs {} — {now}", env!("CARGO_PKG_VERSION"));
    println!("machine: {cores} cores ({cpu}), load average at start {loadavg}");
    println!("vanthu:  {}", bin.display());
    println!(
        "data:    {} on {} (fsync goes to this file system)",
        root.display(),
        file_system(root)
    );
    println!(
        "Client, server and baselines share this machine; the client talks HTTP/1.1 keep-alive over loopback. Latency is end to end, response read included."
    );
    println!();
}

/// The type and device of the file system holding `path` (the mount with the longest matching prefix).
fn file_system(path: &Path) -> String {
    let path = path.canonicalize().unwrap_or_else(|_| path.to_path_buf());
    std::fs::read_to_string("/proc/mounts")
        .ok()
        .and_then(|t| {
            t.lines()
                .filter_map(|l| {
                    let f: Vec<&str> = l.split_whitespace().collect();
                    (f.len() >= 3 && path.starts_with(f[1]))
                        .then(|| (f[1].len(), format!("{} ({})", f[2], f[0])))
                })
                .max()
                .map(|(_, s)| s)
        })
        .unwrap_or_else(|| "unknown file system".into())
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .map(|t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default()
}

fn memory_line(label: &str, m: Option<Memory>) -> String {
    match m {
        Some(m) => format!(
            "{:<58} {:>12} {:>12}",
            label,
            mib(m.rss_kib),
            mib(m.hwm_kib)
        ),
        None => format!("{label:<58} {:>12} {:>12}", "-", "-"),
    }
}

// ---------------------------------------------------------------------------------------------------------
// The run.

async fn run(cli: Cli) -> Result<()> {
    check(&cli)?;
    let bin = procs::find_vanthu(cli.vanthu.as_deref(), "vanthu-bench-docs")?;
    if cfg!(debug_assertions) {
        eprintln!(
            "warning: vanthu-bench-docs itself is a debug build; the client will be slow. Use cargo build --release -p vanthu-bench."
        );
    }
    let mut builder = tempfile::Builder::new();
    builder.prefix("vanthu-bench-docs-");
    let tmp = match &cli.dir {
        Some(d) => builder.tempdir_in(d),
        None => builder.tempdir(),
    }
    .context("cannot create a temporary directory")?;
    let root = tmp.path().to_path_buf();
    let srv_dir = root.join("server");
    let raw_dir = root.join("baseline");
    std::fs::create_dir_all(&raw_dir)?;
    let pdf_bytes = cli.pdf_kib * 1024;
    let mut memory: Vec<String> = Vec::new();
    let mut storage: Vec<String> = Vec::new();
    let mut log_n = 0;
    let mut next_log = || {
        log_n += 1;
        root.join(format!("vanthu-{log_n}.log"))
    };
    header(&bin, &root);

    // 0. The demo organisation, and a copy of its database for the baseline.
    progress("first start with --demo (creates the demo organisation)");
    let (s, _) = start_server(&bin, &srv_dir, next_log()).await?;
    s.stop().await?;
    std::fs::copy(srv_dir.join("vanthu.db"), raw_dir.join("vanthu.db"))
        .context("cannot copy the demo database for the baseline")?;
    for ext in ["-wal", "-shm"] {
        let from = srv_dir.join(format!("vanthu.db{ext}"));
        if from.exists() {
            std::fs::copy(&from, raw_dir.join(format!("vanthu.db{ext}")))?;
        }
    }
    let (server, _) = start_server(&bin, &srv_dir, next_log()).await?;
    tokio::time::sleep(Duration::from_millis(500)).await;
    memory.push(memory_line(
        "vanthu, idle after start (demo data)",
        server.memory(),
    ));
    let ctx = Arc::new(Ctx::new(&server, pdf_bytes).await?);
    let raw = Arc::new(Raw::open(&raw_dir, pdf_bytes, ctx.doc_date.clone()).await?);

    // 1. Registration.
    let mut reg_server = Vec::new();
    let mut reg_raw = Vec::new();
    let mut server_reg_ids = Vec::new();
    for &c in &cli.concurrency {
        let n = cli.registrations;
        progress(format!(
            "registration: vanthu POST /api/v1/incoming with a {} KiB PDF, {n} at {c} concurrent",
            cli.pdf_kib
        ));
        let sampler = server.sample_rss();
        let ctx2 = ctx.clone();
        let tag = format!("R{c}");
        let mut s = closed_loop(n, c, move |i| {
            let (ctx, tag) = (ctx2.clone(), tag.clone());
            async move { ctx.register(&tag, i, true).await }
        })
        .await?;
        s.rss_peak_kib = sampler.finish().await;
        reg_server.push(s);
        progress(format!("registration: raw baseline, {n} at {c} concurrent"));
        let raw2 = raw.clone();
        let tag = format!("R{c}");
        reg_raw.push(
            closed_loop(n, c, move |i| {
                let (raw, tag) = (raw2.clone(), tag.clone());
                async move { raw.register(WriteMode::Pool, &tag, i).await }
            })
            .await?,
        );
    }
    let top = *cli.concurrency.iter().max().unwrap_or(&1);
    let mut reg_whatif = Vec::new();
    for mode in [WriteMode::Queue, WriteMode::Group] {
        progress(format!(
            "registration: {}, {} at {top} concurrent",
            mode.label(),
            cli.registrations
        ));
        let raw2 = raw.clone();
        let tag = format!("W{}", mode as u8);
        reg_whatif.push((
            mode,
            closed_loop(cli.registrations, top, move |i| {
                let (raw, tag) = (raw2.clone(), tag.clone());
                async move { raw.register(mode, &tag, i).await }
            })
            .await?,
        ));
        raw.close_writers().await;
    }
    // Without a file: what the request costs when no file is stored.
    let mut reg_nofile = Vec::new();
    let nofile_n = cli.registrations.min(500);
    for &c in &cli.concurrency {
        progress(format!(
            "registration without a file (JSON only), {nofile_n} at {c} concurrent"
        ));
        let ctx2 = ctx.clone();
        let tag = format!("J{c}");
        reg_nofile.push(
            closed_loop(nofile_n, c, move |i| {
                let (ctx, tag) = (ctx2.clone(), tag.clone());
                async move { ctx.register(&tag, i, false).await }
            })
            .await?,
        );
    }
    for s in reg_server.iter().chain(&reg_nofile) {
        server_reg_ids.extend(s.numbers.iter().copied());
    }
    memory.push(memory_line(
        "vanthu, after the registrations",
        server.memory(),
    ));
    storage.push(format!(
        "after registrations: server {} | baseline {}",
        storage_line(&srv_dir),
        storage_line(&raw_dir)
    ));

    // 2. Issue.
    let levels = cli.concurrency.len();
    let drafts_n = cli.issues * levels;
    progress(format!(
        "issue: preparing {drafts_n} approved drafts through the API (draft with a PDF, submit, approve), 8 concurrent"
    ));
    let shared_pdf = Arc::new(make_pdf(7, pdf_bytes));
    let ctx2 = ctx.clone();
    let prep = closed_loop(drafts_n, 8, move |i| {
        let (ctx, pdf) = (ctx2.clone(), shared_pdf.clone());
        async move { ctx.approved_draft(i, pdf.as_ref().clone()).await }
    })
    .await?;
    if prep.error_count() > 0 {
        print_errors("preparing drafts", &prep);
        bail!("preparing approved drafts failed");
    }
    let mut draft_ids = prep.numbers.clone();
    draft_ids.sort_unstable();
    let mut issue_server = Vec::new();
    let mut issue_raw = Vec::new();
    let raw_drafts = raw.approved_drafts(drafts_n).await?;
    for (li, &c) in cli.concurrency.iter().enumerate() {
        let ids: Arc<Vec<i64>> =
            Arc::new(draft_ids[li * cli.issues..(li + 1) * cli.issues].to_vec());
        progress(format!(
            "issue: vanthu POST /api/v1/outgoing/{{id}}/issue, {} at {c} concurrent",
            cli.issues
        ));
        let sampler = server.sample_rss();
        let ctx2 = ctx.clone();
        let mut s = closed_loop(ids.len(), c, move |i| {
            let (ctx, ids) = (ctx2.clone(), ids.clone());
            async move { ctx.issue(ids[i]).await }
        })
        .await?;
        s.rss_peak_kib = sampler.finish().await;
        issue_server.push(s);
        progress(format!(
            "issue: raw baseline, {} at {c} concurrent",
            cli.issues
        ));
        let ids: Arc<Vec<i64>> =
            Arc::new(raw_drafts[li * cli.issues..(li + 1) * cli.issues].to_vec());
        let raw2 = raw.clone();
        issue_raw.push(
            closed_loop(ids.len(), c, move |i| {
                let (raw, ids) = (raw2.clone(), ids.clone());
                async move { raw.issue(WriteMode::Pool, ids[i]).await }
            })
            .await?,
        );
    }
    let mut issue_whatif = Vec::new();
    for mode in [WriteMode::Group] {
        let ids = Arc::new(raw.approved_drafts(cli.issues).await?);
        progress(format!(
            "issue: {}, {} at {top} concurrent",
            mode.label(),
            cli.issues
        ));
        let raw2 = raw.clone();
        issue_whatif.push((
            mode,
            closed_loop(ids.len(), top, move |i| {
                let (raw, ids) = (raw2.clone(), ids.clone());
                async move { raw.issue(mode, ids[i]).await }
            })
            .await?,
        ));
        raw.close_writers().await;
    }
    memory.push(memory_line("vanthu, after the issues", server.memory()));
    let server_log = server.log_tail();
    server.stop().await?;
    raw.pool.close().await;

    // Numbers, checked in the answers and in the database.
    let reg_gaps = GapReport::of(&server_reg_ids);
    let issue_numbers: Vec<i64> = issue_server
        .iter()
        .flat_map(|s| s.numbers.iter().copied())
        .collect();
    let issue_gaps = GapReport::of(&issue_numbers);
    let raw_reg_numbers: Vec<i64> = reg_raw
        .iter()
        .chain(reg_whatif.iter().map(|(_, s)| s))
        .flat_map(|s| s.numbers.iter().copied())
        .collect();
    let raw_gaps = GapReport::of(&raw_reg_numbers);
    let check_pool = sqlite_pool(&srv_dir.join("vanthu.db"), 1).await?;
    let in_reg: i64 = sqlx::query(
        "SELECT r.id FROM registers r JOIN units u ON u.id = r.unit_id WHERE u.key = $1 AND r.kind = 'incoming' AND r.active = 1 AND r.secret = 0",
    )
    .bind(UNIT_KEY)
    .fetch_one(&check_pool)
    .await?
    .try_get(0)?;
    let out_reg: i64 = sqlx::query(
        "SELECT r.id FROM registers r JOIN units u ON u.id = r.unit_id WHERE u.key = $1 AND r.kind = 'outgoing' AND r.active = 1 AND r.secret = 0",
    )
    .bind(UNIT_KEY)
    .fetch_one(&check_pool)
    .await?
    .try_get(0)?;
    let in_db = register_in_db(&check_pool, in_reg).await?;
    let out_db = register_in_db(&check_pool, out_reg).await?;
    let specialist_id: i64 = sqlx::query("SELECT id FROM people WHERE username = $1")
        .bind(SPECIALIST)
        .fetch_one(&check_pool)
        .await?
        .try_get(0)?;
    check_pool.close().await;

    // Print phases 1 and 2 now (the rest takes a while).
    println!(
        "== Registration: POST /api/v1/incoming by the clerk, multipart metadata + a distinct {} KiB PDF each ==",
        cli.pdf_kib
    );
    table_head("");
    for s in &reg_server {
        table_row("vanthu", s);
    }
    for s in &reg_raw {
        table_row(WriteMode::Pool.label(), s);
    }
    for (mode, s) in &reg_whatif {
        table_row(mode.label(), s);
    }
    for s in &reg_nofile {
        table_row("vanthu, metadata only (no file stored)", s);
    }
    for s in reg_server.iter().chain(&reg_nofile) {
        print_errors("vanthu registration", s);
    }
    for s in reg_raw.iter().chain(reg_whatif.iter().map(|(_, s)| s)) {
        print_errors("raw registration", s);
    }
    println!("Where the baseline's time goes:");
    for s in &reg_raw {
        println!("  raw, {:>3} concurrent: {}", s.conc, split_line(s));
    }
    for (mode, s) in &reg_whatif {
        println!(
            "  {}, {:>3} concurrent: {}",
            mode.label(),
            s.conc,
            split_line(s)
        );
    }
    println!();
    ratio_head("vanthu / raw baseline (same rows, same files)");
    for (s, b) in reg_server.iter().zip(&reg_raw) {
        ratio_row("registration", s, b);
    }
    println!();
    println!(
        "Arrival numbers given by vanthu (answers): {}",
        reg_gaps.line()
    );
    println!("Arrival numbers in vanthu's database:      {in_db}");
    println!(
        "Arrival numbers of the raw baseline:       {}",
        raw_gaps.line()
    );
    println!();

    println!(
        "== Issue: POST /api/v1/outgoing/{{id}}/issue {{}} by the clerk ({} approved drafts per level) ==",
        cli.issues
    );
    println!(
        "(prepared through the API: {} drafts with a PDF, submitted and approved in {:.1} s, {:.1} drafts/s with 3 requests each at 8 concurrent; p50 {} p99 {} per draft)",
        prep.ok(),
        prep.wall.as_secs_f64(),
        prep.per_s(),
        ms(prep.pct(50.0)),
        ms(prep.pct(99.0))
    );
    table_head("");
    for s in &issue_server {
        table_row("vanthu", s);
    }
    for s in &issue_raw {
        table_row(WriteMode::Pool.label(), s);
    }
    for (mode, s) in &issue_whatif {
        table_row(mode.label(), s);
    }
    for s in &issue_server {
        print_errors("vanthu issue", s);
    }
    for s in issue_raw.iter().chain(issue_whatif.iter().map(|(_, s)| s)) {
        print_errors("raw issue", s);
    }
    println!();
    ratio_head("vanthu / raw baseline (same rows)");
    for (s, b) in issue_server.iter().zip(&issue_raw) {
        ratio_row("issue", s, b);
    }
    println!();
    println!(
        "Issue numbers given by vanthu (answers): {}",
        issue_gaps.line()
    );
    println!("Issue numbers in vanthu's database:      {out_db}");
    println!();
    if reg_server
        .iter()
        .chain(&issue_server)
        .any(|s| s.error_count() > 0)
    {
        println!("Last lines of the server's output:\n{server_log}\n");
    }

    // 3. Queue pages at each size.
    let mut page_results: Vec<(usize, PageRuns)> = Vec::new();
    let warmup = Duration::from_secs(1);
    let duration = Duration::from_secs_f64(cli.page_seconds);
    for &target in &cli.docs {
        progress(format!(
            "bulk insert into the stopped server's database, up to {target} documents"
        ));
        let b = bulk_insert(&srv_dir.join("vanthu.db"), target, cli.open_per_unit).await?;
        println!(
            "== Queue pages at {target} documents (bulk insert: {} → {} documents, {} rows in {:.1} s = {:.0} rows/s; {} documents left open by earlier phases finished) ==",
            b.before,
            b.before + b.inserted as i64,
            b.rows,
            b.took.as_secs_f64(),
            b.rows as f64 / b.took.as_secs_f64().max(1e-9),
            b.closed
        );
        let st = storage_line(&srv_dir);
        println!("storage: {st}");
        storage.push(format!("at {target} documents: server {st}"));
        progress("restarting vanthu on the bulk data");
        let (server, ready) = start_server(&bin, &srv_dir, next_log()).await?;
        let client = http_client()?;
        let clerk = login(&client, &server.base, CLERK).await?;
        let specialist = login(&client, &server.base, SPECIALIST).await?;
        memory.push(memory_line(
            &format!("vanthu, idle after restart at {target} documents"),
            server.memory(),
        ));
        println!(
            "restart: first 200 from /healthz after {:.0} ms",
            ready.as_secs_f64() * 1000.0
        );
        let list = pages(ctx.unit_id, specialist_id);
        let mut first = Vec::new();
        for p in &list {
            let token = if p.who == CLERK { &clerk } else { &specialist };
            let t0 = Instant::now();
            let v = get_json(&client, &server.base, token, &p.path).await?;
            first.push((t0.elapsed(), v["total"].as_i64().unwrap_or(-1)));
        }
        // A page whose first answer took long gets no warm-up: every request started in it would have to
        // finish (seconds each) before the measured phase starts.
        let warm: Vec<Duration> = first
            .iter()
            .map(|(t, _)| {
                if *t > Duration::from_millis(250) {
                    Duration::ZERO
                } else {
                    warmup
                }
            })
            .collect();
        let mut runs = Vec::new();
        for (pi, p) in list.iter().enumerate() {
            let token = if p.who == CLERK { &clerk } else { &specialist };
            for &c in &cli.page_concurrency {
                progress(format!("{target} documents: {} at {c} concurrent", p.label));
                let t = Target {
                    url: format!("{}{}", server.base, p.path),
                    token: Some(token.clone()),
                    body_len: None,
                };
                let r = load::run(&t, c, warm[pi], duration, &server).await?;
                runs.push(Stats::from_load(&r));
            }
        }
        memory.push(memory_line(
            &format!("vanthu, after the queue pages at {target} documents"),
            server.memory(),
        ));
        server.stop().await?;

        // The same SQL straight on the file.
        let pool = sqlite_pool(&srv_dir.join("vanthu.db"), SERVER_POOL).await?;
        let list = Arc::new(list);
        let mut base_runs = Vec::new();
        for (pi, p) in list.iter().enumerate() {
            for &c in &cli.page_concurrency {
                progress(format!(
                    "{target} documents: raw SQL of {} at {c} concurrent",
                    p.label
                ));
                let (pool2, list2) = (pool.clone(), list.clone());
                base_runs.push(
                    timed_loop(warm[pi], duration, c, move || {
                        let (pool, list) = (pool2.clone(), list2.clone());
                        async move { raw_page(&pool, &list[pi], false).await }
                    })
                    .await?,
                );
            }
        }
        let mut plans = Vec::new();
        for p in list.iter() {
            plans.push((
                query_plan(&pool, p.count_sql, p, false).await,
                query_plan(&pool, p.list_sql, p, true).await,
            ));
        }
        // What-ifs: other SQL, or an index made for the measurement and dropped after it.
        let mut what_if_runs: Vec<Option<Stats>> = Vec::new();
        let mut what_if_notes = Vec::new();
        for (pi, p) in list.iter().enumerate() {
            let Some(w) = &p.what_if else {
                what_if_runs.extend(cli.page_concurrency.iter().map(|_| None));
                continue;
            };
            if let Some((create, _)) = w.index {
                progress(format!("{target} documents: {create}"));
                let t0 = Instant::now();
                sqlx::query(create).execute(&pool).await?;
                what_if_notes.push(format!(
                    "  {} — {create}: {:.1} s",
                    p.label,
                    t0.elapsed().as_secs_f64()
                ));
            }
            for &c in &cli.page_concurrency {
                progress(format!(
                    "{target} documents: {} of {} at {c} concurrent",
                    w.label, p.label
                ));
                let (pool2, list2) = (pool.clone(), list.clone());
                what_if_runs.push(Some(
                    timed_loop(warmup, duration, c, move || {
                        let (pool, list) = (pool2.clone(), list2.clone());
                        async move { raw_page(&pool, &list[pi], true).await }
                    })
                    .await?,
                ));
            }
            what_if_notes.push(format!(
                "  {} — {}:\n    count: {}\n    page:  {}",
                p.label,
                w.label,
                query_plan(&pool, w.count_sql, p, false).await,
                query_plan(&pool, w.list_sql, p, true).await
            ));
            if let Some((_, drop)) = w.index {
                sqlx::query(drop).execute(&pool).await?;
            }
        }
        pool.close().await;

        table_head("page");
        let mut i = 0;
        let mut kept = Vec::new();
        for (pi, p) in list.iter().enumerate() {
            println!(
                "{} — total {} (first request after restart {:.2} ms)",
                p.label,
                first[pi].1,
                first[pi].0.as_secs_f64() * 1000.0
            );
            for _ in &cli.page_concurrency {
                table_row("  vanthu", &runs[i]);
                table_row("  raw SQL (count + page) on the file", &base_runs[i]);
                if let (Some(w), Some(r)) = (&p.what_if, &what_if_runs[i]) {
                    table_row(&format!("  {}", w.label), r);
                    print_errors(w.label, r);
                }
                print_errors(p.label, &runs[i]);
                print_errors("raw SQL", &base_runs[i]);
                i += 1;
            }
        }
        println!();
        ratio_head("vanthu / raw SQL");
        let mut i = 0;
        for p in list.iter() {
            for _ in &cli.page_concurrency {
                ratio_row(p.label, &runs[i], &base_runs[i]);
                i += 1;
            }
        }
        println!("Query plans (EXPLAIN QUERY PLAN, count | page):");
        for (p, (count, page)) in list.iter().zip(&plans) {
            println!("  {}:\n    count: {count}\n    page:  {page}", p.label);
        }
        if !what_if_notes.is_empty() {
            println!(
                "What-ifs (on the same file, raw SQL; an index made only for the measurement, then dropped):"
            );
            for l in &what_if_notes {
                println!("{l}");
            }
        }
        println!();
        for (p, ((r, b), w)) in list
            .iter()
            .flat_map(|p| cli.page_concurrency.iter().map(move |_| p))
            .zip(runs.into_iter().zip(base_runs).zip(what_if_runs))
        {
            kept.push((p.label.to_string(), r, b, w));
        }
        page_results.push((target, kept));
    }

    // 4. Memory and storage.
    println!("== Memory of the server: /proc/PID/status ==");
    println!("{:<58} {:>12} {:>12}", "moment", "VmRSS", "VmHWM");
    for l in &memory {
        println!("{l}");
    }
    println!(
        "(VmHWM: the high-water mark of the process's RSS since it started; each restart starts anew.)"
    );
    println!();
    println!("== Storage ==");
    for l in &storage {
        println!("{l}");
    }
    println!();

    // 5. Summary.
    let met = |ok: bool| if ok { "met" } else { "NOT met" };
    let best_reg = reg_server
        .iter()
        .max_by(|a, b| a.per_s().total_cmp(&b.per_s()));
    let best_issue = issue_server
        .iter()
        .max_by(|a, b| a.per_s().total_cmp(&b.per_s()));
    let reg_line = best_reg.map_or("-".into(), |s| {
        format!(
            "{:.0}/s at {} concurrent, p99 {}",
            s.per_s(),
            s.conc,
            ms(s.pct(99.0))
        )
    });
    let issue_line = best_issue.map_or("-".into(), |s| {
        format!(
            "{:.0}/s at {} concurrent, p99 {}",
            s.per_s(),
            s.conc,
            ms(s.pct(99.0))
        )
    });
    let reg_ok = best_reg.is_some_and(|s| s.per_s() >= AIM_REGISTRATIONS_PER_S);
    let group_line = reg_whatif
        .iter()
        .find(|(m, _)| *m == WriteMode::Group)
        .map_or("-".into(), |(_, s)| {
            format!(
                "{:.0}/s at {} concurrent, p99 {}",
                s.per_s(),
                s.conc,
                ms(s.pct(99.0))
            )
        });
    let queue_line = page_results.last().map(|(n, runs)| {
        let worst = runs
            .iter()
            .filter_map(|(l, r, _, _)| r.pct(99.0).map(|p| (p, l.clone(), r.conc)))
            .max();
        // The same pages as raw SQL with the what-ifs applied (the server's SQL where there is none).
        let what_if = runs
            .iter()
            .filter_map(|(_, _, b, w)| w.as_ref().unwrap_or(b).pct(99.0))
            .max();
        match worst {
            Some((p, l, c)) => (
                f64::from(p) / 1000.0 < AIM_QUEUE_P99_MS,
                format!(
                    "at {n} documents worst p99 {:.2} ms ({l}, {c} concurrent); raw SQL with the what-ifs: worst p99 {}",
                    f64::from(p) / 1000.0,
                    ms(what_if)
                ),
            ),
            None => (false, "no result".into()),
        }
    });
    let errors: u64 = reg_server
        .iter()
        .chain(&reg_nofile)
        .chain(&issue_server)
        .map(Stats::error_count)
        .sum::<u64>()
        + page_results
            .iter()
            .flat_map(|(_, r)| r.iter().map(|(_, s, _, _)| s.error_count()))
            .sum::<u64>();
    println!(
        "Summary: registrations ≥ {AIM_REGISTRATIONS_PER_S:.0}/s: {} (best {reg_line}; raw baseline with group commit {group_line}) | issue: best {issue_line} | queue pages p99 < {AIM_QUEUE_P99_MS:.0} ms: {} | numbers gap-free: {} | errors: {errors}",
        met(reg_ok),
        queue_line
            .as_ref()
            .map_or("not measured".to_string(), |(ok, l)| format!(
                "{} ({l})",
                met(*ok)
            )),
        met(reg_gaps.ok()
            && issue_gaps.ok()
            && in_db.ends_with(": gap-free")
            && out_db.ends_with(": gap-free")),
    );
    println!(
        "Load average at the end {} (other processes on this machine share its {} cores).",
        loadavg(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    if cli.keep {
        let kept = tmp.keep();
        println!("Kept the data directories and logs in {}", kept.display());
    }
    Ok(())
}
