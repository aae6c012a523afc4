//! Code lists carried in packages (standards.md §3.3, §3.7, §4.2).
//!
//! Every list keeps an `Other` variant holding the text of a code it does not know: a package with a new or
//! malformed code is still read (validation reports it), and writing it again sends the same text.
//!
//! Serialized as `{"code": "03", "name": "Đã tiếp nhận"}`: the code as written in the package, and the
//! Vietnamese name of a known code (`null` for a code kept as [`StatusCode::Other`] and the like).

use std::fmt;

macro_rules! code_list {
    (
        $(#[$meta:meta])*
        $name:ident {
            $( $(#[$vmeta:meta])* $variant:ident = $code:literal, $vi:literal; )+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$vmeta])* $variant, )+
            /// A code this crate does not know, kept as received.
            Other(String),
        }

        impl $name {
            /// Every known code, in code order.
            pub const KNOWN: &'static [$name] = &[ $( $name::$variant, )+ ];

            /// Reads a code. Surrounding spaces are ignored and a number written with more or fewer leading zeros
            /// (`1` for `01`) is recognised; anything else is kept as [`Self::Other`].
            pub fn parse(raw: &str) -> $name {
                let s = raw.trim();
                $( if s == $code { return $name::$variant; } )+
                if !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit()) {
                    if let Ok(n) = s.parse::<u32>() {
                        $( if $code.parse::<u32>().ok() == Some(n) { return $name::$variant; } )+
                    }
                }
                $name::Other(s.to_string())
            }

            /// The code as written in a package.
            pub fn code(&self) -> &str {
                match self {
                    $( $name::$variant => $code, )+
                    $name::Other(s) => s,
                }
            }

            /// Vietnamese name of a known code.
            pub fn name_vi(&self) -> Option<&'static str> {
                match self {
                    $( $name::$variant => Some($vi), )+
                    $name::Other(_) => None,
                }
            }

            /// False for [`Self::Other`].
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Other(_))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeStruct;
                let mut s = serializer.serialize_struct(stringify!($name), 2)?;
                s.serialize_field("code", self.code())?;
                s.serialize_field("name", &self.name_vi())?;
                s.end()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

code_list! {
    /// `StatusCode` of a status packet (standards.md §4.2). Codes 07–12 and 14 were never observed.
    StatusCode {
        /// `01` Đã đến: the receiving system has the package, the clerk has not handled it yet.
        Arrived = "01", "Đã đến";
        /// `02` Từ chối tiếp nhận: the clerk returns the document; the reason is in `Description`.
        Rejected = "02", "Từ chối tiếp nhận";
        /// `03` Đã tiếp nhận: registered in the incoming register.
        Accepted = "03", "Đã tiếp nhận";
        /// `04` Phân công: a leader assigned the handling.
        Assigned = "04", "Phân công";
        /// `05` Đang xử lý.
        Processing = "05", "Đang xử lý";
        /// `06` Hoàn thành: handling finished.
        Finished = "06", "Hoàn thành";
        /// `13` Thu hồi / lấy lại: revocation in the revoke flow.
        Revoked = "13", "Thu hồi";
        /// `15` Đồng ý thu hồi / cập nhật.
        ChangeAccepted = "15", "Đồng ý thu hồi/cập nhật";
        /// `16` Từ chối thu hồi / cập nhật.
        ChangeRejected = "16", "Từ chối thu hồi/cập nhật";
    }
}

impl StatusCode {
    /// The tag the SDK examples put in status file names (`status_inbox_01` …), for a known code.
    pub fn file_tag(&self) -> Option<&'static str> {
        Some(match self {
            StatusCode::Arrived => "inbox",
            StatusCode::Rejected => "rejection",
            StatusCode::Accepted => "acceptance",
            StatusCode::Assigned => "assignment",
            StatusCode::Processing => "processing",
            StatusCode::Finished => "finish",
            StatusCode::Revoked => "cancellation",
            StatusCode::ChangeAccepted => "change-acceptance",
            StatusCode::ChangeRejected => "change-rejection",
            StatusCode::Other(_) => return None,
        })
    }
}

code_list! {
    /// `OtherInfo/Priority`, the urgency (độ khẩn) of a document (standards.md §3.7). NĐ 30 knows only Khẩn,
    /// Thượng khẩn and Hỏa tốc; `4` is a legacy value still in the code list.
    Priority {
        /// `0` Thường.
        Normal = "0", "Thường";
        /// `1` Khẩn.
        Urgent = "1", "Khẩn";
        /// `2` Thượng khẩn.
        VeryUrgent = "2", "Thượng khẩn";
        /// `3` Hỏa tốc.
        Flash = "3", "Hỏa tốc";
        /// `4` Hỏa tốc hẹn giờ.
        FlashTimed = "4", "Hỏa tốc hẹn giờ";
    }
}

// The enum comes out of `code_list!`, which cannot place `#[default]`.
#[allow(clippy::derivable_impls)]
impl Default for Priority {
    fn default() -> Priority {
        Priority::Normal
    }
}

code_list! {
    /// `SteeringType`, the kind of direction (loại chỉ đạo) (standards.md §3.7; the VPCP samples send `1`, one
    /// provincial axis `0`, which is kept as [`SteeringType::Other`]).
    SteeringType {
        /// `1` Không phải chỉ đạo.
        NotSteering = "1", "Không phải chỉ đạo";
        /// `2` Chỉ đạo.
        Steering = "2", "Chỉ đạo";
        /// `3` Báo cáo chỉ đạo.
        SteeringReport = "3", "Báo cáo chỉ đạo";
    }
}

code_list! {
    /// `TraceHeaderList/Bussiness/BussinessDocType`, the business variant of a package (standards.md §3.6).
    BusinessDocType {
        /// `0` Văn bản mới.
        New = "0", "Văn bản mới";
        /// `1` Thu hồi: revokes the document named by `ResponseFor`.
        Revoke = "1", "Thu hồi";
        /// `2` Cập nhật: updates the document named by `Bussiness/DocumentId`.
        Update = "2", "Cập nhật";
        /// `3` Thay thế: replaces the documents of `ReplacementInfoList`.
        Replace = "3", "Thay thế";
    }
}

// The enum comes out of `code_list!`, which cannot place `#[default]`.
#[allow(clippy::derivable_impls)]
impl Default for BusinessDocType {
    fn default() -> BusinessDocType {
        BusinessDocType::New
    }
}

code_list! {
    /// `ReceiverList/Receiver/ReceiverType` of an update package.
    ReceiverType {
        /// `0` the agency is removed from the recipients.
        Removed = "0", "Bỏ khỏi danh sách nhận";
        /// `1` the agency is added to the recipients.
        Added = "1", "Thêm vào danh sách nhận";
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_code_round_trips() {
        for code in StatusCode::KNOWN {
            assert_eq!(&StatusCode::parse(code.code()), code);
            assert!(code.name_vi().is_some() && code.file_tag().is_some());
        }
        assert_eq!(StatusCode::KNOWN.len(), 9);
        assert_eq!(StatusCode::parse(" 3 "), StatusCode::Accepted);
        assert_eq!(StatusCode::parse("003"), StatusCode::Accepted);
        assert_eq!(StatusCode::parse("07"), StatusCode::Other("07".into()));
        assert_eq!(StatusCode::parse("07").code(), "07");
        assert_eq!(StatusCode::parse("done"), StatusCode::Other("done".into()));
        assert_eq!(
            StatusCode::parse("99999999999999999999").code(),
            "99999999999999999999"
        );
    }

    #[test]
    fn other_lists() {
        assert_eq!(Priority::parse("3"), Priority::Flash);
        assert_eq!(Priority::parse("x").code(), "x");
        assert_eq!(SteeringType::parse("0"), SteeringType::Other("0".into()));
        assert_eq!(BusinessDocType::parse("2"), BusinessDocType::Update);
        assert_eq!(ReceiverType::parse("1"), ReceiverType::Added);
        assert_eq!(StatusCode::Rejected.name_vi(), Some("Từ chối tiếp nhận"));
    }
}
