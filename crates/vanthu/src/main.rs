//! `vanthu`: the operational management information system, as one binary.

mod axis;
mod config;
mod edxml;
mod exchange;

use anyhow::{Context, Result, bail};
use clap::{Parser, Subcommand};
use config::DataArgs;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use vanthu_server::io::{Format, ImportOptions};
use vanthu_server::{App, AuthSettings};

#[derive(Parser)]
#[command(
    name = "vanthu",
    version,
    about = "Hệ thống thông tin điều hành tác nghiệp — vanthu"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Chạy máy chủ web và API
    Serve(ServeArgs),
    /// Quản trị từ dòng lệnh
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Nhập đơn vị hoặc người dùng từ tệp CSV hay XLSX, trong một giao dịch
    Import {
        #[command(subcommand)]
        what: ImportCommand,
    },
    /// Xuất đơn vị hoặc người dùng ra tệp CSV hay XLSX mà lệnh `import` đọc lại được
    Export {
        #[command(subcommand)]
        what: ExportCommand,
    },
    /// Gói tin edXML của trục liên thông văn bản: xem nội dung, báo cáo kiểm tra, kiểm tra chữ ký
    Edxml {
        #[command(subcommand)]
        command: edxml::EdxmlCommand,
    },
    /// Trục liên thông văn bản: chạy dịch vụ trục (mặc định) hoặc quản lý đơn vị kết nối (`axis agency`)
    Axis(axis::AxisArgs),
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Đơn vị: mỗi dòng một đơn vị, tạo mới hoặc cập nhật theo mã nội bộ
    Units(ImportArgs),
    /// Người dùng: mỗi dòng một đơn vị công tác, tài khoản tạo mới hoặc cập nhật theo tên đăng nhập
    People(ImportArgs),
}

#[derive(clap::Args)]
struct ImportArgs {
    /// Tệp: .csv (UTF-8, phân cách bằng `,` hoặc `;`) hoặc .xlsx
    file: PathBuf,
    /// Kiểm tra mọi dòng và báo cáo, không lưu gì
    #[arg(long)]
    dry_run: bool,
    /// Không lưu gì và báo lỗi nếu có dòng bị từ chối
    #[arg(long)]
    strict: bool,
    #[command(flatten)]
    data: DataArgs,
}

#[derive(Subcommand)]
enum ExportCommand {
    /// Mọi đơn vị, kể cả đơn vị ngừng hoạt động, đơn vị cấp trên trước
    Units(ExportArgs),
    /// Các tài khoản đang hoạt động, mỗi dòng một đơn vị công tác (không bao giờ xuất mật khẩu)
    People(ExportArgs),
}

#[derive(clap::Args)]
struct ExportArgs {
    /// Tệp cần ghi; phần mở rộng (.csv hoặc .xlsx) quyết định định dạng
    #[arg(long, short)]
    output: PathBuf,
    /// `csv` hoặc `xlsx`, khi phần mở rộng không cho biết
    #[arg(long)]
    format: Option<String>,
    #[command(flatten)]
    data: DataArgs,
}

#[derive(clap::Args)]
struct ServeArgs {
    /// Địa chỉ lắng nghe [mặc định: 127.0.0.1:8080]
    #[arg(long, env = "VANTHU_LISTEN")]
    listen: Option<String>,
    #[command(flatten)]
    data: DataArgs,
    /// Với cơ sở dữ liệu trống: tạo tổ chức và tài khoản mẫu (mật khẩu: VANTHU_DEMO_PASSWORD, mặc định VanThu@2025)
    #[arg(long)]
    demo: bool,
    /// Đặt thuộc tính Secure cho cookie (khi chạy sau HTTPS)
    #[arg(long, env = "VANTHU_SECURE_COOKIES")]
    secure_cookies: bool,
    /// Thời gian (mili giây) phiên đăng nhập và danh sách đơn vị được giữ trong bộ nhớ; 0 là tắt
    /// (thay đổi qua máy chủ khác được thấy chậm nhất sau chừng ấy thời gian) [mặc định: 2000]
    #[arg(long, env = "VANTHU_CACHE_TTL_MS")]
    cache_ttl_ms: Option<u64>,
    #[command(flatten)]
    exchange: exchange::ExchangeArgs,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Tạo tài khoản quản trị hệ thống (tài khoản đầu tiên của một cài đặt mới). Mật khẩu lấy từ biến
    /// môi trường VANTHU_ADMIN_PASSWORD, nếu không có thì hỏi (không bao giờ ghi trên dòng lệnh)
    CreateSystemAdmin {
        #[arg(long)]
        username: String,
        #[arg(long)]
        full_name: String,
        #[command(flatten)]
        data: DataArgs,
    },
}

