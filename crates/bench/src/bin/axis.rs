//! `vanthu-bench-axis`: measures a release build of `vanthu axis`, the national-axis interconnection service,
//! end to end, and beside it a plain baseline doing the same HTTP work in the same run.
//!
//! # What is measured
//!
//! Two systems are added with the command line (`vanthu axis agency add`, a sender and a receiver, each with
//! its own secret) on a fresh temporary data directory, then `vanthu axis` is started on a free port of
//! 127.0.0.1. N distinct edoc packages are prepared with `vanthu_edxml` from the official SDK's sample, each with
//! its own `DocumentId` and subject and a distinct PDF attachment (200 KiB by default), addressed from the
//! sender's code to the receiver's code. Before each run a run number is written into every package's
//! `DocumentId` and subject, so that no package is ever sent twice and the axis's idempotent-resend dedup never
//! answers from an earlier send.
//!
//! At each concurrency level, that many workers loop over the packages, each package going through the whole
//! exchange with the official SDK's protocol ([`vanthu_axis::Client`], HMAC-signed headers):
//!
//! 1. the sender's `sendEdoc` (the package, streamed to disk and fsync'd by the axis, its header scanned, rows
//!    committed);
//! 2. the receiver's `getReceivedEdocList` (the package must be listed);
//! 3. the receiver's `getEdoc` of its `DocId` (the bytes must be those sent);
//! 4. the receiver's `updateStatus` `done` (the delivery leaves the queue).
//!
//! Printed per level: packages per second, p50/p90/p99/max of the whole exchange and of each of the four
//! operations (with the share of the time each takes), CPU time per package of the server and of this program
//! (`/proc/PID/stat`), the axis's VmRSS and VmHWM after the level, the data directory's size, and how many
//! deliveries were left on the queue (none expected).
//!
//! The **baseline**, run right after the axis at each level, is this program started again in a hidden mode
//! (`--echo-server ADDR`): a plain axum server answering the same four requests from the same client with the
//! same byte sizes — it reads the same package body, answers a JSON list of the deliveries in flight with the
//! same fields, the base64 of the package in a JSON answer of the same size as `getEdoc`'s, and a small JSON
//! acknowledgement — keeping the packages in memory until acknowledged: no HMAC check, no database, no disk, no
//! fsync. The ratio vanthu/baseline shows what the axis's own work costs on this machine, whatever its noise.
//!
//! Two what-ifs (skipped with `--no-what-ifs`) run the same echo baseline with `getEdoc`'s answer streamed the
//! way the axis streams it (64 KiB frames of base64, one per 48 KiB of the package, the task yielding between
//! frames), on sockets without `TCP_NODELAY` like the axis's, then on a second echo process with it: they show
//! what Nagle's algorithm, meeting the client's delayed ACKs, costs a streamed answer. A short serial probe of
//! the disk (a package-sized file written, fsync'd, renamed, directory fsync'd; a 4 KiB append with fdatasync,
//! like a WAL commit) tells what durability costs here.
//!
//! The verdict line compares the best level with the aim of the issue, 500 packages per second; it never fails
//! the program. Timings are printed, never asserted. Everything runs on 127.0.0.1 and the child processes are
//! killed when this program ends.
//!
//! # How to run
//!
//! ```sh
//! cargo build --release -p vanthu -p vanthu-bench && target/release/vanthu-bench-axis --packages 2000 --concurrency 1,8,32
//! ```
//!
//! Run it from the workspace root (or pass `--vanthu PATH`). It needs about `packages × levels × 275 KB` of
//! temporary disk (1.7 GB with the defaults; `--dir` chooses where) and holds the packages in memory (about
//! 550 MB with the defaults).

#[allow(dead_code)]
#[path = "../procs.rs"]
mod procs;

use anyhow::{Context, Result, anyhow, bail};
use clap::Parser;
use procs::{Memory, Server};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use vanthu_axis::{Client, ClientError, MessageType};

/// The aim of the issue.
const AIM_PACKAGES_PER_S: f64 = 500.0;
/// The official SDK's sample package (a PDF attachment), the template of every package sent.
const TEMPLATE: &[u8] = include_bytes!("../../../axis/tests/data/official-sdk-edoc-pdf.edxml");
const SENDER: &str = "000.00.00.G22";
const SENDER_NAME: &str = "Văn phòng Chính phủ";
const SENDER_SECRET: &str = "bench-secret-of-the-sending-system";
const RECEIVER: &str = "000.00.00.H41";
const RECEIVER_NAME: &str = "UBND tỉnh Nghệ An";
const RECEIVER_SECRET: &str = "bench-secret-of-the-receiving-system";
/// Written into each package's `DocumentId` and subject, its three digits replaced by the run number.
const MARKER: &[u8] = b"bench-run-000";
/// The four operations of one exchange.
const OPS: [&str; 4] = ["sendEdoc", "getReceivedEdocList", "getEdoc", "updateStatus"];

