-- Document types (loại văn bản) as data: NĐ 30/2020 Điều 7 and Phụ lục III for the State side, Hướng dẫn
-- 36-HD/VPTW for the Party side. A type may have an abbreviation on one side only (State công văn has none:
-- its notation is the body and the drafting unit). Administrators add and edit types; built-in ones are kept.
CREATE TABLE document_types (
    code       TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    state_abbr TEXT,
    party_abbr TEXT,
    builtin    BOOLEAN NOT NULL DEFAULT FALSE,
    active     BOOLEAN NOT NULL DEFAULT TRUE,
    created_at BIGINT NOT NULL
);

INSERT INTO document_types (code, name, state_abbr, party_abbr, builtin, active, created_at) VALUES
('nghi_quyet', 'Nghị quyết', 'NQ', 'NQ', TRUE, TRUE, 0),
('quyet_dinh', 'Quyết định', 'QĐ', 'QĐ', TRUE, TRUE, 0),
('chi_thi', 'Chỉ thị', 'CT', 'CT', TRUE, TRUE, 0),
('quy_che', 'Quy chế', 'QC', 'QC', TRUE, TRUE, 0),
('quy_dinh', 'Quy định', 'QyĐ', 'QĐ', TRUE, TRUE, 0),
('thong_cao', 'Thông cáo', 'TC', NULL, TRUE, TRUE, 0),
('thong_bao', 'Thông báo', 'TB', 'TB', TRUE, TRUE, 0),
('huong_dan', 'Hướng dẫn', 'HD', 'HD', TRUE, TRUE, 0),
('chuong_trinh', 'Chương trình', 'CTr', 'CTr', TRUE, TRUE, 0),
('ke_hoach', 'Kế hoạch', 'KH', 'KH', TRUE, TRUE, 0),
('phuong_an', 'Phương án', 'PA', 'PA', TRUE, TRUE, 0),
('de_an', 'Đề án', 'ĐA', 'ĐA', TRUE, TRUE, 0),
('du_an', 'Dự án', 'DA', NULL, TRUE, TRUE, 0),
('bao_cao', 'Báo cáo', 'BC', 'BC', TRUE, TRUE, 0),
('bien_ban', 'Biên bản', 'BB', 'BB', TRUE, TRUE, 0),
('to_trinh', 'Tờ trình', 'TTr', 'TTr', TRUE, TRUE, 0),
('hop_dong', 'Hợp đồng', 'HĐ', NULL, TRUE, TRUE, 0),
('cong_dien', 'Công điện', 'CĐ', NULL, TRUE, TRUE, 0),
('ban_ghi_nho', 'Bản ghi nhớ', 'BGN', NULL, TRUE, TRUE, 0),
('ban_thoa_thuan', 'Bản thỏa thuận', 'BTT', NULL, TRUE, TRUE, 0),
('giay_uy_quyen', 'Giấy ủy quyền', 'GUQ', NULL, TRUE, TRUE, 0),
('giay_moi', 'Giấy mời', 'GM', 'GM', TRUE, TRUE, 0),
('giay_gioi_thieu', 'Giấy giới thiệu', 'GGT', 'GGT', TRUE, TRUE, 0),
('giay_nghi_phep', 'Giấy nghỉ phép', 'GNP', NULL, TRUE, TRUE, 0),
('phieu_gui', 'Phiếu gửi', 'PG', NULL, TRUE, TRUE, 0),
('phieu_chuyen', 'Phiếu chuyển', 'PC', NULL, TRUE, TRUE, 0),
('phieu_bao', 'Phiếu báo', 'PB', NULL, TRUE, TRUE, 0),
('cong_van', 'Công văn', NULL, 'CV', TRUE, TRUE, 0),
('thu_cong', 'Thư công', NULL, NULL, TRUE, TRUE, 0),
('ket_luan', 'Kết luận', NULL, 'KL', TRUE, TRUE, 0),
('thong_tri', 'Thông tri', NULL, 'TT', TRUE, TRUE, 0),
('ban_sao', 'Bản sao', NULL, 'BS', TRUE, TRUE, 0);