async fn open_app(data: &DataArgs, secure_cookies: bool) -> Result<(App, config::FileConfig)> {
    let file = data.file()?;
    let (dir, url) = data.resolve(&file)?;
    let store = vanthu_store::open(&url)
        .await
        .with_context(|| "không mở được cơ sở dữ liệu")?;
    let auth = AuthSettings {
        secure_cookies: secure_cookies || file.secure_cookies.unwrap_or(false),
        ..AuthSettings::default()
    };
    let blobs = vanthu_server::blobs::Blobs::open(dir.join("blobs"))
        .with_context(|| format!("không tạo được thư mục tệp {}", dir.join("blobs").display()))?;
    Ok((App::new(Arc::from(store), blobs, auth), file))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! { _ = ctrl_c => {}, _ = term => {} }
}

async fn serve(args: ServeArgs) -> Result<()> {
    let started = std::time::Instant::now();
    let (app, file) = open_app(&args.data, args.secure_cookies).await?;
    let app = match args.cache_ttl_ms.or(file.cache_ttl_ms) {
        Some(ms) => app.with_cache_ttl(std::time::Duration::from_millis(ms)),
        None => app,
    };
    if args.demo {
        if vanthu_server::demo::is_empty(&app).await? {
            let pw = std::env::var("VANTHU_DEMO_PASSWORD")
                .unwrap_or_else(|_| vanthu_server::demo::DEFAULT_DEMO_PASSWORD.into());
            let accounts = vanthu_server::demo::seed(&app, &pw)
                .await
                .map_err(|e| anyhow::anyhow!("không tạo được dữ liệu mẫu: {e}"))?;
            println!(
                "Đã tạo dữ liệu mẫu: {} tài khoản, mật khẩu chung lấy từ VANTHU_DEMO_PASSWORD (mặc định {}).",
                accounts.len(),
                vanthu_server::demo::DEFAULT_DEMO_PASSWORD
            );
            let docs = vanthu_server::demo_docs::seed_documents(&app)
                .await
                .map_err(|e| anyhow::anyhow!("không tạo được văn bản mẫu: {e}"))?;
            println!("Đã tạo {docs} văn bản mẫu ở mọi trạng thái.");
            println!(
                "{:<36} {:<28} {:<20} Đơn vị",
                "Tài khoản", "Họ và tên", "Vai trò"
            );
            for a in &accounts {
                println!(
                    "{:<36} {:<28} {:<20} {}",
                    a.username, a.full_name, a.roles, a.unit
                );
            }
        } else {
            println!("Cơ sở dữ liệu đã có dữ liệu: không tạo thêm dữ liệu mẫu.");
        }
    }
    // Checked before the port is opened: a wrong exchange setting stops the start with its reason.
    let (dir, _) = args.data.resolve(&file)?;
    let exchange_settings = exchange::resolve(&args.exchange, file.exchange.as_ref(), &dir)?;
    let listen = args
        .listen
        .or(file.listen.clone())
        .unwrap_or_else(|| "127.0.0.1:8080".into());
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .with_context(|| format!("không mở được cổng {listen}"))?;
    let addr = listener.local_addr()?;
    println!(
        "vanthu {} đang chạy tại http://{addr}/ (cơ sở dữ liệu: {}, khởi động {} ms)",
        env!("CARGO_PKG_VERSION"),
        app.store.backend(),
        started.elapsed().as_millis()
    );
    let store = app.store.clone();
    let worker = match exchange_settings {
        Some(s) => {
            println!(
                "Liên thông qua trục {} với mã hệ thống {}, lấy gói tin mỗi {} giây, ký bằng {}.",
                s.endpoint,
                s.system_id,
                s.poll.as_secs(),
                s.key_origin
            );
            Some(exchange::start(app.clone(), s)?)
        }
        None => None,
    };
    vanthu_server::server::serve(listener, app, shutdown_signal()).await?;
    if let Some(w) = worker {
        w.abort();
    }
    store.close().await;
    println!("vanthu đã dừng.");
    Ok(())
}