#[derive(Parser)]
#[command(
    name = "vanthu-bench-axis",
    version,
    about = "Benchmark of vanthu axis: sendEdoc → getReceivedEdocList → getEdoc → updateStatus per package at several concurrency levels, beside a plain HTTP echo baseline"
)]
struct Cli {
    /// Release build of vanthu to measure [default: target/release/vanthu, else `vanthu` next to this program]
    #[arg(long)]
    vanthu: Option<PathBuf>,
    /// Packages exchanged per concurrency level (each distinct)
    #[arg(long, default_value_t = 2000)]
    packages: usize,
    /// Concurrency levels, comma-separated
    #[arg(long, value_delimiter = ',', default_values_t = [1, 8, 32])]
    concurrency: Vec<usize>,
    /// Size of each package's PDF attachment in KiB
    #[arg(long, default_value_t = 200)]
    pdf_kib: usize,
    /// Iterations of each serial disk probe (0: no probe)
    #[arg(long, default_value_t = 200)]
    disk_probes: usize,
    /// Skip the what-if runs (the echo baseline streaming getEdoc like the axis, without and with TCP_NODELAY)
    #[arg(long)]
    no_what_ifs: bool,
    /// Directory under which the temporary data directory is made (a real disk: fsync is measured)
    #[arg(long)]
    dir: Option<PathBuf>,
    /// Keep the data directory and logs, and print where they are
    #[arg(long)]
    keep: bool,
    /// Internal: run the echo baseline server on ADDR
    #[arg(long, hide = true, value_name = "ADDR")]
    echo_server: Option<String>,
    /// Internal: the echo server sets TCP_NODELAY on its connections
    #[arg(long, hide = true, requires = "echo_server")]
    echo_nodelay: bool,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(addr) = &cli.echo_server {
        return match echo::serve(addr, cli.echo_nodelay) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("vanthu-bench-axis (echo server): {e:#}");
                ExitCode::FAILURE
            }
        };
    }
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("vanthu-bench-axis: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The run future is polled on this (main) thread: the children are spawned from it, and dropping it on
    // ctrl-c or SIGTERM drops their handles, which kills them.
    let result = rt.block_on(async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = run(cli) => r,
            _ = tokio::signal::ctrl_c() => Err(anyhow!("interrupted: the servers were stopped")),
            _ = term.recv() => Err(anyhow!("terminated: the servers were stopped")),
        }
    });
    rt.shutdown_timeout(Duration::from_secs(2));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vanthu-bench-axis: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn check(cli: &Cli) -> Result<()> {
    if cli.concurrency.is_empty() || cli.concurrency.iter().any(|&c| !(1..=512).contains(&c)) {
        bail!("--concurrency takes numbers between 1 and 512, e.g. 1,8,32");
    }
    if cli.concurrency.len() * 4 > 999 {
        bail!("at most 249 concurrency levels");
    }
    if !(1..=1_000_000).contains(&cli.packages) {
        bail!("--packages must be 1 to 1000000");
    }
    if !(1..=60 * 1024).contains(&cli.pdf_kib) {
        bail!("--pdf-kib must be between 1 and 61440 (the axis takes packages up to 64 MiB)");
    }
    if cli.disk_probes > 100_000 {
        bail!("--disk-probes must be at most 100000");
    }
    Ok(())
}

fn progress(msg: impl std::fmt::Display) {
    eprintln!("  … {msg}");
}

// ---------------------------------------------------------------------------------------------------------
// Packages.

/// A PDF of `size` bytes whose content is distinct for each seed.
fn make_pdf(seed: u64, size: usize) -> Vec<u8> {
    let head = format!(
        "%PDF-1.7\n%\u{e2}\u{e3}\n1 0 obj\n<< /Type /Catalog /Pages 2 0 R >>\nendobj\n2 0 obj\n<< /Type /Pages /Kids [] /Count 0 >>\nendobj\n% bench package {seed}\n3 0 obj\n<< /Length {} >>\nstream\n",
        size.saturating_sub(200)
    );
    let tail = b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";
    let mut v = Vec::with_capacity(size.max(head.len() + tail.len()));
    v.extend_from_slice(head.as_bytes());
    let body = size.saturating_sub(head.len() + tail.len());
    let mut x = seed.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
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

/// The packages, and where [`MARKER`] is in each.
struct Packages {
    bytes: Vec<Vec<u8>>,
    marks: Vec<Vec<usize>>,
}

fn find_all(hay: &[u8], needle: &[u8]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        if &hay[i..i + needle.len()] == needle {
            out.push(i);
            i += needle.len();
        } else {
            i += 1;
        }
    }
    out
}

fn prepare(n: usize, pdf_kib: usize) -> Result<Packages> {
    let template = vanthu_edxml::read_edoc(TEMPLATE)
        .map_err(|e| anyhow!("the template package does not read: {e}"))?
        .value;
    if template.attachments.is_empty() {
        bail!("the template package has no attachment");
    }
    let marker = std::str::from_utf8(MARKER)?;
    let mut bytes = Vec::with_capacity(n);
    let mut marks = Vec::with_capacity(n);
    for i in 0..n {
        let number = i + 1;
        let mut e = template.clone();
        let mut from = e.header.from.clone().unwrap_or_default();
        from.organ_id = SENDER.into();
        from.organ_name = Some(SENDER_NAME.into());
        e.header.from = Some(from);
        let mut to = vanthu_edxml::Organization::new(RECEIVER);
        to.organ_name = Some(RECEIVER_NAME.into());
        e.header.to = vec![to];
        e.header.code.number = number.to_string();
        e.header.code.notation = "VPCP-BENCH".into();
        e.header.document_id = format!("{SENDER},2026/01/15,{number}/VPCP-BENCH-{marker}");
        e.header.subject = format!("Gói tin đo hiệu năng trục liên thông số {number} ({marker})");
        e.attachments.truncate(1);
        let a = &mut e.attachments[0];
        a.name = format!("bench-{number:06}.pdf");
        a.content_type = "application/pdf".into();
        a.data = make_pdf(i as u64, pdf_kib * 1024);
        let b = vanthu_edxml::write_edoc(&e).map_err(|e| anyhow!("package {number}: {e}"))?;
        let m = find_all(&b, MARKER);
        if m.is_empty() {
            bail!("package {number}: the run marker is not in the written bytes");
        }
        bytes.push(b);
        marks.push(m);
    }
    // The reader must take what was written (once: the packages differ only by numbers and bytes).
    vanthu_edxml::read_edoc(&bytes[0])
        .map_err(|e| anyhow!("the first package written does not read back: {e}"))?;
    Ok(Packages { bytes, marks })
}

