//! `vanthu axis` as a process: agencies added from the command line, packages exchanged, the process killed with
//! SIGKILL and started again on the same data (nothing acknowledged is lost, fetched bytes are identical), the
//! server's peak memory while a 27 MB package goes through, a graceful stop on SIGTERM.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};
use vanthu_axis::{Client, ClientError, MessageType};

const EDOC: &[u8] = include_bytes!("../../axis/tests/data/official-sdk-edoc-pdf.edxml");
const G22: &str = "000.00.00.G22";
const G22_SECRET: &str = "secret-of-vpcp-000001";
const H41: &str = "000.00.00.H41";
const H41_SECRET: &str = "secret-of-nghe-an-00002";

fn vanthu() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vanthu"));
    for (k, _) in std::env::vars() {
        if k.starts_with("VANTHU_") {
            c.env_remove(k);
        }
    }
    c.env("VANTHU_LOG", "warn");
    c
}

fn cli(data: &Path, args: &[&str]) -> Output {
    vanthu()
        .arg("axis")
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .expect("run vanthu")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(data: &Path, port: u16) -> Child {
    vanthu()
        .args(["axis", "--listen", &format!("127.0.0.1:{port}"), "--data"])
        .arg(data)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start vanthu axis")
}

async fn wait_ready(endpoint: &str) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(60) {
        if let Ok(r) = reqwest::get(format!("{endpoint}/healthz")).await
            && r.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("vanthu axis did not start");
}

/// Peak resident memory of a process, in bytes (`VmHWM` of /proc/PID/status).
fn peak_rss(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

fn big_package() -> Vec<u8> {
    let mut edoc = vanthu_edxml::read_edoc(EDOC).unwrap().value;
    let mut pdf = b"%PDF-1.4\n".to_vec();
    let mut x = 7u32;
    while pdf.len() < 20 * 1024 * 1024 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        pdf.push((x >> 16) as u8);
    }
    pdf.extend_from_slice(b"\n%%EOF\n");
    edoc.attachments[0].data = pdf;
    vanthu_edxml::write_edoc(&edoc).unwrap()
}

#[test]
fn agency_commands_check_their_input() {
    let dir = tempfile::tempdir().unwrap();
    let out = cli(
        dir.path(),
        &[
            "agency",
            "add",
            "--code",
            G22,
            "--name",
            "Văn phòng Chính phủ",
            "--secret",
            "short",
        ],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ít nhất 16 ký tự"), "{err}");
    let out = cli(
        dir.path(),
        &[
            "agency",
            "add",
            "--code",
            G22,
            "--name",
            "Văn phòng Chính phủ",
        ],
    );
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("--secret"));
    let out = cli(
        dir.path(),
        &[
            "agency", "add", "--code", "a b", "--name", "x", "--secret", G22_SECRET,
        ],
    );
    assert!(!out.status.success());
    let out = cli(
        dir.path(),
        &[
            "agency",
            "add",
            "--code",
            G22,
            "--name",
            "Văn phòng Chính phủ",
            "--secret",
            G22_SECRET,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cli(
        dir.path(),
        &[
            "agency", "add", "--code", G22, "--name", "again", "--secret", G22_SECRET,
        ],
    );
    assert!(
        !out.status.success(),
        "a second system of the same id is refused"
    );
    let out = cli(
        dir.path(),
        &[
            "agency",
            "add",
            "--code",
            "000.01.00.G22",
            "--name",
            "Vụ Hành chính",
            "--system",
            G22,
            "--pcode",
            G22,
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = cli(
        dir.path(),
        &[
            "agency",
            "add",
            "--code",
            "000.02.00.G22",
            "--name",
            "x",
            "--system",
            "no.such.system",
        ],
    );
    assert!(!out.status.success());
    let out = cli(
        dir.path(),
        &["agency", "disable", "--code", "000.01.00.G22"],
    );
    assert!(out.status.success());
    let out = cli(
        dir.path(),
        &["agency", "disable", "--code", "000.09.00.G22"],
    );
    assert!(!out.status.success());
    let out = cli(dir.path(), &["agency", "list", "--json"]);
    assert!(out.status.success());
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    assert_eq!(list[0]["code"], G22);
    assert_eq!(list[0]["active"], true);
    assert_eq!(list[1]["code"], "000.01.00.G22");
    assert_eq!(list[1]["system"], G22);
    assert_eq!(list[1]["pcode"], G22);
    assert_eq!(list[1]["active"], false);
    let out = cli(dir.path(), &["agency", "list"]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("Vụ Hành chính") && text.contains("đã khóa"),
        "{text}"
    );
    let out = cli(
        dir.path(),
        &["agency", "rotate-secret", "--code", G22, "--secret", "tiny"],
    );
    assert!(!out.status.success());
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(dir.path().join("axis.db"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the database holds the secrets");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_axis_keeps_what_it_acknowledged_and_streams_large_packages() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path();
    for (code, name, secret) in [
        (G22, "Văn phòng Chính phủ", G22_SECRET),
        (H41, "UBND tỉnh Nghệ An", H41_SECRET),
    ] {
        let out = cli(
            data,
            &[
                "agency", "add", "--code", code, "--name", name, "--secret", secret,
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let port = free_port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let mut server = start(data, port);
    wait_ready(&endpoint).await;
    let g22 = Client::with_timeout(&endpoint, G22, G22_SECRET, Duration::from_secs(300)).unwrap();
    let h41 = Client::with_timeout(&endpoint, H41, H41_SECRET, Duration::from_secs(300)).unwrap();

    let small = g22.send_edoc(MessageType::Edoc, EDOC).await.unwrap();
    assert_eq!(h41.get_edoc(&small).await.unwrap(), EDOC);
    let baseline = peak_rss(server.id());

    // A 27 MB package through the server: its peak memory grows far less than the package.
    let package = big_package();
    assert!(package.len() > 27_000_000);
    let big = g22.send_edoc(MessageType::Edoc, &package).await.unwrap();
    assert!(h41.get_edoc(&big).await.unwrap() == package);
    assert!(h41.download_edoc(&big).await.unwrap() == package);
    match (baseline, peak_rss(server.id())) {
        (Some(before), Some(after)) => {
            let growth = after.saturating_sub(before);
            eprintln!(
                "server peak RSS {} MB before, {} MB after a {} MB package",
                before / 1_000_000,
                after / 1_000_000,
                package.len() / 1_000_000
            );
            assert!(
                growth < package.len() as u64 / 2,
                "peak RSS grew by {growth} bytes for a package of {} bytes",
                package.len()
            );
        }
        _ => eprintln!("SKIPPED: /proc/PID/status not readable, memory not measured"),
    }

    // SIGKILL, then a new process on the same data.
    server.kill().unwrap();
    server.wait().unwrap();
    let err = h41.received_list(MessageType::Edoc).await.unwrap_err();
    assert!(
        matches!(err, ClientError::Transport(_)) && err.is_retryable(),
        "{err:?}"
    );
    let mut server = start(data, port);
    wait_ready(&endpoint).await;
    let list = h41.received_list(MessageType::Edoc).await.unwrap();
    let ids: Vec<&str> = list.iter().map(|i| i.doc_id.as_str()).collect();
    assert_eq!(ids, [small.as_str(), big.as_str()]);
    assert!(list.iter().all(|i| i.status == "fetched"));
    assert_eq!(h41.get_edoc(&small).await.unwrap(), EDOC);
    assert!(h41.get_edoc(&big).await.unwrap() == package);
    h41.update_status(&small, "done").await.unwrap();
    assert_eq!(h41.count_received(MessageType::Edoc).await.unwrap(), 1);
    // The same send after the restart is still recognised.
    assert_eq!(g22.send_edoc(MessageType::Edoc, EDOC).await.unwrap(), small);

    // Administration while the service runs: a disabled recipient is refused at once.
    let out = cli(data, &["agency", "disable", "--code", H41]);
    assert!(out.status.success());
    let err = g22
        .send_edoc(MessageType::Edoc, &EDOC[..EDOC.len() - 2])
        .await
        .unwrap_err();
    assert_eq!(err.code(), Some("23"), "{err:?}");

    // SIGTERM: a graceful stop.
    let status = Command::new("kill")
        .args(["-TERM", &server.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let started = Instant::now();
    loop {
        if let Some(s) = server.try_wait().unwrap() {
            assert!(s.success(), "exit status {s:?}");
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let mut out = String::new();
    std::io::Read::read_to_string(server.stdout.as_mut().unwrap(), &mut out).unwrap();
    assert!(
        out.contains("đang chạy tại") && out.contains("đã dừng"),
        "{out}"
    );
}
