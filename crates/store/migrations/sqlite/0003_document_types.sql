-- Document types (loại văn bản) as data: NĐ 30/2020 Điều 7 and Phụ lục III for the State side, Hướng dẫn
-- 36-HD/VPTW for the Party side. A type may have an abbreviation on one side only (State công văn has none:
-- its notation is the body and the drafting unit). Administrators add and edit types; built-in ones are kept.
CREATE TABLE document_types (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    state_abbr TEXT,
    party_abbr TEXT,
    builtin    INTEGER NOT NULL DEFAULT 0,
    active     INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL
);

INSERT INTO document_types (code, name, state_abbr, party_abbr, builtin, active, created_at) VALUES
('nghi_quyet', 'Nghị quyết', 'NQ', 'NQ', 1, 1, 0),
('quyet_dinh', 'Quyết định', 'QĐ', 'QĐ', 1, 1, 0),
('chi_thi', 'Chỉ thị', 'CT', 'CT', 1, 1, 0),
('quy_che', 'Quy chế', 'QC', 'QC', 1, 1, 0),
('quy_dinh', 'Quy định', 'QyĐ', 'QĐ', 1, 1, 0),
('thong_cao', 'Thông cáo', 'TC', NULL, 1, 1, 0),
('thong_bao', 'Thông báo', 'TB', 'TB', 1, 1, 0),
('huong_dan', 'Hướng dẫn', 'HD', 'HD', 1, 1, 0),
('chuong_trinh', 'Chương trình', 'CTr', 'CTr', 1, 1, 0),
('ke_hoach', 'Kế hoạch', 'KH', 'KH', 1, 1, 0),
('phuong_an', 'Phương án', 'PA', 'PA', 1, 1, 0),
('de_an', 'Đề án', 'ĐA', 'ĐA', 1, 1, 0),
('du_an', 'Dự án', 'DA', NULL, 1, 1, 0),
('bao_cao', 'Báo cáo', 'BC', 'BC', 1, 1, 0),
('bien_ban', 'Biên bản', 'BB', 'BB', 1, 1, 0),
('to_trinh', 'Tờ trình', 'TTr', 'TTr', 1, 1, 0),
('hop_dong', 'Hợp đồng', 'HĐ', NULL, 1, 1, 0),
('cong_dien', 'Công điện', 'CĐ', NULL, 1, 1, 0),
('ban_ghi_nho', 'Bản ghi nhớ', 'BGN', NULL, 1, 1, 0),
('ban_thoa_thuan', 'Bản thỏa thuận', 'BTT', NULL, 1, 1, 0),
('giay_uy_quyen', 'Giấy ủy quyền', 'GUQ', NULL, 1, 1, 0),
('giay_moi', 'Giấy mời', 'GM', 'GM', 1, 1, 0),
('giay_gioi_thieu', 'Giấy giới thiệu', 'GGT', 'GGT', 1, 1, 0),
('giay_nghi_phep', 'Giấy nghỉ phép', 'GNP', NULL, 1, 1, 0),
('phieu_gui', 'Phiếu gửi', 'PG', NULL, 1, 1, 0),
('phieu_chuyen', 'Phiếu chuyển', 'PC', NULL, 1, 1, 0),
('phieu_bao', 'Phiếu báo', 'PB', NULL, 1, 1, 0),
('cong_van', 'Công văn', NULL, 'CV', 1, 1, 0),
('thu_cong', 'Thư công', NULL, NULL, 1, 1, 0),
('ket_luan', 'Kết luận', NULL, 'KL', 1, 1, 0),
('thong_tri', 'Thông tri', NULL, 'TT', 1, 1, 0),
('ban_sao', 'Bản sao', NULL, 'BS', 1, 1, 0);
