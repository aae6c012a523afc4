//! Child processes (vanthu and the trivial server): spawning on 127.0.0.1, waiting for the first 200,
//! graceful stop, and their memory from `/proc/PID/status`.

use anyhow::{Context, Result, bail};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};
use tokio::process::{Child, Command};

/// The release `vanthu` to measure: the one given, else `target/release/vanthu`, else the one next to this
/// program (`program` names it in the message when none is there).
pub fn find_vanthu(arg: Option<&Path>, program: &str) -> Result<PathBuf> {
    let mut candidates = Vec::new();
    match arg {
        Some(p) => candidates.push(p.to_path_buf()),
        None => {
            candidates.push(PathBuf::from("target/release/vanthu"));
            if let Ok(me) = std::env::current_exe()
                && let Some(dir) = me.parent()
                && dir.file_name().is_some_and(|n| n == "release")
            {
                candidates.push(dir.join("vanthu"));
            }
        }
    }
    for c in &candidates {
        if c.is_file() {
            return c
                .canonicalize()
                .with_context(|| format!("cannot resolve {}", c.display()));
        }
    }
    bail!(
        "no vanthu binary at {}.\nBuild the release binaries first:\n    cargo build --release -p vanthu -p vanthu-bench\nthen run target/release/{program} from the workspace root (or pass --vanthu PATH).",
        candidates[0].display()
    )
}

/// Environment variables of vanthu that could point the child elsewhere than its temporary directory.
const VANTHU_ENV: [&str; 5] = [
    "VANTHU_LISTEN",
    "VANTHU_DATA",
    "VANTHU_DATABASE_URL",
    "VANTHU_CONFIG",
    "VANTHU_SECURE_COOKIES",
];

/// A running child server, killed when dropped.
pub struct Server {
    child: Child,
    pub pid: u32,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// Where its standard output and error go.
    log: PathBuf,
    /// When `spawn` was called.
    pub spawned_at: Instant,
}

/// A free TCP port on 127.0.0.1 (bound then released; the child binds it right after).
pub fn free_port() -> Result<u16> {
    let l = std::net::TcpListener::bind("127.0.0.1:0").context("no free port on 127.0.0.1")?;
    Ok(l.local_addr()?.port())
}

/// A command whose process is killed with the parent: `kill_on_drop` covers every exit of this program
/// that unwinds (errors, ctrl-c, SIGTERM), the parent-death signal covers this program being killed.
fn command(program: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.kill_on_drop(true).stdin(Stdio::null());
    #[cfg(target_os = "linux")]
    {
        let parent = std::process::id();
        // SAFETY: only async-signal-safe calls (prctl, getppid) between fork and exec. Children are spawned
        // from the main thread (the top-level future runs in `block_on`), whose end is the process's end.
        unsafe {
            cmd.pre_exec(move || {
                if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0
                    || libc::getppid() as u32 != parent
                {
                    return Err(std::io::Error::from_raw_os_error(libc::ESRCH));
                }
                Ok(())
            });
        }
    }
    cmd
}

fn spawn(mut cmd: Command, port: u16, log: PathBuf, what: &str) -> Result<Server> {
    let out = std::fs::File::create(&log)
        .with_context(|| format!("cannot create log file {}", log.display()))?;
    cmd.stdout(out.try_clone()?).stderr(out);
    let spawned_at = Instant::now();
    let child = cmd
        .spawn()
        .with_context(|| format!("cannot start {what}"))?;
    let pid = child.id().context("child exited at once")?;
    Ok(Server {
        child,
        pid,
        base: format!("http://127.0.0.1:{port}"),
        log,
        spawned_at,
    })
}

/// Starts `vanthu serve` on `data` (SQLite there), listening on a free port of 127.0.0.1, with `extra`
/// arguments.
pub fn spawn_vanthu(
    bin: &Path,
    data: &Path,
    demo: bool,
    extra: &[&str],
    log: PathBuf,
) -> Result<Server> {
    let port = free_port()?;
    let mut cmd = command(bin);
    cmd.arg("serve")
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data")
        .arg(data);
    if demo {
        cmd.arg("--demo");
    }
    cmd.args(extra);
    for v in VANTHU_ENV {
        cmd.env_remove(v);
    }
    spawn(cmd, port, log, "vanthu")
}

/// Starts this program again as the trivial baseline server.
pub fn spawn_trivial(body_file: &Path, log: PathBuf) -> Result<Server> {
    let port = free_port()?;
    let me = std::env::current_exe().context("cannot find this program's own path")?;
    let mut cmd = command(&me);
    cmd.arg("--trivial-server")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--body-file")
        .arg(body_file);
    spawn(cmd, port, log, "the trivial server")
}

