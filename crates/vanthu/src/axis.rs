//! `vanthu axis`: runs the national-axis interconnection service (trục liên thông), and `vanthu axis agency …`
//! administers the systems and agencies connected to it.

use anyhow::{Context, Result};
use clap::{Args, Subcommand};
use std::future::Future;
use std::path::PathBuf;
use vanthu_axis::{AxisConfig, NewAgency, Store};

#[derive(Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct AxisArgs {
    #[command(subcommand)]
    command: Option<AxisCommand>,
    #[command(flatten)]
    run: RunArgs,
}

#[derive(Args)]
struct RunArgs {
    /// Địa chỉ lắng nghe
    #[arg(long, env = "VANTHU_AXIS_LISTEN", default_value = "127.0.0.1:8090")]
    listen: String,
    /// Kích thước tối đa của một gói tin, tính bằng MiB
    #[arg(long, env = "VANTHU_AXIS_MAX_PACKAGE_MB", default_value_t = 64)]
    max_package_mb: u64,
    /// Đăng ký đóng: registerAgency chỉ cập nhật đơn vị quản trị viên đã thêm cho hệ thống gọi
    #[arg(long, env = "VANTHU_AXIS_CLOSED_REGISTRATION")]
    closed_registration: bool,
    #[command(flatten)]
    data: AxisData,
}

/// Where the axis keeps its data.
#[derive(Args, Clone)]
struct AxisData {
    /// Thư mục dữ liệu của trục: tệp cơ sở dữ liệu axis.db và thư mục gói tin packages/
    #[arg(long, env = "VANTHU_AXIS_DATA", default_value = "./axis-data")]
    data: PathBuf,
    /// Cơ sở dữ liệu: sqlite:ĐƯỜNG_DẪN hoặc postgres://NGƯỜI_DÙNG@MÁY/CSDL [mặc định: tệp axis.db trong thư mục dữ liệu]
    #[arg(long, env = "VANTHU_AXIS_DATABASE_URL")]
    database_url: Option<String>,
}

impl AxisData {
    async fn open(&self) -> Result<Store> {
        Store::open_in(&self.data, self.database_url.as_deref())
            .await
            .with_context(|| "không mở được cơ sở dữ liệu của trục")
    }
}

#[derive(Subcommand)]
enum AxisCommand {
    /// Quản lý đơn vị (mã định danh) và hệ thống kết nối với trục
    Agency {
        #[command(subcommand)]
        command: AgencyCommand,
    },
}

#[derive(Subcommand)]
enum AgencyCommand {
    /// Thêm đơn vị. Với --secret: tạo hệ thống kết nối cùng mã (mã hệ thống = mã đơn vị); với --system: thêm
    /// đơn vị vào một hệ thống đã có
    Add {
        /// Mã định danh của đơn vị, ví dụ 000.00.00.H41
        #[arg(long)]
        code: String,
        /// Tên đơn vị
        #[arg(long)]
        name: String,
        /// Khóa bí mật của hệ thống mới (ít nhất 16 ký tự); nên truyền qua biến môi trường VANTHU_AXIS_SECRET
        #[arg(
            long,
            env = "VANTHU_AXIS_SECRET",
            hide_env_values = true,
            conflicts_with = "system"
        )]
        secret: Option<String>,
        /// Mã hệ thống đã có sẽ quản lý đơn vị này
        #[arg(long)]
        system: Option<String>,
        /// Mã đơn vị cấp trên
        #[arg(long)]
        pcode: Option<String>,
        /// Thư điện tử
        #[arg(long)]
        mail: Option<String>,
        /// Số điện thoại
        #[arg(long)]
        mobile: Option<String>,
        /// Số fax
        #[arg(long)]
        fax: Option<String>,
        #[command(flatten)]
        data: AxisData,
    },
    /// Liệt kê mọi đơn vị, kể cả đơn vị đã khóa
    List {
        /// In dưới dạng JSON
        #[arg(long)]
        json: bool,
        #[command(flatten)]
        data: AxisData,
    },
    /// Khóa đơn vị (và hệ thống cùng mã): hệ thống bị khóa không gọi trục được, đơn vị bị khóa không nhận gói tin
    Disable {
        /// Mã đơn vị hoặc mã hệ thống
        #[arg(long)]
        code: String,
        #[command(flatten)]
        data: AxisData,
    },
    /// Mở khóa đơn vị (và hệ thống cùng mã)
    Enable {
        /// Mã đơn vị hoặc mã hệ thống
        #[arg(long)]
        code: String,
        #[command(flatten)]
        data: AxisData,
    },
    /// Đổi khóa bí mật của một hệ thống (yêu cầu ký bằng khóa cũ bị từ chối ngay)
    RotateSecret {
        /// Mã hệ thống
        #[arg(long)]
        code: String,
        /// Khóa bí mật mới (ít nhất 16 ký tự); nên truyền qua biến môi trường VANTHU_AXIS_SECRET
        #[arg(long, env = "VANTHU_AXIS_SECRET", hide_env_values = true)]
        secret: String,
        #[command(flatten)]
        data: AxisData,
    },
}

