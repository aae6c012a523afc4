//! Sample register data shared by the integration tests and the example.
#![allow(dead_code)]

use vanthu_books::{BookMeta, IncomingRow, OutgoingRow};

pub fn meta_incoming(secret: bool) -> BookMeta {
    BookMeta {
        parent_agency: Some("ỦY BAN NHÂN DÂN TỈNH NINH BÌNH".into()),
        agency: "VĂN PHÒNG UBND TỈNH".into(),
        title: "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN".into(),
        register_name: "Sổ văn bản đến năm 2026".into(),
        period: "2026".into(),
        secret,
        from_number: Some(1),
        to_number: None,
        from_date: Some("02/01/2026".into()),
        to_date: None,
        printed_at: "22/11/2026 10:15".into(),
        volume: Some("01".into()),
    }
}

pub fn meta_outgoing() -> BookMeta {
    BookMeta {
        parent_agency: None,
        agency: "BAN CHẤP HÀNH ĐẢNG BỘ TỈNH NINH BÌNH".into(),
        title: "SỔ ĐĂNG KÝ VĂN BẢN ĐI".into(),
        register_name: "Sổ văn bản đi nhiệm kỳ 2025-2030".into(),
        period: "2025-2030".into(),
        secret: false,
        from_number: None,
        to_number: None,
        from_date: None,
        to_date: None,
        printed_at: "22/11/2026 10:15".into(),
        volume: None,
    }
}

const AUTHORS: [&str; 6] = [
    "UBND tỉnh Ninh Bình",
    "Bộ Nội vụ",
    "Sở Tài nguyên và Môi trường",
    "Văn phòng Chính phủ",
    "Ủy ban nhân dân huyện Hoa Lư",
    "Sở Giáo dục và Đào tạo",
];

const SUBJECTS: [&str; 6] = [
    "Quyết định về việc phê duyệt kế hoạch cải cách hành chính năm 2026 của Ủy ban nhân dân tỉnh Ninh Bình",
    "Công văn về việc đôn đốc triển khai thực hiện Nghị định số 30/2020/NĐ-CP về công tác văn thư",
    "Giấy mời dự hội nghị tổng kết công tác chuyển đổi số",
    "Báo cáo tình hình thực hiện nhiệm vụ phát triển kinh tế - xã hội quý III năm 2026 và phương hướng, nhiệm vụ quý IV; đề nghị các sở, ban, ngành, địa phương rà soát, bổ sung số liệu trước ngày 15 tháng 10",
    "Thông báo kết luận của Chủ tịch UBND tỉnh tại buổi làm việc với Sở Xây dựng",
    "Kế hoạch",
];

const PEOPLE: [&str; 5] = [
    "Đặng Thị Ngọc Hường",
    "Phòng Hành chính - Tổ chức",
    "Nguyễn Văn Đức",
    "Lãnh đạo Văn phòng",
    "Trần Thị Thu Hằng, Phòng Tổng hợp",
];

const NOTES: [&str; 4] = ["Hỏa tốc", "", "Thượng khẩn", "Bản sao"];

pub fn incoming_rows(n: usize) -> Vec<IncomingRow> {
    (0..n)
        .map(|i| {
            let day = i % 28 + 1;
            let month = (i / 28) % 12 + 1;
            IncomingRow {
                arrival_date: format!("{day:02}/{month:02}/2026"),
                arrival_number: format!("{}", i + 1),
                author: AUTHORS[i % AUTHORS.len()].into(),
                number_notation: format!("{}/QĐ-UBND", 100 + i),
                doc_date: format!("{:02}/{month:02}/2026", (day + 26) % 28 + 1),
                type_and_subject: SUBJECTS[i % SUBJECTS.len()].into(),
                recipient: PEOPLE[i % PEOPLE.len()].into(),
                transfer_date: format!("{day:02}/{month:02}/2026"),
                signature: String::new(),
                note: NOTES[i % NOTES.len()].into(),
            }
        })
        .collect()
}

pub fn outgoing_rows(n: usize) -> Vec<OutgoingRow> {
    (0..n)
        .map(|i| {
            let day = i % 28 + 1;
            OutgoingRow {
                number_notation: format!("{}-CV/TU", 200 + i),
                doc_date: format!("{day:02}/03/2026"),
                type_and_subject: SUBJECTS[(i + 2) % SUBJECTS.len()].into(),
                signer: PEOPLE[i % PEOPLE.len()].into(),
                recipients: "- Các sở, ban, ngành;\n- UBND các huyện, thành phố;\n- Lưu: VT."
                    .into(),
                archive_holder: "Phòng Tổng hợp".into(),
                copies: format!("{}", 5 + i % 20),
                transfer_date: format!("{day:02}/03/2026"),
                signature: String::new(),
                note: NOTES[i % NOTES.len()].into(),
            }
        })
        .collect()
}

/// A Vietnamese subject of at least `chars` characters.
pub fn long_subject(chars: usize) -> String {
    let words = [
        "Quyết", "định", "về", "việc", "phê", "duyệt", "điều", "chỉnh", "quy", "hoạch", "chi",
        "tiết", "xây", "dựng", "khu", "đô", "thị", "mới", "phía", "Đông", "thành", "phố", "Hoa",
        "Lư,",
    ];
    let mut s = String::new();
    let mut i = 0;
    while s.chars().count() < chars {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(words[i % words.len()]);
        i += 1;
    }
    s
}
