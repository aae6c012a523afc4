//! Prints what the reader finds in a package: `cargo run -p vanthu-edxml --example report -- FILE.edxml`.

fn main() {
    let Some(path) = std::env::args().nth(1) else {
        eprintln!("Cách dùng: report TỆP.edxml");
        std::process::exit(2);
    };
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("Không đọc được {path}: {e}");
            std::process::exit(1);
        }
    };
    match vanthu_edxml::read(&bytes) {
        Ok(d) => {
            match &d.value {
                vanthu_edxml::Packet::Edoc(e) => println!(
                    "Gói tin văn bản {} từ {} ({} tệp đính kèm)",
                    e.header.code.display(),
                    e.header
                        .from
                        .as_ref()
                        .map(|f| f.organ_id.as_str())
                        .unwrap_or("?"),
                    e.attachments.len()
                ),
                vanthu_edxml::Packet::Status(s) => println!(
                    "Gói tin trạng thái {} ({}) cho văn bản {}",
                    s.status_code,
                    s.status_code.name_vi().unwrap_or("mã lạ"),
                    s.response_for.code
                ),
            }
            if d.problems.is_empty() {
                println!("Không có vấn đề nào.");
            }
            for p in &d.problems {
                println!("{p}");
            }
        }
        Err(e) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
    }
}