pub async fn run(
    args: AxisArgs,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<()> {
    match args.command {
        None => serve(args.run, shutdown).await,
        Some(AxisCommand::Agency { command }) => agency(command).await,
    }
}

async fn serve(args: RunArgs, shutdown: impl Future<Output = ()> + Send + 'static) -> Result<()> {
    let started = std::time::Instant::now();
    if args.max_package_mb == 0 {
        anyhow::bail!("--max-package-mb phải lớn hơn 0");
    }
    let database = match &args.data.database_url {
        Some(u) if u.starts_with("postgres") => "postgres".to_string(),
        Some(u) => u.clone(),
        None => args.data.data.join("axis.db").display().to_string(),
    };
    let config = AxisConfig {
        listen: args.listen,
        data: args.data.data.clone(),
        database_url: args.data.database_url.clone(),
        max_package_bytes: args.max_package_mb * 1024 * 1024,
        closed_registration: args.closed_registration,
        ..AxisConfig::default()
    };
    let (addr, server) = vanthu_axis::bind(config, shutdown).await?;
    println!(
        "Trục liên thông vanthu {} đang chạy tại http://{addr}/ (cơ sở dữ liệu: {database}, gói tin tối đa {} MiB, khởi động {} ms)",
        env!("CARGO_PKG_VERSION"),
        args.max_package_mb,
        started.elapsed().as_millis()
    );
    server.await?;
    println!("Trục liên thông đã dừng.");
    Ok(())
}

async fn agency(cmd: AgencyCommand) -> Result<()> {
    match cmd {
        AgencyCommand::Add {
            code,
            name,
            secret,
            system,
            pcode,
            mail,
            mobile,
            fax,
            data,
        } => {
            if secret.is_none() && system.is_none() {
                anyhow::bail!(
                    "cần --secret (tạo hệ thống kết nối mới cùng mã) hoặc --system (thêm vào hệ thống đã có)"
                );
            }
            let store = data.open().await?;
            let result = store
                .add_agency(&NewAgency {
                    code: code.clone(),
                    name,
                    secret: secret.clone(),
                    system: system.clone(),
                    pcode,
                    mail,
                    mobile,
                    fax,
                })
                .await;
            store.close().await;
            result?;
            match system {
                Some(s) => println!("Đã thêm đơn vị {} vào hệ thống {s}.", code.trim()),
                None => println!(
                    "Đã tạo hệ thống kết nối {0} và đơn vị {0}. Hệ thống này gọi trục với systemid {0} và khóa bí mật đã cho.",
                    code.trim()
                ),
            }
            Ok(())
        }
        AgencyCommand::List { json, data } => {
            let store = data.open().await?;
            let list = store.list_agencies().await;
            store.close().await;
            let list = list?;
            let mut out = String::new();
            if json {
                out = serde_json::to_string_pretty(&list)?;
                out.push('\n');
            } else if list.is_empty() {
                out.push_str("Chưa có đơn vị nào.\n");
            } else {
                out.push_str(&format!(
                    "{:<18} {:<18} {:<18} {:<13} Tên đơn vị\n",
                    "Mã", "Hệ thống", "Cấp trên", "Trạng thái"
                ));
                for a in &list {
                    let state = match (a.active, a.system_active) {
                        (true, true) => "hoạt động",
                        (false, _) => "đã khóa",
                        (true, false) => "hệ thống khóa",
                    };
                    out.push_str(&format!(
                        "{:<18} {:<18} {:<18} {:<13} {}\n",
                        a.code,
                        a.system,
                        a.pcode.as_deref().unwrap_or("-"),
                        state,
                        a.name
                    ));
                }
            }
            // A closed pipe (`| head`) is not an error worth a panic.
            let _ = std::io::Write::write_all(&mut std::io::stdout(), out.as_bytes());
            Ok(())
        }
        AgencyCommand::Disable { code, data } | AgencyCommand::Enable { code, data }
            if code.trim().is_empty() =>
        {
            let _ = data;
            anyhow::bail!("--code không được để trống")
        }
        AgencyCommand::Disable { code, data } => set_active(&data, &code, false).await,
        AgencyCommand::Enable { code, data } => set_active(&data, &code, true).await,
        AgencyCommand::RotateSecret { code, secret, data } => {
            let store = data.open().await?;
            let result = store.rotate_secret(&code, &secret).await;
            store.close().await;
            result?;
            println!("Đã đổi khóa bí mật của hệ thống {}.", code.trim());
            Ok(())
        }
    }
}

async fn set_active(data: &AxisData, code: &str, active: bool) -> Result<()> {
    let store = data.open().await?;
    let result = store.set_active(code, active).await;
    store.close().await;
    result?;
    println!(
        "Đã {} {}.",
        if active { "mở khóa" } else { "khóa" },
        code.trim()
    );
    Ok(())
}
