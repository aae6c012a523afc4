//! `vanthu serve` with an interconnection axis: its settings, the package-signing identity, and the worker
//! that runs beside the server (`vanthu_server::exchange`).

use anyhow::{Context, Result, bail};
use async_trait::async_trait;
use clap::Args;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;
use vanthu_edxml::sign::SigningKey;
use vanthu_server::exchange::{AxisAgency, AxisApi, AxisError, Pending};

#[derive(Args, Debug, Clone, Default)]
pub struct ExchangeArgs {
    /// Địa chỉ trục liên thông (ví dụ http://127.0.0.1:8090); không có thì không liên thông
    #[arg(long, env = "VANTHU_EXCHANGE_ENDPOINT")]
    pub exchange_endpoint: Option<String>,
    /// Mã hệ thống (systemid) của cài đặt này trên trục; khóa bí mật lấy từ biến môi trường
    /// VANTHU_EXCHANGE_SECRET hoặc tệp cấu hình, không bao giờ trên dòng lệnh
    #[arg(long, env = "VANTHU_EXCHANGE_SYSTEM_ID")]
    pub exchange_system_id: Option<String>,
    /// Số giây giữa hai lần lấy gói tin từ trục [mặc định: 60]
    #[arg(long, env = "VANTHU_EXCHANGE_POLL_SECONDS")]
    pub exchange_poll_seconds: Option<u64>,
    /// Khóa riêng (PEM) ký gói tin; không có thì dùng khóa tự sinh trong thư mục dữ liệu
    #[arg(long, env = "VANTHU_EXCHANGE_KEY")]
    pub exchange_key: Option<PathBuf>,
    /// Chứng thư (PEM) đi cùng khóa ký
    #[arg(long, env = "VANTHU_EXCHANGE_CERT")]
    pub exchange_cert: Option<PathBuf>,
}

/// `[exchange]` of the TOML file.
#[derive(Deserialize, Debug, Default, Clone)]
#[serde(deny_unknown_fields)]
pub struct ExchangeFile {
    pub endpoint: Option<String>,
    pub system_id: Option<String>,
    pub secret: Option<String>,
    pub poll_seconds: Option<u64>,
    pub key_file: Option<PathBuf>,
    pub cert_file: Option<PathBuf>,
}

/// Everything the worker needs.
pub struct Settings {
    pub endpoint: String,
    pub system_id: String,
    pub secret: String,
    pub poll: Duration,
    pub key: SigningKey,
    /// Where the signing identity came from, for the start-up message.
    pub key_origin: String,
}

/// The settings, when an axis endpoint is configured (command line, environment or file).
pub fn resolve(
    args: &ExchangeArgs,
    file: Option<&ExchangeFile>,
    data: &Path,
) -> Result<Option<Settings>> {
    let file = file.cloned().unwrap_or_default();
    let Some(endpoint) = args.exchange_endpoint.clone().or(file.endpoint) else {
        return Ok(None);
    };
    let system_id = args.exchange_system_id.clone().or(file.system_id).context(
        "liên thông: thiếu mã hệ thống (--exchange-system-id hoặc system_id trong [exchange])",
    )?;
    let secret = std::env::var("VANTHU_EXCHANGE_SECRET")
        .ok()
        .or(file.secret)
        .context("liên thông: thiếu khóa bí mật (biến môi trường VANTHU_EXCHANGE_SECRET hoặc secret trong [exchange])")?;
    if secret.len() < 16 {
        bail!("liên thông: khóa bí mật phải dài ít nhất 16 ký tự");
    }
    let poll = Duration::from_secs(
        args.exchange_poll_seconds
            .or(file.poll_seconds)
            .unwrap_or(60)
            .clamp(1, 3600),
    );
    let (key, key_origin) = match (
        args.exchange_key.clone().or(file.key_file),
        args.exchange_cert.clone().or(file.cert_file),
    ) {
        (Some(k), Some(c)) => {
            let key = SigningKey::from_pem(
                &std::fs::read(&k)
                    .with_context(|| format!("không đọc được khóa {}", k.display()))?,
                &std::fs::read(&c)
                    .with_context(|| format!("không đọc được chứng thư {}", c.display()))?,
            )
            .map_err(|e| anyhow::anyhow!("khóa ký gói tin không dùng được: {e}"))?;
            (key, format!("khóa {}", k.display()))
        }
        (None, None) => own_key(data, &system_id)?,
        _ => bail!("liên thông: cần cả khóa (--exchange-key) và chứng thư (--exchange-cert)"),
    };
    Ok(Some(Settings {
        endpoint,
        system_id,
        secret,
        poll,
        key,
        key_origin,
    }))
}

