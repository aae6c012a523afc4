//! End to end with real processes on loopback: one `vanthu axis` and two `vanthu serve` installations (a province
//! and the central office, each with its own database) exchanging documents through it. The province sends to
//! the central office; the central clerk registers and the leader assigns; the statuses flow back to the
//! province's page. The axis is killed (SIGKILL) and started again in the middle: a document issued while it is
//! down arrives once it is back, and nothing accepted before is lost. A revocation is answered with 15. Repeated
//! polls create no duplicates.

use serde_json::{Value, json};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "VanThu@2025";
const PROVINCE: &str = "000.00.00.H40";
const PROVINCE_SECRET: &str = "bi-mat-cua-tinh-ninh-binh";
const CENTRAL: &str = "000.00.00.D01";
const CENTRAL_SECRET: &str = "bi-mat-cua-van-phong-tw";

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

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A child process killed when the test ends, whatever happens.
struct Proc(Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn start_axis(data: &Path, port: u16) -> Proc {
    Proc(
        vanthu()
            .args(["axis", "--listen", &format!("127.0.0.1:{port}"), "--data"])
            .arg(data)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start vanthu axis"),
    )
}

fn start_serve(data: &Path, port: u16, axis_port: u16, system: &str, secret: &str) -> Proc {
    Proc(
        vanthu()
            .args([
                "serve",
                "--demo",
                "--listen",
                &format!("127.0.0.1:{port}"),
                "--data",
            ])
            .arg(data)
            .args([
                "--exchange-endpoint",
                &format!("http://127.0.0.1:{axis_port}"),
                "--exchange-system-id",
                system,
                "--exchange-poll-seconds",
                "1",
            ])
            .env("VANTHU_EXCHANGE_SECRET", secret)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start vanthu serve"),
    )
}

async fn wait_ready(c: &reqwest::Client, url: &str) {
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(120) {
        if let Ok(r) = c.get(url).send().await
            && r.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{url} did not answer");
}

struct Site {
    base: String,
    c: reqwest::Client,
}

impl Site {
    async fn token(&self, user: &str) -> String {
        let r = self
            .c
            .post(format!("{}/api/v1/auth/login", self.base))
            .json(&json!({"username": user, "password": PASSWORD}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "login {user}");
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    async fn get(&self, t: &str, path: &str) -> Value {
        let r = self
            .c
            .get(format!("{}{path}", self.base))
            .bearer_auth(t)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200, "{path}");
        r.json().await.unwrap()
    }

    async fn post(&self, t: &str, path: &str, body: Value) -> Value {
        let r = self
            .c
            .post(format!("{}{path}", self.base))
            .bearer_auth(t)
            .json(&body)
            .send()
            .await
            .unwrap();
        let st = r.status();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        assert_eq!(st, 200, "{path}: {v}");
        v
    }

    async fn person_id(&self, t: &str, username: &str) -> i64 {
        let v = self
            .get(t, &format!("/api/v1/people?q={username}&limit=5"))
            .await;
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["username"] == username)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    }

    async fn unit_id(&self, t: &str, key: &str) -> i64 {
        let v = self.get(t, "/api/v1/units").await;
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["key"] == key)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    }

    /// Issues a document of Ninh Bình's people's committee to the central office; its id.
    async fn issue(&self, subject: &str) -> i64 {
        let drafter = self.token("ubnd.ninhbinh.chuyenvien").await;
        let signer = self.token("ubnd.ninhbinh.lanhdao").await;
        let clerk = self.token("ubnd.ninhbinh.vanthu").await;
        let unit = self.unit_id(&clerk, "ubnd.ninhbinh").await;
        let signer_id = self.person_id(&clerk, "ubnd.ninhbinh.lanhdao").await;
        let meta = json!({"unit_id": unit, "doc_type": "cong_van", "subject": subject, "signer_id": signer_id,
            "recipients": [{"name": "Văn phòng Trung ương Đảng", "code": CENTRAL}]});
        let pdf = format!("%PDF-1.4\n% {subject}\n%%EOF\n").into_bytes();
        let form = reqwest::multipart::Form::new()
            .text("metadata", meta.to_string())
            .part(
                "main",
                reqwest::multipart::Part::bytes(pdf).file_name("cong-van.pdf"),
            );
        let r = self
            .c
            .post(format!("{}/api/v1/outgoing", self.base))
            .bearer_auth(&drafter)
            .multipart(form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let id = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        self.post(
            &drafter,
            &format!("/api/v1/outgoing/{id}/submit"),
            json!({}),
        )
        .await;
        self.post(
            &signer,
            &format!("/api/v1/outgoing/{id}/review"),
            json!({"decision": "approve"}),
        )
        .await;
        self.post(&clerk, &format!("/api/v1/outgoing/{id}/issue"), json!({}))
            .await;
        id
    }

    /// The central office's state of the document at the province, as the province sees it.
    async fn status_at_central(&self, t: &str, id: i64) -> (String, String) {
        let d = self.get(t, &format!("/api/v1/documents/{id}")).await;
        let r = d["recipients"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["code"] == CENTRAL)
            .unwrap()
            .clone();
        (
            r["status"].as_str().unwrap().to_string(),
            r["note"].as_str().unwrap_or_default().to_string(),
        )
    }

    /// The incoming documents of the central office (VPTW) with this subject.
    async fn incoming(&self, t: &str, subject: &str) -> Vec<Value> {
        let unit = self.unit_id(t, "vptw").await;
        let v = self
            .get(
                t,
                &format!("/api/v1/documents?unit_id={unit}&direction=incoming&limit=200"),
            )
            .await;
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|d| d["subject"] == subject)
            .cloned()
            .collect()
    }
}

/// Waits until `check` holds, polling every 200 ms, for at most `secs`.
async fn until<F, Fut>(what: &str, secs: u64, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let started = Instant::now();
    while started.elapsed() < Duration::from_secs(secs) {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    panic!("timed out waiting for: {what}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_province_and_the_central_office_exchange_through_a_real_axis() {
    let dir = tempfile::tempdir().unwrap();
    let (axis_dir, p_dir, c_dir) = (
        dir.path().join("axis"),
        dir.path().join("tinh"),
        dir.path().join("trunguong"),
    );
    for (code, name, secret) in [
        (PROVINCE, "Ủy ban nhân dân tỉnh Ninh Bình", PROVINCE_SECRET),
        (CENTRAL, "Văn phòng Trung ương Đảng", CENTRAL_SECRET),
    ] {
        let out = vanthu()
            .args([
                "axis", "agency", "add", "--code", code, "--name", name, "--secret", secret,
                "--data",
            ])
            .arg(&axis_dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let axis_port = free_port();
    let mut axis = start_axis(&axis_dir, axis_port);
    let c = reqwest::Client::new();
    wait_ready(&c, &format!("http://127.0.0.1:{axis_port}/healthz")).await;
    let (p_port, c_port) = (free_port(), free_port());
    let _province_proc = start_serve(&p_dir, p_port, axis_port, PROVINCE, PROVINCE_SECRET);
    let _central_proc = start_serve(&c_dir, c_port, axis_port, CENTRAL, CENTRAL_SECRET);
    let province = Site {
        base: format!("http://127.0.0.1:{p_port}"),
        c: c.clone(),
    };
    let central = Site {
        base: format!("http://127.0.0.1:{c_port}"),
        c: c.clone(),
    };
    wait_ready(&c, &format!("{}/healthz", province.base)).await;
    wait_ready(&c, &format!("{}/healthz", central.base)).await;

    // The province sends; the central office's clerk finds it in the queue; 01 comes back.
    let subject = "Báo cáo tổng kết công tác văn thư năm 2026";
    let id = province.issue(subject).await;
    let pclerk = province.token("ubnd.ninhbinh.vanthu").await;
    let cclerk = central.token("vptw.vanthu").await;
    until("the document reaches the central clerk", 60, || async {
        !central.incoming(&cclerk, subject).await.is_empty()
    })
    .await;
    let copy = central.incoming(&cclerk, subject).await[0]["id"]
        .as_i64()
        .unwrap();
    let d = central
        .get(&cclerk, &format!("/api/v1/documents/{copy}"))
        .await;
    assert_eq!(d["document"]["channel"], "axis");
    assert_eq!(d["document"]["state"], "received");
    assert_eq!(d["files"].as_array().unwrap().len(), 1);
    until("01 reaches the province", 60, || async {
        province.status_at_central(&pclerk, id).await.0 == "arrived"
    })
    .await;

    // The central clerk registers, the leader assigns: the province sees each step.
    central
        .post(
            &cclerk,
            &format!("/api/v1/incoming/{copy}/register"),
            json!({}),
        )
        .await;
    until("03 reaches the province", 60, || async {
        province.status_at_central(&pclerk, id).await.0 == "accepted"
    })
    .await;
    let leader = central.token("vptw.lanhdao").await;
    let spec = central.person_id(&cclerk, "vptw.chuyenvien").await;
    central
        .post(
            &leader,
            &format!("/api/v1/incoming/{copy}/assign"),
            json!({"direction": "Tổng hợp, báo cáo lãnh đạo", "lead": spec}),
        )
        .await;
    until("04 reaches the province", 60, || async {
        province.status_at_central(&pclerk, id).await.0 == "assigned"
    })
    .await;

    // The axis dies; a document issued meanwhile waits in the province's outbox and arrives once the axis is
    // back on the same data.
    let _ = axis.0.kill();
    let _ = axis.0.wait();
    let subject2 = "Công văn gửi khi trục liên thông ngừng";
    let id2 = province.issue(subject2).await;
    until("the province notes the axis is unreachable", 30, || async {
        province
            .status_at_central(&pclerk, id2)
            .await
            .1
            .contains("Chưa gửi được")
    })
    .await;
    axis = start_axis(&axis_dir, axis_port);
    wait_ready(&c, &format!("http://127.0.0.1:{axis_port}/healthz")).await;
    until(
        "the document issued while the axis was down arrives",
        90,
        || async { !central.incoming(&cclerk, subject2).await.is_empty() },
    )
    .await;
    let copy2 = central.incoming(&cclerk, subject2).await[0]["id"]
        .as_i64()
        .unwrap();

    // A revocation: the central copy is revoked and 15 comes back.
    province
        .post(
            &pclerk,
            &format!("/api/v1/documents/{id2}/revoke"),
            json!({"reason": "Gửi nhầm nơi nhận"}),
        )
        .await;
    until("the central copy is revoked", 60, || async {
        let d = central
            .get(&cclerk, &format!("/api/v1/documents/{copy2}"))
            .await;
        d["document"]["state"] == "revoked"
    })
    .await;
    until("15 reaches the province", 60, || async {
        province.status_at_central(&pclerk, id2).await.1 == "Nơi nhận đã đồng ý thu hồi"
    })
    .await;

    // Polls go on every second: still one copy of each document at the central office.
    tokio::time::sleep(Duration::from_secs(3)).await;
    assert_eq!(central.incoming(&cclerk, subject).await.len(), 1);
    assert_eq!(central.incoming(&cclerk, subject2).await.len(), 1);
    // The province's administrator sees what was sent, the central one what arrived.
    let padmin = province.token("admin").await;
    let sent = province
        .get(&padmin, "/api/v1/exchange/outbox?state=sent")
        .await;
    assert!(sent["items"].as_array().unwrap().len() >= 3, "{sent}");
    let cadmin = central.token("admin").await;
    let inbox = central.get(&cadmin, "/api/v1/exchange/inbox").await;
    let created = inbox["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["outcome"] == "created")
        .count();
    assert_eq!(created, 2, "{inbox}");
    drop(axis);
}

#[test]
fn wrong_exchange_settings_stop_the_start_with_their_reason() {
    let dir = tempfile::tempdir().unwrap();
    let run = |extra: &[&str], secret: Option<&str>| {
        let mut c = vanthu();
        c.args(["serve", "--listen", "127.0.0.1:0", "--data"])
            .arg(dir.path())
            .args(["--exchange-endpoint", "http://127.0.0.1:9"])
            .args(extra);
        if let Some(s) = secret {
            c.env("VANTHU_EXCHANGE_SECRET", s);
        }
        let out = c.output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).to_string(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (ok, stdout, stderr) = run(&[], Some(PROVINCE_SECRET));
    assert!(!ok);
    assert!(stderr.contains("thiếu mã hệ thống"), "{stderr}");
    assert!(!stdout.contains("đang chạy"), "{stdout}");
    let (ok, _, stderr) = run(&["--exchange-system-id", PROVINCE], None);
    assert!(!ok);
    assert!(stderr.contains("thiếu khóa bí mật"), "{stderr}");
    let (ok, _, stderr) = run(&["--exchange-system-id", PROVINCE], Some("ngan"));
    assert!(!ok);
    assert!(stderr.contains("ít nhất 16 ký tự"), "{stderr}");
    let (ok, _, stderr) = run(
        &[
            "--exchange-system-id",
            PROVINCE,
            "--exchange-key",
            "/khong/co.pem",
        ],
        Some(PROVINCE_SECRET),
    );
    assert!(!ok);
    assert!(stderr.contains("cần cả khóa"), "{stderr}");
}
