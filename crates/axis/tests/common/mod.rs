//! A real axis on loopback for each test: a temporary data directory, SQLite or (when
//! `VANTHU_TEST_DATABASE_URL` names a server) a fresh PostgreSQL database dropped afterwards.
#![allow(dead_code)]

use std::str::FromStr;
use std::time::Duration;
use vanthu_axis::store::NewAgency;
use vanthu_axis::{AxisConfig, Client, Store};

pub const PG_ENV: &str = "VANTHU_TEST_DATABASE_URL";

/// VPCP: sends the sample document.
pub const G22: &str = "000.00.00.G22";
pub const G22_SECRET: &str = "bí-mật-của-VPCP-0001";
/// UBND tỉnh Nghệ An: receives it, answers with the status packet.
pub const H41: &str = "000.00.00.H41";
pub const H41_SECRET: &str = "secret-of-nghe-an-0002";
/// A third system (Đà Nẵng).
pub const H17: &str = "000.00.00.H17";
pub const H17_SECRET: &str = "secret-of-da-nang-0003";

pub const EDOC: &[u8] = include_bytes!("../data/official-sdk-edoc-pdf.edxml");
pub const STATUS: &[u8] = include_bytes!("../data/official-sdk-status-03.edxml");
pub const VPCP_SAMPLE: &[u8] = include_bytes!("../data/vpcp-sdk-sample_edoc_new.edxml");

/// A database for one test.
pub struct TestDb {
    pub url: Option<String>,
    pub label: &'static str,
    pg: Option<(String, String)>,
}

fn suffix() -> String {
    rand::random::<[u8; 6]>()
        .iter()
        .map(|x| format!("{x:02x}"))
        .collect()
}

impl TestDb {
    /// SQLite always; PostgreSQL too when configured (otherwise a visible skip message).
    pub async fn all() -> Vec<TestDb> {
        let mut v = vec![TestDb {
            url: None,
            label: "sqlite",
            pg: None,
        }];
        match std::env::var(PG_ENV) {
            Err(_) => eprintln!(
                "SKIPPED: PostgreSQL run of this test needs {PG_ENV} (e.g. postgres://root@127.0.0.1:5432/test)"
            ),
            Ok(admin) => {
                use sqlx::{ConnectOptions, Connection};
                let name = format!("vanthu_axis_t_{}", suffix());
                let mut conn = sqlx::PgConnection::connect(&admin)
                    .await
                    .unwrap_or_else(|e| {
                        panic!("{PG_ENV} is set but the server cannot be reached: {e}")
                    });
                sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let _ = conn.close().await;
                let url = sqlx::postgres::PgConnectOptions::from_str(&admin)
                    .expect("valid url")
                    .database(&name)
                    .to_url_lossy()
                    .to_string();
                v.push(TestDb {
                    url: Some(url),
                    label: "postgres",
                    pg: Some((admin, name)),
                });
            }
        }
        v
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg.take() {
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build();
                if let Ok(rt) = rt {
                    rt.block_on(async move {
                        use sqlx::Connection;
                        if let Ok(mut c) = sqlx::PgConnection::connect(&admin).await {
                            let _ = sqlx::query(sqlx::AssertSqlSafe(format!(
                                "DROP DATABASE IF EXISTS {name} WITH (FORCE)"
                            )))
                            .execute(&mut c)
                            .await;
                        }
                    });
                }
            })
            .join();
        }
    }
}