/// Starts `vanthu axis` on `data` (SQLite there), listening on a free port of 127.0.0.1, with its default
/// log level (one line per request).
#[allow(dead_code)] // used by vanthu-bench-axis only
pub fn spawn_axis(bin: &Path, data: &Path, log: PathBuf) -> Result<Server> {
    // Environment variables of `vanthu axis` (and its log filter) that could point the child elsewhere than its
    // temporary directory or change what it does.
    const AXIS_ENV: [&str; 6] = [
        "VANTHU_AXIS_LISTEN",
        "VANTHU_AXIS_DATA",
        "VANTHU_AXIS_DATABASE_URL",
        "VANTHU_AXIS_MAX_PACKAGE_MB",
        "VANTHU_AXIS_SECRET",
        "VANTHU_LOG",
    ];
    let port = free_port()?;
    let mut cmd = command(bin);
    cmd.arg("axis")
        .arg("--listen")
        .arg(format!("127.0.0.1:{port}"))
        .arg("--data")
        .arg(data);
    for v in AXIS_ENV {
        cmd.env_remove(v);
    }
    spawn(cmd, port, log, "vanthu axis")
}

/// Starts this program again with `flag 127.0.0.1:PORT` (a hidden baseline-server mode) and `extra`.
#[allow(dead_code)] // used by vanthu-bench-axis only
pub fn spawn_self(flag: &str, extra: &[&str], log: PathBuf, what: &str) -> Result<Server> {
    let port = free_port()?;
    let me = std::env::current_exe().context("cannot find this program's own path")?;
    let mut cmd = command(&me);
    cmd.arg(flag).arg(format!("127.0.0.1:{port}")).args(extra);
    spawn(cmd, port, log, what)
}

/// A client for polling: no proxy, short timeouts.
pub fn poll_client() -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .no_proxy()
        .connect_timeout(Duration::from_secs(1))
        .timeout(Duration::from_secs(5))
        .build()?)
}

impl Server {
    /// Polls `path` every 2 ms until it answers 200; returns the time since spawn.
    pub async fn wait_ready(
        &mut self,
        client: &reqwest::Client,
        path: &str,
        limit: Duration,
    ) -> Result<Duration> {
        let url = format!("{}{path}", self.base);
        loop {
            if let Ok(r) = client.get(&url).send().await
                && r.status() == reqwest::StatusCode::OK
            {
                return Ok(self.spawned_at.elapsed());
            }
            if let Some(status) = self.child.try_wait()? {
                bail!(
                    "the server exited ({status}) before answering {path}; its output:\n{}",
                    self.log_tail()
                );
            }
            if self.spawned_at.elapsed() > limit {
                bail!(
                    "the server did not answer 200 on {path} within {} s; its output:\n{}",
                    limit.as_secs(),
                    self.log_tail()
                );
            }
            tokio::time::sleep(Duration::from_millis(2)).await;
        }
    }

    /// The last lines of the child's output.
    pub fn log_tail(&self) -> String {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(20)..].join("\n")
    }

    /// SIGTERM, then up to 10 s for a graceful exit, then SIGKILL.
    pub async fn stop(mut self) -> Result<()> {
        if self.child.try_wait()?.is_none() {
            // SAFETY: plain kill(2) on our own child's pid, which has not been reaped yet.
            unsafe {
                libc::kill(self.pid as libc::pid_t, libc::SIGTERM);
            }
            match tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await {
                Ok(r) => {
                    r?;
                }
                Err(_) => {
                    self.child.kill().await?;
                }
            }
        }
        Ok(())
    }

    /// VmRSS and VmHWM in KiB.
    pub fn memory(&self) -> Option<Memory> {
        memory(self.pid)
    }

    /// Samples VmRSS every 50 ms until the sampler is finished.
    pub fn sample_rss(&self) -> RssSampler {
        let pid = self.pid;
        let peak = Arc::new(AtomicU64::new(0));
        let stop = Arc::new(AtomicBool::new(false));
        let (p, s) = (peak.clone(), stop.clone());
        let handle = tokio::spawn(async move {
            let mut tick = tokio::time::interval(Duration::from_millis(50));
            tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
            while !s.load(Ordering::Relaxed) {
                tick.tick().await;
                if let Some(m) = memory(pid) {
                    p.fetch_max(m.rss_kib, Ordering::Relaxed);
                }
            }
        });
        RssSampler { peak, stop, handle }
    }
}

#[derive(Debug, Clone, Copy)]
pub struct Memory {
    pub rss_kib: u64,
    pub hwm_kib: u64,
}

pub fn memory(pid: u32) -> Option<Memory> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        text.lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
    };
    Some(Memory {
        rss_kib: field("VmRSS:")?,
        hwm_kib: field("VmHWM:")?,
    })
}

pub struct RssSampler {
    peak: Arc<AtomicU64>,
    stop: Arc<AtomicBool>,
    handle: tokio::task::JoinHandle<()>,
}

impl RssSampler {
    /// Stops sampling; the largest VmRSS seen, in KiB.
    pub async fn finish(self) -> u64 {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.handle.await;
        self.peak.load(Ordering::Relaxed)
    }
}
