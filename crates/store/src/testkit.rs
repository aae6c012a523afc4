//! Fresh, isolated databases for tests: a temporary SQLite file always, and a new PostgreSQL database when
//! `VANTHU_TEST_DATABASE_URL` names a server. Each is removed when the guard is dropped.

use std::str::FromStr;

pub const PG_ENV: &str = "VANTHU_TEST_DATABASE_URL";

/// A database that exists for one test.
pub struct TestDb {
    pub url: String,
    _dir: Option<tempfile_dir::TempDir>,
    pg_admin: Option<(String, String)>,
}

mod tempfile_dir {
    /// A directory removed on drop (kept small to avoid a dependency in the library).
    pub struct TempDir(pub std::path::PathBuf);
    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }
}

fn random_suffix() -> String {
    use rand::Rng;
    let mut r = rand::rng();
    (0..12)
        .map(|_| char::from(b'a' + r.random_range(0..26u8)))
        .collect()
}

impl TestDb {
    pub fn sqlite() -> TestDb {
        let dir = std::env::temp_dir().join(format!("vanthu-test-{}", random_suffix()));
        std::fs::create_dir_all(&dir).expect("create temp dir");
        let url = format!("sqlite:{}", dir.join("vanthu.db").display());
        TestDb {
            url,
            _dir: Some(tempfile_dir::TempDir(dir)),
            pg_admin: None,
        }
    }

    /// A fresh PostgreSQL database, or `None` (with a message on stderr) when no server is configured.
    pub async fn postgres() -> Option<TestDb> {
        let Ok(admin_url) = std::env::var(PG_ENV) else {
            eprintln!(
                "SKIPPED: PostgreSQL tests need {PG_ENV} (e.g. postgres://postgres@127.0.0.1:5432/postgres)"
            );
            return None;
        };
        use sqlx::{ConnectOptions, Connection};
        let name = format!("vanthu_t_{}", random_suffix());
        let mut conn = sqlx::PgConnection::connect(&admin_url)
            .await
            .unwrap_or_else(|e| panic!("{PG_ENV} is set but the server cannot be reached: {e}"));
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .expect("create test database");
        let _ = conn.close().await;
        let opts = sqlx::postgres::PgConnectOptions::from_str(&admin_url)
            .expect("valid url")
            .database(&name);
        Some(TestDb {
            url: opts.to_url_lossy().to_string(),
            _dir: None,
            pg_admin: Some((admin_url, name)),
        })
    }

    /// Both backends that are available: SQLite always, PostgreSQL when configured.
    pub async fn all() -> Vec<TestDb> {
        let mut v = vec![TestDb::sqlite()];
        if let Some(pg) = TestDb::postgres().await {
            v.push(pg);
        }
        v
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin, name)) = self.pg_admin.take() {
            // Drop runs outside async code, possibly inside a runtime: use a thread with its own runtime.
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
