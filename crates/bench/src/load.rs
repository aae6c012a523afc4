//! The load generator: N concurrent client tasks sharing one keep-alive client, for a fixed duration.

use anyhow::Result;
use std::collections::BTreeMap;
use std::time::{Duration, Instant};

/// What one load run measured.
pub struct LoadResult {
    pub concurrency: usize,
    /// From the start of the measured phase to the end of the last request.
    pub wall: Duration,
    /// Latencies of the successful requests, in microseconds, sorted.
    pub latencies_us: Vec<u32>,
    /// Failed requests by kind (HTTP status, wrong body length, transport error).
    pub errors: BTreeMap<String, u64>,
    /// Largest VmRSS of the server sampled during the run (warm-up included), in KiB.
    pub rss_peak_kib: u64,
}

impl LoadResult {
    pub fn ok(&self) -> usize {
        self.latencies_us.len()
    }

    pub fn error_count(&self) -> u64 {
        self.errors.values().sum()
    }

    /// Successful requests per second.
    pub fn throughput(&self) -> f64 {
        self.ok() as f64 / self.wall.as_secs_f64().max(1e-9)
    }

    /// Nearest-rank percentile, in microseconds.
    pub fn percentile(&self, p: f64) -> Option<u32> {
        let n = self.latencies_us.len();
        if n == 0 {
            return None;
        }
        let rank = ((p / 100.0) * n as f64).ceil() as usize;
        Some(self.latencies_us[rank.clamp(1, n) - 1])
    }

    pub fn max(&self) -> Option<u32> {
        self.latencies_us.last().copied()
    }
}

/// One target of the load.
#[derive(Clone)]
pub struct Target {
    pub url: String,
    pub token: Option<String>,
    /// The body length every 200 must have, when known.
    pub body_len: Option<usize>,
}

/// A client with a keep-alive pool sized to the concurrency, loopback only.
pub fn client(concurrency: usize) -> Result<reqwest::Client> {
    Ok(reqwest::Client::builder()
        .no_proxy()
        .pool_max_idle_per_host(concurrency)
        .pool_idle_timeout(Duration::from_secs(90))
        .tcp_nodelay(true)
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(30))
        .build()?)
}

struct TaskOutcome {
    latencies_us: Vec<u32>,
    errors: BTreeMap<String, u64>,
    last_end: Instant,
}

/// Runs `concurrency` tasks against `target`: a warm-up (not recorded), then `duration` measured.
/// Each task stops starting requests at the deadline; a request in flight finishes (30 s timeout at most).
pub async fn run(
    target: &Target,
    concurrency: usize,
    warmup: Duration,
    duration: Duration,
    server: &crate::procs::Server,
) -> Result<LoadResult> {
    let client = client(concurrency)?;
    let sampler = server.sample_rss();
    if !warmup.is_zero() {
        drive(&client, target, concurrency, warmup).await?;
    }
    let start = Instant::now();
    let outcomes = drive(&client, target, concurrency, duration).await?;
    let end = outcomes.iter().map(|o| o.last_end).max().unwrap_or(start);
    let rss_peak_kib = sampler.finish().await;
    let mut latencies_us = Vec::new();
    let mut errors = BTreeMap::new();
    for o in outcomes {
        latencies_us.extend(o.latencies_us);
        for (k, v) in o.errors {
            *errors.entry(k).or_insert(0) += v;
        }
    }
    latencies_us.sort_unstable();
    Ok(LoadResult {
        concurrency,
        wall: end.saturating_duration_since(start),
        latencies_us,
        errors,
        rss_peak_kib,
    })
}

async fn drive(
    client: &reqwest::Client,
    target: &Target,
    concurrency: usize,
    duration: Duration,
) -> Result<Vec<TaskOutcome>> {
    let deadline = Instant::now() + duration;
    let mut tasks = Vec::with_capacity(concurrency);
    for _ in 0..concurrency {
        let client = client.clone();
        let target = target.clone();
        tasks.push(tokio::spawn(async move {
            let mut out = TaskOutcome {
                latencies_us: Vec::with_capacity(4096),
                errors: BTreeMap::new(),
                last_end: Instant::now(),
            };
            while Instant::now() < deadline {
                let mut req = client.get(&target.url);
                if let Some(t) = &target.token {
                    req = req.bearer_auth(t);
                }
                let t0 = Instant::now();
                let result = match req.send().await {
                    Ok(resp) => {
                        let status = resp.status();
                        match resp.bytes().await {
                            Ok(_) if status != reqwest::StatusCode::OK => {
                                Err(format!("HTTP {}", status.as_u16()))
                            }
                            Ok(body) => match target.body_len {
                                Some(n) if body.len() != n => {
                                    Err(format!("200 with {} bytes, not {n}", body.len()))
                                }
                                _ => Ok(()),
                            },
                            Err(e) => Err(format!("body: {}", kind(&e))),
                        }
                    }
                    Err(e) => Err(kind(&e)),
                };
                let elapsed = t0.elapsed();
                out.last_end = Instant::now();
                match result {
                    Ok(()) => out
                        .latencies_us
                        .push(u32::try_from(elapsed.as_micros()).unwrap_or(u32::MAX)),
                    Err(k) => *out.errors.entry(k).or_insert(0) += 1,
                }
            }
            out
        }));
    }
    let mut outcomes = Vec::with_capacity(concurrency);
    for t in tasks {
        outcomes.push(t.await?);
    }
    Ok(outcomes)
}

fn kind(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "timeout".into()
    } else if e.is_connect() {
        "connect error".into()
    } else if e.is_body() || e.is_decode() {
        "body error".into()
    } else {
        "request error".into()
    }
}