impl Packages {
    /// Writes the run number into every package: no package is the same as in an earlier run.
    fn set_run(&mut self, run: usize) {
        let tag = format!("bench-run-{:03}", run % 1000);
        for (b, m) in self.bytes.iter_mut().zip(&self.marks) {
            for &at in m {
                b[at..at + MARKER.len()].copy_from_slice(tag.as_bytes());
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------------------
// Measurement.

/// One package exchanged: microseconds of each operation and of the whole.
struct Sample {
    ops: [u32; 4],
    total: u32,
    listed: usize,
}

fn micros(d: Duration) -> u32 {
    u32::try_from(d.as_micros()).unwrap_or(u32::MAX)
}

/// A failure: its kind (counted) and the first message of that kind.
type Failure = (String, String);

fn fail(op: &str, e: &ClientError) -> Failure {
    let kind = match e {
        ClientError::Transport(_) => "transport error".to_string(),
        ClientError::Refused { code, .. } => format!("ErrorCode {code}"),
        ClientError::Protocol(_) => "protocol error".to_string(),
    };
    (format!("{op}: {kind}"), e.to_string())
}

/// The whole exchange of one package.
async fn exchange(sender: &Client, receiver: &Client, package: &[u8]) -> Result<Sample, Failure> {
    let t0 = Instant::now();
    let doc_id = sender
        .send_edoc(MessageType::Edoc, package)
        .await
        .map_err(|e| fail(OPS[0], &e))?;
    let t1 = Instant::now();
    let list = receiver
        .received_list(MessageType::Edoc)
        .await
        .map_err(|e| fail(OPS[1], &e))?;
    let t2 = Instant::now();
    let got = receiver
        .get_edoc(&doc_id)
        .await
        .map_err(|e| fail(OPS[2], &e))?;
    let t3 = Instant::now();
    receiver
        .update_status(&doc_id, "done")
        .await
        .map_err(|e| fail(OPS[3], &e))?;
    let t4 = Instant::now();
    if !list.iter().any(|i| i.doc_id == doc_id) {
        return Err((
            "getReceivedEdocList: the package sent is not listed".into(),
            format!("{doc_id} not among {} listed", list.len()),
        ));
    }
    if got != package {
        return Err((
            "getEdoc: not the bytes sent".into(),
            format!(
                "{doc_id}: {} bytes received, {} sent",
                got.len(),
                package.len()
            ),
        ));
    }
    Ok(Sample {
        ops: [
            micros(t1 - t0),
            micros(t2 - t1),
            micros(t3 - t2),
            micros(t4 - t3),
        ],
        total: micros(t4 - t0),
        listed: list.len(),
    })
}

/// CPU time (user + system) of a process so far, in milliseconds, from `/proc/PID/stat`.
fn cpu_ms(pid: Option<u32>) -> Option<f64> {
    let path = match pid {
        Some(p) => format!("/proc/{p}/stat"),
        None => "/proc/self/stat".to_string(),
    };
    let text = std::fs::read_to_string(path).ok()?;
    // Fields after the command name (which may hold spaces, hence the last ')'): state is field 3, utime 14,
    // stime 15.
    let rest = &text[text.rfind(')')? + 1..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let utime: u64 = f.get(11)?.parse().ok()?;
    let stime: u64 = f.get(12)?.parse().ok()?;
    // SAFETY: sysconf has no preconditions.
    let tck = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let tck = if tck > 0 { tck as f64 } else { 100.0 };
    Some((utime + stime) as f64 * 1000.0 / tck)
}

/// What one run (one server, one concurrency level) measured.
struct Run {
    conc: usize,
    wall: Duration,
    /// Sorted latencies of the whole exchange, in microseconds.
    total: Vec<u32>,
    /// Sorted latencies of each operation.
    ops: [Vec<u32>; 4],
    errors: BTreeMap<String, u64>,
    first_error: BTreeMap<String, String>,
    max_listed: usize,
    /// CPU milliseconds of the server and of this program during the run.
    cpu_server_ms: Option<f64>,
    cpu_client_ms: Option<f64>,
    mem: Option<Memory>,
    /// Deliveries still on the receiver's queue after the run.
    left: Option<u64>,
}

impl Run {
    fn ok(&self) -> usize {
        self.total.len()
    }
    fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }
    fn per_s(&self) -> f64 {
        self.ok() as f64 / self.wall.as_secs_f64().max(1e-9)
    }
    fn pct(&self, p: f64) -> Option<u32> {
        pct(&self.total, p)
    }
    fn max(&self) -> Option<u32> {
        self.total.last().copied()
    }
    /// Share of the exchange's time taken by operation `i`.
    fn share(&self, i: usize) -> f64 {
        let all: u64 = self.total.iter().map(|&v| u64::from(v)).sum();
        let op: u64 = self.ops[i].iter().map(|&v| u64::from(v)).sum();
        op as f64 / all.max(1) as f64
    }
    fn cpu_per_package(&self, ms: Option<f64>) -> Option<f64> {
        ms.map(|m| m / self.ok().max(1) as f64)
    }
}

/// One server measured through one pair of clients (sender and receiver), and its runs.
struct Target<'a> {
    label: &'static str,
    server: &'a Server,
    sender: Client,
    receiver: Client,
    runs: Vec<Run>,
}

impl<'a> Target<'a> {
    fn new(label: &'static str, server: &'a Server, endpoint: &str) -> Result<Target<'a>> {
        Ok(Target {
            label,
            server,
            sender: Client::new(endpoint, SENDER, SENDER_SECRET)?,
            receiver: Client::new(endpoint, RECEIVER, RECEIVER_SECRET)?,
            runs: Vec::new(),
        })
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

struct TaskOut {
    samples: Vec<Sample>,
    errors: BTreeMap<String, u64>,
    first_error: BTreeMap<String, String>,
    last: Instant,
}

/// Exchanges every package once on `conc` workers, each taking the next package when it is free.
async fn run_level(
    server: &Server,
    sender: &Client,
    receiver: &Client,
    packages: Arc<Vec<Vec<u8>>>,
    conc: usize,
) -> Result<Run> {
    let n = packages.len();
    let next = Arc::new(AtomicUsize::new(0));
    let (server_cpu0, client_cpu0) = (cpu_ms(Some(server.pid)), cpu_ms(None));
    let start = Instant::now();
    let mut tasks = Vec::with_capacity(conc);
    for _ in 0..conc {
        let (sender, receiver) = (sender.clone(), receiver.clone());
        let (packages, next) = (packages.clone(), next.clone());
        tasks.push(tokio::spawn(async move {
            let mut out = TaskOut {
                samples: Vec::with_capacity(n / conc + 1),
                errors: BTreeMap::new(),
                first_error: BTreeMap::new(),
                last: Instant::now(),
            };
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= n {
                    break;
                }
                match exchange(&sender, &receiver, &packages[i]).await {
                    Ok(s) => out.samples.push(s),
                    Err((kind, msg)) => {
                        *out.errors.entry(kind.clone()).or_insert(0) += 1;
                        out.first_error.entry(kind).or_insert(msg);
                    }
                }
                out.last = Instant::now();
            }
            out
        }));
    }
    let mut outs = Vec::with_capacity(conc);
    for t in tasks {
        outs.push(t.await?);
    }
    let end = outs.iter().map(|o| o.last).max().unwrap_or(start);
    let (server_cpu1, client_cpu1) = (cpu_ms(Some(server.pid)), cpu_ms(None));
    let mut run = Run {
        conc,
        wall: end.saturating_duration_since(start),
        total: Vec::with_capacity(n),
        ops: Default::default(),
        errors: BTreeMap::new(),
        first_error: BTreeMap::new(),
        max_listed: 0,
        cpu_server_ms: server_cpu0.zip(server_cpu1).map(|(a, b)| b - a),
        cpu_client_ms: client_cpu0.zip(client_cpu1).map(|(a, b)| b - a),
        mem: server.memory(),
        left: receiver.count_received(MessageType::Edoc).await.ok(),
    };
    for o in outs {
        for s in o.samples {
            run.total.push(s.total);
            for (v, &us) in run.ops.iter_mut().zip(&s.ops) {
                v.push(us);
            }
            run.max_listed = run.max_listed.max(s.listed);
        }
        for (k, v) in o.errors {
            *run.errors.entry(k).or_insert(0) += v;
        }
        for (k, v) in o.first_error {
            run.first_error.entry(k).or_insert(v);
        }
    }
    run.total.sort_unstable();
    for v in &mut run.ops {
        v.sort_unstable();
    }
    Ok(run)
}

// ---------------------------------------------------------------------------------------------------------
// The disk and the data directory.

/// Serial probes of the disk under `dir`: a file of `package` bytes written, fsync'd, renamed, its directory
/// fsync'd (how the axis stores a package); a 4 KiB append with fdatasync (about a SQLite WAL commit).
/// Microseconds, sorted.
fn disk_probe(dir: &Path, package: &[u8], n: usize) -> Result<(Vec<u32>, Vec<u32>)> {
    std::fs::create_dir_all(dir)?;
    let mut files = Vec::with_capacity(n);
    for i in 0..n {
        let t0 = Instant::now();
        let tmp = dir.join(format!("probe-{i}.tmp"));
        let mut f = std::fs::File::create(&tmp)?;
        f.write_all(package)?;
        f.sync_all()?;
        drop(f);
        std::fs::rename(&tmp, dir.join(format!("probe-{i}")))?;
        std::fs::File::open(dir)?.sync_all()?;
        files.push(micros(t0.elapsed()));
    }
    let mut wal = Vec::with_capacity(n);
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(dir.join("probe-wal"))?;
    let page = [0x5a_u8; 4096];
    for _ in 0..n {
        let t0 = Instant::now();
        f.write_all(&page)?;
        f.sync_data()?;
        wal.push(micros(t0.elapsed()));
    }
    drop(f);
    std::fs::remove_dir_all(dir)?;
    files.sort_unstable();
    wal.sort_unstable();
    Ok((files, wal))
}

/// Files and bytes under `dir` (apparent size and allocated), and the bytes of the SQLite files.
struct DirSize {
    files: u64,
    bytes: u64,
    allocated: u64,
    db_bytes: u64,
}

fn dir_size(dir: &Path) -> DirSize {
    use std::os::unix::fs::MetadataExt;
    let mut s = DirSize {
        files: 0,
        bytes: 0,
        allocated: 0,
        db_bytes: 0,
    };
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in rd.flatten() {
            let Ok(m) = e.metadata() else { continue };
            if m.is_dir() {
                stack.push(e.path());
            } else {
                s.files += 1;
                s.bytes += m.len();
                s.allocated += m.blocks() * 512;
                if d == dir && e.file_name().to_string_lossy().starts_with("axis.db") {
                    s.db_bytes += m.len();
                }
            }
        }
    }
    s
}

fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1024.0 * 1024.0))
}