/// The installation's own signing identity in `{data}/exchange/`, made on first use.
fn own_key(data: &Path, system_id: &str) -> Result<(SigningKey, String)> {
    let dir = data.join("exchange");
    let (key_path, cert_path) = (dir.join("signing-key.pem"), dir.join("signing-cert.pem"));
    if key_path.exists() && cert_path.exists() {
        let key = SigningKey::from_pem(&std::fs::read(&key_path)?, &std::fs::read(&cert_path)?)
            .map_err(|e| anyhow::anyhow!("khóa tự sinh {} hỏng: {e}", key_path.display()))?;
        return Ok((key, format!("khóa tự sinh {}", key_path.display())));
    }
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("không tạo được thư mục {}", dir.display()))?;
    let (key, key_pem, cert_pem) =
        vanthu_edxml::sign::generate_self_signed(system_id, "vanthu", 3650)
            .map_err(|e| anyhow::anyhow!("không sinh được khóa ký gói tin: {e}"))?;
    write_private(&key_path, key_pem.as_bytes())?;
    std::fs::write(&cert_path, cert_pem.as_bytes())
        .with_context(|| format!("không ghi được {}", cert_path.display()))?;
    Ok((
        key,
        format!("khóa tự sinh mới {} (chứng thư tự ký)", key_path.display()),
    ))
}

fn write_private(path: &Path, bytes: &[u8]) -> Result<()> {
    use std::io::Write;
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    let mut f = o
        .open(path)
        .with_context(|| format!("không ghi được {}", path.display()))?;
    f.write_all(bytes)?;
    f.sync_all()?;
    Ok(())
}

/// The axis over HTTP, as the official SDK speaks to it.
pub struct HttpAxis(pub vanthu_axis::Client);

fn error(e: vanthu_axis::ClientError) -> AxisError {
    AxisError {
        retryable: e.is_retryable(),
        message: e.to_string(),
    }
}

fn kind(k: &str) -> vanthu_axis::MessageType {
    if k == "status" {
        vanthu_axis::MessageType::Status
    } else {
        vanthu_axis::MessageType::Edoc
    }
}

#[async_trait]
impl AxisApi for HttpAxis {
    async fn send(&self, k: &str, package: &[u8]) -> Result<String, AxisError> {
        self.0.send_edoc(kind(k), package).await.map_err(error)
    }

    async fn pending(&self, k: &str) -> Result<Vec<Pending>, AxisError> {
        Ok(self
            .0
            .received_list(kind(k))
            .await
            .map_err(error)?
            .into_iter()
            .map(|i| Pending {
                doc_id: i.doc_id,
                from: i.from,
            })
            .collect())
    }

    async fn fetch(&self, doc_id: &str) -> Result<Vec<u8>, AxisError> {
        self.0.get_edoc(doc_id).await.map_err(error)
    }

    async fn ack(&self, doc_id: &str, status: &str) -> Result<(), AxisError> {
        self.0.update_status(doc_id, status).await.map_err(error)
    }

    async fn agencies(&self) -> Result<Vec<AxisAgency>, AxisError> {
        Ok(self
            .0
            .agencies()
            .await
            .map_err(error)?
            .into_iter()
            .map(|a| AxisAgency {
                code: a.code,
                name: a.name,
                pcode: a.pcode,
            })
            .collect())
    }

    async fn register(&self, a: &AxisAgency) -> Result<(), AxisError> {
        self.0
            .register_agency(&vanthu_axis::AgencyRegistration {
                code: a.code.clone(),
                name: a.name.clone(),
                pcode: a.pcode.clone(),
                mail: None,
                mobile: None,
                fax: None,
            })
            .await
            .map_err(error)
    }
}

/// Starts the worker for `app`; the handle is aborted when the server stops.
pub fn start(app: vanthu_server::App, s: Settings) -> Result<tokio::task::JoinHandle<()>> {
    let client = vanthu_axis::Client::new(&s.endpoint, &s.system_id, &s.secret)
        .map_err(|e| anyhow::anyhow!("liên thông: {e}"))?;
    let worker =
        vanthu_server::exchange::worker::Worker::new(app, Arc::new(HttpAxis(client)), Some(s.key));
    Ok(tokio::spawn(worker.run(s.poll, Duration::from_secs(3600))))
}
