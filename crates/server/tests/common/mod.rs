//! Test helper: starts the real server on port 0 with a fresh database and talks to it over HTTP.
#![allow(dead_code)]

use serde_json::{Value, json};
use std::sync::Arc;
use vanthu_server::{App, AuthSettings};
use vanthu_store::testkit::TestDb;

pub mod web;

pub const DEMO_PASSWORD: &str = "VanThu@2025";

pub struct TestServer {
    pub base: String,
    pub app: App,
    pub backend: &'static str,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
    _db: TestDb,
    _blobs: tempfile::TempDir,
}

impl TestServer {
    /// A server on a fresh SQLite database with the demo organisation.
    pub async fn demo() -> TestServer {
        TestServer::start_on(TestDb::sqlite(), true).await
    }

    /// Servers on every available backend (SQLite, and PostgreSQL when configured), with the demo data.
    pub async fn demo_all() -> Vec<TestServer> {
        let mut v = Vec::new();
        for db in TestDb::all().await {
            v.push(TestServer::start_on(db, true).await);
        }
        v
    }

    pub async fn start_on(db: TestDb, demo: bool) -> TestServer {
        TestServer::start_with(db, demo, AuthSettings::default()).await
    }

    pub async fn start_with(db: TestDb, demo: bool, auth: AuthSettings) -> TestServer {
        let store = vanthu_store::open(&db.url).await.expect("open store");
        let backend = store.backend();
        let blob_dir = tempfile::tempdir().expect("blob dir");
        let blobs = vanthu_server::blobs::Blobs::open(blob_dir.path()).expect("blobs");
        let app = App::new(Arc::from(store), blobs, auth);
        if demo {
            vanthu_server::demo::seed(&app, DEMO_PASSWORD)
                .await
                .expect("demo seed");
        }
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let a = app.clone();
        let task = tokio::spawn(async move {
            vanthu_server::server::serve(listener, a, async {
                let _ = rx.await;
            })
            .await
            .unwrap();
        });
        TestServer {
            base,
            app,
            backend,
            shutdown: Some(tx),
            task: Some(task),
            _db: db,
            _blobs: blob_dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn client(&self) -> reqwest::Client {
        reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .unwrap()
    }

    /// Signs in through the API and returns the bearer token.
    pub async fn token(&self, username: &str, password: &str) -> String {
        let r = self
            .client()
            .post(self.url("/api/v1/auth/login"))
            .json(&json!({"username": username, "password": password}))
            .send()
            .await
            .unwrap();
        assert_eq!(
            r.status(),
            200,
            "login {username}: {}",
            r.text().await.unwrap()
        );
        r.json::<Value>().await.unwrap()["token"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn get(&self, token: &str, path: &str) -> (u16, Value) {
        let r = self
            .client()
            .get(self.url(path))
            .bearer_auth(token)
            .send()
            .await
            .unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    pub async fn send(&self, method: &str, token: &str, path: &str, body: Value) -> (u16, Value) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let r = self
            .client()
            .request(m, self.url(path))
            .bearer_auth(token)
            .json(&body)
            .send()
            .await
            .unwrap();
        let s = r.status().as_u16();
        (s, r.json().await.unwrap_or(Value::Null))
    }

    /// The id of the unit with this internal key.
    pub async fn unit_id(&self, key: &str) -> i64 {
        self.app
            .store
            .read()
            .await
            .unwrap()
            .unit_by_key(key)
            .await
            .unwrap()
            .unwrap_or_else(|| panic!("no unit {key}"))
            .id
    }

    pub async fn person_id(&self, username: &str) -> i64 {
        self.app
            .store
            .read()
            .await
            .unwrap()
            .person_by_username(username)
            .await
            .unwrap()
            .unwrap()
            .id
    }

    pub async fn stop(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.task.take() {
            let _ = t.await;
        }
        self.app.store.close().await;
    }
}

/// A small but well-formed PDF with distinct content.
pub fn pdf(tag: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {tag}\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n")
        .into_bytes()
}

/// Posts a multipart form: a `metadata` JSON part and files `(part, file name, bytes)`; the status and the answer.
pub async fn multipart(
    s: &TestServer,
    token: &str,
    path: &str,
    metadata: Value,
    files: Vec<(&str, &str, Vec<u8>)>,
) -> (u16, Value) {
    let mut form = reqwest::multipart::Form::new().text("metadata", metadata.to_string());
    for (part, name, bytes) in files {
        form = form.part(
            part.to_string(),
            reqwest::multipart::Part::bytes(bytes).file_name(name.to_string()),
        );
    }
    let r = s
        .client()
        .post(s.url(path))
        .bearer_auth(token)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let st = r.status().as_u16();
    (st, r.json().await.unwrap_or(Value::Null))
}

/// The ids of the documents in one of the reader's queues.
pub async fn queue_ids(s: &TestServer, token: &str, queue: &str) -> Vec<i64> {
    let (st, v) = s.get(token, &format!("/api/v1/queues/{queue}")).await;
    assert_eq!(st, 200, "{v}");
    v["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["id"].as_i64().unwrap())
        .collect()
}
