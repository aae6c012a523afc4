//! Killing the real server (SIGKILL) while clerks register documents loses nothing that was acknowledged and
//! leaves no half-done action: after a restart every acknowledged document is there with its file, and the
//! arrival numbers are 1..N with every number used by a document.

use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const PASSWORD: &str = "VanThu@2025";

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(data: &std::path::Path, port: u16) -> Child {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vanthu"));
    for (k, _) in std::env::vars() {
        if k.starts_with("VANTHU_") {
            c.env_remove(k);
        }
    }
    c.args([
        "serve",
        "--demo",
        "--listen",
        &format!("127.0.0.1:{port}"),
        "--data",
    ])
    .arg(data)
    .stdout(Stdio::null())
    .stderr(Stdio::null())
    .spawn()
    .expect("start vanthu")
}

async fn wait_ready(c: &reqwest::Client, base: &str) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(120) {
        if let Ok(r) = c.get(format!("{base}/healthz")).send().await
            && r.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server did not start");
}

async fn token(c: &reqwest::Client, base: &str, user: &str) -> String {
    let r: Value = c
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({"username": user, "password": PASSWORD}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    r["token"].as_str().expect("token").to_string()
}

fn pdf(n: usize) -> Vec<u8> {
    let mut v = format!("%PDF-1.4\n% tài liệu {n}\n").into_bytes();
    v.extend(std::iter::repeat_n(b'x', 8 * 1024));
    v.extend_from_slice(b"\n%%EOF\n");
    v
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_server_loses_nothing_acknowledged() {
    let dir = std::env::temp_dir().join(format!(
        "vanthu-crash-{}-{}",
        std::process::id(),
        Instant::now().elapsed().as_nanos()
    ));
    let data = dir.join("data");
    std::fs::create_dir_all(&data).unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let c = reqwest::Client::new();
    let mut child = start(&data, port);
    wait_ready(&c, &base).await;
    let t = token(&c, &base, "ubnd.ninhbinh.vanthu").await;
    let units: Value = c
        .get(format!("{base}/api/v1/units"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let unit = units["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["key"] == "ubnd.ninhbinh")
        .unwrap()["id"]
        .as_i64()
        .unwrap();

    // Four clerks' worth of registrations in flight; the server is killed in the middle.
    let acked: Arc<Mutex<Vec<(i64, String, String)>>> = Arc::default();
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let mut tasks = Vec::new();
    for w in 0..4usize {
        let (c, base, t, acked, stop) = (
            c.clone(),
            base.clone(),
            t.clone(),
            acked.clone(),
            stop.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut i = 0usize;
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                i += 1;
                let n = w * 100_000 + i;
                let body = pdf(n);
                let sha = hex::encode(Sha256::digest(&body));
                let notation = format!("{n}/CRASH-VP");
                let meta = json!({"unit_id": unit, "subject": format!("Văn bản thử số {n}"), "author": "Bộ Nội vụ", "notation": notation});
                let form = reqwest::multipart::Form::new()
                    .text("metadata", meta.to_string())
                    .part("main", reqwest::multipart::Part::bytes(body).file_name("a.pdf"));
                match c.post(format!("{base}/api/v1/incoming")).bearer_auth(&t).multipart(form).send().await {
                    Ok(r) if r.status() == 201 => {
                        if let Ok(v) = r.json::<Value>().await {
                            acked.lock().unwrap().push((v["id"].as_i64().unwrap(), notation, sha));
                        }
                    }
                    _ => tokio::time::sleep(Duration::from_millis(20)).await,
                }
            }
        }));
    }
    let began = Instant::now();
    while acked.lock().unwrap().len() < 30 && began.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap(); // SIGKILL: no shutdown, no flush
    child.wait().unwrap();
    tokio::time::sleep(Duration::from_millis(300)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    for task in tasks {
        task.await.unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 30,
        "only {} registrations before the kill",
        acked.len()
    );

    let mut child = start(&data, port);
    wait_ready(&c, &base).await;
    let t = token(&c, &base, "ubnd.ninhbinh.vanthu").await;
    let mut register = 0;
    for (id, notation, sha) in &acked {
        let r = c
            .get(format!("{base}/api/v1/documents/{id}"))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "acknowledged document {id} lost");
        let d: Value = r.json().await.unwrap();
        assert_eq!(d["document"]["notation"], notation.as_str());
        assert_eq!(d["files"][0]["sha256"], sha.as_str());
        register = d["document"]["register_id"].as_i64().unwrap();
        let f = d["files"][0]["id"].as_i64().unwrap();
        let bytes = c
            .get(format!("{base}/api/v1/documents/{id}/files/{f}"))
            .bearer_auth(&t)
            .send()
            .await
            .unwrap();
        assert_eq!(bytes.status(), 200);
        assert_eq!(
            hex::encode(Sha256::digest(bytes.bytes().await.unwrap())),
            *sha
        );
    }
    // No half-done registration: the numbers run 1..N and each is used by a document.
    let reg: Value = c
        .get(format!("{base}/api/v1/registers/{register}?limit=500"))
        .bearer_auth(&t)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let entries = reg["register"]["next_number"].as_i64().unwrap() - 1;
    assert!(entries >= acked.len() as i64);
    let listed = reg["entries"].as_array().unwrap();
    assert!(listed.iter().all(|e| e["status"] == "used"), "{reg}");
    let mut numbers: Vec<i64> = listed
        .iter()
        .map(|e| e["number"].as_i64().unwrap())
        .collect();
    numbers.sort();
    assert_eq!(numbers, (1..=entries).collect::<Vec<_>>());
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_dir_all(&dir);
}
