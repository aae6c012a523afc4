//! `vanthu-bench`: measures a release build of vanthu — cold start, memory, and the API under load
//! compared with a trivial axum handler measured in the same run — and prints the figures.
//!
//! Everything runs on 127.0.0.1; every child process is killed when this program ends.

mod load;
mod procs;
mod trivial;

use anyhow::{Context, Result, anyhow, bail};
use clap::Parser;
use load::{LoadResult, Target};
use procs::{Memory, Server};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

/// The aims the summary line checks.
const AIM_COLD_START: Duration = Duration::from_secs(1);
const AIM_IDLE_MIB: f64 = 50.0;
/// "Within a small factor of the trivial handler": throughput at least 1/F of it, p99 at most F times it.
const AIM_FACTOR: f64 = 5.0;
/// Units in the demo organisation.
const DEMO_UNITS: usize = 37;

#[derive(Parser)]
#[command(
    name = "vanthu-bench",
    version,
    about = "Benchmark of vanthu: cold start, memory, and GET /api/v1/units under load against a trivial axum baseline"
)]
struct Cli {
    /// Release build of vanthu to measure [default: target/release/vanthu, else `vanthu` next to this program]
    #[arg(long)]
    vanthu: Option<PathBuf>,
    /// Measured seconds per load run (after a warm-up of up to 1 s)
    #[arg(long, default_value_t = 10.0)]
    seconds: f64,
    /// Concurrency levels: numbers of concurrent client tasks, comma-separated
    #[arg(long, value_delimiter = ',', default_values_t = [1, 16, 64, 256])]
    concurrency: Vec<usize>,
    /// Cold starts measured for each case (fresh directory, existing demo data)
    #[arg(long, default_value_t = 5)]
    cold_runs: usize,
    /// Keep the temporary data directories and logs, and print where they are
    #[arg(long)]
    keep: bool,
    /// Internal: run the trivial baseline server on ADDR
    #[arg(long, hide = true, value_name = "ADDR")]
    trivial_server: Option<String>,
    /// Internal: the body of the trivial server's /same-size
    #[arg(long, hide = true, requires = "trivial_server")]
    body_file: Option<PathBuf>,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Some(addr) = &cli.trivial_server {
        let Some(body) = &cli.body_file else {
            eprintln!("vanthu-bench: --trivial-server needs --body-file");
            return ExitCode::FAILURE;
        };
        return match trivial::serve(addr, body) {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("vanthu-bench (trivial server): {e:#}");
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
            eprintln!("vanthu-bench: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    // The run future is polled on this (main) thread: children are spawned from it, and dropping it on
    // ctrl-c or SIGTERM drops their handles, which kills them.
    let result = rt.block_on(async {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())?;
        tokio::select! {
            r = run(cli) => r,
            _ = tokio::signal::ctrl_c() => Err(anyhow!("interrupted: child processes stopped")),
            _ = term.recv() => Err(anyhow!("terminated: child processes stopped")),
        }
    });
    rt.shutdown_timeout(Duration::from_secs(2));
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("vanthu-bench: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn check(cli: &Cli) -> Result<()> {
    if !(0.5..=600.0).contains(&cli.seconds) {
        bail!("--seconds must be between 0.5 and 600");
    }
    if cli.concurrency.is_empty() || cli.concurrency.iter().any(|&c| c == 0 || c > 4096) {
        bail!("--concurrency takes numbers between 1 and 4096, e.g. 1,16,64");
    }
    if !(1..=50).contains(&cli.cold_runs) {
        bail!("--cold-runs must be between 1 and 50");
    }
    Ok(())
}

struct ColdStart {
    label: &'static str,
    times: Vec<Duration>,
}

impl ColdStart {
    fn sorted(&self) -> Vec<Duration> {
        let mut t = self.times.clone();
        t.sort();
        t
    }
    fn min(&self) -> Duration {
        self.sorted()[0]
    }
    fn median(&self) -> Duration {
        let t = self.sorted();
        let n = t.len();
        if n % 2 == 1 {
            t[n / 2]
        } else {
            (t[n / 2 - 1] + t[n / 2]) / 2
        }
    }
    fn max(&self) -> Duration {
        *self.sorted().last().unwrap_or(&Duration::ZERO)
    }
}

fn progress(msg: impl std::fmt::Display) {
    eprintln!("  … {msg}");
}

async fn cold_start(
    bin: &Path,
    dir: &Path,
    log: PathBuf,
    demo: bool,
    poll: &reqwest::Client,
    limit: Duration,
) -> Result<Duration> {
    let mut s = procs::spawn_vanthu(bin, dir, demo, &[], log)?;
    let t = s.wait_ready(poll, "/healthz", limit).await?;
    s.stop().await?;
    Ok(t)
}

async fn run(cli: Cli) -> Result<()> {
    check(&cli)?;
    let bin = procs::find_vanthu(cli.vanthu.as_deref(), "vanthu-bench")?;
    if cfg!(debug_assertions) {
        eprintln!(
            "warning: vanthu-bench itself is a debug build; the load generator will be slow. Use cargo build --release -p vanthu-bench."
        );
    }
    let tmp = tempfile::Builder::new()
        .prefix("vanthu-bench-")
        .tempdir()
        .context("cannot create a temporary directory")?;
    let root = tmp.path().to_path_buf();
    let duration = Duration::from_secs_f64(cli.seconds);
    let warmup = Duration::from_secs_f64((cli.seconds / 5.0).min(1.0));
    let poll = procs::poll_client()?;

    header(&bin);

    // 1. Cold starts.
    let mut fresh = ColdStart {
        label: "fresh empty directory",
        times: Vec::new(),
    };
    for i in 0..cli.cold_runs {
        progress(format!(
            "cold start {}/{} on a fresh directory",
            i + 1,
            cli.cold_runs
        ));
        let dir = root.join(format!("fresh-{i}"));
        let t = cold_start(
            &bin,
            &dir,
            root.join(format!("fresh-{i}.log")),
            false,
            &poll,
            Duration::from_secs(60),
        )
        .await?;
        fresh.times.push(t);
    }
    progress("first start with --demo (creates the demo organisation)");
    let demo_dir = root.join("demo");
    let seeding = cold_start(
        &bin,
        &demo_dir,
        root.join("demo-seed.log"),
        true,
        &poll,
        Duration::from_secs(300),
    )
    .await?;
    let mut restart = ColdStart {
        label: "existing demo data",
        times: Vec::new(),
    };
    for i in 0..cli.cold_runs {
        progress(format!(
            "cold start {}/{} on the demo data",
            i + 1,
            cli.cold_runs
        ));
        let t = cold_start(
            &bin,
            &demo_dir,
            root.join(format!("restart-{i}.log")),
            false,
            &poll,
            Duration::from_secs(60),
        )
        .await?;
        restart.times.push(t);
    }
    println!("== Cold start: spawn → first 200 from GET /healthz (polled every 2 ms) ==");
    println!(
        "{:<34} {:>5} {:>10} {:>10} {:>10}",
        "data directory", "runs", "min", "median", "max"
    );
    for c in [&fresh, &restart] {
        println!(
            "{:<34} {:>5} {:>10} {:>10} {:>10}",
            c.label,
            c.times.len(),
            dur_ms(c.min()),
            dur_ms(c.median()),
            dur_ms(c.max())
        );
    }
    println!(
        "{:<34} {:>5} {:>10}   (informational: creates 37 units, 139 accounts)",
        "first start with --demo seeding",
        1,
        dur_ms(seeding)
    );
    println!();

    // 2. The servers under load, and their idle memory.
    progress("starting vanthu on the demo data");
    let mut vanthu = procs::spawn_vanthu(&bin, &demo_dir, false, &[], root.join("vanthu.log"))?;
    vanthu
        .wait_ready(&poll, "/healthz", Duration::from_secs(60))
        .await?;
    let health: serde_json::Value = poll
        .get(format!("{}/healthz", vanthu.base))
        .send()
        .await?
        .json()
        .await
        .context("/healthz did not answer JSON")?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let vanthu_idle = memory_of(&vanthu)?;

    let token = login(&poll, &vanthu).await?;
    let units_url = format!("{}/api/v1/units", vanthu.base);
    let body = fetch_units(&poll, &units_url, &token).await?;
    let body_file = root.join("units.json");
    std::fs::write(&body_file, &body)?;

    progress("starting the trivial baseline server");
    let mut trivial = procs::spawn_trivial(&body_file, root.join("trivial.log"))?;
    trivial
        .wait_ready(&poll, "/tiny", Duration::from_secs(30))
        .await?;
    tokio::time::sleep(Duration::from_secs(1)).await;
    let trivial_idle = memory_of(&trivial)?;

    let units = Target {
        url: units_url,
        token: Some(token),
        body_len: Some(body.len()),
    };
    let same_size = Target {
        url: format!("{}/same-size", trivial.base),
        token: None,
        body_len: Some(body.len()),
    };
    let tiny = Target {
        url: format!("{}/tiny", trivial.base),
        token: None,
        body_len: Some(2),
    };
    let mut real_runs = Vec::new();
    let mut base_runs = Vec::new();
    for &c in &cli.concurrency {
        progress(format!(
            "load: vanthu GET /api/v1/units, {c} concurrent, {} s",
            cli.seconds
        ));
        real_runs.push(load::run(&units, c, warmup, duration, &vanthu).await?);
        progress(format!(
            "load: baseline GET /same-size, {c} concurrent, {} s",
            cli.seconds
        ));
        base_runs.push(load::run(&same_size, c, warmup, duration, &trivial).await?);
    }
    let tiny_c = *cli.concurrency.iter().max().unwrap_or(&1);
    progress(format!(
        "load: baseline GET /tiny, {tiny_c} concurrent, {} s",
        cli.seconds
    ));
    let tiny_run = load::run(&tiny, tiny_c, warmup, duration, &trivial).await?;
    let vanthu_after = memory_of(&vanthu)?;
    let trivial_after = memory_of(&trivial)?;
    vanthu.stop().await?;
    trivial.stop().await?;

    // The same load with vanthu's in-memory caches off: every request reads the token, the person, the
    // memberships and the units from SQLite (what a request costs on a cache miss).
    progress("starting vanthu with --cache-ttl-ms 0");
    let mut uncached = procs::spawn_vanthu(
        &bin,
        &demo_dir,
        false,
        &["--cache-ttl-ms", "0"],
        root.join("vanthu-uncached.log"),
    )?;
    uncached
        .wait_ready(&poll, "/healthz", Duration::from_secs(60))
        .await?;
    let uncached_token = login(&poll, &uncached).await?;
    let uncached_target = Target {
        url: format!("{}/api/v1/units", uncached.base),
        token: Some(uncached_token),
        body_len: Some(body.len()),
    };
    let mut uncached_runs = Vec::new();
    for &c in &cli.concurrency {
        progress(format!(
            "load: vanthu (caches off) GET /api/v1/units, {c} concurrent, {} s",
            cli.seconds
        ));
        uncached_runs.push(load::run(&uncached_target, c, warmup, duration, &uncached).await?);
    }
    uncached.stop().await?;

    // 3. Memory.
    let vanthu_peak = real_runs.iter().map(|r| r.rss_peak_kib).max().unwrap_or(0);
    let trivial_peak = base_runs
        .iter()
        .chain([&tiny_run])
        .map(|r| r.rss_peak_kib)
        .max()
        .unwrap_or(0);
    println!("== Memory: /proc/PID/status of the server process ==");
    println!(
        "{:<48} {:>12} {:>12}",
        "process and moment", "VmRSS", "VmHWM"
    );
    println!(
        "{:<48} {:>12} {:>12}",
        "vanthu, idle 1 s after start (demo data)",
        mib(vanthu_idle.rss_kib),
        mib(vanthu_idle.hwm_kib)
    );
    println!(
        "{:<48} {:>12} {:>12}",
        "vanthu, peak during load (sampled every 50 ms)",
        mib(vanthu_peak),
        ""
    );
    println!(
        "{:<48} {:>12} {:>12}",
        "vanthu, after load",
        mib(vanthu_after.rss_kib),
        mib(vanthu_after.hwm_kib)
    );
    println!(
        "{:<48} {:>12} {:>12}",
        "trivial server, idle 1 s after start",
        mib(trivial_idle.rss_kib),
        mib(trivial_idle.hwm_kib)
    );
    println!(
        "{:<48} {:>12} {:>12}",
        "trivial server, peak during load (50 ms)",
        mib(trivial_peak),
        ""
    );
    println!(
        "{:<48} {:>12} {:>12}",
        "trivial server, after load",
        mib(trivial_after.rss_kib),
        mib(trivial_after.hwm_kib)
    );
    println!("(VmHWM: the kernel's high-water mark of the process's RSS since it started.)");
    println!();

    // 4. Load.
    let health_line = format!(
        "vanthu {} on {}",
        health["version"].as_str().unwrap_or("?"),
        health["database"].as_str().unwrap_or("?")
    );
    println!(
        "== Load: vanthu GET /api/v1/units, bearer token, {} B body with {DEMO_UNITS} units ({health_line}) ==",
        body.len()
    );
    load_table(&real_runs);
    println!(
        "== Baseline: trivial axum handler GET /same-size, static {} B JSON body ==",
        body.len()
    );
    load_table(&base_runs);
    println!("== Baseline: trivial axum handler GET /tiny (body \"ok\") ==");
    load_table(std::slice::from_ref(&tiny_run));
    println!(
        "== vanthu with caches off (--cache-ttl-ms 0): every request reads SQLite (4 queries, 37 rows) =="
    );
    load_table(&uncached_runs);
    for (name, runs) in [
        ("vanthu", real_runs.as_slice()),
        ("vanthu, caches off", uncached_runs.as_slice()),
        ("baseline", base_runs.as_slice()),
        ("tiny", std::slice::from_ref(&tiny_run)),
    ] {
        for r in runs {
            if !r.errors.is_empty() {
                let kinds: Vec<String> =
                    r.errors.iter().map(|(k, v)| format!("{v} × {k}")).collect();
                println!(
                    "errors, {name} at {} concurrent: {}",
                    r.concurrency,
                    kinds.join(", ")
                );
            }
        }
    }

    println!("== vanthu / baseline (same concurrency, same body length) ==");
    println!(
        "{:>6}  {:>10}  {:>26}  {:>10}  {:>24}",
        "conc", "throughput", "req/s vanthu / baseline", "p99", "p99 vanthu / baseline"
    );
    let mut worst_tp = f64::INFINITY;
    let mut worst_p99 = 0.0f64;
    for (r, b) in real_runs.iter().zip(&base_runs) {
        let tp = r.throughput() / b.throughput().max(1e-9);
        let (rp, bp) = (r.percentile(99.0), b.percentile(99.0));
        let p99 = match (rp, bp) {
            (Some(x), Some(y)) => Some(f64::from(x) / f64::from(y.max(1))),
            _ => None,
        };
        worst_tp = worst_tp.min(tp);
        worst_p99 = worst_p99.max(p99.unwrap_or(f64::INFINITY));
        println!(
            "{:>6}  {:>10}  {:>26}  {:>10}  {:>24}",
            r.concurrency,
            format!("{tp:.2}×"),
            format!("{:.0} / {:.0}", r.throughput(), b.throughput()),
            p99.map_or("-".into(), |x| format!("{x:.2}×")),
            format!("{} / {}", opt_ms(rp), opt_ms(bp))
        );
    }
    println!();

    // 5. Summary.
    let cold = fresh.median().max(restart.median());
    let idle = vanthu_idle.rss_kib as f64 / 1024.0;
    let errors: u64 = real_runs
        .iter()
        .chain(&base_runs)
        .chain([&tiny_run])
        .map(LoadResult::error_count)
        .sum();
    let met = |ok: bool| if ok { "met" } else { "NOT met" };
    println!(
        "Summary: cold start < 1 s: {} (median {} fresh, {} restart) | idle memory < {AIM_IDLE_MIB:.0} MiB: {} ({idle:.1} MiB) | API within {AIM_FACTOR:.0}× of a trivial handler: {} (worst throughput {worst_tp:.2}×, worst p99 {worst_p99:.2}×) | errors: {errors}",
        met(cold < AIM_COLD_START),
        dur_ms(fresh.median()),
        dur_ms(restart.median()),
        met(idle < AIM_IDLE_MIB),
        met(worst_tp >= 1.0 / AIM_FACTOR && worst_p99 <= AIM_FACTOR),
    );
    if cli.keep {
        let kept = tmp.keep();
        println!("Kept the data directories and logs in {}", kept.display());
    }
    Ok(())
}

fn header(bin: &Path) {
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("model name"))
                .map(|v| v.trim_start_matches([' ', '\t', ':']).to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let loadavg = std::fs::read_to_string("/proc/loadavg")
        .map(|t| t.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .unwrap_or_default();
    let now = time::OffsetDateTime::now_utc()
        .format(time::macros::format_description!(
            "[year]-[month]-[day] [hour]:[minute] UTC"
        ))
        .unwrap_or_default();
    let size = std::fs::metadata(bin).map_or(0, |m| m.len());
    println!("vanthu-bench {} — {now}", env!("CARGO_PKG_VERSION"));
    println!("machine: {cores} cores ({cpu}), load average at start {loadavg}");
    println!(
        "vanthu:  {} ({:.1} MiB binary)",
        bin.display(),
        size as f64 / 1_048_576.0
    );
    println!(
        "Client and servers share this machine and talk over loopback (HTTP/1.1 keep-alive); latency is end to end, body read included."
    );
    println!();
}

fn memory_of(s: &Server) -> Result<Memory> {
    s.memory()
        .with_context(|| format!("cannot read /proc/{}/status", s.pid))
}

async fn login(client: &reqwest::Client, s: &Server) -> Result<String> {
    let password = std::env::var("VANTHU_DEMO_PASSWORD").unwrap_or_else(|_| "VanThu@2025".into());
    let resp = client
        .post(format!("{}/api/v1/auth/login", s.base))
        .json(&serde_json::json!({"username": "admin", "password": password}))
        .send()
        .await?;
    let status = resp.status();
    let text = resp.text().await?;
    if status != reqwest::StatusCode::OK {
        bail!("signing in as admin answered {status}: {text}");
    }
    let v: serde_json::Value =
        serde_json::from_str(&text).context("the sign-in answer is not JSON")?;
    v["token"]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| anyhow!("the sign-in answer has no token: {text}"))
}

/// One GET /api/v1/units, checked: 200, JSON, 37 items.
async fn fetch_units(client: &reqwest::Client, url: &str, token: &str) -> Result<Vec<u8>> {
    let resp = client.get(url).bearer_auth(token).send().await?;
    let status = resp.status();
    let body = resp.bytes().await?.to_vec();
    if status != reqwest::StatusCode::OK {
        bail!(
            "GET /api/v1/units answered {status}: {}",
            String::from_utf8_lossy(&body)
        );
    }
    let v: serde_json::Value =
        serde_json::from_slice(&body).context("GET /api/v1/units did not answer JSON")?;
    let n = v["items"].as_array().map(Vec::len);
    if n != Some(DEMO_UNITS) {
        bail!(
            "GET /api/v1/units answered {n:?} items, expected {DEMO_UNITS} (the demo organisation)"
        );
    }
    Ok(body)
}

fn load_table(runs: &[LoadResult]) {
    println!(
        "{:>6} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>8} {:>12}",
        "conc", "req/s", "p50", "p90", "p99", "max", "requests", "errors", "RSS peak"
    );
    for r in runs {
        println!(
            "{:>6} {:>10.0} {:>10} {:>10} {:>10} {:>10} {:>10} {:>8} {:>12}",
            r.concurrency,
            r.throughput(),
            opt_ms(r.percentile(50.0)),
            opt_ms(r.percentile(90.0)),
            opt_ms(r.percentile(99.0)),
            opt_ms(r.max()),
            r.ok() as u64 + r.error_count(),
            r.error_count(),
            mib(r.rss_peak_kib)
        );
    }
    println!();
}

fn dur_ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn opt_ms(us: Option<u32>) -> String {
    us.map_or("-".into(), |us| format!("{:.2} ms", f64::from(us) / 1000.0))
}

fn mib(kib: u64) -> String {
    format!("{:.1} MiB", kib as f64 / 1024.0)
}
