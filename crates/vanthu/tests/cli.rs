//! The real `vanthu` binary: first administrator, imports and exports on a fresh data directory.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A data directory removed at the end of the test.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> TempDir {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos();
        let p = std::env::temp_dir().join(format!("vanthu-cli-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&p).unwrap();
        TempDir(p)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn vanthu(data: &Path, args: &[&str]) -> Output {
    vanthu_env(data, args, &[])
}

/// Runs `vanthu` with only the given `VANTHU_*` variables, and no input.
fn vanthu_env(data: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vanthu"));
    for (k, _) in std::env::vars() {
        if k.starts_with("VANTHU_") {
            c.env_remove(k);
        }
    }
    c.envs(env.iter().copied())
        .stdin(std::process::Stdio::null())
        .args(args)
        .arg("--data")
        .arg(data)
        .output()
        .expect("run vanthu")
}

fn ok(o: &Output) -> String {
    let out = String::from_utf8_lossy(&o.stdout).to_string();
    assert!(
        o.status.success(),
        "exit {:?}\nstdout:\n{out}\nstderr:\n{}",
        o.status.code(),
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

const UNITS: &str = "\u{feff}Mã nội bộ,Mã định danh,Tên đơn vị,Tên viết tắt,Loại,Khối,Mã nội bộ đơn vị cấp trên\n\
    so.vp.th,,Phòng Tổng hợp,TH,Phòng ban,Nhà nước,so.vp\n\
    so,000.00.00.H99,Sở Thử nghiệm,STN,Cơ quan,Nhà nước,\n\
    so.vp,000.00.01.H99,Văn phòng Sở,VP,Cơ quan,Nhà nước,so\n";

const PEOPLE: &str = "tên đăng nhập;họ và tên;mã nội bộ đơn vị;chức vụ;vai trò;đơn vị chính;mật khẩu\n\
    nguyen.an;Nguyễn Văn An;so.vp;Chánh Văn phòng;Lãnh đạo;Có;\n\
    nguyen.an;Nguyễn Văn An;so.vp.th;Phụ trách;leader;Không;\n\
    tran.binh;Trần Thị Bình;so.vp.th;Văn thư;clerk;Có;Binh@2025x\n";

#[test]
fn import_and_export_from_the_command_line() {
    let dir = TempDir::new();
    let data = dir.0.join("data");
    let file = |name: &str| dir.0.join(name);
    let path = |name: &str| file(name).to_str().unwrap().to_string();

    let create_admin = [
        "admin",
        "create-system-admin",
        "--username",
        "quantri",
        "--full-name",
        "Quản trị",
    ];
    // The password never goes on the command line.
    let mut with_flag = create_admin.to_vec();
    with_flag.extend(["--password", "QuanTri@2025"]);
    let o = vanthu(&data, &with_flag);
    assert!(!o.status.success(), "--password is not an option");
    let out = ok(&vanthu_env(
        &data,
        &create_admin,
        &[("VANTHU_ADMIN_PASSWORD", "QuanTri@2025")],
    ));
    assert!(out.contains("quantri"), "{out}");

    std::fs::write(file("units.csv"), UNITS).unwrap();
    let out = ok(&vanthu(
        &data,
        &["import", "units", &path("units.csv"), "--dry-run"],
    ));
    assert!(
        out.contains("CHẠY THỬ") && out.contains("3 tạo mới"),
        "{out}"
    );
    let out = ok(&vanthu(&data, &["import", "units", &path("units.csv")]));
    assert!(
        out.contains("3 tạo mới, 0 cập nhật, 0 không đổi, 0 dòng bị từ chối"),
        "{out}"
    );

    std::fs::write(file("people.csv"), PEOPLE).unwrap();
    let out = ok(&vanthu(&data, &["import", "people", &path("people.csv")]));
    assert!(out.contains("2 tạo mới"), "{out}");
    let generated: Vec<&str> = out
        .lines()
        .filter_map(|l| l.trim().strip_prefix("nguyen.an\t"))
        .collect();
    assert_eq!(generated.len(), 1, "{out}");
    assert!(vanthu_domain::org::check_password(generated[0]).is_ok());
    assert!(
        !out.contains("tran.binh\t"),
        "a given password is not printed: {out}"
    );

    // Export to both formats, and load the exports back: nothing changes.
    let out = ok(&vanthu(
        &data,
        &["export", "units", "--output", &path("don-vi.xlsx")],
    ));
    assert!(out.contains("don-vi.xlsx"), "{out}");
    assert!(
        std::fs::read(file("don-vi.xlsx"))
            .unwrap()
            .starts_with(b"PK\x03\x04")
    );
    ok(&vanthu(
        &data,
        &["export", "units", "-o", &path("don-vi.csv")],
    ));
    let units = std::fs::read_to_string(file("don-vi.csv")).unwrap();
    let lines: Vec<&str> = units.lines().collect();
    assert!(
        lines[0].starts_with("\u{feff}Mã nội bộ,Mã định danh,Dạng mã"),
        "{units}"
    );
    assert_eq!(lines.len(), 4, "{units}");
    // Parents come first in exports.
    assert!(
        lines[1]
            .starts_with("so,000.00.00.H99,Trục liên thông,,Sở Thử nghiệm,STN,Cơ quan,Nhà nước,,"),
        "{units}"
    );
    assert!(lines[3].starts_with("so.vp.th,"), "{units}");
    ok(&vanthu(
        &data,
        &["export", "people", "--output", &path("nguoi-dung.csv")],
    ));
    let people = std::fs::read_to_string(file("nguoi-dung.csv")).unwrap();
    assert!(
        people.contains("nguyen.an,Nguyễn Văn An,,,Không,Không,so.vp,Chánh Văn phòng,Lãnh đạo,Có"),
        "{people}"
    );
    assert!(
        people.contains("nguyen.an,Nguyễn Văn An,,,Không,Không,so.vp.th,Phụ trách,Lãnh đạo,Không"),
        "{people}"
    );
    assert!(
        people.contains("tran.binh,Trần Thị Bình,,,Không,Không,so.vp.th,Văn thư,Văn thư,Có"),
        "{people}"
    );
    assert!(
        people.contains("quantri,Quản trị,,,Tuyệt mật,Có,,,,"),
        "{people}"
    );
    assert!(
        !people.contains("Binh@2025x") && !people.contains("Mật khẩu"),
        "{people}"
    );

    let out = ok(&vanthu(&data, &["import", "units", &path("don-vi.xlsx")]));
    assert!(out.contains("0 tạo mới, 0 cập nhật, 3 không đổi"), "{out}");
    let out = ok(&vanthu(
        &data,
        &["import", "people", &path("nguoi-dung.csv")],
    ));
    assert!(out.contains("0 tạo mới, 0 cập nhật, 3 không đổi"), "{out}");

    // Rejected rows are reported; with --strict nothing is saved and the exit code says so.
    let bad = "key,name,kind,side,code,parent_key\nso.moi,Phòng Mới,department,state,,so\nso.sai,Phòng Sai,department,state,28.22.H17,so\n";
    std::fs::write(file("bad.csv"), bad).unwrap();
    let o = vanthu(&data, &["import", "units", &path("bad.csv"), "--strict"]);
    assert!(!o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("Dòng 3 (so.sai)") && out.contains("28.22.H17") && out.contains("KHÔNG LƯU"),
        "{out}"
    );
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("--strict"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    // Nothing of the good row was saved: the import without --strict below creates it.
    // The same for people: the good account of a strict file is not created, and no password is shown.
    let bad_people = "username,full_name,unit_key,roles
le.cuong,Lê Văn Cường,so.vp,clerk
sai.don.vi,Sai Đơn Vị,khong.co,clerk
";
    std::fs::write(file("bad-people.csv"), bad_people).unwrap();
    let o = vanthu(
        &data,
        &["import", "people", &path("bad-people.csv"), "--strict"],
    );
    assert!(!o.status.success());
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        out.contains("1 tạo mới")
            && out.contains("Dòng 3 (sai.don.vi)")
            && out.contains("KHÔNG LƯU"),
        "{out}"
    );
    assert!(
        !out.lines()
            .any(|l| l.trim().starts_with("le.cuong\t") && l.trim().len() > "le.cuong\t".len()),
        "no password for an account that was not created: {out}"
    );
    ok(&vanthu(
        &data,
        &["export", "people", "--output", &path("sau-strict.csv")],
    ));
    let people = std::fs::read_to_string(file("sau-strict.csv")).unwrap();
    assert!(!people.contains("le.cuong"), "{people}");
    let out = ok(&vanthu(&data, &["import", "units", &path("bad.csv")]));
    assert!(
        out.contains("1 tạo mới") && out.contains("Dòng 3 (so.sai)"),
        "{out}"
    );

    // A file that cannot be read fails and names the problem.
    std::fs::write(
        file("latin1.csv"),
        b"key,name,kind,side\nx,Ph\xf2ng,department,state\n",
    )
    .unwrap();
    let o = vanthu(&data, &["import", "units", &path("latin1.csv")]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("UTF-8"));
    std::fs::write(file("rac.xlsx"), b"not a workbook").unwrap();
    let o = vanthu(&data, &["import", "people", &path("rac.xlsx")]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains(".xlsx"));
    let o = vanthu(&data, &["export", "units", "--output", &path("don-vi.pdf")]);
    assert!(!o.status.success());
}
