//! Settings from the command line, the environment (`VANTHU_*`) and a TOML file, in that order of precedence.

use anyhow::{Context, Result};
use clap::Args;
use serde::Deserialize;
use std::path::PathBuf;

/// Where the data lives: shared by every command that opens the database.
#[derive(Args, Debug, Clone, Default)]
pub struct DataArgs {
    /// Thư mục dữ liệu (cơ sở dữ liệu SQLite, tệp) [mặc định: ./data]
    #[arg(long, env = "VANTHU_DATA")]
    pub data: Option<PathBuf>,
    /// Cơ sở dữ liệu: sqlite:ĐƯỜNG_DẪN hoặc postgres://NGƯỜI_DÙNG@MÁY/CSDL [mặc định: tệp SQLite trong thư mục dữ liệu]
    #[arg(long, env = "VANTHU_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Tệp cấu hình TOML với các thiết lập listen, data, database_url, secure_cookies, cache_ttl_ms và bảng [exchange]
    #[arg(long, env = "VANTHU_CONFIG")]
    pub config: Option<PathBuf>,
}

#[derive(Deserialize, Debug, Default)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    pub listen: Option<String>,
    pub data: Option<PathBuf>,
    pub database_url: Option<String>,
    pub secure_cookies: Option<bool>,
    pub cache_ttl_ms: Option<u64>,
    /// `[exchange]`: the interconnection axis this installation exchanges documents through.
    pub exchange: Option<crate::exchange::ExchangeFile>,
}

impl DataArgs {
    pub fn file(&self) -> Result<FileConfig> {
        match &self.config {
            None => Ok(FileConfig::default()),
            Some(p) => {
                let text = std::fs::read_to_string(p)
                    .with_context(|| format!("không đọc được tệp cấu hình {}", p.display()))?;
                toml::from_str(&text)
                    .with_context(|| format!("tệp cấu hình {} không hợp lệ", p.display()))
            }
        }
    }

    /// The data directory, created if missing, and the database URL.
    pub fn resolve(&self, file: &FileConfig) -> Result<(PathBuf, String)> {
        let data = self
            .data
            .clone()
            .or_else(|| file.data.clone())
            .unwrap_or_else(|| PathBuf::from("./data"));
        std::fs::create_dir_all(&data)
            .with_context(|| format!("không tạo được thư mục dữ liệu {}", data.display()))?;
        let url = match self
            .database_url
            .clone()
            .or_else(|| file.database_url.clone())
        {
            Some(u) => u,
            None => format!("sqlite:{}", data.join("vanthu.db").display()),
        };
        Ok((data, url))
    }
}