// ---------------------------------------------------------------------------------------------------------
// The run.

fn add_agency(bin: &Path, data: &Path, code: &str, name: &str, secret: &str) -> Result<Duration> {
    let mut cmd = std::process::Command::new(bin);
    for (k, _) in std::env::vars() {
        if k.starts_with("VANTHU_") {
            cmd.env_remove(k);
        }
    }
    let t0 = Instant::now();
    let out = cmd
        .args(["axis", "agency", "add", "--code", code, "--name", name])
        .arg("--data")
        .arg(data)
        // Through the environment, as the CLI's help advises (not in the process list).
        .env("VANTHU_AXIS_SECRET", secret)
        .output()
        .context("cannot run vanthu axis agency add")?;
    let took = t0.elapsed();
    if !out.status.success() {
        bail!(
            "vanthu axis agency add --code {code} failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(took)
}

async fn start(mut server: Server, what: &str) -> Result<(Server, Duration)> {
    let ready = server
        .wait_ready(&procs::poll_client()?, "/healthz", Duration::from_secs(60))
        .await
        .with_context(|| format!("{what} did not start"))?;
    Ok((server, ready))
}

fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .map(|s| s.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_else(|| "-".into())
}

async fn run(cli: Cli) -> Result<()> {
    check(&cli)?;
    let bin = procs::find_vanthu(cli.vanthu.as_deref(), "vanthu-bench-axis")?;
    let tmp = match &cli.dir {
        Some(d) => tempfile::Builder::new()
            .prefix("vanthu-bench-axis-")
            .tempdir_in(d)?,
        None => tempfile::Builder::new()
            .prefix("vanthu-bench-axis-")
            .tempdir()?,
    };
    let root = tmp.path().to_path_buf();
    let data = root.join("axis-data");
    std::fs::create_dir_all(&data)?;

    progress("adding the sending and the receiving system with `vanthu axis agency add`");
    let mut add_times = Vec::new();
    for (code, name, secret) in [
        (SENDER, SENDER_NAME, SENDER_SECRET),
        (RECEIVER, RECEIVER_NAME, RECEIVER_SECRET),
    ] {
        add_times.push(add_agency(&bin, &data, code, name, secret)?);
    }

    progress(format!(
        "preparing {} packages with a {} KiB PDF each",
        cli.packages, cli.pdf_kib
    ));
    let t0 = Instant::now();
    let (n, kib) = (cli.packages, cli.pdf_kib);
    let mut packages = tokio::task::spawn_blocking(move || prepare(n, kib)).await??;
    let prep_took = t0.elapsed();
    let package_len = packages.bytes.iter().map(Vec::len).sum::<usize>() / n;
    let min_len = packages.bytes.iter().map(Vec::len).min().unwrap_or(0);
    let max_len = packages.bytes.iter().map(Vec::len).max().unwrap_or(0);

    let probe = if cli.disk_probes > 0 {
        progress("probing the disk (serial fsyncs)");
        let (dir, first, k) = (
            root.join("disk-probe"),
            packages.bytes[0].clone(),
            cli.disk_probes,
        );
        Some(tokio::task::spawn_blocking(move || disk_probe(&dir, &first, k)).await??)
    } else {
        None
    };

    progress("starting vanthu axis and the echo baselines");
    let (axis, axis_ready) = start(
        procs::spawn_axis(&bin, &data, root.join("axis.log"))?,
        "vanthu axis",
    )
    .await?;
    let (echo, echo_ready) = start(
        procs::spawn_self(
            "--echo-server",
            &[],
            root.join("echo.log"),
            "the echo server",
        )?,
        "the echo server",
    )
    .await?;
    let echo_nodelay = if cli.no_what_ifs {
        None
    } else {
        let what = "the echo server with TCP_NODELAY";
        let spawned = procs::spawn_self(
            "--echo-server",
            &["--echo-nodelay"],
            root.join("echo-nodelay.log"),
            what,
        )?;
        Some(start(spawned, what).await?.0)
    };
    let axis_idle = axis.memory();
    let echo_idle = echo.memory();
    let data_idle = dir_size(&data);

    let mut targets = vec![
        Target::new("vanthu axis", &axis, &axis.base)?,
        Target::new("echo baseline", &echo, &echo.base)?,
    ];
    if let Some(nd) = &echo_nodelay {
        targets.push(Target::new(
            "what-if: echo, getEdoc streamed",
            &echo,
            &format!("{}/streamed", echo.base),
        )?);
        targets.push(Target::new(
            "what-if: the same, TCP_NODELAY",
            nd,
            &format!("{}/streamed", nd.base),
        )?);
    }
    let mut storage: Vec<(usize, DirSize)> = Vec::new();
    let mut run_no = 0;
    for &conc in &cli.concurrency {
        for (ti, t) in targets.iter_mut().enumerate() {
            run_no += 1;
            packages.set_run(run_no);
            let shared = Arc::new(std::mem::take(&mut packages.bytes));
            progress(format!("{} at {conc} concurrent: {n} packages", t.label));
            let r = run_level(t.server, &t.sender, &t.receiver, shared.clone(), conc).await?;
            packages.bytes = Arc::try_unwrap(shared)
                .map_err(|_| anyhow!("the packages are still shared after the run"))?;
            if ti == 0 {
                storage.push((conc, dir_size(&data)));
            }
            t.runs.push(r);
        }
    }
    let runs: Vec<(&str, Vec<Run>)> = targets.into_iter().map(|t| (t.label, t.runs)).collect();
    let axis_log_tail = axis.log_tail();
    let axis_errors: u64 = runs[0].1.iter().map(Run::error_count).sum();
    axis.stop().await?;
    echo.stop().await?;
    if let Some(nd) = echo_nodelay {
        nd.stop().await?;
    }
    let (axis_runs, echo_runs) = (&runs[0].1, &runs[1].1);

    // ---- The report.
    let ms =
        |us: Option<u32>| us.map_or("-".to_string(), |v| format!("{:.2}", f64::from(v) / 1000.0));
    // Every table: the runs of each level, one row per server.
    let each = |f: &dyn Fn(&str, &Run)| {
        for li in 0..cli.concurrency.len() {
            for (label, rs) in &runs {
                f(label, &rs[li]);
            }
        }
    };
    println!();
    println!(
        "== vanthu axis: sendEdoc → getReceivedEdocList → getEdoc → updateStatus, {n} distinct packages per level =="
    );
    println!(
        "vanthu: {} | package: edXML with a {} KiB PDF, {} bytes on average ({min_len}..{max_len}), getEdoc's answer about {} bytes",
        bin.display(),
        cli.pdf_kib,
        package_len,
        package_len.div_ceil(3) * 4 + 120
    );
    println!(
        "setup: 2 systems added with the CLI in {} ms and {} ms; {n} packages prepared in {:.1} s; vanthu axis answered /healthz {} ms after spawn, the echo server {} ms",
        add_times[0].as_millis(),
        add_times[1].as_millis(),
        prep_took.as_secs_f64(),
        axis_ready.as_millis(),
        echo_ready.as_millis()
    );
    println!();
    println!(
        "{:<32} {:>5} {:>10} {:>9} {:>9} {:>9} {:>9} {:>7} {:>7}",
        "whole exchange (ms)", "conc", "packages/s", "p50", "p90", "p99", "max", "errors", "listed"
    );
    each(&|label, r| {
        println!(
            "{:<32} {:>5} {:>10.1} {:>9} {:>9} {:>9} {:>9} {:>7} {:>7}",
            label,
            r.conc,
            r.per_s(),
            ms(r.pct(50.0)),
            ms(r.pct(90.0)),
            ms(r.pct(99.0)),
            ms(r.max()),
            r.error_count(),
            r.max_listed
        );
    });
    println!("(listed: the longest getReceivedEdocList answer seen, in deliveries)");
    println!();
    println!(
        "{:<32} {:>5}  {:<21} {:<21} {:<21} {:<21}",
        "per operation: p50 / p99 ms,", "conc", OPS[0], OPS[1], OPS[2], OPS[3]
    );
    println!("{:<32}", "  share of the exchange's time");
    each(&|label, r| {
        let cells: Vec<String> = (0..4)
            .map(|i| {
                format!(
                    "{} / {} {:.0}%",
                    ms(pct(&r.ops[i], 50.0)),
                    ms(pct(&r.ops[i], 99.0)),
                    r.share(i) * 100.0
                )
            })
            .collect();
        println!(
            "{:<32} {:>5}  {:<21} {:<21} {:<21} {:<21}",
            label, r.conc, cells[0], cells[1], cells[2], cells[3]
        );
    });
    println!();
    println!(
        "{:<32} {:>5} {:>16} {:>16} {:>14}",
        "CPU per package", "conc", "server ms", "client ms", "server cores"
    );
    each(&|label, r| {
        let f = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.2}"));
        let cores = r
            .cpu_server_ms
            .map(|c| c / 1000.0 / r.wall.as_secs_f64().max(1e-9));
        println!(
            "{:<32} {:>5} {:>16} {:>16} {:>14}",
            label,
            r.conc,
            f(r.cpu_per_package(r.cpu_server_ms)),
            f(r.cpu_per_package(r.cpu_client_ms)),
            f(cores)
        );
    });
    println!(
        "(user + system time from /proc/PID/stat over the run; client: this program, which signs, hashes and checks; server cores: the server's CPU time over the wall time, of {} cores)",
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    if runs.len() > 2 {
        println!(
            "(what-ifs: the echo baseline answering getEdoc in frames of 64 KiB of base64 as the axis does, one per 48 KiB of the package, on sockets without TCP_NODELAY like the axis's, then with it)"
        );
    }
    each(&|label, r| {
        for (k, v) in &r.errors {
            println!(
                "  {label}, {} concurrent: {v} × {k} (first: {})",
                r.conc,
                r.first_error.get(k).map_or("", String::as_str)
            );
        }
    });
    println!();
    println!(
        "{:<32} {:>5} {:>12} {:>10} {:>10}",
        "vanthu / echo baseline", "conc", "packages/s", "p50", "p99"
    );
    for (a, e) in axis_runs.iter().zip(echo_runs) {
        let ratio = |x: Option<u32>, y: Option<u32>| match (x, y) {
            (Some(x), Some(y)) if y > 0 => format!("{:.2}", f64::from(x) / f64::from(y)),
            _ => "-".into(),
        };
        println!(
            "{:<32} {:>5} {:>12.2} {:>10} {:>10}",
            "",
            a.conc,
            a.per_s() / e.per_s().max(1e-9),
            ratio(a.pct(50.0), e.pct(50.0)),
            ratio(a.pct(99.0), e.pct(99.0))
        );
    }
    println!();
    println!("== Memory (/proc/PID/status) ==");
    println!("{:<44} {:>12} {:>12}", "moment", "VmRSS", "VmHWM");
    let mem_row = |label: String, m: Option<Memory>| match m {
        Some(m) => println!(
            "{:<44} {:>12} {:>12}",
            label,
            mib(m.rss_kib * 1024),
            mib(m.hwm_kib * 1024)
        ),
        None => println!("{label:<44} {:>12} {:>12}", "-", "-"),
    };
    mem_row("vanthu axis, idle after start".into(), axis_idle);
    for r in axis_runs {
        mem_row(format!("vanthu axis, after {} concurrent", r.conc), r.mem);
    }
    mem_row("echo baseline, idle after start".into(), echo_idle);
    for r in echo_runs {
        mem_row(format!("echo baseline, after {} concurrent", r.conc), r.mem);
    }
    println!();
    println!("== Data directory of the axis (packages/ and axis.db with its WAL) ==");
    let size_line = |label: String, s: &DirSize| {
        println!(
            "{label:<36} {:>7} files {:>12} ({} allocated), database {}",
            s.files,
            mib(s.bytes),
            mib(s.allocated),
            mib(s.db_bytes)
        );
    };
    size_line("after adding the systems".into(), &data_idle);
    let mut total_sent = 0;
    for (conc, s) in &storage {
        total_sent += n;
        size_line(format!("after {conc} concurrent ({total_sent} sent)"), s);
    }
    for r in axis_runs {
        if r.left.unwrap_or(0) > 0 {
            println!(
                "  after {} concurrent, {} deliveries were left on the receiver's queue",
                r.conc,
                r.left.unwrap_or(0)
            );
        }
    }
    if let Some((files, wal)) = &probe {
        println!();
        println!(
            "== The disk under the data directory: serial probes, {} each ==",
            files.len()
        );
        println!(
            "package file written + fsync + rename + directory fsync: p50 {} ms, p99 {} ms",
            ms(pct(files, 50.0)),
            ms(pct(files, 99.0))
        );
        println!(
            "4 KiB append + fdatasync (about one WAL commit):          p50 {} ms, p99 {} ms",
            ms(pct(wal, 50.0)),
            ms(pct(wal, 99.0))
        );
    }
    if axis_errors > 0 {
        println!();
        println!("Last lines of vanthu axis's output:\n{axis_log_tail}");
    }
    println!();
    let best = axis_runs
        .iter()
        .zip(echo_runs)
        .max_by(|a, b| a.0.per_s().total_cmp(&b.0.per_s()));
    match best {
        Some((a, e)) => println!(
            "Verdict: {} (aim: at least {AIM_PACKAGES_PER_S:.0} packages/s) — vanthu axis best {:.0} packages/s at {} concurrent, p99 {} ms; echo baseline {:.0}/s there, ratio {:.2}; errors {axis_errors}.",
            if a.per_s() >= AIM_PACKAGES_PER_S {
                "aim met"
            } else {
                "aim not met"
            },
            a.per_s(),
            a.conc,
            ms(a.pct(99.0)),
            e.per_s(),
            a.per_s() / e.per_s().max(1e-9),
        ),
        None => println!("Verdict: nothing measured."),
    }
    println!(
        "Load average at the end {} (other processes on this machine share its {} cores).",
        loadavg(),
        std::thread::available_parallelism().map_or(0, |n| n.get())
    );
    if cli.keep {
        let kept = tmp.keep();
        println!("Kept the data directory and logs in {}", kept.display());
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------------------
// The echo baseline server.

mod echo {
    //! A plain axum server answering the axis's four operations with the same shapes and sizes: the package
    //! kept in memory from `sendEdoc` to `updateStatus`, no HMAC, no database, no disk.

    use anyhow::{Context, Result, bail};
    use axum::Router;
    use axum::body::Bytes;
    use axum::body::{Body, to_bytes};
    use axum::extract::{Request, State};
    use axum::http::HeaderValue;
    use axum::http::StatusCode;
    use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
    use axum::response::{IntoResponse, Response};
    use axum::serve::ListenerExt as _;
    use base64::Engine as _;
    use serde_json::{Value, json};
    use std::net::SocketAddr;
    use std::sync::{Arc, Mutex};
    use vanthu_axis::store::{format_ms, new_doc_id, now_ms};

    struct Entry {
        doc_id: String,
        package: Bytes,
        created: i64,
        updated: i64,
        fetched: bool,
    }

    type Shared = Arc<Mutex<Vec<Entry>>>;

    /// The largest body read (the axis's default package limit).
    const MAX_BODY: usize = 64 * 1024 * 1024 + 2;

    /// Serves on `addr`; with `nodelay`, every accepted connection has `TCP_NODELAY` (axum's default, and the
    /// axis's, is without).
    pub fn serve(addr: &str, nodelay: bool) -> Result<()> {
        let addr: SocketAddr = addr
            .parse()
            .with_context(|| format!("not an address: {addr}"))?;
        if !addr.ip().is_loopback() {
            bail!("the echo server listens on 127.0.0.1 only, not {addr}");
        }
        let rt = tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()?;
        rt.block_on(async move {
            let state: Shared = Arc::new(Mutex::new(Vec::new()));
            let app = Router::new().fallback(handle).with_state(state);
            let listener = tokio::net::TcpListener::bind(addr)
                .await
                .with_context(|| format!("cannot listen on {addr}"))?;
            let shutdown = async {
                let _ = tokio::signal::ctrl_c().await;
            };
            if nodelay {
                let listener = listener.tap_io(|tcp| {
                    let _ = tcp.set_nodelay(true);
                });
                axum::serve(listener, app)
                    .with_graceful_shutdown(shutdown)
                    .await?;
            } else {
                axum::serve(listener, app)
                    .with_graceful_shutdown(shutdown)
                    .await?;
            }
            Ok(())
        })
    }

    /// The chunk of the package encoded at a time when the answer is streamed: the axis's (48 KiB, 64 KiB of
    /// base64).
    const CHUNK: usize = 48 * 1024;

    /// `getEdoc`'s answer streamed like the axis streams it from its file: the prefix, then the base64 of each
    /// chunk as its own frame (the task yielding between frames, as a file read does), the suffix with the last.
    fn streamed(prefix: String, package: Bytes) -> Response {
        let total = prefix.len() + package.len().div_ceil(3) * 4 + 2;
        // State: the prefix not yet sent, the offset of the next chunk, whether the suffix was sent.
        let stream = futures_util::stream::unfold(
            (Some(prefix), 0usize, false),
            move |(prefix, at, done)| {
                let package = package.clone();
                async move {
                    if done {
                        return None;
                    }
                    if let Some(p) = prefix {
                        return Some((Ok::<_, std::io::Error>(Bytes::from(p)), (None, 0, false)));
                    }
                    tokio::task::yield_now().await;
                    let end = (at + CHUNK).min(package.len());
                    let mut out = base64::engine::general_purpose::STANDARD
                        .encode(&package[at..end])
                        .into_bytes();
                    let last = end == package.len();
                    if last {
                        out.extend_from_slice(b"\"}");
                    }
                    Some((Ok(Bytes::from(out)), (None, end, last)))
                }
            },
        );
        let mut r = Body::from_stream(stream).into_response();
        r.headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
        r.headers_mut()
            .insert(CONTENT_LENGTH, HeaderValue::from(total));
        r
    }

    fn ok(extra: Value) -> Response {
        let mut v = json!({"status": "OK", "ErrorCode": "0", "ErrorDesc": "Thành công"});
        if let (Value::Object(m), Value::Object(e)) = (&mut v, extra) {
            m.extend(e);
        }
        axum::Json(v).into_response()
    }

    fn unknown(doc_id: &str) -> Response {
        let body = json!({"status": "FAIL", "ErrorCode": "25", "ErrorDesc": format!("Không có gói tin {doc_id}.")});
        (StatusCode::NOT_FOUND, axum::Json(body)).into_response()
    }

    fn state_desc(fetched: bool) -> &'static str {
        if fetched {
            "Đã tải về, chờ xác nhận (updateStatus)"
        } else {
            "Chờ nhận: đơn vị nhận chưa tải gói tin về"
        }
    }

    async fn handle(State(state): State<Shared>, req: Request) -> Response {
        // `/streamed/getEdoc`: the answer streamed in chunks like the axis's (a client whose endpoint ends in
        // `/streamed`); the other operations are the same under both paths.
        let path = req.uri().path().trim_start_matches('/');
        let (stream, op) = match path.strip_prefix("streamed/") {
            Some(op) => (true, op.to_string()),
            None => (false, path.to_string()),
        };
        let doc_id = req
            .headers()
            .get("xroadvnpt-docid")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        let limit = if op == "sendEdoc" {
            MAX_BODY
        } else {
            64 * 1024
        };
        let Ok(body) = to_bytes(req.into_body(), limit).await else {
            return (StatusCode::BAD_REQUEST, "body").into_response();
        };
        match op.as_str() {
            "healthz" => ok(json!({})),
            "sendEdoc" => {
                let package = if body.ends_with(b"\r\n") {
                    body.slice(..body.len() - 2)
                } else {
                    body
                };
                let doc_id = new_doc_id();
                let now = now_ms();
                state.lock().unwrap().push(Entry {
                    doc_id: doc_id.clone(),
                    package,
                    created: now,
                    updated: now,
                    fetched: false,
                });
                ok(json!({ "DocId": doc_id }))
            }
            "getReceivedEdocList" => {
                let data: Vec<Value> = state
                    .lock()
                    .unwrap()
                    .iter()
                    .take(1000)
                    .map(|e| {
                        json!({
                            "docId": e.doc_id,
                            "serviceType": "eDoc",
                            "messageType": "edoc",
                            "created_time": format_ms(e.created),
                            "updated_time": format_ms(e.updated),
                            "from": super::SENDER,
                            "to": super::RECEIVER,
                            "status": if e.fetched { "fetched" } else { "pending" },
                            "status_desc": state_desc(e.fetched),
                        })
                    })
                    .collect();
                ok(json!({ "data": data }))
            }
            "countReceiveEdoc" => ok(json!({ "count": state.lock().unwrap().len() })),
            "getEdoc" => {
                let package = {
                    let mut list = state.lock().unwrap();
                    let Some(e) = list.iter_mut().find(|e| e.doc_id == doc_id) else {
                        return unknown(&doc_id);
                    };
                    e.fetched = true;
                    e.updated = now_ms();
                    e.package.clone()
                };
                let prefix = format!(
                    "{{\"status\":\"OK\",\"ErrorCode\":\"0\",\"ErrorDesc\":\"Thành công\",\"DocId\":{},\"data\":\"",
                    Value::String(doc_id)
                );
                if stream {
                    return streamed(prefix, package);
                }
                let mut out =
                    String::with_capacity(prefix.len() + package.len().div_ceil(3) * 4 + 2);
                out.push_str(&prefix);
                base64::engine::general_purpose::STANDARD.encode_string(&package, &mut out);
                out.push_str("\"}");
                ([(CONTENT_TYPE, "application/json")], Body::from(out)).into_response()
            }
            "updateStatus" => {
                let mut list = state.lock().unwrap();
                match list.iter().position(|e| e.doc_id == doc_id) {
                    Some(i) => {
                        list.remove(i);
                        ok(json!({}))
                    }
                    None => unknown(&doc_id),
                }
            }
            _ => (StatusCode::NOT_FOUND, "unknown operation").into_response(),
        }
    }
}