/// A running axis with three systems (G22, H41, H17), each hosting the agency of its own code.
pub struct Axis {
    pub endpoint: String,
    pub data: tempfile::TempDir,
    pub store: Store,
    pub db_url: Option<String>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl Axis {
    pub async fn start(db: &TestDb) -> Axis {
        Axis::start_with(db, |_| {}).await
    }

    pub async fn start_with(db: &TestDb, adjust: impl FnOnce(&mut AxisConfig)) -> Axis {
        let data = tempfile::tempdir().unwrap();
        let store = Store::open_in(data.path(), db.url.as_deref())
            .await
            .unwrap();
        eprintln!("axis under test on {}", store.backend());
        for (code, name, secret) in [
            (G22, "Văn phòng Chính phủ", G22_SECRET),
            (H41, "UBND tỉnh Nghệ An", H41_SECRET),
            (H17, "UBND thành phố Đà Nẵng", H17_SECRET),
        ] {
            store
                .add_agency(&NewAgency {
                    code: code.into(),
                    name: name.into(),
                    secret: Some(secret.into()),
                    ..NewAgency::default()
                })
                .await
                .unwrap();
        }
        let mut ax = Axis {
            endpoint: String::new(),
            data,
            store,
            db_url: db.url.clone(),
            stop: None,
            task: None,
        };
        ax.run(adjust).await;
        ax
    }

    /// Starts (again) the service on the same data.
    pub async fn run(&mut self, adjust: impl FnOnce(&mut AxisConfig)) {
        let mut config = AxisConfig {
            listen: "127.0.0.1:0".into(),
            data: self.data.path().to_path_buf(),
            database_url: self.db_url.clone(),
            ..AxisConfig::default()
        };
        adjust(&mut config);
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let (addr, fut) = vanthu_axis::bind(config, async {
            let _ = rx.await;
        })
        .await
        .unwrap();
        self.endpoint = format!("http://{addr}");
        self.stop = Some(tx);
        self.task = Some(tokio::spawn(async move {
            fut.await.unwrap();
        }));
    }

    /// Stops the service (graceful) and waits for it.
    pub async fn stop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        if let Some(t) = self.task.take() {
            tokio::time::timeout(Duration::from_secs(30), t)
                .await
                .unwrap()
                .unwrap();
        }
    }

    pub fn client(&self, system: &str, secret: &str) -> Client {
        Client::new(&self.endpoint, system, secret).unwrap()
    }

    pub fn g22(&self) -> Client {
        self.client(G22, G22_SECRET)
    }

    pub fn h41(&self) -> Client {
        self.client(H41, H41_SECRET)
    }

    pub fn h17(&self) -> Client {
        self.client(H17, H17_SECRET)
    }
}

/// The sample document with its `To` replaced by these agencies (only the identifier of each).
pub fn edoc_to(codes: &[&str]) -> Vec<u8> {
    let text = std::str::from_utf8(EDOC).unwrap();
    let start = text.find("<edXML:To>").unwrap();
    let end = text.find("</edXML:To>").unwrap() + "</edXML:To>".len();
    let to: String = codes
        .iter()
        .map(|c| {
            format!(
                "<edXML:To>\r\n          <edXML:OrganId>{c}</edXML:OrganId>\r\n        </edXML:To>"
            )
        })
        .collect::<Vec<_>>()
        .join("\r\n        ");
    format!("{}{}{}", &text[..start], to, &text[end..]).into_bytes()
}

/// The sample document with its `From/OrganId` replaced.
pub fn edoc_from(code: &str) -> Vec<u8> {
    String::from_utf8(EDOC.to_vec())
        .unwrap()
        .replacen(
            "<edXML:OrganId>000.00.00.G22</edXML:OrganId>",
            &format!("<edXML:OrganId>{code}</edXML:OrganId>"),
            1,
        )
        .into_bytes()
}

/// The sample document with a different subject (different bytes, same routing).
pub fn edoc_variant(n: usize) -> Vec<u8> {
    String::from_utf8(EDOC.to_vec())
        .unwrap()
        .replacen(
            "V/v thử nghiệm liên thông văn bản",
            &format!("V/v thử nghiệm liên thông văn bản số {n}"),
            1,
        )
        .into_bytes()
}

/// The `ErrorCode` of a refusal (panics on success or another error).
pub fn refused<T: std::fmt::Debug>(r: Result<T, vanthu_axis::ClientError>) -> (String, String) {
    match r {
        Err(vanthu_axis::ClientError::Refused { code, desc }) => (code, desc),
        other => panic!("expected a refusal, got {other:?}"),
    }
}