async fn admin(cmd: AdminCommand) -> Result<()> {
    match cmd {
        AdminCommand::CreateSystemAdmin {
            username,
            full_name,
            data,
        } => {
            let (app, _) = open_app(&data, false).await?;
            let password = match std::env::var("VANTHU_ADMIN_PASSWORD") {
                Ok(p) if !p.is_empty() => p,
                _ => {
                    let p = rpassword::prompt_password("Mật khẩu: ")?;
                    let q = rpassword::prompt_password("Nhập lại mật khẩu: ")?;
                    if p != q {
                        bail!("hai lần nhập mật khẩu không khớp");
                    }
                    p
                }
            };
            let input = vanthu_server::app::people::PersonInput {
                username,
                full_name,
                system_admin: true,
                clearance: Some("tuyet_mat".into()),
                password: Some(password),
                ..Default::default()
            };
            let p = app
                .create_system_admin(&input)
                .await
                .map_err(|e| anyhow::anyhow!("{e}"))?;
            println!(
                "Đã tạo tài khoản quản trị hệ thống {} (số {}).",
                p.username, p.id
            );
            Ok(())
        }
    }
}

/// The format of a file to read: from its extension, else from its contents.
fn read_format(path: &Path, bytes: &[u8]) -> Format {
    path.extension()
        .and_then(|e| e.to_str())
        .and_then(Format::from_extension)
        .unwrap_or_else(|| Format::detect(bytes))
}

async fn import(cmd: ImportCommand) -> Result<()> {
    let (units, args) = match cmd {
        ImportCommand::Units(a) => (true, a),
        ImportCommand::People(a) => (false, a),
    };
    let bytes = std::fs::read(&args.file)
        .with_context(|| format!("không đọc được tệp {}", args.file.display()))?;
    let format = read_format(&args.file, &bytes);
    let (app, _) = open_app(&args.data, false).await?;
    let actor = App::installation_actor();
    // Strict: one transaction, rolled back when any row is rejected.
    let opts = ImportOptions {
        dry_run: args.dry_run,
        strict: args.strict,
    };
    let result = if units {
        app.import_units_with(&actor, format, &bytes, opts).await
    } else {
        app.import_people_with(&actor, format, &bytes, opts).await
    };
    app.store.close().await;
    let report =
        result.map_err(|e| anyhow::anyhow!("tệp {} không được nhập: {e}", args.file.display()))?;
    let what = if units { "Đơn vị" } else { "Tài khoản" };
    print!("{}", report.to_text(what));
    if args.strict && !report.rejected.is_empty() {
        bail!(
            "{} dòng bị từ chối; với --strict không có thay đổi nào được lưu",
            report.rejected.len()
        );
    }
    Ok(())
}

async fn export(cmd: ExportCommand) -> Result<()> {
    let (units, args) = match cmd {
        ExportCommand::Units(a) => (true, a),
        ExportCommand::People(a) => (false, a),
    };
    let format = match args.format.as_deref() {
        Some(f) => Format::from_extension(f)
            .with_context(|| format!("định dạng \"{f}\" không hợp lệ: dùng csv hoặc xlsx"))?,
        None => args
            .output
            .extension()
            .and_then(|e| e.to_str())
            .and_then(Format::from_extension)
            .with_context(|| {
                format!(
                    "không rõ định dạng của {}: dùng đuôi .csv hoặc .xlsx, hoặc --format",
                    args.output.display()
                )
            })?,
    };
    let (app, _) = open_app(&args.data, false).await?;
    let actor = App::installation_actor();
    let bytes = if units {
        app.export_units(&actor, format).await
    } else {
        app.export_people(&actor, format).await
    }
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    app.store.close().await;
    std::fs::write(&args.output, &bytes)
        .with_context(|| format!("không ghi được tệp {}", args.output.display()))?;
    println!(
        "Đã ghi danh sách {} vào {} ({} byte).",
        if units {
            "đơn vị"
        } else {
            "người dùng"
        },
        args.output.display(),
        bytes.len()
    );
    Ok(())
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    // Reads a file and prints JSON: no runtime, no log set-up, its own exit codes.
    let command = match cli.command {
        Command::Edxml { command } => return edxml::run(command),
        other => other,
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("VANTHU_LOG")
                .unwrap_or_else(|_| "warn,vanthu=info".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("Lỗi: không khởi tạo được: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = rt.block_on(async {
        match command {
            Command::Serve(a) => serve(a).await,
            Command::Admin { command } => admin(command).await,
            Command::Import { what } => import(what).await,
            Command::Export { what } => export(what).await,
            Command::Axis(a) => axis::run(a, shutdown_signal()).await,
            Command::Edxml { .. } => unreachable!("handled before the runtime starts"),
        }
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("Lỗi: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}
